"""The unit of work: one transaction per service call, with its clock and audit log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine import driver
from engine.clock import Clock
from engine.errors import Conflict
from engine.policy import CalendarCache, ParameterCache
from engine.ports import AuditLog, KinshipGuard
from engine.rulebook import RuleBook, national_rules


class UnitOfWork:
    """A transaction that commits only when the service says so, else rolls back.

    Use once per service call: ``with uow: ...; uow.commit()``.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        audit: AuditLog,
        kinship: KinshipGuard,
        rules: RuleBook | None = None,
        calendars: CalendarCache | None = None,
        parameters: ParameterCache | None = None,
    ) -> None:
        self._sessions = sessions
        self.clock = clock
        self.audit = audit
        self.kinship = kinship
        self.rules = rules or national_rules()
        #: the process's working-day calendars (a unit of work alone reads its own)
        self.calendars = calendars or CalendarCache()
        #: the process's parameter versions, for dating deadlines (amounts read them afresh)
        self.parameters = parameters or ParameterCache()
        self._session: Session | None = None

    def again(self) -> UnitOfWork:
        """A fresh unit of work with the same wiring (for a second, separate transaction)."""
        return UnitOfWork(
            self._sessions,
            self.clock,
            self.audit,
            self.kinship,
            self.rules,
            self.calendars,
            self.parameters,
        )

    @property
    def session(self) -> Session:
        """The session of the transaction in progress."""
        if self._session is None:
            raise RuntimeError("unit of work used outside its 'with' block")
        return self._session

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("unit of work is already in use")
        self._session = self._sessions()
        self._session.begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and detaches the objects
        # without expiring them, so a reader may still use what it loaded.
        try:
            self.session.close()
        finally:
            self._session = None

    def commit(self) -> None:
        """Commit the transaction."""
        session = self.session
        # (with a savepoint open, SQLAlchemy's commit releases it first: its own path)
        if session.get_bind().dialect.driver == "psycopg" and not session.in_nested_transaction():
            # COMMIT with libpq's own call (engine.driver) once everything is written;
            # SQLAlchemy's commit then ends the session's transaction with nothing to send
            session.flush()
            driver.commit(session.connection())
        session.commit()


@contextmanager
def db_conflicts() -> Iterator[None]:
    """Turn a race lost inside the database into a clear conflict."""
    try:
        yield
    except StaleDataError:
        raise Conflict(
            "案件已被他人修改，请刷新后重试",
            "the case was changed concurrently; reload and retry",
            code="version_conflict",
        ) from None
    except IntegrityError:
        raise Conflict(
            "与同时提交的其他操作冲突（例如同一人员已在另一未结案件中），请重试",
            "conflicts with a concurrent change (e.g. a person already in another open case)",
            code="concurrent_conflict",
        ) from None
