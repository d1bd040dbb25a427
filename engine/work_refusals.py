"""Runs of refusals of suitable work, per member (Art. 34): a query the guards' facts read."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Person, WorkOffer


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
