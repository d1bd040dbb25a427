"""Clocks: services never call ``datetime.now`` themselves.

Times are stored in UTC; calendar rules (notice days, working days, payment
months) are counted in the county's local time zone.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

CHINA_TZ = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    """Source of the current time."""

    tz: dt.tzinfo

    def now(self) -> dt.datetime:
        """Return the current time, timezone-aware, in UTC."""
        ...


def local_date(moment: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """Return the calendar date of ``moment`` in ``tz`` (a naive value is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(tz).date()


def today(clock: Clock) -> dt.date:
    """Return the local calendar date of ``clock``."""
    return local_date(clock.now(), clock.tz)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """Return ``moment`` in UTC; a naive value (as SQLite returns) is taken as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


class SystemClock:
    """The real time."""

    def __init__(self, tz: dt.tzinfo = CHINA_TZ) -> None:
        self.tz = tz

    def now(self) -> dt.datetime:
        """Return the current time in UTC."""
        return dt.datetime.now(dt.UTC)


class FrozenClock:
    """A clock that stands still until moved; used by DOUDI_NOW, tests and the demo."""

    def __init__(self, at: dt.datetime, tz: dt.tzinfo = CHINA_TZ) -> None:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware datetime")
        self.tz = tz
        self._at = as_utc(at)

    def now(self) -> dt.datetime:
        """Return the frozen time."""
        return self._at

    def set(self, at: dt.datetime) -> None:
        """Move the clock to ``at``."""
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs a timezone-aware datetime")
        self._at = as_utc(at)

    def advance(self, delta: dt.timedelta) -> None:
        """Move the clock forward by ``delta``."""
        self._at += delta


def parse_instant(text: str, tz: dt.tzinfo = CHINA_TZ) -> dt.datetime:
    """Parse an ISO 8601 date or date-time; without an offset it is local time in ``tz``."""
    value = dt.datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return as_utc(value)
