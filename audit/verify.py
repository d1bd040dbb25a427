"""Verify every chain in the database (each case's and each ledger's), streaming."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from audit.chain import ChainBreak, StoredEntry, verify_chain
from audit.models import AuditEntry, LedgerEntry, LedgerHead
from audit.recorder import stored_entry, stored_ledger_entry
from engine.access import county_of
from engine.models import Case

BATCH = 2000


@dataclass
class VerifyReport:
    """The result of verifying all chains."""

    cases: int = 0
    ledgers: int = 0
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
    return cases + ledgers


def _verify_group(
    report: VerifyReport,
    heads: dict[Any, tuple[int, str | None]],
    rows: Iterable[Any],
    key: Callable[[Any], Any],
    label: Callable[[Any], str],
    to_entry: Callable[[Any], StoredEntry],
    progress: Callable[[int], None] | None,
) -> None:
    seen: set[Any] = set()

    def counted(group: Iterable[Any]) -> Iterator[StoredEntry]:
        for row in group:
            report.entries += 1
            if progress is not None:
                progress(1)
            yield to_entry(row)

    for chain_key, group in groupby(rows, key=key):
        seen.add(chain_key)
        seq, head = heads.get(chain_key, (0, None))
        entries = counted(group)
        problem = verify_chain(label(chain_key), entries, seq, head)
        for _ in entries:  # count what verification did not read after a break
            pass
        if problem is not None:
            report.breaks.append(problem)
    for chain_key, (seq, head) in heads.items():
        if chain_key not in seen:
            problem = verify_chain(label(chain_key), iter(()), seq, head)
            if problem is not None:
                report.breaks.append(problem)


def verify_all(
    session: Session,
    progress: Callable[[int], None] | None = None,
    region_code: str = "",
) -> VerifyReport:
    """Recompute every chain and compare it with its recorded head.

    ``progress`` is called with the number of entries just checked. A
    ``region_code`` narrows the check to the region's cases and, for a county
    or a place in one, to that county's ledgers (named ``<kind>:<county>``).
    """
    report = VerifyReport()
    in_region = Case.village_code.startswith(region_code, autoescape=True)
    case_heads: dict[Any, tuple[int, str | None]] = {
        case_id: (seq, head)
        for case_id, seq, head in session.execute(
            select(Case.id, Case.chain_seq, Case.chain_head).where(in_region)
        )
    }
    case_rows = session.scalars(
        select(AuditEntry)
        .join(Case, Case.id == AuditEntry.case_id)
        .where(in_region)
        .order_by(AuditEntry.case_id, AuditEntry.seq)
        .execution_options(yield_per=BATCH)
    )
    _verify_group(
        report,
        case_heads,
        case_rows,
        lambda r: r.case_id,
        lambda k: f"case {k}",
        stored_entry,
        progress,
    )
    county = county_of(region_code) if region_code else ""
    in_county = LedgerHead.ledger.endswith(f":{county}", autoescape=True) if county else true()
    ledger_heads: dict[Any, tuple[int, str | None]] = {
        ledger: (seq, head)
        for ledger, seq, head in session.execute(
            select(LedgerHead.ledger, LedgerHead.seq, LedgerHead.head).where(in_county)
        )
    }
    ledger_rows = session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.ledger.in_(list(ledger_heads)) if county else true())
        .order_by(LedgerEntry.ledger, LedgerEntry.seq)
        .execution_options(yield_per=BATCH)
    )
    _verify_group(
        report,
        ledger_heads,
        ledger_rows,
        lambda r: r.ledger,
        lambda k: f"ledger {k}",
        stored_ledger_entry,
        progress,
    )
    report.cases = len(case_heads)
    report.ledgers = len(ledger_heads)
    return report
