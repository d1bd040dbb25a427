"""Benchmark: audited transitions through ``engine.services.advance`` on PostgreSQL, against
the same per-case transaction issued raw with psycopg.

Run: .venv/bin/python -m bench.transitions [--cases 2000] [--workers 1 4] [--rounds 3]
     [--url postgresql://postgres@127.0.0.1:5432/test]

It creates a database of its own with N active cases due for their recheck, then for each
worker count measures in one run
  1. ``advance(case, "start_recheck")`` for every case, the cases shared among the worker
     processes (each case its own transaction: lock, guards, state machine, stamps,
     deadlines, hash-chained audit entry, commit), and
  2. the raw transaction per case: SELECT … FOR UPDATE, the entry's SHA-256 in Python,
     UPDATE case_file, INSERT audit_entry, COMMIT,
and prints transitions per second and the service's share of the raw rate, each round's
and their median (goal: at least 50 % at every worker count). For information it also runs
the raw transaction a third way, each statement sent with libpq's blocking call through
psycopg's ``pq`` layer instead of a cursor, as the engine's own statements are sent
(``engine/driver.py``): the least a Python client spends on those five round trips. The
ways alternate over several rounds because a round lasts a second or two, about as long as
this shared machine's own swings in speed. Each round also prints the machine's CPU per transition
both ways (from ``/proc/stat``: the work of every process, the database's included, without
the time the host took away), which is what the rate follows when the CPU is the limit.

Every way, each worker process first fires one case of its own outside the timed window
(the cases after the N measured ones), as a long-running server process has before the
figures matter: its connection is open and its per-process caches are built (compiled
statements, the state machine, the calendar). Without it the service's timed window
would hold the connection's start-up and the first transition's ~20 ms of compiling,
which the raw worker does not have, and a short run would measure start-up, not rate.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import statistics
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import psycopg
from sqlalchemy.engine import make_url

from bench.bulk_recheck import DUE, load, reset
from bench.support import DEFAULT_URL, machine_busy_seconds, runtime, scratch_database
from engine.ports import Actor
from engine.services import advance
from engine.states import Role

ACTOR = Actor(user_id=3, username="reviewer", role=Role.REVIEWER, region_code="512022101")
REASON = "定期核查到期"


def _service_worker(url: str, ids: list[int], ready: Callable[[], None]) -> None:
    rt = runtime(url)
    warm_up, *ids = ids
    advance(rt.uow(), warm_up, "start_recheck", ACTOR, reason=REASON)
    ready()
    for case_id in ids:
        advance(rt.uow(), case_id, "start_recheck", ACTOR, reason=REASON)
    rt.close()


def _raw_worker(url: str, ids: list[int], ready: Callable[[], None]) -> None:
    # libpq's own URL: the same database without SQLAlchemy's driver name
    conn = psycopg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    warm_up, *ids = ids
    _raw_transition(conn, warm_up)
    ready()
    for case_id in ids:
        _raw_transition(conn, case_id)
    conn.close()


def _raw_transition(conn: psycopg.Connection[tuple[Any, ...]], case_id: int) -> None:
    """The raw path's transaction for one case: lock, hash, UPDATE, INSERT, COMMIT."""
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(
            "SELECT state, version, chain_seq, chain_head FROM case_file WHERE id = %s FOR UPDATE",
            (case_id,),
        )
        state, version, seq, head = cur.fetchone()  # type: ignore[misc]
        prev = head or "0" * 64
        payload = f'{{"as_of":"{DUE.isoformat()}","version":{version + 1}}}'
        digest = hashlib.sha256(
            f"{prev}{case_id}{seq + 1}start_recheck{state}{payload}".encode()
        ).hexdigest()
        cur.execute(
            "UPDATE case_file SET state = 'under_recheck', version = version + 1, "
            "chain_seq = chain_seq + 1, chain_head = %s, recheck_started_at = now(), "
            "updated_at = now(), due_on = NULL, due_kind = NULL WHERE id = %s",
            (digest, case_id),
        )
        cur.execute(
            "INSERT INTO audit_entry (case_id, seq, trigger, from_state, to_state, "
            "actor_id, actor, role, at, reason, payload, prev_hash, hash) VALUES "
            "(%s, %s, 'start_recheck', %s, 'under_recheck', 3, 'reviewer', 'reviewer', "
            "now(), %s, %s, %s, %s)",
            (case_id, seq + 1, state, REASON, payload, prev, digest),
        )


#: the raw transaction's statements, numbered for libpq (prepared once per connection)
_LIBPQ_STATEMENTS = {
    b"lock": b"SELECT state, version, chain_seq, chain_head FROM case_file WHERE id = $1 "
    b"FOR UPDATE",
    b"move": b"UPDATE case_file SET state = 'under_recheck', version = version + 1, "
    b"chain_seq = chain_seq + 1, chain_head = $1, recheck_started_at = now(), "
    b"updated_at = now(), due_on = NULL, due_kind = NULL WHERE id = $2",
    b"entry": b"INSERT INTO audit_entry (case_id, seq, trigger, from_state, to_state, "
    b"actor_id, actor, role, at, reason, payload, prev_hash, hash) VALUES "
    b"($1, $2, 'start_recheck', $3, 'under_recheck', 3, 'reviewer', 'reviewer', "
    b"now(), $4, $5, $6, $7)",
}


def _libpq_worker(url: str, ids: list[int], ready: Callable[[], None]) -> None:
    conn = psycopg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    for name, sql in _LIBPQ_STATEMENTS.items():
        conn.pgconn.prepare(name, sql)
    warm_up, *ids = ids
    _libpq_transition(conn.pgconn, warm_up)
    ready()
    for case_id in ids:
        _libpq_transition(conn.pgconn, case_id)
    conn.close()


def _libpq_transition(pgconn: Any, case_id: int) -> None:
    """The raw transaction again, each statement sent with libpq's blocking call (psycopg's
    ``pq`` layer, no cursor): the same five round trips at the least client CPU."""
    pgconn.exec_(b"BEGIN")
    lock = pgconn.exec_prepared(b"lock", [str(case_id).encode()])
    state, version, seq, head = (lock.get_value(0, column) for column in range(4))
    prev = head.decode() if head else "0" * 64
    payload = f'{{"as_of":"{DUE.isoformat()}","version":{int(version) + 1}}}'
    digest = hashlib.sha256(
        f"{prev}{case_id}{int(seq) + 1}start_recheck{state.decode()}{payload}".encode()
    ).hexdigest()
    pgconn.exec_prepared(b"move", [digest.encode(), str(case_id).encode()])
    values = (case_id, int(seq) + 1, state.decode(), REASON, payload, prev, digest)
    entry = pgconn.exec_prepared(b"entry", [str(value).encode() for value in values])
    if entry.status != psycopg.pq.ExecStatus.COMMAND_OK:
        raise RuntimeError(entry.get_error_message())
    pgconn.exec_(b"COMMIT")


class Timing(NamedTuple):
    """A timed run: its seconds, and the machine's CPU seconds over it (None: unknown)."""

    seconds: float
    cpu: float | None


def timed(worker: Callable[..., None], url: str, cases: int, workers: int) -> Timing:
    """Time ``workers`` processes running ``worker`` over cases 1..N, each worker warmed up
    first on a case of its own after the N (set-up and warm-up excluded)."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(workers + 1)
    shares = [
        [cases + 1 + number, *range(1 + number, cases + 1, workers)] for number in range(workers)
    ]
    processes = [
        context.Process(target=worker, args=(url, share, barrier.wait)) for share in shares
    ]
    for process in processes:
        process.start()
    barrier.wait()
    started, busy = time.perf_counter(), machine_busy_seconds()
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise SystemExit(f"a worker failed (exit {process.exitcode})")
    seconds, busy_after = time.perf_counter() - started, machine_busy_seconds()
    return Timing(seconds, None if busy is None or busy_after is None else busy_after - busy)


def _cpu_line(cases: int, service: Timing, raw: Timing) -> str:
    """The machine's CPU per transition both ways (what a rate bound by the CPU follows)."""
    if service.cpu is None or raw.cpu is None:
        return ""
    return (
        f"; machine CPU per transition: advance {service.cpu / cases * 1e6:,.0f} µs, raw "
        f"{raw.cpu / cases * 1e6:,.0f} µs ({raw.cpu / service.cpu:.0%})"
    )


def main() -> None:
    """Load the cases, run both ways at each worker count and print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=2_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args()
    with scratch_database(args.url) as url:
        # the cases after the N timed ones warm the workers up (one each)
        load(url, args.cases + max(args.workers))
        print(f"cases: {args.cases:,} active, due for their recheck; rounds: {args.rounds}")
        for workers in args.workers:
            shares, floors = [], []
            for round_ in range(1, args.rounds + 1):
                reset(url)
                service = timed(_service_worker, url, args.cases, workers)
                reset(url)
                raw = timed(_raw_worker, url, args.cases, workers)
                reset(url)
                libpq = timed(_libpq_worker, url, args.cases, workers)
                shares.append(raw.seconds / service.seconds)
                floors.append(libpq.seconds / service.seconds)
                print(
                    f"{workers} worker(s), round {round_}: advance "
                    f"{args.cases / service.seconds:,.0f} transitions/s; raw psycopg "
                    f"{args.cases / raw.seconds:,.0f}/s; service at {shares[-1]:.0%} of the "
                    f"raw rate{_cpu_line(args.cases, service, raw)}; raw through libpq's "
                    f"blocking call {args.cases / libpq.seconds:,.0f}/s (service at "
                    f"{floors[-1]:.0%} of it)"
                )
            print(
                f"{workers} worker(s): service at {statistics.median(shares):.0%} of the raw "
                "rate, median of the rounds (goal >= 50 %); at "
                f"{statistics.median(floors):.0%} of the raw transaction through libpq's "
                "blocking call (the floor for a Python client; for information)"
            )


if __name__ == "__main__":
    main()
