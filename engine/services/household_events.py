"""Events on an enrolled household: a member's death, a decision letter served."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import update

from engine.access import STAFF_ROLES, ensure_role
from engine.clock import local_date
from engine.errors import Conflict, Problem, invalid_field, raise_invalid
from engine.identity import mask_id_number
from engine.means import load_household
from engine.models import (
    Case,
    CaseClaim,
    DisabilityType,
    IncomeType,
    Member,
    MemberIncome,
    Person,
    yuan_to_fen,
)
from engine.ports import Actor
from engine.services.applications import IncomeInput, is_amount, member_field_problems
from engine.services.household_members import current_member
from engine.services.workflow_step import CaseRef, locked_case, record_case_event
from engine.states import FINAL_STATES, STATE_LABELS, CaseState
from engine.uow import UnitOfWork

S = CaseState
#: states whose decision can be served on the applicant
DECIDED_STATES = frozenset(
    {S.ACTIVE, S.UNDER_RECHECK, S.PHASING_OUT, S.TERMINATION_NOTICE, S.REJECTED, S.TERMINATED}
)
SERVICE_METHODS = ("in_person", "post", "village_posting", "electronic")


def record_death(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    id_number: str,
    died_on: dt.date,
    expected_version: int | None = None,
) -> CaseRef:
    """Record a member's death: they leave the household and the case is reassessed.

    The reassessment is due within 3 months (2022 notice), shown as a deadline.
    """
    ensure_role(actor, STAFF_ROLES, "登记成员死亡", "record deaths")
    with locked_case(uow, case_id, actor, "record_death", expected_version) as case:
        session = uow.session
        if case.state in FINAL_STATES:
            raise Conflict("案件已结束", "the case has ended", code="invalid_state")
        today = local_date(uow.clock.now(), uow.clock.tz)
        member = current_member(session, case, id_number, today)
        person = session.get(Person, member.person_id)
        assert person is not None
        birth, number = person.birth_date, person.id_number
        if not birth <= died_on <= today:
            raise_invalid(
                [
                    invalid_field(
                        "died_on",
                        "死亡日期须在出生之后、今天或之前",
                        "died_on must lie between birth and today",
                    )
                ]
            )
        end_membership_by_death(uow, case, actor, member, number, died_on)
        uow.commit()
        return CaseRef(case.id, str(case.state), case.version)


def end_membership_by_death(
    uow: UnitOfWork, case: Case, actor: Actor, member: Member, id_number: str, died_on: dt.date
) -> None:
    """What a death does to a case (locked): the member leaves, their claim is released, the
    kinship flags follow the household, and the reassessment is due within 3 months (2022
    notice); recorded as ``record_death`` in the case's trail."""
    session = uow.session
    now = uow.clock.now()
    member.left_at = now
    member.left_reason = "death"
    member.died_on = died_on
    session.execute(
        update(CaseClaim)
        .where(
            CaseClaim.case_id == case.id,
            CaseClaim.person_id == member.person_id,
            CaseClaim.released_at.is_(None),
        )
        .values(released_at=now)
    )
    case.reassess_from = died_on
    session.flush()
    uow.kinship.refresh_case(uow, case, actor)  # the household changed
    record_case_event(
        uow,
        case,
        actor,
        "record_death",
        {
            "member": mask_id_number(id_number),
            "died_on": died_on,
            "reassess_within_months": uow.rules.value("death_reassessment_months", died_on),
        },
    )


def serve_decision(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    served_on: dt.date,
    method: str,
    expected_version: int | None = None,
) -> CaseRef:
    """Record that the written decision was served on the applicant (Art. 21, 38)."""
    ensure_role(actor, STAFF_ROLES, "登记决定送达", "record service of decisions")
    if method not in SERVICE_METHODS:
        raise_invalid(
            [
                invalid_field(
                    "method",
                    f"送达方式：{'、'.join(SERVICE_METHODS)}",
                    f"method: one of {', '.join(SERVICE_METHODS)}",
                )
            ]
        )
    with locked_case(uow, case_id, actor, "serve_decision", expected_version) as case:
        if case.state not in DECIDED_STATES or case.decided_at is None:
            label = STATE_LABELS[CaseState(case.state)][0]
            raise Conflict(
                f"案件当前状态为“{label}”，尚无可送达的决定",
                f"no decision to serve in state {str(case.state)!r}",
                code="invalid_state",
            )
        today = local_date(uow.clock.now(), uow.clock.tz)
        if not local_date(case.decided_at, uow.clock.tz) <= served_on <= today:
            raise_invalid(
                [
                    invalid_field(
                        "served_on",
                        "送达日期须在决定之后、今天或之前",
                        "served_on must lie between the decision and today",
                    )
                ]
            )
        case.decision_served_on = served_on
        record_case_event(
            uow, case, actor, "serve_decision", {"served_on": served_on, "method": method}
        )
        uow.commit()
        return CaseRef(case.id, str(case.state), case.version)


#: kinds of change recorded on a household (the phase-out needs "employment")
CHANGE_KINDS = ("employment", "income", "health", "property", "other")
#: where a change of means may be recorded: during investigation, rechecks and phase-out
CHANGE_STATES = frozenset({S.INVESTIGATING, S.UNDER_RECHECK, S.PHASING_OUT})


@dataclass(frozen=True)
class MemberChange:
    """New figures for one current member, found by ID number; None leaves a field as it is."""

    id_number: str
    incomes: Sequence[IncomeInput] | None = None
    disability_grade: int | None = None
    disability_type: str | None = None
    serious_illness: bool | None = None
    able_to_work: bool | None = None
    #: at school: a supported tekun minor stays supported past 18 (TK Art. 24)
    in_school: bool | None = None


@dataclass(frozen=True)
class MeansChange:
    """What an investigation or recheck found changed in the household's means."""

    kind: str
    note: str
    members: Sequence[MemberChange] = ()
    income_stable: bool | None = None
    rigid_expenses_yuan: Decimal | None = None


def _member_snapshot(member: Member) -> dict[str, object]:
    return {
        "incomes": [{"type": str(i.type), "monthly_yuan": i.monthly_yuan} for i in member.incomes],
        "disability_grade": member.disability_grade,
        "disability_type": str(member.disability_type) if member.disability_type else None,
        "serious_illness": member.serious_illness,
        "able_to_work": member.able_to_work,
        "in_school": member.in_school,
    }


def record_change(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    change: MeansChange,
    expected_version: int | None = None,
) -> CaseRef:
    """Record changed incomes, health or work capacity found by an investigation or recheck.

    The next deciding trigger (propose, adjust, start_phase_out, resume)
    computes from the new figures; the entry keeps the figures before and after.
    """
    ensure_role(actor, STAFF_ROLES, "登记家庭情况变化", "record changes of means")
    problems: list[Problem] = []
    if change.kind not in CHANGE_KINDS:
        problems.append(
            invalid_field(
                "kind",
                f"变化类别：{'、'.join(CHANGE_KINDS)}",
                f"kind: one of {', '.join(CHANGE_KINDS)}",
            )
        )
    if not change.note.strip() or len(change.note) > 2000:
        problems.append(invalid_field("note", "须说明变化情况", "note: describe the change"))
    for i, m in enumerate(change.members):
        problems += member_field_problems(
            f"members.{i}",
            incomes=m.incomes or (),
            grade=m.disability_grade,
            disability_type=m.disability_type,
        )
    if change.rigid_expenses_yuan is not None and not is_amount(change.rigid_expenses_yuan):
        problems.append(
            invalid_field(
                "rigid_expenses_yuan", "须为不小于0的金额", "must be a non-negative amount"
            )
        )
    raise_invalid(problems)
    with locked_case(uow, case_id, actor, "record_change", expected_version) as case:
        session = uow.session
        if case.state not in CHANGE_STATES:
            label = STATE_LABELS[CaseState(case.state)][0]
            raise Conflict(
                f"案件当前状态为“{label}”，调查或核查期间才能登记变化",
                f"changes are recorded during investigation or recheck, not in {str(case.state)!r}",
                code="invalid_state",
            )
        household = load_household(session, case.household_id)
        by_number = {m.person.id_number: m for m in household.members}
        before: dict[str, object] = {}
        after: dict[str, object] = {}
        missing = []
        for i, m in enumerate(change.members):
            number = m.id_number.strip().upper()
            member = by_number.get(number)
            if member is None:
                missing.append(
                    invalid_field(
                        f"members.{i}.id_number",
                        "不是本户现有成员",
                        "not a current member of the household",
                    )
                )
                continue
            key = mask_id_number(number)
            before[key] = _member_snapshot(member)
            if m.incomes is not None:
                member.incomes = [
                    MemberIncome(
                        type=IncomeType(x.type), monthly_fen=yuan_to_fen(Decimal(x.monthly_yuan))
                    )
                    for x in m.incomes
                ]
            for field in ("disability_grade", "serious_illness", "able_to_work", "in_school"):
                if getattr(m, field) is not None:
                    setattr(member, field, getattr(m, field))
            if m.disability_type is not None:
                member.disability_type = DisabilityType(m.disability_type)
            after[key] = _member_snapshot(member)
        raise_invalid(missing)
        household_before = {
            "income_stable": household.income_stable,
            "rigid_expenses_yuan": household.rigid_expenses,
        }
        if change.income_stable is not None:
            household.income_stable = change.income_stable
        if change.rigid_expenses_yuan is not None:
            household.rigid_expenses_fen = yuan_to_fen(Decimal(change.rigid_expenses_yuan))
        case.last_change_kind = change.kind
        record_case_event(
            uow,
            case,
            actor,
            "record_change",
            {
                "kind": change.kind,
                "members_before": before,
                "members_after": after,
                "household_before": household_before,
                "household_after": {
                    "income_stable": household.income_stable,
                    "rigid_expenses_yuan": household.rigid_expenses,
                },
            },
            reason=change.note.strip(),
        )
        uow.commit()
        return CaseRef(case.id, str(case.state), case.version)
