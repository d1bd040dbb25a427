"""Working days (工作日): China's public holidays and adjusted working days, plus local data.

National holidays and the weekends turned into working days (调休) come from
the maintained ``chinesecalendar`` package, which carries each year once the
State Council publishes it (usually in November for the next year). Days the
package does not know yet, and a county's own extra days off, are data in the
``calendar_day`` table. For a year neither covers, Monday to Friday are taken
as working days and the result is marked estimated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache

import chinese_calendar

from engine.clock import local_date

ONE_DAY = dt.timedelta(days=1)


class WorkCalendar:
    """Answers whether a date is a working day, and counts working days."""

    def __init__(self, overrides: Mapping[dt.date, bool] | None = None) -> None:
        #: date -> working?; county days override national ones (the caller merges them)
        self.overrides = dict(overrides or {})
        # the same starts and limits recur across a county's cases (a batch, a year's
        # statistics): each count is walked once per calendar
        self._added: dict[tuple[dt.date, int], dt.date] = {}

    def knows(self, day: dt.date) -> bool:
        """Whether the day's status is known rather than estimated from the weekday."""
        return day in self.overrides or _package_covers(day)

    def is_working_day(self, day: dt.date) -> bool:
        """Return whether ``day`` is a working day."""
        if day in self.overrides:
            return self.overrides[day]
        if _package_covers(day):
            return _package_working(day)
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """Return the ``count``-th working day after ``start`` (the start day is not counted)."""
        found = self._added.get((start, count))
        if found is not None:
            return found
        day = start
        left = count
        while left > 0:
            day += ONE_DAY
            if self.is_working_day(day):
                left -= 1
        self._added[(start, count)] = day
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Count working days after ``start`` up to and including ``end`` (negative if before)."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count

    def estimated(self, start: dt.date, end: dt.date) -> bool:
        """Whether any day from ``start`` to ``end`` had to be estimated."""
        low, high = min(start, end), max(start, end)
        if _package_covers(low) and _package_covers(high):
            return False
        day = low
        while day <= high:
            if not self.knows(day):
                return True
            day += ONE_DAY
        return False


@cache
def _package_working(day: dt.date) -> bool:
    """The package's answer, remembered: deadlines ask about the same days again and again."""
    working: bool = chinese_calendar.is_workday(day)
    return working


def _package_covers(day: dt.date) -> bool:
    # the package publishes the years it knows through its holiday table
    return _PACKAGE_FIRST <= day.year <= _PACKAGE_LAST


_PACKAGE_FIRST: int = min(chinese_calendar.holidays).year
_PACKAGE_LAST: int = max(chinese_calendar.holidays).year


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day ``months`` later (the month's last day if it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = _last_day(year, month)
    return dt.date(year, month, min(day.day, last))


def _last_day(year: int, month: int) -> int:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return (following - ONE_DAY).day


def first_of_next_month(day: dt.date) -> dt.date:
    """Return the first day of the month after ``day`` (payment starts then, Art. 21)."""
    return add_months(day.replace(day=1), 1)


def notice_period(started: dt.datetime, days: int, tz: dt.tzinfo) -> tuple[dt.date, dt.date]:
    """Return the first and last day of a notice published at ``started`` (as printed on it).

    The publication day is not counted (《民法典》第二百零一条): a 7-day notice
    put up on 1 March runs from 2 to 8 March.
    """
    published = local_date(started, tz)
    return published + ONE_DAY, published + dt.timedelta(days=days)


def notice_may_close_at(started: dt.datetime, days: int, tz: dt.tzinfo) -> dt.datetime:
    """Return when a notice published at ``started`` has run ``days`` full calendar days.

    The publication day is not counted (《民法典》第二百零一条): a notice put up
    on 1 March runs 2-8 March and may close from 00:00 on 9 March, local time.
    """
    first_day = local_date(started, tz)
    closes = first_day + dt.timedelta(days=days + 1)
    return dt.datetime.combine(closes, dt.time(), tzinfo=tz).astimezone(dt.UTC)
