"""Suitable work offered to members able to work, and refusals without good reason (Art. 34).

A member of a dibao household who is able to work but has none accepts the
suitable work that the human-resources office or another department offers;
one who refuses three times in a row without good reason may have their own
share reduced or stopped by the county (``sanction_work_refusal``). Each offer
and its answer is an entry in the case's trail. Only an accepted offer ends a
run of refusals; a refusal with good reason neither counts nor ends it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from engine.access import STAFF_ROLES, ensure_role
from engine.clock import local_date
from engine.errors import Conflict, Problem, invalid_field, raise_invalid
from engine.identity import InvalidIdNumber, mask_id_number, parse_id_number
from engine.inputs import free_text_problem
from engine.models import WorkOffer
from engine.ports import Actor
from engine.services.household_members import current_member
from engine.services.workflow_step import CaseRef, locked_case, record_case_event
from engine.states import ENROLLED_STATES
from engine.uow import UnitOfWork
from engine.work_refusals import consecutive_refusals

OUTCOMES = ("accepted", "refused", "refused_good_reason")
MAX_TEXT = 2000


@dataclass(frozen=True)
class WorkOfferInput:
    """One offer of work to a member, and the member's answer."""

    member_id_number: str
    offered_on: dt.date
    offer: str
    outcome: str
    note: str = ""


@dataclass(frozen=True)
class WorkOfferRef:
    """The offer and the case's new version."""

    id: int
    case: CaseRef


def _problems(offer: WorkOfferInput, today: dt.date) -> list[Problem]:
    problems: list[Problem] = []
    try:
        parse_id_number(offer.member_id_number, today=today, field="member_id_number")
    except InvalidIdNumber as err:
        problems.append(err.problem)
    if offer.outcome not in OUTCOMES:
        problems.append(
            invalid_field(
                "outcome",
                f"结果须为：{'、'.join(OUTCOMES)}",
                f"outcome must be one of: {', '.join(OUTCOMES)}",
            )
        )
    if offer.offered_on > today:
        problems.append(
            invalid_field("offered_on", "日期不能晚于今天", "offered_on is in the future")
        )
    for field, value, required in (("offer", offer.offer, True), ("note", offer.note, False)):
        if (problem := free_text_problem(value, field, MAX_TEXT, required)) is not None:
            problems.append(problem)
    if offer.outcome == "refused_good_reason" and not offer.note.strip():
        problems.append(
            invalid_field("note", "有正当理由拒绝的，须写明理由", "a good reason must be stated")
        )
    return problems


def record_work_offer(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    offer: WorkOfferInput,
    expected_version: int | None = None,
) -> WorkOfferRef:
    """Record work offered to a member able to work, and the answer (Art. 34)."""
    ensure_role(actor, STAFF_ROLES, "登记就业岗位推荐", "record work offers")
    today = local_date(uow.clock.now(), uow.clock.tz)
    raise_invalid(_problems(offer, today))
    number = parse_id_number(offer.member_id_number, today=today).number
    with locked_case(uow, case_id, actor, "record_work_offer", expected_version) as case:
        session = uow.session
        if case.state not in ENROLLED_STATES:
            raise Conflict(
                "只有在保家庭的成员才登记就业岗位推荐（第三十四条）",
                "work offers are recorded for enrolled households (Art. 34)",
                code="invalid_state",
            )
        member = current_member(
            session, case, number, today, field="member_id_number", code="not_a_member"
        )
        if not member.able_to_work:
            raise_invalid(
                [
                    invalid_field(
                        "member_id_number",
                        "该成员未登记为有劳动能力，不适用第三十四条",
                        "the member is not recorded as able to work: Art. 34 does not apply",
                        code="not_able_to_work",
                    )
                ]
            )
        row = WorkOffer(
            case_id=case.id,
            person_id=member.person_id,
            offered_on=offer.offered_on,
            offer=offer.offer.strip(),
            outcome=offer.outcome,
            note=offer.note.strip(),
            recorded_by_id=actor.user_id,
            recorded_at=uow.clock.now(),
        )
        session.add(row)
        session.flush()
        runs = consecutive_refusals(session, case.id)
        record_case_event(
            uow,
            case,
            actor,
            "record_work_offer",
            {
                "offer_id": row.id,
                "member": mask_id_number(number),
                "offered_on": offer.offered_on,
                "offer": row.offer,
                "outcome": row.outcome,
                "note": row.note,
                "consecutive_refusals": runs.get(number, 0),
            },
        )
        uow.commit()
        return WorkOfferRef(row.id, CaseRef(case.id, str(case.state), case.version))
