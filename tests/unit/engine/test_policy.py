"""The process's calendar cache: one read per county and period, forgotten on a new day."""

from __future__ import annotations

from typing import Any

import pytest

import engine.policy as policy
from engine.calendar import WorkCalendar
from engine.policy import CalendarCache


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The counties whose calendar was read from the database."""
    done: list[str] = []

    def calendar_for(session: Any, county: str) -> WorkCalendar:
        done.append(county)
        return WorkCalendar({})

    monkeypatch.setattr(policy, "calendar_for", calendar_for)
    return done


def test_a_calendar_is_read_once_per_county_until_forgotten(reads: list[str]) -> None:
    cache = CalendarCache()
    first = cache.get(None, "512022")  # type: ignore[arg-type]
    assert cache.get(None, "512022") is first  # type: ignore[arg-type]
    cache.get(None, "512021")  # type: ignore[arg-type]
    assert reads == ["512022", "512021"]
    cache.forget()
    cache.get(None, "512022")  # type: ignore[arg-type]
    assert reads == ["512022", "512021", "512022"]


def test_a_calendar_older_than_its_time_to_live_is_read_again(
    reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(policy.time, "monotonic", lambda: now[0])
    cache = CalendarCache(ttl=60)
    cache.get(None, "512022")  # type: ignore[arg-type]
    now[0] += 59
    cache.get(None, "512022")  # type: ignore[arg-type]
    now[0] += 2
    cache.get(None, "512022")  # type: ignore[arg-type]
    assert reads == ["512022", "512022"]
