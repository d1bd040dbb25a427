"""Following a monitoring warning up (核实处置): a home visit, a referral that opens a draft
application for the household, or a close with a reason; each in the county's monitoring
ledger, the warning marked handled in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import local_date
from engine.errors import NotFound, invalid_field, raise_invalid
from engine.inputs import free_text_problem
from engine.means import load_household
from engine.models import (
    Category,
    Member,
    MonitoredPerson,
    MonitoringWarning,
    Person,
    Relation,
)
from engine.ports import Actor
from engine.services.applications import Application, IncomeInput, MemberInput, Referral
from engine.services.cases import submit_application
from engine.services.monitoring import MAX_NOTE
from engine.services.visits import check_visit, new_visit, visit_payload
from engine.services.warning_state import handled, locked_warning
from engine.services.workflow_step import CaseRef
from engine.uow import UnitOfWork, db_conflicts


@dataclass(frozen=True)
class VisitInput:
    """A home visit: when, whom, what was found, and the photos' SHA-256."""

    visited_on: dt.date
    findings: str
    household: str = ""
    photo_sha256: Sequence[str] = ()


def follow_up_by_visit(uow: UnitOfWork, actor: Actor, warning_id: int, visit: VisitInput) -> int:
    """Follow a warning up by a home visit; return the visit's id."""
    with uow, db_conflicts():
        warning = locked_warning(uow, actor, warning_id)
        today = local_date(uow.clock.now(), uow.clock.tz)
        problems = check_visit(visit.visited_on, visit.findings, visit.photo_sha256, today)
        if visit.visited_on < warning.signal_on:
            problems.append(
                invalid_field(
                    "visited_on",
                    f"走访日期早于风险信号日期（{warning.signal_on.isoformat()}）",
                    f"the visit is dated before the signal ({warning.signal_on.isoformat()})",
                )
            )
        raise_invalid(problems)
        monitored = uow.session.get(MonitoredPerson, warning.monitored_id)
        assert monitored is not None
        person = uow.session.get(Person, monitored.person_id)
        assert person is not None
        row = new_visit(
            uow,
            actor,
            village_code=warning.village_code,
            visited_on=visit.visited_on,
            purpose="warning",
            household=visit.household or person.name,
            findings=visit.findings,
            photo_sha256=visit.photo_sha256,
            person_id=person.id,
            warning_id=warning.id,
        )
        handled(uow, actor, warning, "visited", visit.findings.strip(), visit=visit_payload(row))
        uow.commit()
        return row.id


def close_warning(uow: UnitOfWork, actor: Actor, warning_id: int, reason: str) -> None:
    """Close a warning with a reason (found no need, already assisted, ...)."""
    found = free_text_problem(reason, "reason", MAX_NOTE, required=True)
    raise_invalid([found] if found else [])
    with uow, db_conflicts():
        warning = locked_warning(uow, actor, warning_id)
        handled(uow, actor, warning, "closed", reason.strip())
        uow.commit()


def refer_warning(
    uow: UnitOfWork, actor: Actor, warning_id: int, note: str, category: str = "dibao"
) -> CaseRef:
    """Follow a warning up by a referral: a draft application opens for the person's household
    (its current members and means pre-filled; the person alone if they live in none known),
    the referral in its first entry, the warning marked referred in the same transaction."""
    found = free_text_problem(note, "note", MAX_NOTE, required=True)
    raise_invalid([found] if found else [])
    with uow.again() as reading:
        session = reading.session
        warning = session.get(MonitoringWarning, warning_id)
        if warning is None:
            raise NotFound(
                f"预警{warning_id}不存在", f"warning {warning_id} does not exist", code="not_found"
            )
        monitored = session.get(MonitoredPerson, warning.monitored_id)
        assert monitored is not None
        person = session.get(Person, monitored.person_id)
        assert person is not None
        members = _household_of(session, person)
        village = warning.village_code
    app = Application(
        category=category,
        village_code=village,
        members=members,
        draft=True,
        tekun_supporter="none" if category == Category.TEKUN else None,
        referral=Referral(kind="warning", note=note.strip(), warning_id=warning_id),
    )
    return submit_application(uow, actor, app)


def _household_of(session: Session, person: Person) -> list[MemberInput]:
    """The person's current household as an application's members (the person first, as the
    applicant), with what is recorded of each."""
    member = session.scalar(
        select(Member)
        .where(Member.person_id == person.id, Member.left_at.is_(None))
        .order_by(Member.id.desc())
        .limit(1)
    )
    if member is None:
        return [MemberInput(id_number=person.id_number, name=person.name, relation="self")]
    household = load_household(session, member.household_id)
    ordered = sorted(household.members, key=lambda m: m.person_id != person.id)
    return [
        MemberInput(
            id_number=m.person.id_number,
            name=m.person.name,
            relation="self" if m.person_id == person.id else _relation_to(m, member),
            disability_grade=m.disability_grade,
            disability_type=str(m.disability_type) if m.disability_type else None,
            serious_illness=m.serious_illness,
            able_to_work=m.able_to_work,
            in_school=m.in_school,
            incomes=[IncomeInput(str(i.type), i.monthly_yuan) for i in m.incomes],
        )
        for m in ordered
    ]


def _relation_to(other: Member, applicant: Member) -> str:
    """The other member's relation to the new applicant, where the old household's relations
    say it (to the old applicant); otherwise "other", for the clerk to correct in the draft."""
    if applicant.relation == Relation.SELF:
        return str(other.relation)
    if other.relation == Relation.SELF and applicant.relation == Relation.SPOUSE:
        return str(Relation.SPOUSE)
    return str(Relation.OTHER)
