"""The composition root: database engines, clock and audit log wired into units of work."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from admin.config import Settings
from admin.files import FileStore
from audit.recorder import ChainRecorder
from audit.scan import KinshipScans
from audit.signin import SignInLimits
from engine.clock import Clock, FrozenClock, SystemClock
from engine.db import make_engine, session_factory, writer_engine
from engine.policy import CalendarCache, ParameterCache
from engine.rulebook import national_rules
from engine.uow import UnitOfWork


class Runtime:
    """What every request and command needs, built once per process."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.engine: Engine = make_engine(settings.database_url)
        self.clock: Clock = clock or (
            FrozenClock(settings.now, settings.tz) if settings.now else SystemClock(settings.tz)
        )
        self.audit = ChainRecorder()
        self.kinship = KinshipScans()
        self.rules = national_rules()
        self.calendars = CalendarCache()
        self.parameters = ParameterCache()
        self.attachments = FileStore(settings.attachments_dir)
        self._writer = session_factory(writer_engine(self.engine))
        self._reader = session_factory(self.engine)

    def uow(self, clock: Clock | None = None) -> UnitOfWork:
        """A unit of work that writes (takes SQLite's write lock at BEGIN).

        ``clock`` replaces the runtime's clock for this unit (the demo replays the past).
        """
        return self._unit(self._writer, clock or self.clock)

    def reader(self) -> UnitOfWork:
        """A unit of work for reading; it never commits."""
        return self._unit(self._reader, self.clock)

    def _unit(self, sessions: sessionmaker[Session], clock: Clock) -> UnitOfWork:
        """A unit of work on ``sessions`` with the runtime's wiring and its caches."""
        return UnitOfWork(
            sessions,
            clock,
            self.audit,
            self.kinship,
            self.rules,
            self.calendars,
            self.parameters,
        )

    @property
    def read_sessions(self) -> sessionmaker[Session]:
        """The factory of reading sessions (for list views that query for themselves)."""
        return self._reader

    @property
    def token_ttl(self) -> dt.timedelta:
        """How long an API token lives."""
        return dt.timedelta(hours=self.settings.token_ttl_hours)

    @property
    def sign_in_limits(self) -> SignInLimits:
        """How many failed sign-ins are tolerated, and for how long they count."""
        return SignInLimits(
            per_user=self.settings.signin_failures_per_user,
            per_address=self.settings.signin_failures_per_address,
            window=dt.timedelta(minutes=self.settings.signin_window_minutes),
            lock_after=self.settings.signin_lock_after,
        )

    def close(self) -> None:
        """Release database connections."""
        self.engine.dispose()
