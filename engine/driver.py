"""Statements run with PostgreSQL's client library directly, for the few a transition sends.

SQLAlchemy's per-statement steps (execution context, result metadata, column descriptions)
cost more than the driver's own work for a statement as small as a case's row lock, and so
does psycopg's cursor: it waits for the server through Python generators (a non-blocking
socket, poll, resume), 50-100 µs of CPU per round trip more than libpq's own blocking call
on these machines. A ``DriverStatement`` is compiled once, with numbered parameters (``$1``,
as the server takes them), prepared on a pooled connection the first time it runs there,
and executed with libpq's blocking call through psycopg's ``pq`` layer; its values go
through psycopg's own adapters (a ``Transformer``), as a cursor's do. The statement that
opens a transaction goes with its BEGIN in one round trip, and ``commit`` sends COMMIT the
same way: a transition's lock, write and commit are three round trips (the raw transaction
psycopg's cursor sends takes five).

libpq's call lets other threads run while it waits (it releases the GIL, as psycopg's wait
does) but does not return for a signal: Ctrl-C is handled when the statement ends, a wait
for a locked case included.

An opening command whose text the server refuses at a position (a value it cannot take) is
ended and its statement run again with its values sent apart (nothing else has run in the
transaction): the error then quotes no other value, and a value the literal cannot carry (an
offset with a fraction of a second) still goes. One difference remains: a float -0.0 in the
opening command arrives as 0.0 (the engine sends no floats). psycopg deallocates every
prepared statement after a rollback, a savepoint's too, once it has prepared statements of
its own; ``_Wire`` prepares them again (``watch`` has an engine tell it about savepoints).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any
from typing import cast as cast_to

import psycopg
from psycopg import errors, pq
from psycopg.abc import Buffer, Transformer
from psycopg.adapt import PyFormat
from psycopg.adapt import Transformer as Adapters
from psycopg.pq.abc import PGresult
from sqlalchemy import ClauseElement, Connection, Dialect, Engine, event
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql.compiler import SQLCompiler

#: where a pooled connection keeps its ``_Wire`` (``PoolProxiedConnection.info`` lives as
#: long as the driver's connection, and is emptied when the pool replaces it)
_WIRE = "doudi.driver_wire"
_IDLE = pq.TransactionStatus.IDLE
_DONE = (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK)
#: the names the statements are prepared under (psycopg's own are ``_pg3_N``)
_PREFIX = "doudi_"
_PREPARED_HERE = (
    f"SELECT name FROM pg_prepared_statements WHERE starts_with(name, '{_PREFIX}')"  # noqa: S608
).encode()
#: where in the command's text the server found what it refuses
_POSITION = pq.DiagnosticField.STATEMENT_POSITION
#: the server's code for a prepared statement it does not have
_NO_SUCH_STATEMENT = b"26000"


@lru_cache(maxsize=4)
def _numbered(dialect: Dialect) -> Dialect:
    """A dialect of the same kind that writes parameters as ``$1``, ``$2``, … (its preparer
    leaves ``%`` alone: the text is sent as it is)."""
    kind = cast_to(type[DefaultDialect], type(dialect))
    numbered = kind(paramstyle="numeric_dollar")
    # what the dialect learned from the server when it connected (version-dependent SQL)
    numbered.server_version_info = dialect.server_version_info
    return numbered


class DriverStatement:
    """A statement compiled once for PostgreSQL and run with libpq directly.

    Parameters are given by name (a compiled statement) or by position (SQL text written
    with ``$1``, ``$2``, …); named ones go through their types' bind processors. Rows come
    back as tuples of the values psycopg would load, and a server error is raised as the
    error SQLAlchemy would have raised (OperationalError for a lock not granted, DataError,
    IntegrityError, …), its parameters hidden.
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
        #: the bytes the server is sent, encoded once
        self._query = self.sql.encode()

    def execute(self, connection: Connection, params: Mapping[str, Any] | Sequence[Any]) -> int:
        """Execute in the connection's transaction; return how many rows it changed."""
        return int(self._run(connection, params, _row_count))

    def first(
        self, connection: Connection, params: Mapping[str, Any] | Sequence[Any]
    ) -> tuple[Any, ...] | None:
        """Execute in the connection's transaction; return its first row (None: no row)."""
        row: tuple[Any, ...] | None = self._run(connection, params, _first_row)
        return row

    def _run(
        self,
        connection: Connection,
        params: Mapping[str, Any] | Sequence[Any],
        result: Callable[[PGresult, Transformer], Any],
    ) -> Any:
        try:
            values = self._bound(params)
        except Exception as err:
            # as SQLAlchemy reports a value its type refuses (a naive time for a UTC column)
            raise StatementError(str(err), self.sql, params, err, hide_parameters=True) from err
        if not connection.in_transaction():
            # as ``Connection.execute`` begins one: its commit or rollback then reaches the
            # server's transaction this statement opens
            connection.begin()
        try:
            return _wire(connection).run(connection.get_transaction(), self._query, values, result)
        except psycopg.Error as err:
            raise _as_sqlalchemy(self.sql, values, err, connection) from err

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


def commit(connection: Connection) -> None:
    """Send COMMIT for the connection's transaction with libpq's blocking call; SQLAlchemy's
    own commit, which must follow, then finds the server idle and sends nothing."""
    try:
        _wire(connection).commit()
    except psycopg.Error as err:
        raise _as_sqlalchemy("COMMIT", (), err, connection) from err


def watch(engine: Engine) -> None:
    """Have the engine's savepoint rollbacks make the statements' next run ask the server
    which it still has (psycopg deallocates them all at ``ROLLBACK TO SAVEPOINT`` once it
    has prepared statements of its own; the SQLAlchemy transaction goes on)."""
    event.listen(engine, "rollback_savepoint", _forget_statements)


def _forget_statements(connection: Connection, *_: Any) -> None:
    wire = connection.connection.info.get(_WIRE)
    if isinstance(wire, _Wire):
        wire.forget()


class _Wire:
    """A driver connection's statements prepared by name, and the adapters that convert the
    values both ways (one per pooled connection)."""

    def __init__(self, driver: psycopg.Connection[Any]) -> None:
        self.driver = driver
        self._transformer: Transformer = Adapters(driver)
        self._prepared: dict[tuple[bytes, tuple[int, ...]], bytes] = {}
        self._made = 0
        #: the SQLAlchemy transaction in which the prepared statements were last known to be
        #: on the server (psycopg deallocates every statement after a rollback, its own and
        #: these, when it has prepared some of its own)
        self._known_in: object = None

    def run(
        self,
        transaction: object,
        query: bytes,
        values: Sequence[Any],
        result: Callable[[PGresult, Transformer], Any],
    ) -> Any:
        """Run a statement in SQLAlchemy's ``transaction``, beginning the server's with it if
        there is none; return ``result`` of its outcome."""
        driver, tx = self.driver, self._transformer
        pgconn = driver.pgconn
        with driver.lock:
            params = tx.dump_sequence(values, [PyFormat.AUTO] * len(values))
            types = tx.types or ()
            opens = not driver.autocommit and pgconn.transaction_status == _IDLE
            if transaction is not self._known_in and (
                not opens or (query, types) not in self._prepared
            ):
                # unless the opening statement's own run shows the statements still there
                # (the server loses them all together), ask which it has
                self._keep_those_on_the_server()
            self._known_in = transaction
            if not opens:
                outcome = self._execute(query, types, params)
            else:
                outcome = pgconn.exec_(self._opening(query, types, values))
                if _lost(outcome):
                    # deallocated since their last run: nothing else has run in this
                    # transaction yet, so it is ended, and the statement prepared again
                    self._check(pgconn.exec_(b"ROLLBACK"))
                    self._prepared.clear()
                    outcome = pgconn.exec_(self._opening(query, types, values))
                if outcome.status not in _DONE and outcome.error_field(_POSITION):
                    # a value refused where the command's text says (which the message
                    # quotes, every value with it): nothing has run in the transaction but
                    # this statement, so it is ended and the statement run again with its
                    # values sent apart, as any later one is
                    self._check(pgconn.exec_(b"ROLLBACK"))
                    self._check(pgconn.exec_(_begin_command(driver)))
                    outcome = self._execute(query, types, params)
            if _lost(outcome):  # deallocated within the transaction (DDL run through psycopg)
                self._prepared.clear()
                self._known_in = None
            return result(self._check(outcome), tx)

    def _execute(
        self, query: bytes, types: tuple[int, ...], params: Sequence[Buffer | None]
    ) -> PGresult:
        """Run the prepared statement with its values (as dumped) sent apart."""
        # a None among the values is NULL (the method's typing leaves it out)
        return self.driver.pgconn.exec_prepared(
            self._name(query, types), cast_to(Sequence[bytes], params), self._transformer.formats
        )

    def _opening(self, query: bytes, types: tuple[int, ...], values: Sequence[Any]) -> bytes:
        """BEGIN and the statement as one command for the simple protocol: one round trip
        (the values quoted as psycopg's client-side binding quotes them, cast by the server
        to the types the statement was prepared with)."""
        name = self._name(query, types)
        literals = b", ".join(self._transformer.as_literal(value) for value in values)
        return (
            _begin_command(self.driver)
            + b"; EXECUTE "
            + name
            + (b"(" + literals + b")" if values else b"")
        )

    def _name(self, query: bytes, types: tuple[int, ...]) -> bytes:
        """The name the statement is prepared under on this connection, preparing it first
        if it is not."""
        name = self._prepared.get((query, types))
        if name is None:
            name = f"{_PREFIX}{self._made}".encode()
            self._check(self.driver.pgconn.prepare(name, query, types))
            self._made += 1
            self._prepared[query, types] = name
        return name

    def _keep_those_on_the_server(self) -> None:
        """Forget the prepared statements the server no longer has (one round trip)."""
        outcome = self._check(self.driver.pgconn.exec_(_PREPARED_HERE))
        alive = {outcome.get_value(row, 0) for row in range(outcome.ntuples)}
        self._prepared = {key: name for key, name in self._prepared.items() if name in alive}

    def commit(self) -> None:
        """Send COMMIT if the server is in a transaction."""
        with self.driver.lock:
            if self.driver.pgconn.transaction_status != _IDLE:
                self._check(self.driver.pgconn.exec_(b"COMMIT"))

    def _check(self, outcome: PGresult) -> PGresult:
        """The outcome of a statement that succeeded; a psycopg error otherwise (for a lost
        connection, OperationalError, as psycopg's cursor raises)."""
        if outcome.status in _DONE:
            return outcome
        encoding = self._transformer.encoding
        if self.driver.pgconn.status != pq.ConnStatus.OK and not outcome.error_field(
            pq.DiagnosticField.SQLSTATE
        ):
            raise psycopg.OperationalError(outcome.get_error_message(encoding))
        raise errors.error_from_result(outcome, encoding=encoding)

    def forget(self) -> None:
        """Ask the server which statements it has before the next one runs (psycopg
        deallocates them all when a savepoint is rolled back)."""
        self._known_in = None


def _begin_command(driver: psycopg.Connection[Any]) -> bytes:
    """BEGIN as psycopg itself would start the connection's transaction."""
    parts = ["BEGIN"]
    if driver.isolation_level is not None:
        parts.append("ISOLATION LEVEL " + driver.isolation_level.name.replace("_", " "))
    if driver.read_only is not None:
        parts.append("READ ONLY" if driver.read_only else "READ WRITE")
    if driver.deferrable is not None:
        parts.append("DEFERRABLE" if driver.deferrable else "NOT DEFERRABLE")
    return " ".join(parts).encode()


def _wire(connection: Connection) -> _Wire:
    """The wire of the connection's driver connection, made on first use."""
    pooled = connection.connection
    driver = pooled.driver_connection
    if not isinstance(driver, psycopg.Connection):
        raise RuntimeError("the connection has no psycopg connection")
    if driver.pgconn.pipeline_status != pq.PipelineStatus.OFF:
        raise RuntimeError("driver statements do not run in pipeline mode")
    wire: _Wire | None = pooled.info.get(_WIRE)
    if wire is None or wire.driver is not driver:
        wire = pooled.info[_WIRE] = _Wire(driver)
    return wire


def _lost(outcome: PGresult) -> bool:
    """Whether the statement failed because the server no longer has it prepared."""
    return (
        outcome.status == pq.ExecStatus.FATAL_ERROR
        and outcome.error_field(pq.DiagnosticField.SQLSTATE) == _NO_SUCH_STATEMENT
    )


def _as_sqlalchemy(
    sql: str, values: Sequence[Any], err: psycopg.Error, connection: Connection
) -> StatementError:
    """SQLAlchemy's exception for a driver error, parameters hidden (names, ID numbers,
    reasons) as the engine hides them; a lost connection is invalidated, as SQLAlchemy's
    own execution does, so that the pool replaces it."""
    # (SQLAlchemy types the error as its DBAPI protocol's; psycopg's errors are that)
    dbapi_error = cast_to(Any, err)
    lost = connection.dialect.is_disconnect(
        dbapi_error, connection.connection.dbapi_connection, None
    )
    if lost:
        connection.invalidate(err)
    return DBAPIError.instance(
        sql, values, err, psycopg.Error, hide_parameters=True, connection_invalidated=lost
    )


def _row_count(outcome: PGresult, _: Transformer) -> int:
    return outcome.command_tuples or 0


def _first_row(outcome: PGresult, tx: Transformer) -> tuple[Any, ...] | None:
    if outcome.ntuples == 0:
        return None
    tx.set_pgresult(outcome)
    row: tuple[Any, ...] = tx.load_row(0, tuple)
    return row
