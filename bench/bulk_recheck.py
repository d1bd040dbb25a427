"""Benchmark: the bulk recheck of N active cases on PostgreSQL, against plain SQL.

Run: .venv/bin/python -m bench.bulk_recheck [--cases 100000] [--batch 2000]
     [--url postgresql://postgres@127.0.0.1:5432/test]

It creates a database of its own, loads N active cases due for their recheck,
then in the same run measures
  1. ``start_due_rechecks`` (the service: row locks, the state machine, one
     hash-chained audit entry per case, version checks, batches), and
  2. the same rows done by plain SQL: one UPDATE and one INSERT … SELECT
     (with a SHA-256 per entry computed by PostgreSQL),
and prints both times and their ratio. The goal is a ratio within 3×.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from sqlalchemy import text

from bench.support import DEFAULT_URL, runtime, scratch_database, village_with_households
from engine.db import make_engine
from engine.ports import Actor
from engine.services.bulk import DEFAULT_BATCH, start_due_rechecks
from engine.states import Role

VILLAGE = "512022101201"
DUE = dt.date(2026, 1, 1)


def load(url: str, cases: int) -> None:
    """Regions, one household per case, and N active cases due for their recheck, each dated
    through the procedure as an enrolled case is (its deadlines are computed from them)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        village_with_households(conn, VILLAGE, cases)
        conn.execute(
            text(
                "INSERT INTO case_file (id, household_id, category, state, version, village_code, "
                "area_type, chain_seq, created_at, updated_at, submitted_at, accepted_at, "
                "investigating_since, proposed_at, notice_started_at, notice_closed_at, "
                "decided_at, next_recheck_on, recheck_interval_months) "
                "SELECT g, g, 'dibao', 'active', 5, :v, 'rural', 0, "
                "now() - interval '400 days', now(), now() - interval '400 days', "
                "now() - interval '399 days', now() - interval '398 days', "
                "now() - interval '390 days', now() - interval '389 days', "
                "now() - interval '380 days', now() - interval '375 days', :due, 12 "
                "FROM generate_series(1, :n) g"
            ),
            {"v": VILLAGE, "n": cases, "due": DUE},
        )
        conn.execute(text("ANALYZE"))
    engine.dispose()


def reset(url: str) -> None:
    """Put every case back to active with an empty trail (bypassing the append-only trigger)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("TRUNCATE audit_entry"))
        conn.execute(
            text(
                "UPDATE case_file SET state = 'active', version = 5, chain_seq = 0, "
                "chain_head = NULL, recheck_started_at = NULL"
            )
        )
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    engine.dispose()


def plain_sql(url: str) -> float:
    """The same change without the engine: one UPDATE, one INSERT … SELECT."""
    engine = make_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        # the same end state: new state, version, stamps, chain head, and one entry per case
        conn.execute(
            text(
                "UPDATE case_file SET state = 'under_recheck', version = version + 1, "
                "chain_seq = chain_seq + 1, recheck_started_at = now(), updated_at = now(), "
                "due_on = NULL, due_kind = NULL, "
                "chain_head = encode(sha256(convert_to(id::text || 'start_recheck' "
                "|| now()::text, 'UTF8')), 'hex') "
                "WHERE state = 'active' AND next_recheck_on <= :due"
            ),
            {"due": DUE},
        )
        conn.execute(
            text(
                "INSERT INTO audit_entry (case_id, seq, trigger, from_state, to_state, actor_id, "
                "actor, role, at, reason, payload, prev_hash, hash) "
                "SELECT id, chain_seq, 'start_recheck', 'active', 'under_recheck', 3, "
                "'reviewer', 'reviewer', now(), '定期核查到期', :payload, repeat('0', 64), "
                "chain_head FROM case_file "
                "WHERE state = 'under_recheck' AND recheck_started_at = now()"
            ),
            {"payload": '{"as_of":"2026-01-01","bulk":true,"version":6}'},
        )
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def service(url: str, batch: int) -> tuple[float, int]:
    """``start_due_rechecks`` through the engine, as `doudi rechecks start-due` runs it."""
    rt = runtime(url)
    actor = Actor(user_id=3, username="reviewer", role=Role.REVIEWER, region_code="512022101")
    started = time.perf_counter()
    report = start_due_rechecks(rt.uow, actor, DUE, batch=batch)
    elapsed = time.perf_counter() - started
    rt.close()
    return elapsed, report.done


def main() -> None:
    """Run the comparison and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=DEFAULT_BATCH)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args()

    with scratch_database(args.url) as url:
        load(url, args.cases)
        print(f"cases: {args.cases}, batch: {args.batch}, rounds: {args.rounds}")
        ratios = []
        for round_ in range(1, args.rounds + 1):
            reset(url)
            engine_seconds, done = service(url, args.batch)
            if done != args.cases:
                raise SystemExit(f"the service did {done} cases, not {args.cases}")
            reset(url)
            sql_seconds = plain_sql(url)
            ratios.append(engine_seconds / sql_seconds)
            print(
                f"round {round_}: doudi rechecks start-due {engine_seconds:.2f} s "
                f"({done / engine_seconds:,.0f} cases/s); plain SQL UPDATE + INSERT "
                f"{sql_seconds:.2f} s; ratio {ratios[-1]:.2f}x"
            )
        print(f"median ratio: {statistics.median(ratios):.2f}x (goal: within 3x)")


if __name__ == "__main__":
    main()
