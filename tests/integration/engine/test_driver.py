"""Statements run with libpq directly (engine.driver.DriverStatement): numbered parameters,
prepared once per pooled connection, the transaction's BEGIN sent with its first statement,
COMMIT sent by ``engine.driver.commit``, errors as SQLAlchemy raises them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    String,
    bindparam,
    create_engine,
    literal_column,
    select,
    text,
)
from sqlalchemy.exc import (
    DataError,
    IntegrityError,
    OperationalError,
    ProgrammingError,
    StatementError,
)

from engine.db import make_engine
from engine.driver import DriverStatement, commit

pytestmark = pytest.mark.postgres

#: what the pool keeps with a connection (a test reads it to see it reused)
WIRE_KEY = "doudi.driver_wire"


def prepared_here(connection: Connection) -> list[str]:
    """The statements prepared by the driver statements on this connection's server session."""
    return list(
        connection.scalars(
            text("SELECT name FROM pg_prepared_statements WHERE name LIKE 'doudi_%' ORDER BY 1")
        )
    )


@pytest.fixture
def engine(postgres_database: str) -> Iterator[Engine]:
    """An engine on the test database with a single pooled connection."""
    engine = make_engine(postgres_database, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def test_named_parameters_go_in_the_statements_order_through_their_types(
    engine: Engine,
) -> None:
    statement = select(
        bindparam("second", type_=String)
        + literal_column("'|'")
        + bindparam("first", type_=String),
        bindparam("number", type_=Integer),
    )
    with engine.connect() as connection:
        run = DriverStatement(statement, connection.dialect)
        assert "$1" in run.sql and "%(" not in run.sql
        row = run.first(connection, {"first": "a", "second": "b", "number": 7})
    assert row == ("b|a", 7)


def test_a_percent_sign_in_the_sql_is_sent_as_written(engine: Engine) -> None:
    # numbered parameters: the text is not scanned for %s, nor are its % doubled
    statement = select(literal_column("'10%'") + bindparam("tail", type_=String))
    with engine.connect() as connection:
        assert DriverStatement(statement, connection.dialect).first(connection, {"tail": "%s"}) == (
            "10%%s",
        )
        text = DriverStatement("SELECT '5%' || $1::text", connection.dialect)
        assert text.first(connection, ("!",)) == ("5%!",)


def test_a_statement_is_prepared_once_per_pooled_connection_across_checkouts(
    engine: Engine,
) -> None:
    with engine.connect() as connection:
        run = DriverStatement("SELECT $1::int + 1", connection.dialect)
        assert run.first(connection, (1,)) == (2,)
        wire = connection.connection.info[WIRE_KEY]
    with engine.connect() as connection:  # the same pooled connection (pool of one)
        assert run.first(connection, (2,)) == (3,)
        assert run.first(connection, (3,)) == (4,)
        assert connection.connection.info[WIRE_KEY] is wire
        assert prepared_here(connection) == ["doudi_0"]


def test_the_first_statement_begins_the_transaction_with_its_values_quoted(
    engine: Engine,
) -> None:
    # the statement that opens a transaction goes with its BEGIN, its values quoted; the
    # next ones run the prepared statement with its values sent apart: the same rows
    run = "SELECT $1::text, $2::date, $3::int, txid_current()"
    values = ("it's a 'quote' \\ and 10%", dt.date(2026, 1, 2), None)
    with engine.connect() as connection:
        statement = DriverStatement(run, connection.dialect)
        first = statement.first(connection, values)
        again = statement.first(connection, values)
        assert first is not None and again is not None
        assert first[:3] == again[:3] == (*values[:2], None)
        assert first[3] == again[3]  # one transaction
        connection.rollback()
        after = statement.first(connection, values)
        assert after is not None and after[3] != first[3]  # a new one


def psycopg_prepares_its_own(connection: Connection) -> None:
    """Run a query often enough on the connection that psycopg prepares it (its threshold
    is 5 runs): psycopg then deallocates every prepared statement at its next rollback."""
    for _ in range(6):
        connection.exec_driver_sql("SELECT 42")
    names = connection.scalars(text("SELECT name FROM pg_prepared_statements"))
    assert any(name.startswith("_pg3_") for name in names)


def test_statements_psycopg_deallocated_at_a_rollback_are_prepared_again(
    engine: Engine,
) -> None:
    with engine.connect() as connection:
        lock = DriverStatement("SELECT $1::int * 2", connection.dialect)
        write = DriverStatement("SELECT $1::int * 3", connection.dialect)
        assert lock.first(connection, (1,)) == (2,) and write.first(connection, (1,)) == (3,)
        psycopg_prepares_its_own(connection)
        connection.rollback()  # psycopg: ROLLBACK, then DEALLOCATE ALL
        assert prepared_here(connection) == []
        connection.rollback()
        # the statement that opens the transaction finds itself gone and is prepared
        # again; the next one in the same transaction too
        assert lock.first(connection, (2,)) == (4,)
        assert write.first(connection, (2,)) == (6,)
        assert len(prepared_here(connection)) == 2
        connection.commit()


def test_a_statement_run_after_others_in_a_transaction_checks_it_is_still_prepared(
    engine: Engine,
) -> None:
    with engine.connect() as connection:
        write = DriverStatement("SELECT $1::int * 3", connection.dialect)
        assert write.first(connection, (1,)) == (3,)
        psycopg_prepares_its_own(connection)
        connection.rollback()
        connection.execute(text("SELECT 1"))  # the transaction opened by another statement
        assert write.first(connection, (5,)) == (15,)
        connection.rollback()
        # a statement new to the connection opens the transaction, after one that was lost
        opening = DriverStatement("SELECT $1::int + 100", connection.dialect)
        psycopg_prepares_its_own(connection)
        connection.rollback()
        assert opening.first(connection, (1,)) == (101,)
        assert write.first(connection, (2,)) == (6,)
        connection.commit()


def test_statements_lost_within_a_transaction_fail_it_and_the_next_one_works(
    engine: Engine,
) -> None:
    with engine.connect() as connection:
        run = DriverStatement("SELECT $1::int - 1", connection.dialect)
        assert run.first(connection, (5,)) == (4,)
        connection.exec_driver_sql("DEALLOCATE ALL")
        with pytest.raises(ProgrammingError, match="does not exist"):
            run.first(connection, (6,))
        connection.rollback()
        assert run.first(connection, (7,)) == (6,)


def test_a_savepoint_rolled_back_does_not_lose_the_statements_of_its_transaction(
    engine: Engine,
) -> None:
    # psycopg deallocates every prepared statement at ROLLBACK TO SAVEPOINT once it has
    # prepared its own; the transaction goes on, and so must the driver's statements
    with engine.connect() as connection:
        connection.execute(text("CREATE TEMP TABLE kept (n int)"))
        insert = DriverStatement("INSERT INTO kept VALUES ($1::int)", connection.dialect)
        psycopg_prepares_its_own(connection)
        connection.commit()
        insert.execute(connection, (1,))
        savepoint = connection.begin_nested()
        with pytest.raises(DataError):
            connection.execute(text("SELECT 1 / 0"))
        savepoint.rollback()
        assert prepared_here(connection) == []
        insert.execute(connection, (2,))
        connection.commit()
        assert list(connection.scalars(text("SELECT n FROM kept ORDER BY n"))) == [1, 2]


def test_a_value_refused_in_the_opening_statement_is_reported_without_the_others(
    engine: Engine,
) -> None:
    # the opening command carries every value in its text; the server's error must name
    # only what it refuses, as for a statement sent with its values apart
    with engine.connect() as connection:
        pair = DriverStatement("SELECT $1::text, $2::int", connection.dialect)
        with pytest.raises(DataError) as refused:
            pair.first(connection, ("张三 110101199001011234", "12x"))
        message = str(refused.value)
        assert "12x" in message  # what the server refuses
        assert "张三" not in message and "110101199001011234" not in message
        assert "EXECUTE" not in message
        connection.rollback()
        assert pair.first(connection, ("a", 1)) == ("a", 1)


def test_a_value_the_opening_commands_quoting_cannot_carry_is_sent_apart(
    engine: Engine,
) -> None:
    # an offset with a fraction of a second is refused as a literal; the statement then
    # runs with its values sent apart, as a later statement's are
    odd = dt.timezone(dt.timedelta(seconds=1, microseconds=500_000))
    at = dt.datetime(2026, 1, 1, tzinfo=odd)
    with engine.connect() as connection:
        echo = DriverStatement("SELECT $1::timestamptz", connection.dialect)
        row = echo.first(connection, (at,))
        assert row is not None and row[0] == at
        connection.rollback()


def test_a_lost_connection_is_invalidated_and_the_pool_replaces_it(engine: Engine) -> None:
    with engine.connect() as connection:
        backend = DriverStatement("SELECT pg_backend_pid()", connection.dialect)
        pid = backend.first(connection, ())
        connection.commit()
        with engine.dialect.loaded_dbapi.connect(
            engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
            autocommit=True,
        ) as other:
            other.execute("SELECT pg_terminate_backend(%s)", pid)
        with pytest.raises(OperationalError) as lost:
            backend.first(connection, ())
        assert lost.value.connection_invalidated
        connection.rollback()
        assert backend.first(connection, ()) != pid  # a new connection behind it


def test_a_transaction_begins_with_the_connections_isolation_level(engine: Engine) -> None:
    level = DriverStatement("SELECT current_setting('transaction_isolation')", engine.dialect)
    with engine.connect() as connection:
        assert level.first(connection, ()) == ("read committed",)
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        assert level.first(connection, ()) == ("repeatable read",)
    with engine.connect() as connection:  # given back to the pool as it was
        assert level.first(connection, ()) == ("read committed",)


def test_in_autocommit_each_statement_commits_on_its_own(engine: Engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        now = DriverStatement("SELECT txid_current()", connection.dialect)
        first, second = now.first(connection, ()), now.first(connection, ())
        assert first != second


def test_commit_sends_commit_and_leaves_sqlalchemy_nothing_to_send(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("CREATE TEMP TABLE noted (n int)"))
        connection.commit()
        insert = DriverStatement("INSERT INTO noted VALUES ($1::int)", connection.dialect)
        assert insert.execute(connection, (7,)) == 1
        commit(connection)
        assert connection.in_transaction()  # SQLAlchemy's own commit must still follow
        connection.commit()
        connection.execute(text("INSERT INTO noted VALUES (8)"))
        connection.rollback()
        assert list(connection.scalars(text("SELECT n FROM noted"))) == [7]


def test_a_commit_the_server_refuses_is_sqlalchemys_error_and_nothing_is_kept(
    engine: Engine,
) -> None:
    with engine.connect() as connection:
        connection.execute(
            text("CREATE TEMP TABLE once (n int UNIQUE DEFERRABLE INITIALLY DEFERRED)")
        )
        connection.commit()
        insert = DriverStatement("INSERT INTO once VALUES ($1::int)", connection.dialect)
        insert.execute(connection, (1,))
        insert.execute(connection, (1,))  # checked only at COMMIT
        with pytest.raises(IntegrityError) as refused:
            commit(connection)
        assert "[SQL: COMMIT]" in str(refused.value)
        connection.rollback()
        assert connection.scalar(text("SELECT count(*) FROM once")) == 0


def test_after_a_failed_statement_the_connection_serves_the_next_transaction(
    engine: Engine,
) -> None:
    # the statement begins the connection's transaction as ``Connection.execute`` does, so
    # its rollback reaches the driver's
    with engine.connect() as connection:
        divide = DriverStatement("SELECT 1 / $1::int", connection.dialect)
        with pytest.raises(DataError) as refused:
            divide.first(connection, (0,))
        assert "parameters hidden" in str(refused.value)
        assert connection.in_transaction()
        connection.rollback()
        assert divide.first(connection, (4,)) == (0,)
        connection.commit()
        assert not connection.in_transaction()


def test_a_connection_the_pool_replaces_gets_a_wire_of_its_own(engine: Engine) -> None:
    with engine.connect() as connection:
        run = DriverStatement("SELECT pg_backend_pid()", connection.dialect)
        first = run.first(connection, ())
        wire = connection.connection.info[WIRE_KEY]
        connection.invalidate()  # the driver's connection is thrown away
    with engine.connect() as connection:
        second = run.first(connection, ())  # prepared again on the new server session
        assert connection.connection.info[WIRE_KEY] is not wire
    assert first != second  # a new server process behind a new connection


def test_parameters_of_the_wrong_shape_are_a_statement_error(engine: Engine) -> None:
    with engine.connect() as connection:
        named = DriverStatement(select(bindparam("n", type_=Integer)), connection.dialect)
        with pytest.raises(StatementError):
            named.first(connection, (1,))
        with pytest.raises(StatementError):
            named.first(connection, {"m": 1})
        text = DriverStatement("SELECT $1::int", connection.dialect)
        with pytest.raises(StatementError):
            text.first(connection, {"n": 1})


def test_only_psycopg_runs_driver_statements() -> None:
    sqlite = create_engine("sqlite://")
    with pytest.raises(ValueError, match="psycopg"):
        DriverStatement(select(bindparam("n", type_=Integer)), sqlite.dialect)
    sqlite.dispose()
