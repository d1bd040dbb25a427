"""The favouritism indicators as pure functions over trail entries: each finds the pattern it
names and nothing else."""

from __future__ import annotations

import datetime as dt

from audit.indicators import (
    DEFAULTS,
    decider_rates,
    enrolment_clusters,
    off_hours,
    quick_steps,
    several_steps,
)
from engine.calendar import WorkCalendar
from engine.clock import CHINA_TZ
from engine.rulebook import national_rules

#: Monday 2 March 2026, 10:00 in China
T = dt.datetime(2026, 3, 2, 10, 0, tzinfo=CHINA_TZ)


def test_a_decider_far_from_the_peers_rate_is_marked() -> None:
    entries = [(i, "lenient", "approve", T) for i in range(1, 7)]
    entries += [(10 + i, "strict", "approve" if i < 3 else "reject", T) for i in range(6)]
    entries += [(20 + i, "few", "approve", T) for i in range(2)]
    rows = {r.user: r for r in decider_rates(entries, margin=20, min_decisions=5)}
    assert rows["lenient"].rate == 1.0 and rows["lenient"].outlier
    assert rows["lenient"].peers_rate == 5 / 8  # the others: 3 of 6 and 2 of 2
    assert rows["strict"].rate == 0.5 and rows["strict"].outlier
    assert not rows["few"].outlier  # too few decisions to say anything
    assert rows["lenient"].case_ids == tuple(range(1, 7))


def test_one_user_at_three_steps_of_a_case_is_listed() -> None:
    entries = [
        (1, "clerk", "accept", T),
        (1, "clerk", "record_investigation", T),
        (1, "reviewer", "propose", T),
        (2, "boss", "record_investigation", T),
        (2, "boss", "propose", T),
        (2, "boss", "close_notice", T),
        (2, "boss", "publish_notice", T),
    ]
    (found,) = several_steps(entries, min_steps=3)
    assert (found.case_id, found.user, found.steps) == (
        2,
        "boss",
        ("investigation", "review", "notice"),
    )


def test_a_notice_closed_and_a_file_approved_at_the_first_moment_are_listed() -> None:
    published = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CHINA_TZ)
    may_close = dt.datetime(2026, 3, 10, 0, 0, tzinfo=CHINA_TZ)  # after 7 full days
    entries = [
        (1, "reviewer", "publish_notice", published),
        (1, "reviewer", "close_notice", may_close + dt.timedelta(minutes=3)),
        (1, "approver", "approve", may_close + dt.timedelta(minutes=20)),
        (2, "reviewer", "publish_notice", published),
        (2, "reviewer", "close_notice", may_close + dt.timedelta(days=2)),
        (2, "approver", "approve", may_close + dt.timedelta(days=5)),
    ]
    found = quick_steps(entries, national_rules(), CHINA_TZ, minutes=60)
    assert [(q.case_id, q.trigger, q.minutes) for q in found] == [
        (1, "close_notice", 3),
        (1, "approve", 17),
    ]


def test_transitions_at_night_and_on_days_off_are_listed() -> None:
    calendar = WorkCalendar()
    saturday = dt.datetime(2026, 3, 7, 10, 0, tzinfo=CHINA_TZ)
    night = dt.datetime(2026, 3, 3, 23, 30, tzinfo=CHINA_TZ)
    entries = [(1, "a", "approve", T), (2, "b", "approve", saturday), (3, "c", "accept", night)]
    found = off_hours(entries, CHINA_TZ, dict.fromkeys((1, 2, 3), calendar), 8, 18)
    assert [(o.case_id, o.day_off) for o in found] == [(2, True), (3, False)]


def day(month: int, d: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, d, hour, 0, tzinfo=CHINA_TZ)


def test_enrolments_bunched_just_before_a_recheck_wave_are_listed() -> None:
    # a steady approval a fortnight through the year, then eight in the month before a wave
    # of twelve rechecks on 1 June: those eight escape the wave
    entries = [(i, "approver", "approve", day(1 + i // 2, 1 + 14 * (i % 2))) for i in range(8)]
    entries += [(100 + i, "approver", "approve", day(5, 10 + i)) for i in range(8)]
    entries += [(200 + i, "reviewer", "start_recheck", day(6, 1)) for i in range(12)]
    found = enrolment_clusters(
        entries, dt.date(2026, 1, 1), dt.date(2026, 12, 31), CHINA_TZ, DEFAULTS
    )
    (wave,) = [c for c in found if c.kind == "before_recheck"]
    assert (wave.start, wave.end, wave.who) == (dt.date(2026, 5, 2), dt.date(2026, 5, 31), "12")
    assert wave.case_ids == tuple(range(100, 108))
    assert wave.usual == 16 * 30 / 365


def test_a_day_of_few_rechecks_is_no_wave() -> None:
    entries = [(100 + i, "approver", "approve", day(5, 10 + i)) for i in range(8)]
    entries += [(200 + i, "reviewer", "start_recheck", day(6, 1)) for i in range(9)]
    found = enrolment_clusters(
        entries, dt.date(2026, 1, 1), dt.date(2026, 12, 31), CHINA_TZ, DEFAULTS
    )
    assert [c for c in found if c.kind == "before_recheck"] == []


def test_one_deciders_month_far_above_their_own_pace_is_listed() -> None:
    # "busy" approves one case a month, then six in March; "steady" two a month all year
    entries = [(m, "busy", "approve", day(m, 5)) for m in range(1, 13) if m != 3]
    entries += [(100 + i, "busy", "approve", day(3, 2 + i)) for i in range(6)]
    entries += [
        (200 + 2 * m + k, "steady", "approve", day(m, 9 + k)) for m in range(1, 13) for k in (0, 1)
    ]
    found = enrolment_clusters(
        entries, dt.date(2026, 1, 1), dt.date(2026, 12, 31), CHINA_TZ, DEFAULTS
    )
    (burst,) = [c for c in found if c.kind == "one_decider"]
    assert (burst.who, burst.start, burst.end) == (
        "busy",
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
    )
    assert burst.case_ids == tuple(range(100, 106))
    assert burst.enrolments == 6 and burst.usual == 17 / 12
