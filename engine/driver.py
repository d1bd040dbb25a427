"""Statements run with PostgreSQL's driver (psycopg) directly, for the few a transition sends.

SQLAlchemy's per-statement steps (execution context, result metadata, column descriptions)
cost more than the driver's own work for a statement as small as a case's row lock. A
``DriverStatement`` is compiled once, with numbered parameters (``$1``, as the server takes
them), and run on a raw cursor kept with the pooled connection: the driver neither parses
the query for placeholders nor builds a cursor per statement, and the server prepares it
after a few runs as it does any statement psycopg sends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any
from typing import cast as cast_to

from psycopg import RawCursor
from sqlalchemy import ClauseElement, Connection, Dialect
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql.compiler import SQLCompiler

#: where a pooled connection keeps its raw cursor (``PoolProxiedConnection.info`` lives as
#: long as the driver's connection, and is emptied when the pool replaces it)
_CURSOR = "doudi.raw_cursor"


@lru_cache(maxsize=4)
def _numbered(dialect: Dialect) -> Dialect:
    """A dialect of the same kind that writes parameters as ``$1``, ``$2``, … (its preparer
    leaves ``%`` alone: a raw cursor sends the text as it is)."""
    kind = cast_to(type[DefaultDialect], type(dialect))
    numbered = kind(paramstyle="numeric_dollar")
    # what the dialect learned from the server when it connected (version-dependent SQL)
    numbered.server_version_info = dialect.server_version_info
    return numbered


class DriverStatement:
    """A statement compiled once for PostgreSQL and run with psycopg directly.

    Parameters are given by name (a compiled statement) or by position (SQL text written
    with ``$1``, ``$2``, …); named ones go through their types' bind processors. Rows come
    back as the driver's tuples, and a driver error is raised as the error SQLAlchemy would
    have raised (OperationalError for a lock not granted, DataError, IntegrityError, …),
    its parameters hidden.
    """

    def __init__(self, statement: ClauseElement | str, dialect: Dialect) -> None:
        if dialect.name != "postgresql" or dialect.driver != "psycopg":
            raise ValueError(f"statements run with the driver are psycopg's, not {dialect.name}")
        self._names: tuple[str, ...] | None = None
        self._processors: tuple[Callable[[Any], Any] | None, ...] = ()
        if isinstance(statement, str):
            self.sql = statement
        else:
            compiled = cast_to(SQLCompiler, statement.compile(dialect=_numbered(dialect)))
            if compiled.post_compile_params:
                raise ValueError("a statement with expanding parameters is rendered per run")
            self.sql = str(compiled)
            self._names = tuple(compiled.positiontup or ())
            self._processors = tuple(
                compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
                for name in self._names
            )
        #: the bytes the driver sends, encoded once (their hash, psycopg's cache key, too)
        self._query = self.sql.encode()

    def execute(self, connection: Connection, params: Mapping[str, Any] | Sequence[Any]) -> int:
        """Execute in the connection's transaction; return how many rows it changed."""
        return int(self._run(connection, params, lambda cursor: cursor.rowcount))

    def first(
        self, connection: Connection, params: Mapping[str, Any] | Sequence[Any]
    ) -> tuple[Any, ...] | None:
        """Execute in the connection's transaction; return its first row (None: no row)."""
        row: tuple[Any, ...] | None = self._run(
            connection, params, lambda cursor: cursor.fetchone()
        )
        return row

    def _run(
        self,
        connection: Connection,
        params: Mapping[str, Any] | Sequence[Any],
        result: Callable[[RawCursor[Any]], Any],
    ) -> Any:
        dbapi = connection.dialect.loaded_dbapi
        try:
            values = self._bound(params)
        except Exception as err:
            # as SQLAlchemy reports a value its type refuses (a naive time for a UTC column)
            raise StatementError(str(err), self.sql, params, err, hide_parameters=True) from err
        if not connection.in_transaction():
            # as ``Connection.execute`` begins one: its commit or rollback then reaches
            # the driver's transaction this statement opens
            connection.begin()
        try:
            cursor = _raw_cursor(connection)
            cursor.execute(self._query, values)
            return result(cursor)
        except dbapi.Error as err:
            # parameters hidden, as the engine hides them (names, ID numbers, reasons)
            raise DBAPIError.instance(
                self.sql, values, err, dbapi.Error, hide_parameters=True
            ) from err

    def _bound(self, params: Mapping[str, Any] | Sequence[Any]) -> Sequence[Any]:
        """The parameters in the statement's order, each named one through its type."""
        if self._names is None:
            if isinstance(params, Mapping):
                raise TypeError("SQL text takes its parameters by position")
            return params
        if not isinstance(params, Mapping):
            raise TypeError("a compiled statement takes its parameters by name")
        return [
            params[name] if process is None else process(params[name])
            for name, process in zip(self._names, self._processors, strict=True)
        ]


def _raw_cursor(connection: Connection) -> RawCursor[Any]:
    """The raw cursor of the connection's driver connection, made on first use."""
    pooled = connection.connection
    driver = pooled.driver_connection
    if driver is None:
        raise RuntimeError("the connection has no driver connection")
    cursor: RawCursor[Any] | None = pooled.info.get(_CURSOR)
    if cursor is None or cursor.closed or cursor.connection is not driver:
        cursor = pooled.info[_CURSOR] = RawCursor(driver)
    return cursor
