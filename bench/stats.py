"""Benchmark: a county's statistics (`doudi stats`, ``GET /api/v1/stats``) over 80,000 cases.

Run: .venv/bin/python -m bench.stats [--cases 80000] [--repeat 5]
     [--url postgresql://postgres@127.0.0.1:5432/test]

It creates a database of its own with one county of two townships and ten villages, N
cases over every state (as the queue benchmark loads them), each enrolled, rejected or
ended case dated through the procedure within the year with its decided amount, and
measures in the same run
  1. ``engine.stats.county_stats`` for the county and the year: households and people by
     category and state, enrolment and amounts, coverage, new enrolments, kinship filings
     and flags, overdue cases, late decisions (each decided case's deadlines dated), the
     county's sampling by month, and
  2. the bare SQL of its first figure: one GROUP BY of the county's cases by category and
     state with their members,
and prints both medians and their ratio. Goal: the statistics in at most 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from sqlalchemy import text

from bench.queue_page import COUNTY, NOW, load
from bench.support import DEFAULT_URL, median_seconds, runtime, scratch_database
from engine.clock import FrozenClock
from engine.db import make_engine
from engine.states import CaseState
from engine.stats import county_stats

#: states whose cases were decided (enrolled, refused or ended)
DECIDED = [
    s.value
    for s in (
        CaseState.ACTIVE,
        CaseState.UNDER_RECHECK,
        CaseState.PHASING_OUT,
        CaseState.TERMINATION_NOTICE,
        CaseState.REJECTED,
        CaseState.TERMINATED,
    )
]

PLAIN = text(
    "SELECT c.category, c.state, count(*), coalesce(sum(m.people), 0) FROM case_file c "
    "LEFT JOIN (SELECT household_id, count(*) AS people FROM member WHERE left_at IS NULL "
    "GROUP BY household_id) m ON m.household_id = c.household_id "
    "WHERE c.village_code LIKE :county GROUP BY c.category, c.state"
)


def date_decisions(url: str) -> int:
    """Date the decided cases through the procedure within the year and give each enrolled
    one its decided amount; return how many cases were decided."""
    engine = make_engine(url)
    with engine.begin() as conn:
        decided = conn.execute(
            text(
                "UPDATE case_file SET submitted_at = :start + (id % 300) * interval '1 day', "
                "accepted_at = :start + (id % 300) * interval '1 day' + interval '1 day', "
                "investigating_since = :start + (id % 300) * interval '1 day' + interval '2 days', "
                "proposed_at = :start + (id % 300) * interval '1 day' + interval '10 days', "
                "decided_at = :start + (id % 300) * interval '1 day' + interval '25 days' "
                "+ (id % 7) * interval '4 days' "
                "WHERE state = ANY(:states)"
            ),
            {"start": dt.datetime(NOW.year, 1, 2, tzinfo=NOW.tzinfo), "states": DECIDED},
        ).rowcount
        conn.execute(
            text(
                "INSERT INTO benefit_decision (case_id, kind, trigger, decided_at, monthly_fen, "
                "standard_fen, members, counted_income_fen, base_fen, supplement_fen, "
                "breakdown) SELECT id, 'decided', 'approve', decided_at, 60000, 53300, 2, "
                "20000, 60000, 0, '{}' FROM case_file "
                "WHERE state IN ('active', 'under_recheck', 'phasing_out', 'termination_notice')"
            )
        )
        conn.execute(text("UPDATE region SET population = 1000 WHERE level = 'village'"))
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return decided


def main() -> None:
    """Load, then time the statistics and the bare SQL side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=80_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args()

    with scratch_database(args.url) as url:
        started = time.perf_counter()
        load(url, args.cases)
        decided = date_decisions(url)
        print(
            f"county: {args.cases:,} cases, {decided:,} decided in the year "
            f"(loaded in {time.perf_counter() - started:.1f} s)"
        )
        rt = runtime(url, FrozenClock(NOW))
        today = NOW.date()

        def figures() -> object:
            with rt.reader() as uow:
                return county_stats(uow.session, COUNTY, NOW.year, today, rt.clock.tz)

        result = figures()
        late = result["decisions_in_year"]  # type: ignore[index]
        stats = median_seconds(figures, args.repeat)
        engine = make_engine(url)
        with engine.connect() as conn:
            plain = median_seconds(
                lambda: conn.execute(PLAIN, {"county": f"{COUNTY}%"}).all(), args.repeat
            )
        engine.dispose()
        rt.close()
        print(
            f"county_stats {stats * 1000:.0f} ms (goal <= 1000 ms; {late['decided']:,} "
            f"decisions dated, {late['late']:,} late); bare SQL of its first figure "
            f"{plain * 1000:.0f} ms; ratio {stats / plain:.1f}x"
        )


if __name__ == "__main__":
    main()
