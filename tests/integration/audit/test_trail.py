"""The stored trail: chains verify, tampering is named, and the table refuses edits."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from audit.verify import verify_all
from engine.db import make_engine
from engine.states import CaseState
from tests.support import World, tamper


def cases_with_history(w: World, n: int = 3) -> list[int]:
    ids = []
    for _ in range(n):
        case_id = w.apply()
        w.to_state(case_id, CaseState.INITIAL_REVIEWED)
        ids.append(case_id)
    return ids


def raw_sql(w: World, statement: str) -> None:
    tamper(w.rt.settings.database_url, statement)


def verify(w: World):  # type: ignore[no-untyped-def]
    with w.rt.reader() as uow:
        return verify_all(uow.session)


def test_every_chain_of_a_busy_database_verifies(world: World) -> None:
    cases_with_history(world)
    report = verify(world)
    assert report.ok
    # 18 case entries, 4 in the policy ledger (the standards the test county starts
    # with), 10 in the users ledger (the staff accounts seeded) and 1 in the regions
    # ledger (the county's region file)
    assert (report.cases, report.ledgers, report.entries) == (3, 3, 33)


def test_an_edited_reason_is_named_by_case_and_entry(world: World) -> None:
    ids = cases_with_history(world)
    raw_sql(world, f"UPDATE audit_entry SET reason = 'x' WHERE case_id = {ids[1]} AND seq = 4")
    report = verify(world)
    assert [(b.chain, b.seq, b.kind) for b in report.breaks] == [
        (f"case {ids[1]}", 4, "hash_mismatch")
    ]


def test_a_deleted_entry_and_a_truncated_tail_are_both_found(world: World) -> None:
    ids = cases_with_history(world)
    raw_sql(world, f"DELETE FROM audit_entry WHERE case_id = {ids[0]} AND seq = 2")
    raw_sql(world, f"DELETE FROM audit_entry WHERE case_id = {ids[2]} AND seq = 6")
    report = verify(world)
    assert [(b.chain, b.seq, b.kind) for b in report.breaks] == [
        (f"case {ids[0]}", 2, "missing"),
        (f"case {ids[2]}", 6, "truncated"),
    ]


def test_a_changed_payload_is_found(world: World) -> None:
    ids = cases_with_history(world, 1)
    raw_sql(world, f"UPDATE audit_entry SET payload = '{{}}' WHERE case_id = {ids[0]} AND seq = 1")
    assert verify(world).breaks[0].seq == 1


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET reason = 'rewritten'",
        "DELETE FROM audit_entry",
    ],
)
def test_the_database_refuses_to_change_the_trail(world: World, statement: str) -> None:
    cases_with_history(world, 1)
    engine = make_engine(world.rt.settings.database_url)
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()
    assert verify(world).ok
