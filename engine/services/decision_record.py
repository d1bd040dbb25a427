"""Decisions of record: each gets its number and the appeal route it states, when it is taken.

A decision letter may be printed long after the decision, and the county's
reconsideration body or the time limits may have changed by then; the letter
prints what the decision recorded (Art. 38: a refusal states the route to
reconsideration within 60 days and to the court within 6 months). The number
is the county's yearly serial, gapless because it is taken under a row lock in
the decision's own transaction: ``512022-2026-000123``. For an approval it is
the number of the assistance certificate (低保证 / 特困人员供养证).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from engine.access import county_of
from engine.documents.contacts import appeal_route
from engine.models import DecisionSerial
from engine.uow import UnitOfWork

#: the triggers whose decision a letter states (``audit.letters.LETTER_TRIGGERS``)
DECISION_TRIGGERS = frozenset(
    {
        "approve",
        "reject",
        "terminate",
        "end_phase_out",
        "adjust",
        "resume",
        "start_phase_out",
        "sanction_work_refusal",
        "lift_work_refusal_sanction",
        "keep_support",
    }
)


def decision_numbers(session: Session, county: str, year: int, count: int) -> list[str]:
    """Take the county's next ``count`` decision numbers of the year (in this transaction)."""
    values = {"county_code": county, "year": year, "last": 0}
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(DecisionSerial).values(**values).on_conflict_do_nothing())
    serial = session.execute(
        select(DecisionSerial)
        .where(DecisionSerial.county_code == county, DecisionSerial.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    first = serial.last + 1
    serial.last += count
    return [f"{county}-{year}-{n:06d}" for n in range(first, serial.last + 1)]


def decision_records(
    uow: UnitOfWork, village_codes: Sequence[str], on: dt.date
) -> list[dict[str, Any]]:
    """The number and appeal route of each decision taken today on cases in these villages.

    Refuses (naming what to add) a county whose appeal bodies are not recorded: no
    decision goes out without the route to challenge it.
    """
    session = uow.session
    routes: dict[str, dict[str, Any]] = {}
    wanted: dict[str, int] = {}
    for village in village_codes:
        county = county_of(village)
        wanted[county] = wanted.get(county, 0) + 1
        if county not in routes:
            route = appeal_route(session, village, uow.rules, on)
            routes[county] = {
                "reconsideration_body": route.reconsideration_body,
                "reconsideration_days": route.reconsideration_days,
                "court": route.court,
                "litigation_months": route.litigation_months,
            }
    numbers = {
        county: iter(decision_numbers(session, county, on.year, count))
        for county, count in sorted(wanted.items())
    }
    return [
        {
            "document_number": next(numbers[county_of(v)]),
            "appeal": routes[county_of(v)],
        }
        for v in village_codes
    ]
