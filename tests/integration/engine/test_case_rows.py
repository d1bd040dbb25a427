"""A locked case read straight from the driver, and its own changes written with its audit
entry without the ORM's flush (engine.case_rows, audit.recorder.write_case_with_entry), on
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import bindparam, event, func, inspect, select, text, update
from sqlalchemy.exc import DBAPIError, OperationalError, StatementError

from audit.models import AuditEntry
from engine.case_rows import CASE_COLUMNS, pending_changes, reads_directly
from engine.db import make_engine
from engine.driver import DriverStatement
from engine.errors import Conflict
from engine.models import Case, Household
from engine.ports import CaseEvent
from engine.services import advance
from engine.services.workflow_step import lock_case, record_case_event
from engine.states import CaseState
from engine.uow import db_conflicts
from tests.support import VILLAGE_A2, World, flagged_case


@contextmanager
def statements(world: World) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs, through SQLAlchemy or the driver."""
    sent: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(" ".join(statement.split()))

    driver_run = DriverStatement._run

    def run_seen(self: DriverStatement, *args: Any) -> Any:
        seen(None, None, self.sql)
        return driver_run(self, *args)

    event.listen(world.rt.engine, "before_cursor_execute", seen)
    DriverStatement._run = run_seen  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        DriverStatement._run = driver_run  # type: ignore[method-assign]
        event.remove(world.rt.engine, "before_cursor_execute", seen)


def stored(world: World, case_id: int) -> tuple[Case, int]:
    """The case as committed, and how many entries its trail holds."""
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        count = uow.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.case_id == case_id)
        )
        return case, count or 0


def test_a_transition_writes_its_case_once_and_its_entry_with_it(world: World) -> None:
    case_id = world.apply()
    with statements(world) as sent:
        world.fire(case_id, "accept", "clerk")
    # the case is read once (with FOR UPDATE where the database has row locks)
    reads = [s for s in sent if s.startswith("SELECT") and "FROM case_file WHERE" in s]
    assert len(reads) == 1, sent
    updates = [s for s in sent if "UPDATE case_file" in s]
    assert len(updates) == 1, sent
    entry_inserts = [s for s in sent if "INSERT INTO audit_entry" in s]
    assert len(entry_inserts) == 1
    if world.rt.engine.dialect.name == "postgresql":
        # one statement carries both
        assert updates == entry_inserts
    case, count = stored(world, case_id)
    assert case.state == CaseState.ACCEPTED and case.chain_seq == count == 3
    assert case.accepted_at == world.clock.now()


def test_the_session_is_clean_after_the_write_and_later_changes_still_flush(
    world: World,
) -> None:
    case_id = world.apply()
    actor = world.actors["clerk"]
    with world.uow() as uow:
        case = lock_case(uow.session, case_id)
        record_case_event(uow, case, actor, "note", {"said": "first"})
        assert not inspect(case).modified and case not in uow.session.dirty
        assert pending_changes(case) == {}
        # a change after the entry: the unit of work writes it at commit, checking the
        # version the case now has in the database
        case.extension_ground = "special_hardship"
        record_case_event(uow, case, actor, "note", {"said": "second"})
        case.last_change_kind = "employment"
        uow.commit()
    case, count = stored(world, case_id)
    assert case.extension_ground == "special_hardship"
    assert case.last_change_kind == "employment"
    assert case.version == 4 and case.chain_seq == count == 4


def test_a_case_changed_behind_the_lock_is_a_conflict_and_nothing_is_written(
    world: World,
) -> None:
    case_id = world.apply()
    before, entries_before = stored(world, case_id)
    actor = world.actors["clerk"]
    with world.uow() as uow:
        case = lock_case(uow.session, case_id)
        # what another writer would have done had the row not been locked
        uow.session.execute(
            update(Case).where(Case.id == case_id).values(version=Case.version + 7),
            execution_options={"synchronize_session": False},
        )
        case.version += 1
        note = CaseEvent(
            trigger="note",
            from_state=str(case.state),
            to_state=str(case.state),
            actor=actor,
            at=world.clock.now(),
            reason="",
            payload={},
        )
        with pytest.raises(Conflict), db_conflicts():
            uow.audit.append(uow.session, case, note)
    # the transaction rolled back: the other writer's change is not kept either
    after, entries_after = stored(world, case_id)
    assert (after.version, after.chain_seq, entries_after) == (
        before.version,
        before.chain_seq,
        entries_before,
    )


def test_a_case_the_orm_must_write_is_left_to_its_flush(world: World) -> None:
    case_id = world.apply()
    with world.uow() as uow:
        case = lock_case(uow.session, case_id)
        assert pending_changes(case) == {}
        case.household = uow.session.get(Household, case.household_id)  # a relationship
        assert pending_changes(case) is None
        new = Case(household_id=case.household_id)
        uow.session.add(new)
        assert pending_changes(new) is None


def test_advance_on_a_stale_version_writes_nothing(world: World) -> None:
    case_id = world.apply()
    before, entries_before = stored(world, case_id)
    with pytest.raises(Conflict):
        advance(
            world.uow(),
            case_id,
            "accept",
            world.actors["clerk"],
            expected_version=before.version - 1,
        )
    after, entries_after = stored(world, case_id)
    assert (after.state, after.version, entries_after) == (
        before.state,
        before.version,
        entries_before,
    )


def column_values(case: Case) -> dict[str, tuple[type, object]]:
    """Every column attribute of a loaded case, with its value's type."""
    return {key: (type(getattr(case, key)), getattr(case, key)) for key in sorted(CASE_COLUMNS)}


def test_a_case_read_under_lock_is_the_case_the_orm_loads(world: World) -> None:
    enrolled = world.apply()
    world.to_state(enrolled, CaseState.ACTIVE)
    flagged = flagged_case(world, VILLAGE_A2, "张秀英")
    for case_id in (world.apply(), enrolled, flagged):
        with world.rt.reader() as uow:
            loaded = uow.session.get(Case, case_id)
            assert loaded is not None
            expected = column_values(loaded)
        with world.uow() as uow:
            direct = world.rt.engine.dialect.name == "postgresql"
            assert reads_directly(uow.session, case_id) is direct
            case = lock_case(uow.session, case_id)
            assert column_values(case) == expected
            state = inspect(case)
            assert state.persistent and not state.modified and pending_changes(case) == {}
            # relationships load when asked for, as on an object the ORM loaded
            assert case.household.id == case.household_id
            assert case.village.code == case.village_code
            # the session knows it: asking again returns the same object
            assert uow.session.get(Case, case_id) is case
            assert not reads_directly(uow.session, case_id)
            assert lock_case(uow.session, case_id) is case


def test_a_session_with_changes_of_its_own_locks_through_the_orm(world: World) -> None:
    case_id = world.apply()
    with world.uow() as uow:
        household = uow.session.scalars(select(Household)).first()
        assert household is not None
        household.income_stable = not household.income_stable
        assert not reads_directly(uow.session, case_id)
        assert lock_case(uow.session, case_id).id == case_id


@pytest.mark.postgres
def test_a_lock_not_granted_in_time_is_the_error_sqlalchemy_raises(world: World) -> None:
    if world.rt.engine.dialect.name != "postgresql":
        pytest.skip("row locks with a timeout are PostgreSQL's")
    case_id = world.apply()
    with world.uow() as holder, world.uow() as waiter:
        lock_case(holder.session, case_id)
        waiter.session.execute(text("SET LOCAL lock_timeout = '50ms'"))
        assert reads_directly(waiter.session, case_id)
        with pytest.raises(OperationalError) as refused:
            lock_case(waiter.session, case_id)
        # as the engine's own errors: the statement's parameters never reach a log
        assert "parameters hidden" in str(refused.value)


def test_a_connection_given_back_mid_transaction_is_clean_for_the_next_user(
    world: World,
) -> None:
    # the pool does not roll back a connection given back (PostgreSQL): closing it does
    case_id = world.apply()
    url = world.rt.engine.url.render_as_string(hide_password=False)
    engine = make_engine(url, pool_size=1, max_overflow=0)  # one connection, reused
    try:
        with pytest.raises(DBAPIError), engine.connect() as connection:
            connection.execute(text("SELECT * FROM no_such_table"))  # transaction aborted
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
            connection.execute(
                update(Case).where(Case.id == case_id).values(extension_ground="uncommitted")
            )  # given back with its transaction open
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
        # nothing of the uncommitted change was kept, and its row lock was let go
        with world.uow() as uow:
            if engine.dialect.name == "postgresql":  # fail, rather than wait, if it were held
                uow.session.execute(text("SET LOCAL lock_timeout = '2s'"))
            assert lock_case(uow.session, case_id).extension_ground is None
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_value_its_type_refuses_is_a_statement_error_with_its_parameters_hidden(
    world: World,
) -> None:
    if world.rt.engine.dialect.name != "postgresql":
        pytest.skip("statements run with the driver are PostgreSQL's")
    case_id = world.apply()
    naive = dt.datetime(2026, 1, 5, 9, 30)  # noqa: DTZ001 (the value refused)
    with world.uow() as uow:
        connection = uow.session.connection()
        touch = DriverStatement(
            update(Case)
            .where(Case.id == bindparam("case"))
            .values(updated_at=bindparam("stamp", type_=Case.__table__.c.updated_at.type)),
            connection.dialect,
        )
        with pytest.raises(StatementError) as refused:
            touch.execute(connection, {"case": case_id, "stamp": naive})
        assert "naive datetime" in str(refused.value)
        assert "parameters hidden" in str(refused.value)
        assert "2026" not in str(refused.value)
