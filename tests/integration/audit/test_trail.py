"""The stored trail: chains verify, tampering is named, and the table refuses edits."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DatabaseError

from audit.models import EVIDENCE_TABLES
from audit.verify import snapshot_reads, verify_all
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


def test_text_that_needs_escaping_verifies_and_an_edit_to_it_is_found(world: World) -> None:
    # PostgreSQL streams the trail with COPY, whose text format escapes backslashes, tabs
    # and line breaks and spells NULL as \\N: each must come back as it was hashed
    case_id = world.apply()
    reason = '补正 "材料" C:\\扫描\\N 件\t第二栏\n第二行\r'
    world.fire(case_id, "accept", "clerk", reason)
    report = verify(world)
    assert report.ok, report.breaks
    raw_sql(world, f"UPDATE audit_entry SET reason = 'x' WHERE case_id = {case_id} AND seq = 2")
    assert [(b.seq, b.kind) for b in verify(world).breaks] == [(2, "hash_mismatch")]


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


def test_every_evidence_table_refuses_update_delete_and_truncate(world: World) -> None:
    """Every evidence table is append-only: the trail, the ledgers, the read log, the sign-in
    events, the issued documents and the checkpoints refuse UPDATE and DELETE (and, on
    PostgreSQL, TRUNCATE), whoever asks; rows may only be added."""
    cases_with_history(world, 1)
    engine = make_engine(world.rt.settings.database_url)
    for table in EVIDENCE_TABLES:
        statements = [f"UPDATE {table} SET id = id", f"DELETE FROM {table}"]
        if table == "audit_checkpoint":
            statements[0] = f"UPDATE {table} SET seq = seq"
        if engine.dialect.name == "postgresql":
            statements.append(f"TRUNCATE {table}")
        for statement in statements:
            with engine.begin() as conn:
                # a row to refuse (triggers fire per row; TRUNCATE per statement)
                _one_row(conn, table)
            with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
                conn.execute(text(statement))
    engine.dispose()


def _one_row(conn: Connection, table: str) -> None:
    """Make sure ``table`` holds at least one row (each is inserted as the application would)."""
    if conn.execute(text(f"SELECT count(*) FROM {table}")).scalar():
        return
    rows = {
        "sign_in_event": "INSERT INTO sign_in_event (at, username, address, channel, outcome) "
        "VALUES (CURRENT_TIMESTAMP, 'x', '127.0.0.1', 'api', 'ok')",
        "issued_document": "INSERT INTO issued_document (code, kind, county_code, region_code, "
        "subject, cases, issuing_body, sha256, size_bytes, pages, issued_by, role, issued_at, "
        "ledger_seq) VALUES ('ABCDEFGHJK', 'notice', '512022', '512022', 's', 1, 'b', 'h', 1, 1, "
        "'x', 'clerk', CURRENT_TIMESTAMP, 1)",
        "audit_checkpoint": "INSERT INTO audit_checkpoint (seq, at, root, chains, prev, "
        "public_key, signature, hash) VALUES (1, CURRENT_TIMESTAMP, 'r', 0, 'p', 'k', 's', 'h')",
        "checkpoint_leaf": "INSERT INTO checkpoint_leaf (checkpoint_seq, position, chain, seq, "
        "head) VALUES (1, 0, 'case 1', 1, 'h')",
        "access_log": "INSERT INTO access_log (at, username, role, action, channel, log, seq, "
        "prev_hash, hash) VALUES (CURRENT_TIMESTAMP, 'x', 'clerk', 'view_case', 'api', "
        "'reads:512022', 999, 'p', 'h')",
        # the case's history holds an investigation to attach a file to
        "investigation_attachment": "INSERT INTO investigation_attachment (investigation_id, "
        "case_id, position, sha256, size_bytes, media_type, file_name, recorded_at) "
        "SELECT id, case_id, 0, 'h', 1, 'image/png', 'x.png', CURRENT_TIMESTAMP "
        "FROM investigation ORDER BY id LIMIT 1",
    }
    conn.execute(text(rows[table]))


def test_workers_report_what_one_process_reports(world: World) -> None:
    """Verification in worker processes (PostgreSQL) finds each break that one process finds,
    in the same order, and counts the same entries; elsewhere ``workers`` changes nothing."""
    ids = cases_with_history(world, 5)
    raw_sql(world, f"UPDATE audit_entry SET reason = 'x' WHERE case_id = {ids[1]} AND seq = 2")
    raw_sql(world, f"DELETE FROM audit_entry WHERE case_id = {ids[3]} AND seq = 3")
    raw_sql(world, f"DELETE FROM audit_entry WHERE case_id = {ids[4]}")
    reports = []
    for workers in (1, 2):
        with world.rt.reader() as uow:
            snapshot_reads(uow.session)
            reports.append(verify_all(uow.session, workers=workers))
    one, many = reports
    assert [(b.chain, b.seq, b.kind) for b in one.breaks] == [
        (f"case {ids[1]}", 2, "hash_mismatch"),
        (f"case {ids[3]}", 3, "missing"),
        (f"case {ids[4]}", 1, "truncated"),
    ]
    assert many.breaks == one.breaks
    assert (many.cases, many.ledgers, many.entries) == (one.cases, one.ledgers, one.entries)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_transition_committed_during_verification_is_no_break(world: World, workers: int) -> None:
    """A county verifies its trail while staff work: a chain that grows after verification
    began is checked as it stood when it began, not reported as longer than its head."""
    ids = cases_with_history(world, 4)
    grown: list[int] = []

    def meanwhile(_entries: int) -> None:
        if not grown:
            world.fire(ids[-1], "withdraw", "clerk", "申请人撤回")
            grown.append(ids[-1])

    with world.rt.reader() as uow:
        snapshot_reads(uow.session)
        report = verify_all(uow.session, progress=meanwhile, workers=workers)
    assert grown and report.ok, report.breaks
    assert verify(world).ok
