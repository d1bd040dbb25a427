"""Verify every chain in the database (each case's, each ledger's, each county's read log),
streaming; given the heads the signed checkpoints recorded, also that every chain still
holds what they recorded (``audit.checkpoints``)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from audit.chain import ChainBreak, StoredEntry, verify_chain
from audit.models import AccessLog, AccessLogHead, AuditEntry, LedgerEntry, LedgerHead
from audit.recorder import stored_entry, stored_ledger_entry, stored_read
from engine.access import county_of
from engine.models import Case

BATCH = 2000


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
    rows: Iterable[Any],
    key: Callable[[Any], Any],
    label: Callable[[Any], str],
    to_entry: Callable[[Any], StoredEntry],
    progress: Callable[[int], None] | None,
    recorded: Mapping[str, Mapping[int, tuple[str, int]]],
) -> set[str]:
    seen: set[str] = set()

    def counted(chain: str, group: Iterable[Any]) -> Iterator[StoredEntry]:
        kept = recorded.get(chain, {})
        last = 0
        for row in group:
            report.entries += 1
            if progress is not None:
                progress(1)
            entry = to_entry(row)
            last = entry.body.seq
            if entry.body.seq in kept and kept[entry.body.seq][0] != entry.hash:
                report.breaks.append(
                    ChainBreak(
                        chain,
                        entry.body.seq,
                        "differs_from_checkpoint",
                        f"entry {entry.body.seq} differs from what checkpoint "
                        f"{kept[entry.body.seq][1]} recorded",
                    )
                )
            yield entry
        beyond = [s for s in kept if s > last]
        if beyond:
            report.breaks.append(
                ChainBreak(
                    chain,
                    last + 1,
                    "removed_since_checkpoint",
                    f"the chain ends at entry {last}, but checkpoint {kept[max(beyond)][1]} "
                    f"recorded entry {max(beyond)}",
                )
            )

    def check(chain_key: Any, group: Iterable[Any]) -> None:
        chain = label(chain_key)
        seen.add(chain)
        seq, head = heads.get(chain_key, (0, None))
        entries = counted(chain, group)
        problem = verify_chain(chain, entries, seq, head)
        # read (count, compare with the checkpoints) what verification left after a break
        deque(entries, maxlen=0)
        if problem is not None:
            report.breaks.append(problem)

    for chain_key, group in groupby(rows, key=key):
        check(chain_key, group)
    for chain_key in heads:
        if label(chain_key) not in seen:
            check(chain_key, ())  # a head without entries: every entry was removed
    return seen


def verify_all(
    session: Session,
    progress: Callable[[int], None] | None = None,
    region_code: str = "",
    recorded: Mapping[str, Mapping[int, tuple[str, int]]] | None = None,
) -> VerifyReport:
    """Recompute every chain and compare it with its recorded head.

    ``progress`` is called with the number of entries just checked. A
    ``region_code`` narrows the check to the region's cases and, for a county
    or a place in one, to that county's ledgers (named ``<kind>:<county>``) and read log.
    ``recorded`` holds the heads the checkpoints recorded (``replay_checkpoints``): an entry
    that differs from one, a chain shorter than one, and a recorded chain that is gone are
    reported too.
    """
    report = VerifyReport()
    recorded = recorded or {}
    in_region = Case.village_code.startswith(region_code, autoescape=True)
    case_heads: dict[Any, tuple[int, str | None]] = {
        case_id: (seq, head)
        for case_id, seq, head in session.execute(
            select(Case.id, Case.chain_seq, Case.chain_head).where(in_region)
        )
    }
    # plain rows, not ORM objects, and payloads hashed as stored: the fast path
    case_rows = session.execute(
        select(*AuditEntry.__table__.columns)
        .join(Case, Case.id == AuditEntry.case_id)
        .where(in_region)
        .order_by(AuditEntry.case_id, AuditEntry.seq)
        .execution_options(yield_per=BATCH)
    )
    seen = _verify_group(
        report,
        case_heads,
        case_rows,
        lambda r: r.case_id,
        lambda k: f"case {k}",
        lambda r: stored_entry(r, parse=False),
        progress,
        recorded,
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
        ledger_rows,
        lambda r: r.ledger,
        lambda k: f"ledger {k}",
        lambda r: stored_ledger_entry(r, parse=False),
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
        log_rows,
        lambda r: r.log,
        lambda k: f"log {k}",
        stored_read,
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
