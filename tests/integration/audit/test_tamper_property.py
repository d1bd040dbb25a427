"""Any single change to any stored entry is found: a property test over the rows a real
trail stores, read back the way ``doudi audit verify`` reads them."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from audit.chain import verify_chain
from audit.models import AuditEntry
from audit.recorder import stored_entry
from engine.models import Case
from engine.states import CaseState
from tests.support import World

TEXT_COLUMNS = ("trigger", "from_state", "to_state", "actor", "role", "reason", "payload")
HASH_COLUMNS = ("prev_hash", "hash")
NUMBER_COLUMNS = ("case_id", "seq", "actor_id")


@pytest.fixture
def backend() -> str:
    """The rows are read once; the property runs in memory on what SQLite stored."""
    return "sqlite"


@pytest.fixture
def stored(world: World) -> tuple[list[dict[str, Any]], dict[int, tuple[int, str]]]:
    """The rows of two cases' chains, as stored, and each case's head."""
    for target in (CaseState.ACTIVE, CaseState.IN_PUBLIC_NOTICE):
        world.to_state(world.apply(), target)
    columns = [c.name for c in AuditEntry.__table__.columns]
    with world.rt.reader() as uow:
        rows = [
            dict(zip(columns, r, strict=True))
            for r in uow.session.execute(
                select(*AuditEntry.__table__.columns).order_by(AuditEntry.case_id, AuditEntry.seq)
            )
        ]
        heads = {
            i: (s, h)
            for i, s, h in uow.session.execute(select(Case.id, Case.chain_seq, Case.chain_head))
        }
    return rows, heads


def _altered(value: Any, column: str, position: int, shift: int) -> Any:
    if column in NUMBER_COLUMNS:
        return (value or 0) + shift
    if column == "at":
        return value + dt.timedelta(microseconds=shift)
    text = str(value or "")
    if not text:
        return chr(0x41 + shift % 26)
    i = position % len(text)
    replacement = chr((ord(text[i]) + shift) % 0x10FFFF or 0x41)
    if replacement == text[i] or 0xD800 <= ord(replacement) <= 0xDFFF:
        replacement = "Z" if text[i] != "Z" else "Y"
    return text[:i] + replacement + text[i + 1 :]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    index=st.integers(min_value=0),
    column=st.sampled_from((*TEXT_COLUMNS, *HASH_COLUMNS, *NUMBER_COLUMNS, "at")),
    position=st.integers(min_value=0, max_value=10_000),
    shift=st.integers(min_value=1, max_value=200),
)
def test_any_single_change_to_any_stored_entry_is_found(
    stored: tuple[list[dict[str, Any]], dict[int, tuple[int, str]]],
    index: int,
    column: str,
    position: int,
    shift: int,
) -> None:
    rows, heads = stored
    target = rows[index % len(rows)]
    case_id = target["case_id"]
    chain = [dict(r) for r in rows if r["case_id"] == case_id]
    victim = chain[target["seq"] - 1]
    victim[column] = _altered(victim[column], column, position, shift)
    entries = [stored_entry(SimpleNamespace(**r), parse=False) for r in chain]  # type: ignore[arg-type]
    seq, head = heads[case_id]
    assert verify_chain(f"case {case_id}", entries, seq, head) is not None
