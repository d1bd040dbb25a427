"""Queries the guards' facts read only when a rule needs them: runs of refusals of suitable
work per member (Art. 34), tekun persons not yet assessed for self-care (TK Art. 20)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import Case, Member, Person, SelfCareAssessment, WorkOffer


def consecutive_refusals(session: Session, case_id: int) -> dict[str, int]:
    """Each member's refusals without good reason since their last accepted offer, by ID number.

    Only an accepted offer ends a run; a refusal with good reason neither counts nor ends it.
    """
    runs: dict[str, int] = {}
    for number, outcome in session.execute(
        select(Person.id_number, WorkOffer.outcome)
        .join(Person, Person.id == WorkOffer.person_id)
        .where(WorkOffer.case_id == case_id)
        .order_by(WorkOffer.offered_on, WorkOffer.id)
    ):
        if outcome == "accepted":
            runs[number] = 0
        elif outcome == "refused":
            runs[number] = runs.get(number, 0) + 1
    return runs


def unassessed(session: Session, case: Case) -> int:
    """How many current members of a tekun case have no self-care assessment on the case."""
    assessed = select(SelfCareAssessment.person_id).where(SelfCareAssessment.case_id == case.id)
    return (
        session.scalar(
            select(func.count())
            .select_from(Member)
            .where(
                Member.household_id == case.household_id,
                Member.left_at.is_(None),
                Member.person_id.not_in(assessed),
            )
        )
        or 0
    )
