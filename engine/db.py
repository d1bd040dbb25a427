"""Database engines and sessions from a URL (nothing is created at import time)."""

from __future__ import annotations

import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
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
from sqlalchemy.orm import Session, sessionmaker

from engine import driver

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
    elif engine.dialect.driver == "psycopg":
        driver.watch(engine)  # the statements it prepares outlive a savepoint's rollback
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
