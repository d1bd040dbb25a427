"""Writes audit entries in the caller's transaction (implements engine.ports.AuditLog)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any, TypeVar, cast

from sqlalchemy import Dialect, Table, bindparam, func, insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from audit.chain import (
    GENESIS_HASH,
    CaseEntryEncoder,
    EntryBody,
    LedgerBody,
    ReadBody,
    RecentNames,
    StoredEntry,
    canonical_text,
    case_row_text,
    entry_hash,
    hash_text,
    utc_text,
)
from audit.models import AccessLog, AccessLogHead, AuditEntry, LedgerEntry, LedgerHead
from engine.access import county_of
from engine.case_rows import (
    CASE_TABLE,
    case_update,
    mark_written,
    pending_changes,
    update_params,
)
from engine.driver import DriverStatement
from engine.models import Case
from engine.ports import Actor, CaseEvent, ChainHead, LedgerEvent

#: the audit_entry columns, in the order bulk writes send them
ENTRY_COLUMNS = (
    "case_id",
    "seq",
    "trigger",
    "from_state",
    "to_state",
    "actor_id",
    "actor",
    "role",
    "at",
    "reason",
    "payload",
    "prev_hash",
    "hash",
)


ENTRY_TABLE = cast(Table, AuditEntry.__table__)
#: built once (a statement object keeps its compiled form's cache key); inline: no RETURNING
#: of the new id, which nothing reads
_INSERT_ENTRY = ENTRY_TABLE.insert().inline()


@lru_cache(maxsize=256)
def _case_and_entry(columns: tuple[str, ...], dialect: Dialect) -> DriverStatement:
    """One statement (PostgreSQL) that writes the case's changed ``columns`` and inserts its
    entry, the entry only if the case was still at the version it was read at; its row
    count says whether the UPDATE matched."""
    moved = case_update(columns).returning(CASE_TABLE.c.id).cte("moved")
    values = select(
        *(bindparam(name, type_=ENTRY_TABLE.c[name].type) for name in ENTRY_COLUMNS)
    ).select_from(moved)
    return DriverStatement(ENTRY_TABLE.insert().from_select(list(ENTRY_COLUMNS), values), dialect)


def write_case_with_entry(session: Session, case: Case, row: dict[str, Any]) -> None:
    """Store the entry ``row`` and the case's own changes together: one statement on
    PostgreSQL, an UPDATE and an INSERT elsewhere; a case the ORM must write (new, a
    relationship changed) is left to the session's flush. Raises StaleDataError when the
    case is no longer at the version it was read at."""
    changes = pending_changes(case)
    if changes is None:
        session.execute(_INSERT_ENTRY, row)
        return
    columns = tuple(sorted(changes))
    params = update_params(case, changes)
    # the session's connection: plain statements need none of the ORM's execution steps
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        written = _case_and_entry(columns, connection.dialect).execute(
            connection, {**params, **row}
        )
    else:
        written = connection.execute(case_update(columns), params).rowcount
        if written == 1:
            connection.execute(_INSERT_ENTRY, row)
    if written != 1:
        raise StaleDataError(f"case {case.id} changed since it was read")
    mark_written(session, case)


#: the JSON literals of the names single entries repeat (triggers, states, actors, reasons)
_NAMES = RecentNames()


def link(head: ChainHead, event: CaseEvent) -> dict[str, Any]:
    """Build the next entry of a chain from its head: the row to store, hash included."""
    seq = head.seq + 1
    prev = head.head or GENESIS_HASH
    actor = event.actor
    role = str(actor.role)
    payload_text = canonical_text(event.payload)
    # the entry's canonical JSON assembled from its members' texts: byte for byte
    # ``body_text`` of its EntryBody, as verification recomputes it (property tests in
    # tests/unit/audit/test_chain.py and test_recorder.py hold it to that)
    text = case_row_text(
        _NAMES,
        head.case_id,
        seq,
        event.trigger,
        event.from_state,
        event.to_state,
        actor.user_id,
        actor.username,
        role,
        utc_text(event.at),
        event.reason,
        payload_text,
    )
    return {
        "case_id": head.case_id,
        "seq": seq,
        "trigger": event.trigger,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "actor_id": actor.user_id,
        "actor": actor.username,
        "role": role,
        "at": event.at,
        "reason": event.reason,
        "payload": payload_text,
        "prev_hash": prev,
        "hash": hash_text(prev, text),
    }


def _insert_entries(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Store many entries: COPY on PostgreSQL (the fastest path), executemany elsewhere."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(AuditEntry), list(rows))
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    columns = ", ".join(ENTRY_COLUMNS)
    values = itemgetter(*ENTRY_COLUMNS)
    with driver.cursor().copy(f"COPY audit_entry ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(values(row))


Head = TypeVar("Head", LedgerHead, AccessLogHead)


def locked_head(session: Session, model: type[Head], name: str) -> Head:
    """The head row of a named chain (a ledger, a read log), locked for this transaction; a
    new chain's head starts at the genesis hash."""
    head = session.get(model, name, with_for_update=True, populate_existing=True)
    if head is None:
        key = sa_inspect(model).primary_key[0].name
        head = model(**{key: name, "seq": 0, "head": GENESIS_HASH})
        session.add(head)
    return head


class ChainRecorder:
    """Appends to a case's hash chain using the head kept on the (locked) case row."""

    def append(self, session: Session, case: Case, event: CaseEvent) -> None:
        """Append ``event`` as the next entry of ``case``'s chain."""
        row = link(ChainHead(case.id, case.chain_seq, case.chain_head), event)
        case.chain_seq = row["seq"]
        case.chain_head = row["hash"]
        # written at once with the case's own changes, chain head included (an entry is
        # never read back as an object, and the unit of work's flush costs more than the
        # statements it would send)
        with session.no_autoflush:
            write_case_with_entry(session, case, row)

    def append_many(
        self, session: Session, items: Sequence[tuple[ChainHead, CaseEvent]]
    ) -> list[ChainHead]:
        """Append one event to each of many cases' chains in one write; return the new heads."""
        encoders: dict[tuple[Any, ...], CaseEntryEncoder] = {}
        # events may share one payload object (a bulk run's cases at the same version): it is
        # encoded once (the ids are those of objects ``items`` holds for the whole call)
        payload_texts: dict[int, str] = {}
        rows: list[dict[str, Any]] = []
        for head, event in items:
            common = {
                "trigger": event.trigger,
                "from_state": event.from_state,
                "to_state": event.to_state,
                "actor_id": event.actor.user_id,
                "actor": event.actor.username,
                "role": str(event.actor.role),
                "at": event.at,
                "reason": event.reason,
            }
            key = tuple(common.values())
            encoder = encoders.get(key)
            if encoder is None:
                encoder = encoders[key] = CaseEntryEncoder(common)
            seq = head.seq + 1
            prev = head.head or GENESIS_HASH
            payload_text = payload_texts.get(id(event.payload))
            if payload_text is None:
                payload_text = payload_texts[id(event.payload)] = canonical_text(event.payload)
            rows.append(
                {
                    **common,
                    "case_id": head.case_id,
                    "seq": seq,
                    "payload": payload_text,
                    "prev_hash": prev,
                    "hash": hash_text(prev, encoder.text(head.case_id, seq, payload_text)),
                }
            )
        _insert_entries(session, rows)
        return [ChainHead(r["case_id"], r["seq"], r["hash"]) for r in rows]

    def record(self, session: Session, ledger: str, event: LedgerEvent) -> int:
        """Append ``event`` to the named ledger, locking its head row; return its seq."""
        head = locked_head(session, LedgerHead, ledger)
        payload_text = canonical_text(event.payload)
        body = LedgerBody(
            ledger=ledger,
            seq=head.seq + 1,
            event=event.event,
            actor_id=event.actor.user_id,
            actor=event.actor.username,
            role=str(event.actor.role),
            at=event.at,
            reason=event.reason,
            payload=json.loads(payload_text),
        )
        digest = entry_hash(head.head, body)
        session.add(
            LedgerEntry(
                ledger=ledger,
                seq=body.seq,
                event=body.event,
                actor_id=body.actor_id,
                actor=body.actor,
                role=body.role,
                at=body.at,
                reason=body.reason,
                payload=payload_text,
                prev_hash=head.head,
                hash=digest,
            )
        )
        head.seq = body.seq
        head.head = digest
        return body.seq

    def participants(
        self, session: Session, case_id: int, triggers: Collection[str]
    ) -> frozenset[int]:
        """Return the ids of users who fired any of ``triggers`` on the case."""
        ids = session.scalars(
            select(AuditEntry.actor_id)
            .where(AuditEntry.case_id == case_id, AuditEntry.trigger.in_(list(triggers)))
            .distinct()
        ).all()
        return frozenset(i for i in ids if i is not None)

    def count_recent(
        self, session: Session, ledger: str, event: str, actor_id: int, since: dt.datetime
    ) -> int:
        """How many ``event`` entries this user added to the ledger at or after ``since``."""
        return (
            session.scalar(
                select(func.count())
                .select_from(LedgerEntry)
                .where(
                    LedgerEntry.ledger == ledger,
                    LedgerEntry.event == event,
                    LedgerEntry.actor_id == actor_id,
                    LedgerEntry.at >= since,
                )
            )
            or 0
        )


def stored_entry(row: AuditEntry | Any, parse: bool = True) -> StoredEntry:
    """Turn a database row into a chain entry for verification (``parse=False``: the payload
    is hashed as stored and not read back into the body, which is faster)."""
    return StoredEntry(
        body=EntryBody(
            case_id=row.case_id,
            seq=row.seq,
            trigger=row.trigger,
            from_state=row.from_state,
            to_state=row.to_state,
            actor_id=row.actor_id,
            actor=row.actor,
            role=row.role,
            at=row.at,
            reason=row.reason,
            payload=json.loads(row.payload) if parse else {},
        ),
        prev_hash=row.prev_hash,
        hash=row.hash,
        payload_text=None if parse else row.payload,
    )


def stored_ledger_entry(row: LedgerEntry | Any, parse: bool = True) -> StoredEntry:
    """Turn a ledger row into a chain entry for verification (``parse`` as for cases)."""
    return StoredEntry(
        body=LedgerBody(
            ledger=row.ledger,
            seq=row.seq,
            event=row.event,
            actor_id=row.actor_id,
            actor=row.actor,
            role=row.role,
            at=row.at,
            reason=row.reason,
            payload=json.loads(row.payload) if parse else {},
        ),
        prev_hash=row.prev_hash,
        hash=row.hash,
        payload_text=None if parse else row.payload,
    )


def case_entries(session: Session, case_id: int) -> Sequence[AuditEntry]:
    """Return a case's entries in chain order."""
    return session.scalars(
        select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq)
    ).all()


def read_log_of(actor: Actor) -> str:
    """The read log a reader's reads go to: their county's."""
    return f"reads:{county_of(actor.region_code)}"


def _append_reads(
    session: Session,
    actor: Actor,
    *,
    action: str,
    channel: str,
    at: dt.datetime,
    targets: Sequence[tuple[int | None, int | None]],
) -> None:
    """Append one read per (case, household) to the reader's county log, under its head's
    row lock, each entry hashed onto the one before (as a ledger's)."""
    log = read_log_of(actor)
    head = locked_head(session, AccessLogHead, log)
    rows = []
    seq, prev = head.seq, head.head
    for case_id, household_id in targets:
        seq += 1
        body = ReadBody(
            log=log,
            seq=seq,
            at=at,
            user_id=actor.user_id,
            username=actor.username,
            role=str(actor.role),
            action=action,
            case_id=case_id,
            household_id=household_id,
            channel=channel,
        )
        digest = entry_hash(prev, body)
        rows.append({**body.as_dict(), "prev_hash": prev, "hash": digest})
        prev = digest
    session.execute(insert(AccessLog), rows)
    head.seq, head.head = seq, prev


def stored_read(row: AccessLog) -> StoredEntry:
    """Turn a read-log row into a chain entry for verification."""
    return StoredEntry(
        body=ReadBody(
            log=row.log,
            seq=row.seq,
            at=row.at,
            user_id=row.user_id,
            username=row.username,
            role=row.role,
            action=row.action,
            case_id=row.case_id,
            household_id=row.household_id,
            channel=row.channel,
        ),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def log_access(
    session: Session,
    actor: Actor,
    *,
    action: str,
    channel: str,
    at: dt.datetime,
    case_id: int | None = None,
    household_id: int | None = None,
) -> None:
    """Record that ``actor`` read personal data (the caller commits)."""
    _append_reads(
        session, actor, action=action, channel=channel, at=at, targets=[(case_id, household_id)]
    )


def log_reads(
    session: Session,
    actor: Actor,
    *,
    action: str,
    channel: str,
    at: dt.datetime,
    case_ids: Collection[int | None],
) -> None:
    """Record that ``actor`` read the personal data of these cases (one row each; the caller
    commits). ``[None]`` records a read that names no case (an export of a log)."""
    if not case_ids:
        return
    ordered = sorted(set(case_ids), key=lambda c: -1 if c is None else c)
    _append_reads(
        session,
        actor,
        action=action,
        channel=channel,
        at=at,
        targets=[(case_id, None) for case_id in ordered],
    )
