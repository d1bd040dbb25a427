"""Per-case deadlines: due dates in working days, status and overdue (DOMAIN.md "Deadlines")."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.calendar import WorkCalendar
from engine.clock import CHINA_TZ
from engine.deadlines import (
    DECISION_LIMIT_FACTS,
    DECISION_LIMITS,
    DUE_SOON_DAYS,
    OTHER_LABELS,
    SPECS,
    DeadlineFacts,
    DueStatus,
    case_deadlines,
    due_status,
    due_window,
    earliest_due,
    next_deadline,
    next_due,
)
from engine.rulebook import national_rules
from engine.states import CaseState

D = dt.date
RULES = national_rules()
CAL = WorkCalendar()


def deadlines(today: dt.date, **facts: object) -> dict[str, object]:
    f = DeadlineFacts(tz=CHINA_TZ, **facts)  # type: ignore[arg-type]
    return {d.name: d for d in case_deadlines(f, CAL, RULES, today)}


def test_investigation_start_art_15_three_working_days() -> None:
    d = deadlines(D(2026, 2, 24), category="dibao", state="accepted", accepted_on=D(2026, 2, 13))
    start = d["investigation_start"]
    assert (start.due_on, start.status, start.days_left, start.overdue) == (  # type: ignore[attr-defined]
        D(2026, 2, 25),
        "pending",
        1,
        False,
    )
    late = deadlines(
        D(2026, 2, 26), category="dibao", state="accepted", accepted_on=D(2026, 2, 13)
    )["investigation_start"]
    assert late.overdue and late.days_left == -1  # type: ignore[attr-defined]


def test_met_on_time_and_missed() -> None:
    d = deadlines(
        D(2026, 3, 20),
        category="dibao",
        state="initial_reviewed",
        accepted_on=D(2026, 3, 2),
        investigating_since_on=D(2026, 3, 4),
        proposed_on=D(2026, 3, 12),
    )
    assert d["investigation_start"].status == "met"  # type: ignore[attr-defined]
    assert not d["investigation_start"].overdue  # type: ignore[attr-defined]


def test_information_check_art_17_runs_from_the_request_to_the_start() -> None:
    """Art. 17: the county starts the check within 3 working days of the township's request;
    a case for which no check was requested has no such deadline, so none is missed."""
    base = {"category": "dibao", "state": "investigating", "accepted_on": D(2026, 3, 2)}
    assert "data_check" not in deadlines(D(2026, 3, 20), **base)
    asked = deadlines(D(2026, 3, 10), data_check_requested_on=D(2026, 3, 5), **base)
    # Thursday 5 March + 3 working days: Tuesday 10 March, still pending that day
    assert (asked["data_check"].due_on, asked["data_check"].status) == (D(2026, 3, 10), "pending")  # type: ignore[attr-defined]
    late = deadlines(D(2026, 3, 11), data_check_requested_on=D(2026, 3, 5), **base)
    assert late["data_check"].overdue  # type: ignore[attr-defined]
    met = deadlines(
        D(2026, 3, 20), data_check_requested_on=D(2026, 3, 5), data_check_on=D(2026, 3, 9), **base
    )
    assert met["data_check"].status == "met"  # type: ignore[attr-defined]
    decided = deadlines(
        D(2026, 3, 20), data_check_requested_on=D(2026, 3, 5), **{**base, "state": "active"}
    )
    assert decided["data_check"].status == "missed"  # type: ignore[attr-defined]


def test_case_total_art_22_thirty_twenty_or_forty_five() -> None:
    base = {"category": "dibao", "state": "investigating", "accepted_on": D(2026, 3, 2)}
    plain = deadlines(D(2026, 3, 2), **base)["case_total"]
    delegated = deadlines(D(2026, 3, 2), delegated=True, **base)["case_total"]
    extended = deadlines(D(2026, 3, 2), extension_ground="objection", **base)["case_total"]
    assert (plain.limit, delegated.limit, extended.limit) == (30, 20, 45)  # type: ignore[attr-defined]
    # 30 working days from Monday 2 March 2026: Qingming (4-6 Apr) falls inside
    assert plain.due_on == D(2026, 4, 14)  # type: ignore[attr-defined]


def test_county_decision_ten_or_fifteen_for_tekun() -> None:
    dibao = deadlines(
        D(2026, 9, 25),
        category="dibao",
        state="pending_confirmation",
        notice_closed_on=D(2026, 9, 25),
    )["county_decision"]
    tekun = deadlines(
        D(2026, 9, 25),
        category="tekun",
        state="pending_confirmation",
        notice_closed_on=D(2026, 9, 25),
    )["county_decision"]
    assert dibao.due_on == D(2026, 10, 15)  # type: ignore[attr-defined]
    assert tekun.limit == 15 and "特困" in tekun.source  # type: ignore[attr-defined]


def test_the_notice_is_due_when_it_may_close() -> None:
    published = dt.datetime(2026, 3, 2, 10, 0, tzinfo=CHINA_TZ)
    d = deadlines(
        D(2026, 3, 5), category="dibao", state="in_public_notice", notice_started_at=published
    )["public_notice"]
    assert (d.due_on, d.status, d.days_left) == (D(2026, 3, 10), "pending", 5)  # type: ignore[attr-defined]
    interrupted = deadlines(
        D(2026, 3, 5), category="dibao", state="investigating", notice_started_at=published
    )
    assert "public_notice" not in interrupted


def test_a_refusal_must_be_notified_within_three_working_days() -> None:
    on_time = deadlines(
        D(2026, 3, 9), category="dibao", state="rejected", decided_on=D(2026, 3, 4)
    )["decision_notice"]
    assert (on_time.due_on, on_time.overdue) == (D(2026, 3, 9), False)  # type: ignore[attr-defined]
    d = deadlines(D(2026, 3, 10), category="dibao", state="rejected", decided_on=D(2026, 3, 4))
    assert d["decision_notice"].overdue  # type: ignore[attr-defined]
    served = deadlines(
        D(2026, 3, 9),
        category="dibao",
        state="rejected",
        decided_on=D(2026, 3, 4),
        decision_served_on=D(2026, 3, 5),
    )
    assert served["decision_notice"].status == "met"  # type: ignore[attr-defined]


def test_withdrawn_cases_stop_their_clocks() -> None:
    d = deadlines(D(2026, 5, 1), category="dibao", state="withdrawn", accepted_on=D(2026, 3, 2))
    assert {x.status for x in d.values()} == {"stopped"}  # type: ignore[attr-defined]
    assert not any(x.overdue for x in d.values())  # type: ignore[attr-defined]


def test_enrolled_cases_show_payment_start_recheck_and_death_reassessment() -> None:
    d = deadlines(
        D(2026, 5, 1),
        category="dibao",
        state="active",
        decided_on=D(2026, 3, 20),
        next_recheck_on=D(2027, 3, 20),
        recheck_interval_months=12,
        reassess_from=D(2026, 4, 10),
    )
    assert d["payment_start"].due_on == D(2026, 4, 1)  # type: ignore[attr-defined]
    assert d["recheck"].due_on == D(2027, 3, 20)  # type: ignore[attr-defined]
    assert d["death_reassessment"].due_on == D(2026, 7, 10)  # type: ignore[attr-defined]
    assert earliest_due(list(d.values())) == D(2026, 7, 10)  # type: ignore[arg-type]


def test_days_left_are_calendar_days_even_for_a_working_day_limit() -> None:
    """Accepted Monday 2 March, due Thursday 5 March: 20 days later the case page and the
    queue both say 20 days overdue (14 working days was the case page's old count)."""
    base = {"category": "dibao", "state": "accepted", "accepted_on": D(2026, 3, 2)}
    late = deadlines(D(2026, 3, 25), **base)["investigation_start"]
    assert (late.due_on, late.days_left, late.due_status) == (  # type: ignore[attr-defined]
        D(2026, 3, 5),
        -20,
        DueStatus.OVERDUE,
    )
    assert late.as_dict()["kind"] == "investigation_start"  # type: ignore[attr-defined]
    assert late.as_dict()["due_status"] == "overdue"  # type: ignore[attr-defined]


def test_due_status_boundaries() -> None:
    assert due_status(-1) == DueStatus.OVERDUE
    assert due_status(0) == DueStatus.DUE_TODAY
    assert due_status(1) == due_status(DUE_SOON_DAYS) == DueStatus.DUE_SOON
    assert due_status(DUE_SOON_DAYS + 1) == DueStatus.ON_TIME


def test_due_windows_count_what_due_status_says() -> None:
    """The dashboard and the queue's overdue badges count with due_window in SQL: each due
    date falls in exactly the window of its status."""
    today = D(2026, 3, 5)
    for offset in range(-10, 11):
        due = today + dt.timedelta(days=offset)
        inside = []
        for status in DueStatus:
            first, last = due_window(status, today)
            if (first is None or due >= first) and (last is None or due <= last):
                inside.append(status)
        assert inside == [due_status(offset)]


def test_the_next_deadline_is_the_earliest_pending_one_with_its_name() -> None:
    facts = {"category": "dibao", "state": "accepted", "accepted_on": D(2026, 3, 2)}
    listed = case_deadlines(DeadlineFacts(tz=CHINA_TZ, **facts), CAL, RULES, D(2026, 3, 5))  # type: ignore[arg-type]
    first = next_deadline(listed, D(2026, 3, 5))
    assert first is not None
    assert (first.kind, first.due_on, first.days_left, first.status) == (
        "investigation_start",
        D(2026, 3, 5),
        0,
        DueStatus.DUE_TODAY,
    )
    assert first == next_due("investigation_start", earliest_due(listed), D(2026, 3, 5))
    assert first.as_dict()["status"] == "due_today"
    met = case_deadlines(
        DeadlineFacts(tz=CHINA_TZ, investigating_since_on=D(2026, 3, 3), **facts),  # type: ignore[arg-type]
        CAL,
        RULES,
        D(2026, 3, 5),
    )
    assert next_deadline(met, D(2026, 3, 5)).kind == "case_total"  # type: ignore[union-attr]
    assert next_deadline([], D(2026, 3, 5)) is None and next_due(None, None, D(2026, 3, 5)) is None


_DAYS = st.one_of(st.none(), st.dates(D(2024, 1, 1), D(2026, 12, 31)))
#: hypothesis takes naive bounds and attaches the zone itself
_FIRST, _LAST = dt.datetime(2024, 1, 1), dt.datetime(2026, 12, 31)  # noqa: DTZ001
_MOMENTS = st.one_of(st.none(), st.datetimes(_FIRST, _LAST, timezones=st.just(CHINA_TZ)))
_FACTS = st.builds(
    DeadlineFacts,
    category=st.sampled_from(["dibao", "tekun"]),
    state=st.sampled_from([str(s) for s in CaseState]),
    tz=st.just(CHINA_TZ),
    accepted_on=_DAYS,
    investigating_since_on=_DAYS,
    reinvestigating_since_on=_DAYS,
    care_change_reported_on=_DAYS,
    care_reassessed_on=_DAYS,
    data_check_requested_on=_DAYS,
    data_check_on=_DAYS,
    proposed_on=_DAYS,
    notice_started_at=_MOMENTS,
    notice_closed_on=_DAYS,
    referred_on=_DAYS,
    decided_on=_DAYS,
    decision_served_on=_DAYS,
    extension_ground=st.one_of(st.none(), st.just("objection")),
    delegated=st.booleans(),
    next_recheck_on=_DAYS,
    recheck_interval_months=st.one_of(st.none(), st.just(12)),
    recheck_started_on=_DAYS,
    phase_out_started_on=_DAYS,
    phase_out_months=st.integers(0, 6),
    reassess_from=_DAYS,
    reassessed_on=_DAYS,
    termination_objection_on=_DAYS,
    termination_objection_settled_on=_DAYS,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(facts=_FACTS, today=st.dates(D(2024, 1, 1), D(2027, 6, 30)))
def test_the_pending_deadlines_alone_are_those_of_the_full_list(
    facts: DeadlineFacts, today: dt.date
) -> None:
    """A case's next deadline (``due_on``) is computed from its pending deadlines only: they
    must be exactly the pending ones of the full list the case page shows."""
    full = case_deadlines(facts, CAL, RULES, today)
    pending = case_deadlines(facts, CAL, RULES, today, pending_only=True)
    assert pending == [d for d in full if d.status == "pending"]


_NAMES = [spec.name for spec in SPECS] + list(OTHER_LABELS)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    facts=_FACTS,
    today=st.dates(D(2024, 1, 1), D(2027, 6, 30)),
    names=st.sets(st.sampled_from(_NAMES)),
)
def test_the_deadlines_of_some_names_are_those_of_the_full_list(
    facts: DeadlineFacts, today: dt.date, names: set[str]
) -> None:
    """The statistics date only the limits a decision is late against (``only``): they must
    be the ones of those names in the full list."""
    full = case_deadlines(facts, CAL, RULES, today)
    assert case_deadlines(facts, CAL, RULES, today, only=names) == [
        d for d in full if d.name in names
    ]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(facts=_FACTS, today=st.dates(D(2024, 1, 1), D(2027, 6, 30)))
def test_the_decision_limits_read_only_their_declared_facts(
    facts: DeadlineFacts, today: dt.date
) -> None:
    """The statistics give the decision limits (Art. 20, 22) only ``DECISION_LIMIT_FACTS``:
    leaving every other fact out must change nothing."""
    reduced = DeadlineFacts(**{name: getattr(facts, name) for name in DECISION_LIMIT_FACTS})
    assert case_deadlines(reduced, CAL, RULES, today, only=DECISION_LIMITS) == case_deadlines(
        facts, CAL, RULES, today, only=DECISION_LIMITS
    )
