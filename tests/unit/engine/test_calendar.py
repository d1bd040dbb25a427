"""Working days across China's holidays and adjusted working days (调休).

The 2025 and 2026 arrangements are those of the State Council's notices
(国办发明电〔2024〕12号 for 2025, 国办发明电〔2025〕7号 for 2026), as carried by the
``chinesecalendar`` package.
"""

from __future__ import annotations

import datetime as dt

import pytest

from engine.calendar import WorkCalendar, add_months, first_of_next_month, notice_period

D = dt.date
CAL = WorkCalendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 2, 14), True),  # Saturday worked before the Spring Festival
        (D(2026, 2, 16), False),  # Spring Festival eve (除夕), a Monday
        (D(2026, 2, 23), False),  # last day of the 9-day holiday
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),  # Saturday worked after it
        (D(2026, 9, 20), True),  # Sunday worked before National Day
        (D(2026, 10, 1), False),
        (D(2026, 10, 7), False),
        (D(2026, 10, 10), True),  # Saturday worked after it
        (D(2026, 3, 7), False),  # an ordinary Saturday
    ],
)
def test_holidays_and_adjusted_working_days(day: dt.date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


def test_three_working_days_across_the_spring_festival() -> None:
    """Art. 15: accepted Friday 13 Feb 2026 -> investigation due 25 Feb (14 Feb worked)."""
    assert CAL.add_working_days(D(2026, 2, 13), 3) == D(2026, 2, 25)


def test_ten_working_days_across_national_day() -> None:
    """Art. 20: file received Friday 25 Sep 2026 -> decision due Thursday 15 Oct."""
    # 28, 29, 30 Sep; 1-7 Oct off; 8, 9, 10 (Saturday, worked); 12, 13, 14, 15 Oct
    assert CAL.add_working_days(D(2026, 9, 25), 10) == D(2026, 10, 15)


def test_counting_working_days_between_dates() -> None:
    assert CAL.working_days_between(D(2026, 2, 13), D(2026, 2, 25)) == 3
    assert CAL.working_days_between(D(2026, 2, 25), D(2026, 2, 13)) == -3
    assert CAL.working_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 0


def test_a_local_day_off_and_a_national_adjustment_are_data() -> None:
    local = WorkCalendar({D(2026, 3, 4): False, D(2026, 3, 7): True})
    assert not local.is_working_day(D(2026, 3, 4))
    assert local.is_working_day(D(2026, 3, 7))
    assert local.add_working_days(D(2026, 3, 3), 2) == D(2026, 3, 6)


def test_a_year_the_package_does_not_know_is_estimated_from_weekdays() -> None:
    assert not CAL.knows(D(2031, 1, 6))
    assert CAL.is_working_day(D(2031, 1, 6))  # a Monday
    assert not CAL.is_working_day(D(2031, 1, 5))
    assert CAL.estimated(D(2030, 12, 30), D(2031, 1, 3))
    assert not CAL.estimated(D(2026, 3, 2), D(2026, 3, 6))
    known = WorkCalendar({D(2031, 1, 1): False})
    assert known.knows(D(2031, 1, 1))


def test_months() -> None:
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2025, 8, 31), 6) == D(2026, 2, 28)
    assert add_months(D(2026, 11, 15), 3) == D(2027, 2, 15)
    assert first_of_next_month(D(2026, 12, 20)) == D(2027, 1, 1)


def test_a_notice_period_starts_the_day_after_publication() -> None:
    """Art. 19: 7 days; 《民法典》第二百零一条: the first day is not counted."""
    china = dt.timezone(dt.timedelta(hours=8))
    published = dt.datetime(2026, 3, 1, 23, 30, tzinfo=china)  # late evening, local time
    assert notice_period(published, 7, china) == (D(2026, 3, 2), D(2026, 3, 8))
    assert notice_period(published.astimezone(dt.UTC), 7, china) == (D(2026, 3, 2), D(2026, 3, 8))
