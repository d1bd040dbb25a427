"""Benchmark: verifying the audit trail and signing a checkpoint, on PostgreSQL.

Run: .venv/bin/python -m bench.audit_verify [--cases 100000] [--entries 10]
     [--url postgresql://postgres@127.0.0.1:5432/test]

It creates a database of its own holding CASES case chains of ENTRIES entries
each (1,000,000 entries by default, hashed as the recorder hashes them), then
measures in one run
  1. ``verify_all`` over every entry, in one process and in WORKERS (default: one per CPU),
     beside two floors no checker can beat:
     hashlib's raw SHA-256 over the same canonical bytes, and PostgreSQL's COPY of
     the same rows without parsing them: entries per second and the ratios (goals:
     at least 200,000 entries/s and within 2x of the raw hashing);
  2. ``take_checkpoint`` over all the chains, the first time (every leaf new)
     and again after 1 % of the chains grew (goal: at most 2 s);
  3. the replay of the stored checkpoints that ``doudi audit verify`` runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import time

from sqlalchemy import text
from sqlalchemy.orm import Session

from audit.chain import GENESIS_HASH, CaseEntryEncoder, canonical_text, hash_text
from audit.checkpoints import generate_key, replay_checkpoints, take_checkpoint
from audit.copied import copied_case_chains
from audit.recorder import ENTRY_COLUMNS
from audit.verify import snapshot_reads, verify_all
from bench.support import DEFAULT_URL, scratch_database, village_with_households
from engine.db import make_engine

VILLAGE = "512022101201"
AT = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def load(url: str, cases: int, entries: int) -> None:
    """One household and one case per chain, each chain of ``entries`` hashed entries."""
    engine = make_engine(url)
    with engine.begin() as conn:
        village_with_households(conn, VILLAGE, cases)
        conn.execute(
            text(
                "INSERT INTO case_file (id, household_id, category, state, version, village_code, "
                "area_type, chain_seq, created_at, updated_at) SELECT g, g, 'dibao', 'active', 1, "
                ":v, 'rural', 0, now(), now() FROM generate_series(1, :n) g"
            ),
            {"v": VILLAGE, "n": cases},
        )
    common = {
        "trigger": "record_investigation",
        "from_state": "investigating",
        "to_state": "investigating",
        "actor_id": 2,
        "actor": "clerk",
        "role": "clerk",
        "at": AT,
        "reason": "入户调查",
    }
    encoder = CaseEntryEncoder(common)
    heads: list[tuple[int, int, str]] = []
    with engine.begin() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None
        with driver.cursor().copy(
            f"COPY audit_entry ({', '.join(ENTRY_COLUMNS)}) FROM STDIN"
        ) as copy:
            for case_id in range(1, cases + 1):
                prev = GENESIS_HASH
                for seq in range(1, entries + 1):
                    payload = canonical_text(
                        {"findings": "家庭收入与申报一致", "investigators": [2, 3], "seq": seq}
                    )
                    digest = hash_text(prev, encoder.text(case_id, seq, payload))
                    copy.write_row(
                        (case_id, seq, *common.values(), payload, prev, digest)  # type: ignore[arg-type]
                    )
                    prev = digest
                heads.append((case_id, entries, prev))
        conn.execute(
            text("UPDATE case_file SET chain_seq = :s, chain_head = :h WHERE id = :i"),
            [{"i": i, "s": s, "h": h} for i, s, h in heads],
        )
        conn.execute(text("ANALYZE"))
    engine.dispose()


def raw_hashing(url: str) -> tuple[float, float, int]:
    """The floors no checker can beat: reading the same rows by COPY (no parsing), and
    hashlib's SHA-256 alone over each entry's canonical bytes (collected beforehand)."""
    engine = make_engine(url)
    with Session(engine) as session:
        driver = session.connection().connection.driver_connection
        assert driver is not None
        started = time.perf_counter()
        with driver.cursor().copy(
            "COPY (SELECT * FROM audit_entry ORDER BY case_id, seq) TO STDOUT"
        ) as copy:
            for _ in copy:
                pass
        read_seconds = time.perf_counter() - started
        texts = [
            (prev + body).encode()
            for _, links in copied_case_chains(session, "")
            for _, prev, _, body in links
        ]
    engine.dispose()
    started = time.perf_counter()
    for data in texts:
        hashlib.sha256(data).hexdigest()
    return time.perf_counter() - started, read_seconds, len(texts)


def main() -> None:
    """Load the chains, run the measurements and print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=10)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="besides one (default: CPUs)"
    )
    args = parser.parse_args()
    with scratch_database(args.url) as url:
        started = time.perf_counter()
        load(url, args.cases, args.entries)
        print(
            f"loaded {args.cases:,} chains of {args.entries} entries "
            f"({args.cases * args.entries:,} entries) in {time.perf_counter() - started:.1f} s"
        )
        raw_seconds, read_seconds, raw_count = raw_hashing(url)
        engine = make_engine(url)
        rate, raw_rate = 0.0, raw_count / raw_seconds
        for workers in sorted({1, args.workers}):
            with Session(engine) as session:
                snapshot_reads(session)
                started = time.perf_counter()
                report = verify_all(session, workers=workers)
                verify_seconds = time.perf_counter() - started
            assert report.ok and report.entries == raw_count, report.breaks[:3]
            rate = report.entries / verify_seconds
            print(
                f"verify with {workers} worker(s): {report.entries:,} entries in "
                f"{verify_seconds:.2f} s = {rate:,.0f}/s (goal >= 200,000/s); hashlib's SHA-256 "
                f"over the same canonical bytes {raw_seconds:.2f} s = {raw_rate:,.0f}/s; ratio "
                f"{verify_seconds / raw_seconds:.1f}x (goal <= 2x); PostgreSQL's COPY of the "
                f"same rows, unparsed, {read_seconds:.2f} s = {raw_count / read_seconds:,.0f}/s, "
                f"ratio {verify_seconds / read_seconds:.1f}x"
            )
        key = generate_key()
        with Session(engine) as session:
            started = time.perf_counter()
            first = take_checkpoint(session, key, AT)
            session.commit()
            first_seconds = time.perf_counter() - started
        grown = max(1, args.cases // 100)
        with engine.begin() as conn:
            # 1 % of the chains grow by one entry (the head moves; the checkpoint checks the
            # entry it recorded is still there)
            conn.execute(
                text(
                    "UPDATE case_file SET chain_seq = chain_seq + 1, chain_head = repeat('a', 64) "
                    "WHERE id <= :n"
                ),
                {"n": grown},
            )
            conn.execute(
                text(
                    "INSERT INTO audit_entry (case_id, seq, trigger, actor, role, at, reason, "
                    "payload, prev_hash, hash) SELECT id, chain_seq, 'start_recheck', 'reviewer', "
                    "'reviewer', now(), '', '{}', repeat('0', 64), repeat('a', 64) "
                    "FROM case_file WHERE id <= :n"
                ),
                {"n": grown},
            )
        with Session(engine) as session:
            started = time.perf_counter()
            take_checkpoint(session, key, AT + dt.timedelta(minutes=10))
            session.commit()
            second_seconds = time.perf_counter() - started
        with Session(engine) as session:
            started = time.perf_counter()
            replay = replay_checkpoints(session)
            replay_seconds = time.perf_counter() - started
        print(
            f"checkpoint over {first.chains:,} chains: first {first_seconds:.2f} s, after "
            f"{grown:,} chains grew {second_seconds:.2f} s (goal <= 2 s); replay of "
            f"{replay.checkpoints} checkpoints {replay_seconds:.2f} s"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
