"""Database engines and sessions from a URL (nothing is created at import time)."""

from __future__ import annotations

import stat
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from typing import cast as cast_to

from sqlalchemy import (
    ARRAY,
    ClauseElement,
    ColumnElement,
    Connection,
    Dialect,
    Engine,
    Integer,
    SQLColumnExpression,
    any_,
    bindparam,
    cast,
    create_engine,
    event,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.compiler import SQLCompiler

#: the largest id a table's integer key holds (PostgreSQL ``integer``): larger ones are not ids
DB_INT_MAX = 2**31 - 1
#: the largest SMALLINT (counts of vehicles, housing units, disability grades)
DB_SMALLINT_MAX = 2**15 - 1
#: the same for the evidence tables' ``bigint`` keys
DB_BIGINT_MAX = 2**63 - 1
#: how long SQLite waits for another writer before giving up, in milliseconds
SQLITE_BUSY_TIMEOUT_MS = 15_000


def normalize_url(url: str) -> str:
    """Name the psycopg 3 driver explicitly for PostgreSQL URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, sqlite_foreign_keys: bool = True, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout and explicit BEGINs.

    ``sqlite_foreign_keys=False`` is for schema migrations, which rebuild tables.
    """
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "postgresql":
        # sessions and connections end their transactions before they give the connection
        # back (closing rolls back what was not committed), so the pool's own rollback on
        # return only costs time: about 5 % of a transition's Python
        kwargs.setdefault("pool_reset_on_return", None)
    # a failed statement's message must never carry its parameters (names, ID numbers)
    # into a log: SQLAlchemy leaves them out of its exceptions with hide_parameters
    engine = create_engine(url, hide_parameters=True, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, sqlite_foreign_keys)
    return engine


def owner_only(database: str) -> None:
    """Let only the file's owner read the SQLite database (it holds personal data).

    SQLite creates its -wal and -shm files with the database file's mode.
    """
    path = Path(database)
    if path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o600)


def _configure_sqlite(engine: Engine, foreign_keys: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is lazy and wrong).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            for suffix in ("", "-wal", "-shm"):  # before WAL mode creates its files
                owner_only(engine.url.database + suffix)
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front (BEGIN IMMEDIATE) so that a
        # read-check-write cannot interleave with another writer: SQLite's
        # stand-in for SELECT ... FOR UPDATE.
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def writer_engine(engine: Engine) -> Engine:
    """Return a view of ``engine`` whose transactions lock for writing on SQLite."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="IMMEDIATE")
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def among(
    session: Session, column: SQLColumnExpression[int], ids: Sequence[int]
) -> ColumnElement[bool]:
    """``column IN ids`` for a batch of ids: one array parameter on PostgreSQL (a long
    ``IN`` list costs a placeholder each to build and to send), the ``IN`` list elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(cast(bindparam(None, list(ids)), ARRAY(Integer)))
    return column.in_(ids)


def in_ids(dialect: str, column: SQLColumnExpression[int], name: str) -> ColumnElement[bool]:
    """``column IN :name`` for a statement built once and run with a list of ids as ``name``
    (as ``among``: one array parameter on PostgreSQL, an expanding list elsewhere)."""
    if dialect == "postgresql":
        return column == any_(cast(bindparam(name), ARRAY(Integer)))
    return column.in_(bindparam(name, expanding=True))


class DriverStatement:
    """A statement compiled once for a database and run with its driver directly, for the few
    statements a transition sends: SQLAlchemy's per-statement steps (execution context,
    result metadata, column descriptions) cost more than the driver's own work.

    Named parameters go through their types' bind processors (positional ones are sent as
    they are), rows come back as the driver's tuples, and a driver error is raised as the
    error SQLAlchemy would have raised (OperationalError for a lock not granted, DataError,
    IntegrityError, …), its parameters hidden.
    """

    def __init__(self, statement: ClauseElement | str, dialect: Dialect) -> None:
        if isinstance(statement, str):
            self.sql, self._processors = statement, {}
            return
        compiled = cast_to(SQLCompiler, statement.compile(dialect=dialect))
        self.sql = str(compiled)
        processors = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in compiled.binds.items()
        }
        self._processors = {name: p for name, p in processors.items() if p is not None}

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
        result: Callable[[Any], Any],
    ) -> Any:
        driver = connection.connection.driver_connection
        dbapi = connection.dialect.loaded_dbapi
        if driver is None:
            raise RuntimeError("the connection has no driver connection")
        try:
            values = self._bound(params)
        except Exception as err:
            # as SQLAlchemy reports a value its type refuses (a naive time for a UTC column)
            raise StatementError(str(err), self.sql, params, err, hide_parameters=True) from err
        try:
            with driver.cursor() as cursor:
                cursor.execute(self.sql, values)
                return result(cursor)
        except dbapi.Error as err:
            # parameters hidden, as the engine hides them (names, ID numbers, reasons)
            raise DBAPIError.instance(
                self.sql, values, err, dbapi.Error, hide_parameters=True
            ) from err

    def _bound(
        self, params: Mapping[str, Any] | Sequence[Any]
    ) -> Mapping[str, Any] | Sequence[Any]:
        """The parameters as the driver takes them: each named one through its type."""
        if not isinstance(params, Mapping) or not self._processors:
            return params
        return {
            name: process(value) if (process := self._processors.get(name)) else value
            for name, value in params.items()
        }
