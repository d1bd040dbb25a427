"""Verify every chain in the database (each case's, each ledger's, each county's read log),
streaming; given the heads the signed checkpoints recorded, also that every chain still
holds what they recorded (``audit.checkpoints``)."""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter
from typing import Any

from sqlalchemy import func, select, text, true
from sqlalchemy.orm import Session

from audit.chain import (
    ChainBreak,
    Link,
    StoredEntry,
    link_of,
    verify_links,
)
from audit.copied import copied_case_chains
from audit.models import AccessLog, AccessLogHead, AuditEntry, LedgerEntry, LedgerHead
from audit.recorder import stored_entry, stored_ledger_entry, stored_read
from engine.access import county_of
from engine.collector import cycle_collection_paused
from engine.db import make_engine
from engine.models import Case

BATCH = 2000

#: worker processes verification may use: beyond the database server's cores they only
#: queue for it (on two cores, one process is as fast: ``bench.audit_verify``)
MAX_VERIFY_WORKERS = 8


@dataclass
class VerifyReport:
    """The result of verifying all chains."""

    cases: int = 0
    ledgers: int = 0
    logs: int = 0
    entries: int = 0
    breaks: list[ChainBreak] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every chain verified."""
        return not self.breaks


def count_entries(session: Session) -> int:
    """Return the number of entries in all chains."""
    cases = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    ledgers = session.scalar(select(func.count()).select_from(LedgerEntry)) or 0
    reads = session.scalar(select(func.count()).select_from(AccessLog)) or 0
    return cases + ledgers + reads


def _verify_group(
    report: VerifyReport,
    heads: dict[Any, tuple[int, str | None]],
    chains: Iterable[tuple[Any, Iterable[Link]]],
    label: Callable[[Any], str],
    progress: Callable[[int], None] | None,
    recorded: Mapping[str, Mapping[int, tuple[str, int]]],
) -> set[str]:
    """Verify chains given as (chain key, its links in seq order), in chain order.

    A chain given as a list (a case's, read whole) is checked against what the checkpoints
    recorded after its links are verified; one given as a stream (a ledger or a read log,
    however long) as it goes.
    """
    seen: set[str] = set()

    def differs(chain: str, link: Link, kept: Mapping[int, tuple[str, int]]) -> None:
        recorded_hash, checkpoint = kept[link[0]]
        if recorded_hash != link[2]:
            report.breaks.append(
                ChainBreak(
                    chain,
                    link[0],
                    "differs_from_checkpoint",
                    f"entry {link[0]} differs from what checkpoint {checkpoint} recorded",
                )
            )

    def ends(chain: str, last: int, read: int, kept: Mapping[int, tuple[str, int]] | None) -> None:
        report.entries += read
        if progress is not None and read:
            progress(read)
        beyond = [s for s in kept or () if s > last]
        if beyond:
            assert kept is not None
            report.breaks.append(
                ChainBreak(
                    chain,
                    last + 1,
                    "removed_since_checkpoint",
                    f"the chain ends at entry {last}, but checkpoint {kept[max(beyond)][1]} "
                    f"recorded entry {max(beyond)}",
                )
            )

    def streamed(chain: str, links: Iterable[Link]) -> Iterator[Link]:
        kept = recorded.get(chain)
        last = read = 0
        for link in links:
            read += 1
            last = link[0]
            if kept is not None and last in kept:
                differs(chain, link, kept)
            yield link
        ends(chain, last, read, kept)

    def check(chain_key: Any, links: Iterable[Link]) -> None:
        chain = label(chain_key)
        seen.add(chain)
        seq, head = heads.get(chain_key, (0, None))
        if isinstance(links, list):
            problem = verify_links(chain, links, seq, head)
            kept = recorded.get(chain)
            if kept:
                for link in links:
                    if link[0] in kept:
                        differs(chain, link, kept)
            ends(chain, links[-1][0] if links else 0, len(links), kept)
        else:
            stream = streamed(chain, links)
            problem = verify_links(chain, stream, seq, head)
            # read (count, compare with the checkpoints) what verification left after a break
            deque(stream, maxlen=0)
        if problem is not None:
            report.breaks.append(problem)

    for chain_key, links in chains:
        check(chain_key, links)
    for chain_key in heads:
        if label(chain_key) not in seen:
            check(chain_key, [])  # a head without entries: every entry was removed
    return seen


def _chains(
    rows: Iterable[Any], key: Callable[[Any], Any], to_entry: Callable[[Any], StoredEntry]
) -> Iterator[tuple[Any, Iterator[Link]]]:
    """(chain key, its links) of rows read through SQLAlchemy in chain and seq order."""
    for chain_key, group in groupby(rows, key=key):
        yield chain_key, (link_of(to_entry(row)) for row in group)


def _verify_cases_in_workers(
    report: VerifyReport,
    session: Session,
    heads: Mapping[int, tuple[int, str | None]],
    region_code: str,
    recorded: Mapping[str, Mapping[int, tuple[str, int]]],
    progress: Callable[[int], None] | None,
    workers: int,
) -> set[str]:
    """Verify the case chains in worker processes, merging their reports in case order."""
    shares = _shares(session, heads, region_code, recorded, workers)
    # forked when that is safe (no other thread holds a lock the child would inherit), as from
    # the command line: a spawned worker spends about a second importing before it starts
    start = "fork" if threading.active_count() == 1 and os.name == "posix" else "spawn"
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(start)) as pool:
        running = {pool.submit(_verify_share, share): number for number, share in enumerate(shares)}
        done: dict[int, tuple[VerifyReport, set[str]]] = {}
        for future in as_completed(running):
            finished, _ = done[running[future]] = future.result()
            if progress is not None and finished.entries:
                progress(finished.entries)
    seen: set[str] = set()
    for number in range(len(shares)):
        part, part_seen = done[number]
        report.breaks.extend(part.breaks)
        report.entries += part.entries
        seen |= part_seen
    return seen


def _verify_share(share: _CaseShare) -> tuple[VerifyReport, set[str]]:
    """A worker: verify one share of the case chains in the snapshot the caller exported."""
    if not _SNAPSHOT_ID.fullmatch(share.snapshot):
        raise ValueError(f"not a snapshot id: {share.snapshot!r}")
    engine = make_engine(share.url)
    report = VerifyReport()
    try:
        with cycle_collection_paused(), engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{share.snapshot}'")
            with Session(bind=connection) as session:
                chains = copied_case_chains(session, share.region_code, share.after, share.through)
                seen = _verify_group(
                    report, share.heads, chains, lambda k: f"case {k}", None, share.recorded
                )
    finally:
        engine.dispose()
    return report, seen


def snapshot_reads(session: Session) -> None:
    """Make the session's transaction read one snapshot (REPEATABLE READ on PostgreSQL).

    Call before its first statement: verification then sees each chain and its head as they
    stood at one moment, though transitions commit meanwhile, and shares that moment with its
    worker processes. SQLite's read transactions are snapshots already.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


@dataclass(frozen=True)
class _CaseShare:
    """One worker's share of the case chains: the ids in (after, through], unbounded at None."""

    url: str
    snapshot: str
    region_code: str
    after: int | None
    through: int | None
    heads: dict[str, tuple[int, str | None]]
    recorded: dict[str, Mapping[int, tuple[str, int]]]


#: shares per worker: enough that the progress moves and no worker waits long for the last
_SHARES_PER_WORKER = 8
_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f-]+")


def _shares(
    session: Session,
    heads: Mapping[int, tuple[int, str | None]],
    region_code: str,
    recorded: Mapping[str, Mapping[int, tuple[str, int]]],
    workers: int,
) -> list[_CaseShare]:
    """Split the cases into contiguous id ranges covering every id (entries of a case without
    a case row too), each with its heads and what the checkpoints recorded."""
    if session.connection().get_isolation_level() not in ("REPEATABLE READ", "SERIALIZABLE"):
        raise ValueError("verification in workers needs a snapshot: call snapshot_reads first")
    snapshot = str(session.scalar(text("SELECT pg_export_snapshot()")))
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    ids = sorted(heads)
    count = min(len(ids), workers * _SHARES_PER_WORKER)
    shares: list[_CaseShare] = []
    for number in range(count):
        own = ids[len(ids) * number // count : len(ids) * (number + 1) // count]
        chains = [f"case {case_id}" for case_id in own]
        shares.append(
            _CaseShare(
                url=url,
                snapshot=snapshot,
                region_code=region_code,
                after=shares[-1].through if shares else None,
                through=own[-1] if number < count - 1 else None,
                heads={str(case_id): heads[case_id] for case_id in own},
                recorded={c: recorded[c] for c in chains if c in recorded},
            )
        )
    return shares


@cycle_collection_paused()
def verify_all(
    session: Session,
    progress: Callable[[int], None] | None = None,
    region_code: str = "",
    recorded: Mapping[str, Mapping[int, tuple[str, int]]] | None = None,
    workers: int = 1,
) -> VerifyReport:
    """Recompute every chain and compare it with its recorded head.

    ``progress`` is called with the number of entries just checked. A
    ``region_code`` narrows the check to the region's cases and, for a county
    or a place in one, to that county's ledgers (named ``<kind>:<county>``) and read log.
    ``recorded`` holds the heads the checkpoints recorded (``replay_checkpoints``): an entry
    that differs from one, a chain shorter than one, and a recorded chain that is gone are
    reported too. On PostgreSQL, ``workers`` processes share the case chains (each reading its
    share by COPY in the session's snapshot, which must be REPEATABLE READ: see
    ``snapshot_reads``); the report is the same as one process's.
    """
    report = VerifyReport()
    recorded = recorded or {}
    seen: set[str] = set()
    in_region = Case.village_code.startswith(region_code, autoescape=True)
    case_heads: dict[Any, tuple[int, str | None]] = {
        case_id: (seq, head)
        for case_id, seq, head in session.execute(
            select(Case.id, Case.chain_seq, Case.chain_head).where(in_region)
        )
    }
    case_chains: Iterable[tuple[Any, Iterable[Link]]] | None = None
    if session.get_bind().dialect.name == "postgresql" and workers > 1 and case_heads:
        seen = _verify_cases_in_workers(
            report, session, case_heads, region_code, recorded, progress, workers
        )
        case_heads = {str(case_id): head for case_id, head in case_heads.items()}
    elif session.get_bind().dialect.name == "postgresql":
        case_chains = copied_case_chains(session, region_code)
        case_heads = {str(case_id): head for case_id, head in case_heads.items()}
    else:
        # plain rows, not ORM objects, and payloads hashed as stored
        case_chains = _chains(
            session.execute(
                select(*AuditEntry.__table__.columns)
                .join(Case, Case.id == AuditEntry.case_id)
                .where(in_region)
                .order_by(AuditEntry.case_id, AuditEntry.seq)
                .execution_options(yield_per=BATCH)
            ),
            attrgetter("case_id"),
            lambda r: stored_entry(r, parse=False),
        )
    if case_chains is not None:
        seen = _verify_group(
            report, case_heads, case_chains, lambda k: f"case {k}", progress, recorded
        )
    county = county_of(region_code) if region_code else ""
    in_county = LedgerHead.ledger.endswith(f":{county}", autoescape=True) if county else true()
    ledger_heads: dict[Any, tuple[int, str | None]] = {
        ledger: (seq, head)
        for ledger, seq, head in session.execute(
            select(LedgerHead.ledger, LedgerHead.seq, LedgerHead.head).where(in_county)
        )
    }
    ledger_rows = session.execute(
        select(*LedgerEntry.__table__.columns)
        .where(LedgerEntry.ledger.in_(list(ledger_heads)) if county else true())
        .order_by(LedgerEntry.ledger, LedgerEntry.seq)
        .execution_options(yield_per=BATCH)
    )
    seen |= _verify_group(
        report,
        ledger_heads,
        _chains(ledger_rows, attrgetter("ledger"), lambda r: stored_ledger_entry(r, parse=False)),
        lambda k: f"ledger {k}",
        progress,
        recorded,
    )
    in_log = AccessLogHead.log == f"reads:{county}" if county else true()
    log_heads: dict[Any, tuple[int, str | None]] = {
        log: (seq, head)
        for log, seq, head in session.execute(
            select(AccessLogHead.log, AccessLogHead.seq, AccessLogHead.head).where(in_log)
        )
    }
    log_rows = session.execute(
        select(*AccessLog.__table__.columns)
        .where(AccessLog.log.in_(list(log_heads)) if county else true())
        .order_by(AccessLog.log, AccessLog.seq)
        .execution_options(yield_per=BATCH)
    )
    seen |= _verify_group(
        report,
        log_heads,
        _chains(log_rows, attrgetter("log"), stored_read),
        lambda k: f"log {k}",
        progress,
        recorded,
    )
    if not region_code:
        # a chain a checkpoint recorded that is no longer in the database at all
        for chain in sorted(set(recorded) - seen):
            last = max(recorded[chain])
            report.breaks.append(
                ChainBreak(
                    chain,
                    1,
                    "removed_since_checkpoint",
                    f"the chain is gone, but checkpoint {recorded[chain][last][1]} recorded "
                    f"{last} entries",
                )
            )
    report.cases = len(case_heads)
    report.ledgers = len(ledger_heads)
    report.logs = len(log_heads)
    return report
