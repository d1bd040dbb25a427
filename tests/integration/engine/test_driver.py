"""Statements run with psycopg directly (engine.driver.DriverStatement): numbered
parameters, one raw cursor per pooled connection, errors as SQLAlchemy raises them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, Integer, String, bindparam, create_engine, literal_column, select
from sqlalchemy.exc import DataError, StatementError

from engine.db import make_engine
from engine.driver import DriverStatement

pytestmark = pytest.mark.postgres

#: what the pool keeps with a connection (a test reads it to see the cursor reused)
CURSOR_KEY = "doudi.raw_cursor"


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


def test_one_raw_cursor_serves_a_pooled_connection_across_checkouts(engine: Engine) -> None:
    with engine.connect() as connection:
        run = DriverStatement("SELECT $1::int + 1", connection.dialect)
        assert run.first(connection, (1,)) == (2,)
        cursor = connection.connection.info[CURSOR_KEY]
    with engine.connect() as connection:  # the same pooled connection (pool of one)
        assert run.first(connection, (2,)) == (3,)
        assert connection.connection.info[CURSOR_KEY] is cursor


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


def test_a_connection_the_pool_replaces_gets_a_cursor_of_its_own(engine: Engine) -> None:
    with engine.connect() as connection:
        run = DriverStatement("SELECT pg_backend_pid()", connection.dialect)
        first = run.first(connection, ())
        cursor = connection.connection.info[CURSOR_KEY]
        connection.invalidate()  # the driver's connection is thrown away
    with engine.connect() as connection:
        second = run.first(connection, ())
        assert connection.connection.info[CURSOR_KEY] is not cursor
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
