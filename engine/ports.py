"""Interfaces the engine needs from outside it, and the plain data crossing them.

The audit package implements ``AuditLog``; the composition root (``admin``)
wires an implementation into each unit of work. Keeping the port here lets the
engine write audit entries in its own transaction without importing ``audit``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from engine.errors import Problem
from engine.models import Case
from engine.states import Role


@dataclass(frozen=True)
class Actor:
    """Who acts: the user and their role and region at that moment."""

    user_id: int | None
    username: str
    role: Role
    region_code: str
    person_id: int | None = None


#: the operator at the command line (setting up accounts and regions), as the ledger names them
OPERATOR = Actor(user_id=None, username="system", role=Role.ADMIN, region_code="")
#: the operator at the command line reading for inspection (the read log names them "system")
OPERATOR_INSPECTING = Actor(user_id=None, username="system", role=Role.INSPECTOR, region_code="")


@dataclass(frozen=True)
class CaseEvent:
    """Something that happened to a case, to be written to its audit chain."""

    trigger: str
    from_state: str | None
    to_state: str | None
    actor: Actor
    at: dt.datetime
    reason: str = ""
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChainHead:
    """Where a case's chain stands: its last sequence number and hash."""

    case_id: int
    seq: int
    head: str | None


@dataclass(frozen=True)
class LedgerEvent:
    """Something that happened outside any case (a policy change, a payment roll)."""

    event: str
    actor: Actor
    at: dt.datetime
    reason: str = ""
    payload: Mapping[str, Any] = field(default_factory=dict)


class AuditLog(Protocol):
    """Appends events to a case's tamper-evident chain, in the caller's transaction."""

    def append(self, session: Session, case: Case, event: CaseEvent) -> None:
        """Append ``event`` to ``case``'s chain; the caller holds the case's row lock."""
        ...

    def participants(
        self, session: Session, case_id: int, triggers: Collection[str]
    ) -> frozenset[int]:
        """Return the ids of users who fired any of ``triggers`` on the case."""
        ...

    def record(self, session: Session, ledger: str, event: LedgerEvent) -> int:
        """Append ``event`` to the named ledger (e.g. "policy:512022") in this transaction.

        Return the new entry's sequence number in the ledger.
        """
        ...

    def count_recent(
        self, session: Session, ledger: str, event: str, actor_id: int, since: dt.datetime
    ) -> int:
        """How many ``event`` entries this user added to the ledger at or after ``since``."""
        ...

    def append_many(
        self, session: Session, items: Sequence[tuple[ChainHead, CaseEvent]]
    ) -> list[ChainHead]:
        """Append one event to each of many cases' chains in one statement; return new heads.

        For bulk operations: the caller holds the cases' row locks and writes the
        returned heads back to the case rows in the same transaction.
        """
        ...


class KinshipGuard(Protocol):
    """Kinship conflicts: recusal of related users, and flags kept up to date."""

    def recusal(
        self, session: Session, case: Case, person_id: int | None, on: dt.date
    ) -> Problem | None:
        """Why the user with this person must recuse themself from the case, if they must."""
        ...

    def recused_among(
        self, session: Session, person_id: int | None, case_ids: list[int], on: dt.date
    ) -> dict[int, Problem]:
        """Which of the cases the user must recuse themself from."""
        ...

    def refresh_case(self, uow: Any, case: Case, actor: Actor) -> Any:
        """Recompute the case's kinship flags after its household changed (case locked)."""
        ...

    def scan_cases(self, uow: Any, actor: Actor, case_ids: Collection[int]) -> int:
        """Bring the flags of many new or changed cases in line at once (as the full scan
        does, each change audited); return how many flags were raised."""
        ...


class AttachmentStore(Protocol):
    """Keeps attached files outside the database, named by their SHA-256.

    A file is staged before the transaction that records it commits, then
    published (or discarded when the transaction fails), so that no file is
    kept that the database does not record.
    """

    def stage(self, sha256: str, data: bytes) -> str:
        """Write the bytes where they wait for the commit; return a token for them."""
        ...

    def publish(self, token: str, sha256: str) -> None:
        """Keep the staged file under its SHA-256 (the record has committed)."""
        ...

    def discard(self, token: str) -> None:
        """Remove the staged file (the record did not commit)."""
        ...
