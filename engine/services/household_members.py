"""Household composition changes: a member joins (birth, marriage, moving in) or leaves.

Each change is one audited event on the case; the person's claim on the case
is taken or released with it, and the case's kinship flags are checked again
because the relations between the household and the officials changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.access import STAFF_ROLES, ensure_role
from engine.clock import local_date
from engine.errors import Conflict, InvalidData, Recused, invalid_field, raise_invalid
from engine.identity import InvalidIdNumber, mask_id_number, parse_id_number
from engine.models import Case, CaseClaim, Member, Person, Relation
from engine.ports import Actor
from engine.services.applications import MemberInput, member_problems
from engine.services.cases import ensure_unclaimed, fill_member, find_or_register_persons
from engine.services.identity_checks import NameMismatchElsewhere, record_name_mismatch
from engine.services.workflow_step import CaseRef, locked_case, record_case_event
from engine.states import FINAL_STATES
from engine.uow import UnitOfWork

DepartureReason = Literal["moved_out", "married_out", "other"]
DEPARTURE_REASONS: tuple[DepartureReason, ...] = ("moved_out", "married_out", "other")
JoinReason = Literal["birth", "marriage", "moved_in", "other"]
JOIN_REASONS: tuple[JoinReason, ...] = ("birth", "marriage", "moved_in", "other")
MAX_NOTE = 500


def current_member(
    session: Session,
    case: Case,
    id_number: str,
    today: dt.date,
    field: str = "id_number",
    code: str = "invalid",
) -> Member:
    """The household's current member with this ID number, or a clear 422 naming ``field``."""
    try:
        number = parse_id_number(id_number, today=today, field=field).number
    except InvalidIdNumber as err:
        raise InvalidData(
            err.problem.message, err.problem.message_en, problems=[err.problem]
        ) from None
    member = session.scalar(
        select(Member)
        .join(Person, Person.id == Member.person_id)
        .where(
            Member.household_id == case.household_id,
            Member.left_at.is_(None),
            Person.id_number == number,
        )
    )
    if member is None:
        raise_invalid(
            [
                invalid_field(
                    field,
                    "该人员不是本户现有成员",
                    "no current member of the household has this ID",
                    code=code,
                )
            ]
        )
    assert member is not None
    return member


def _open_case(case: Case) -> None:
    if case.state in FINAL_STATES:
        raise Conflict("案件已结束", "the case has ended", code="invalid_state")


def _date_problem(field: str, day: dt.date, today: dt.date) -> None:
    if day > today:
        raise_invalid(
            [invalid_field(field, "日期不能晚于今天", f"{field} cannot lie in the future")]
        )


def _reason_problem(field: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise_invalid(
            [
                invalid_field(
                    field,
                    f"取值无效：{value!r}，可选：{'、'.join(allowed)}",
                    f"invalid value {value!r}; expected one of: {', '.join(allowed)}",
                )
            ]
        )


def _note_problem(note: str) -> None:
    if len(note) > MAX_NOTE:
        raise_invalid(
            [invalid_field("note", f"说明不超过{MAX_NOTE}字", f"note: at most {MAX_NOTE} chars")]
        )


def record_member_joined(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    member: MemberInput,
    joined_on: dt.date,
    reason: JoinReason,
    note: str = "",
    expected_version: int | None = None,
) -> CaseRef:
    """A person joins the household (birth, marriage, moving in); the case is checked again."""
    ensure_role(actor, STAFF_ROLES, "登记家庭成员变动", "record household changes")
    today = local_date(uow.clock.now(), uow.clock.tz)
    problems = member_problems("member", member, today)
    if member.relation == Relation.SELF:
        problems.append(
            invalid_field(
                "member.relation",
                "申请人已存在，新成员不能为本人（self）",
                "the household already has its applicant; a new member cannot be 'self'",
            )
        )
    if member.covered:
        problems.append(
            invalid_field(
                "member.covered",
                "单人保对象在申请时确定",
                "the member covered alone is set by the application",
            )
        )
    raise_invalid(problems)
    _date_problem("joined_on", joined_on, today)
    _reason_problem("reason", reason, JOIN_REASONS)
    _note_problem(note)
    try:
        return _join(uow, actor, case_id, member, joined_on, reason, note, expected_version, today)
    except NameMismatchElsewhere as err:
        record_name_mismatch(uow, actor, err, "record_member_joined")
        raise


def _join(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    member: MemberInput,
    joined_on: dt.date,
    reason: JoinReason,
    note: str,
    expected_version: int | None,
    today: dt.date,
) -> CaseRef:
    with locked_case(uow, case_id, actor, "record_member_joined", expected_version) as case:
        session = uow.session
        _open_case(case)
        now = uow.clock.now()
        (person,) = find_or_register_persons(uow, actor, [member], today, now, where="member")
        if person.birth_date > joined_on:
            raise_invalid(
                [invalid_field("joined_on", "加入日期早于出生日期", "joined_on precedes birth")]
            )
        ensure_unclaimed(session, [person], actor)
        row = Member(household_id=case.household_id, person_id=person.id, joined_at=now)
        fill_member(row, member)
        session.add(row)
        session.add(CaseClaim(person_id=person.id, case_id=case.id, claimed_at=now))
        session.flush()
        # the newcomer may make the acting user a relative of the household
        problem = uow.kinship.recusal(session, case, actor.person_id, today)
        if problem is not None:
            raise Recused(
                problem.message,
                problem.message_en,
                problems=[problem],
                details={"action": "record_member_joined", "case_id": case.id},
            )
        uow.kinship.refresh_case(uow, case, actor)
        record_case_event(
            uow,
            case,
            actor,
            "member_joined",
            {
                "member": mask_id_number(person.id_number),
                "relation": member.relation,
                "joined_on": joined_on,
                "reason": reason,
            },
            reason=note,
        )
        uow.commit()
        return CaseRef(case.id, str(case.state), case.version)


def record_member_left(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    id_number: str,
    left_on: dt.date,
    reason: DepartureReason,
    note: str = "",
    expected_version: int | None = None,
) -> CaseRef:
    """A member leaves the household alive (moved or married out); deaths have their own event."""
    ensure_role(actor, STAFF_ROLES, "登记家庭成员变动", "record household changes")
    today = local_date(uow.clock.now(), uow.clock.tz)
    _date_problem("left_on", left_on, today)
    _reason_problem("reason", reason, DEPARTURE_REASONS)
    _note_problem(note)
    with locked_case(uow, case_id, actor, "record_member_left", expected_version) as case:
        session = uow.session
        _open_case(case)
        member = current_member(session, case, id_number, today)
        if member.relation == Relation.SELF:
            raise Conflict(
                "申请人不能迁出本户；请由新的申请人重新申请",
                "the applicant cannot leave the household; a new applicant must apply",
                code="applicant_cannot_leave",
            )
        now = uow.clock.now()
        member.left_at = now
        member.left_reason = reason
        session.execute(
            update(CaseClaim)
            .where(
                CaseClaim.case_id == case.id,
                CaseClaim.person_id == member.person_id,
                CaseClaim.released_at.is_(None),
            )
            .values(released_at=now)
        )
        session.flush()
        uow.kinship.refresh_case(uow, case, actor)
        person = session.get(Person, member.person_id)
        record_case_event(
            uow,
            case,
            actor,
            "member_left",
            {
                "member": mask_id_number(person.id_number if person else ""),
                "left_on": left_on,
                "reason": reason,
            },
            reason=note,
        )
        uow.commit()
        return CaseRef(case.id, str(case.state), case.version)
