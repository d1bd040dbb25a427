"""Deadlines of a case (DOMAIN.md "Deadlines"), computed from its dates and the calendar.

Each deadline runs from a start date to a due date counted in working days,
calendar days or months; it is *met* when its end event happened, *pending*
while the case is in a state where it can still be met, and *missed* once the
case has moved on without it. Limits are rule-book data with their source.
A case past a limit is overdue: shown, never blocked. Every page counts the days
left to a deadline in calendar days, whatever unit its limit is counted in, and
words a case's next deadline from ``next_deadline`` (or ``next_due`` on the
stored ``due_kind`` and ``due_on``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from engine.calendar import WorkCalendar, add_months, first_of_next_month, notice_may_close_at
from engine.rulebook import RuleBook
from engine.states import CaseState

S = CaseState

#: grounds on which the whole-case limit becomes 45 working days (Art. 22; 2022 notice)
EXTENSION_GROUNDS: dict[str, tuple[str, str]] = {
    "objection": ("公示有异议", "an objection during the notice"),
    "person_household_separation": ("人户分离", "the household lives away from its registration"),
    "cross_locality": ("异地申办", "the application is made outside the place of registration"),
    "hard_investigation": ("调查核实难度大", "the investigation is unusually hard"),
}

#: a case that left the procedure early stops its clocks instead of missing them
ENDED_EARLY = (S.WITHDRAWN, S.PROCEDURE_ENDED)
AFTER_ACCEPTANCE = (
    S.ACCEPTED,
    S.INVESTIGATING,
    S.INITIAL_REVIEWED,
    S.IN_PUBLIC_NOTICE,
    S.PENDING_CONFIRMATION,
)


#: a pending deadline this many calendar days away or fewer is "due soon". Neither the
#: national measures nor the county's rules set a warning period: this is the pages' own
#: threshold, the same for the queue, the case page and the dashboard
DUE_SOON_DAYS = 3


class DueStatus(StrEnum):
    """How close a pending deadline is, as every page words and colours it."""

    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    DUE_SOON = "due_soon"
    ON_TIME = "on_time"


def due_status(days_left: int) -> DueStatus:
    """Overdue, due today, due soon or on time, from the calendar days left."""
    if days_left < 0:
        return DueStatus.OVERDUE
    if days_left == 0:
        return DueStatus.DUE_TODAY
    return DueStatus.DUE_SOON if days_left <= DUE_SOON_DAYS else DueStatus.ON_TIME


def due_window(status: DueStatus, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The first and last due dates (None: open) of the deadlines in ``status`` today, for
    counting them in a query the way ``due_status`` sorts them."""
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    return {
        DueStatus.OVERDUE: (None, today - dt.timedelta(days=1)),
        DueStatus.DUE_TODAY: (today, today),
        DueStatus.DUE_SOON: (today + dt.timedelta(days=1), soon),
        DueStatus.ON_TIME: (soon + dt.timedelta(days=1), None),
    }[status]


@dataclass(frozen=True)
class NextDeadline:
    """A case's earliest pending deadline, as the queue, the case page and the API show it."""

    #: the deadline's name (``investigation_start``, ``public_notice`` …; None: not known)
    kind: str | None
    due_on: dt.date
    #: calendar days from today to the due date, negative once it has passed
    days_left: int
    status: DueStatus

    @property
    def overdue(self) -> bool:
        """Whether the due date has passed."""
        return self.status == DueStatus.OVERDUE

    def as_dict(self) -> dict[str, Any]:
        """Return the next deadline as JSON-ready data."""
        return {
            "kind": self.kind,
            "due_on": self.due_on,
            "days_left": self.days_left,
            "status": str(self.status),
        }


def next_due(kind: str | None, due_on: dt.date | None, today: dt.date) -> NextDeadline | None:
    """The next deadline of a case whose earliest pending deadline is ``kind`` due ``due_on``."""
    if due_on is None:
        return None
    days_left = (due_on - today).days
    return NextDeadline(kind, due_on, days_left, due_status(days_left))


# not frozen: bulk runs and statistics make one per case, tens of thousands at a time, and a
# frozen dataclass's __init__ costs three times as much (nothing changes one once made)
@dataclass(slots=True)
class DeadlineFacts:
    """The local dates a case's deadlines depend on."""

    category: str
    state: str
    tz: dt.tzinfo
    accepted_on: dt.date | None = None
    investigating_since_on: dt.date | None = None
    reinvestigating_since_on: dt.date | None = None
    care_change_reported_on: dt.date | None = None
    care_reassessed_on: dt.date | None = None
    data_check_requested_on: dt.date | None = None
    data_check_on: dt.date | None = None
    proposed_on: dt.date | None = None
    notice_started_at: dt.datetime | None = None
    notice_closed_on: dt.date | None = None
    referred_on: dt.date | None = None
    decided_on: dt.date | None = None
    decision_served_on: dt.date | None = None
    extension_ground: str | None = None
    delegated: bool = False
    next_recheck_on: dt.date | None = None
    recheck_interval_months: int | None = None
    recheck_started_on: dt.date | None = None
    phase_out_started_on: dt.date | None = None
    phase_out_months: int = 0
    reassess_from: dt.date | None = None
    reassessed_on: dt.date | None = None
    #: the latest objection to a tekun termination notice, and when the county settled it
    termination_objection_on: dt.date | None = None
    termination_objection_settled_on: dt.date | None = None


@dataclass(slots=True)  # one or more per case in a bulk run: not frozen, as DeadlineFacts
class Deadline:
    """One deadline of one case, as of today."""

    name: str
    label_zh: str
    label_en: str
    source: str
    limit: int
    unit: str
    start_on: dt.date
    due_on: dt.date
    met_on: dt.date | None
    status: str  # met | pending | missed | stopped | info
    #: calendar days from today to the due date while pending (negative once past), as on
    #: every page, whatever unit the limit is counted in
    days_left: int | None
    overdue: bool
    estimated: bool

    @property
    def due_status(self) -> DueStatus | None:
        """How close a pending deadline is (None unless pending)."""
        return due_status(self.days_left) if self.days_left is not None else None

    def as_dict(self) -> dict[str, Any]:
        """Return the deadline as JSON-ready data."""
        due = self.due_status
        return {
            "kind": self.name,
            "label": self.label_zh,
            "label_en": self.label_en,
            "source": self.source,
            "limit": self.limit,
            "unit": self.unit,
            "start_on": self.start_on,
            "due_on": self.due_on,
            "met_on": self.met_on,
            "status": self.status,
            "days_left": self.days_left,
            "overdue": self.overdue,
            "due_status": str(due) if due is not None else None,
            "estimated": self.estimated,
        }


@dataclass(frozen=True)
class _Spec:
    name: str
    label_zh: str
    label_en: str
    rule: Callable[[DeadlineFacts], str]
    start: Callable[[DeadlineFacts], dt.date | None]
    end: Callable[[DeadlineFacts], dt.date | None]
    #: states in which an unmet deadline is still pending (else it was missed)
    pending_in: tuple[CaseState, ...]
    applies: Callable[[DeadlineFacts], bool] = lambda f: True


def _case_limit(f: DeadlineFacts) -> str:
    if f.extension_ground:
        return "case_working_days_extended"
    return "case_working_days_delegated" if f.delegated else "case_working_days"


SPECS: tuple[_Spec, ...] = (
    _Spec(
        "investigation_start",
        "受理后启动入户调查",
        "start the investigation after acceptance",
        lambda f: "investigation_start_working_days",
        lambda f: f.accepted_on,
        lambda f: f.investigating_since_on,
        (S.ACCEPTED,),
    ),
    _Spec(
        "self_care_reassessment",
        "特困人员生活自理能力重新评估",
        "reassess a tekun person's self-care after a reported change",
        lambda f: "self_care_reassessment_working_days",
        lambda f: f.care_change_reported_on,
        lambda f: f.care_reassessed_on,
        (S.PENDING_CONFIRMATION, S.ACTIVE, S.UNDER_RECHECK, S.PHASING_OUT, S.TERMINATION_NOTICE),
    ),
    _Spec(
        "data_check",
        "县级启动信息核对",
        "county starts the requested information check",
        lambda f: "data_check_working_days",
        lambda f: f.data_check_requested_on,
        lambda f: f.data_check_on,
        (*AFTER_ACCEPTANCE, S.UNDER_RECHECK),
    ),
    _Spec(
        "tekun_review",
        "特困调查及初审",
        "tekun investigation and initial review",
        lambda f: "tekun_review_working_days",
        lambda f: f.accepted_on,
        lambda f: f.proposed_on,
        (S.ACCEPTED, S.INVESTIGATING),
        applies=lambda f: f.category == "tekun",
    ),
    _Spec(
        "tekun_objection_review",
        "特困异议复查并重新提出审核意见",
        "tekun re-investigation and new opinion after an objection",
        lambda f: "tekun_objection_review_working_days",
        lambda f: f.reinvestigating_since_on,
        lambda f: (
            f.proposed_on
            if f.proposed_on is not None
            and f.reinvestigating_since_on is not None
            and f.proposed_on >= f.reinvestigating_since_on
            else None
        ),
        (S.INVESTIGATING,),
        applies=lambda f: f.category == "tekun",
    ),
    _Spec(
        "termination_objection_review",
        "终止公示异议调查核实并作出决定",
        "county decision on an objection to the termination notice",
        lambda f: "tekun_termination_objection_working_days",
        lambda f: f.termination_objection_on,
        lambda f: f.termination_objection_settled_on,
        (S.TERMINATION_NOTICE,),
    ),
    _Spec(
        "county_decision",
        "县级审核确认",
        "county decision after receiving the file",
        lambda f: (
            "tekun_county_decision_working_days"
            if f.category == "tekun"
            else "county_decision_working_days"
        ),
        lambda f: f.referred_on or f.notice_closed_on,
        lambda f: f.decided_on,
        (S.PENDING_CONFIRMATION,),
    ),
    _Spec(
        "case_total",
        "受理至审核确认办结",
        "whole case, acceptance to decision",
        _case_limit,
        lambda f: f.accepted_on,
        lambda f: f.decided_on,
        AFTER_ACCEPTANCE,
    ),
    _Spec(
        "decision_notice",
        "书面告知不予批准理由",
        "written notice of the refusal",
        lambda f: "decision_notice_working_days",
        lambda f: f.decided_on if f.state == S.REJECTED else None,
        lambda f: f.decision_served_on,
        (S.REJECTED,),
    ),
    _Spec(
        "death_reassessment",
        "成员死亡后重新核定",
        "reassessment after a member's death",
        lambda f: "death_reassessment_months",
        lambda f: f.reassess_from,
        lambda f: f.reassessed_on,
        (S.ACTIVE, S.UNDER_RECHECK, S.PHASING_OUT, S.TERMINATION_NOTICE),
    ),
)


#: the limits a decision is late against: the whole case's and the county's (Art. 20, 22),
#: and the only facts they read (a year's statistics date them for every decided case)
DECISION_LIMITS = ("case_total", "county_decision")
DECISION_LIMIT_FACTS = frozenset(
    {
        "category",
        "state",
        "tz",
        "accepted_on",
        "decided_on",
        "extension_ground",
        "delegated",
        "referred_on",
        "notice_closed_on",
    }
)


def _due(calendar: WorkCalendar, unit: str, start: dt.date, limit: int) -> dt.date:
    if unit == "working_days":
        return calendar.add_working_days(start, limit)
    if unit == "months":
        return add_months(start, limit)
    return start + dt.timedelta(days=limit)


def _deadline(
    name: str,
    labels: tuple[str, str],
    rule_name: str,
    rules: RuleBook,
    calendar: WorkCalendar,
    start: dt.date,
    met: dt.date | None,
    pending: bool,
    today: dt.date,
    due: dt.date | None = None,
    stopped: bool = False,
) -> Deadline:
    rule = rules.rule(rule_name, start)
    due = due or _due(calendar, rule.unit, start, rule.value)
    if met is not None:
        status, overdue = "met", met > due
    elif pending:
        status, overdue = "pending", today > due
    elif stopped:
        status, overdue = "stopped", False
    else:
        status, overdue = "missed", True
    return Deadline(
        name=name,
        label_zh=labels[0],
        label_en=labels[1],
        source=rule.source,
        limit=rule.value,
        unit=rule.unit,
        start_on=start,
        due_on=due,
        met_on=met,
        status=status,
        days_left=(due - today).days if status == "pending" else None,
        overdue=overdue,
        estimated=rule.unit == "working_days" and calendar.estimated(start, due),
    )


def case_deadlines(
    f: DeadlineFacts,
    calendar: WorkCalendar,
    rules: RuleBook,
    today: dt.date,
    pending_only: bool = False,
    only: Collection[str] | None = None,
) -> list[Deadline]:
    """Return every deadline that has started for the case (``pending_only``: only those
    still pending, which is all a case's next deadline needs, without dating the rest;
    ``only``: only the deadlines of these names)."""
    out: list[Deadline] = []
    state = CaseState(f.state)
    for spec in SPECS:
        if only is not None and spec.name not in only:
            continue
        if pending_only and state not in spec.pending_in:
            continue
        start = spec.start(f)
        if start is None or not spec.applies(f):
            continue
        met = spec.end(f)
        if pending_only and met is not None:
            continue
        out.append(
            _deadline(
                spec.name,
                (spec.label_zh, spec.label_en),
                spec.rule(f),
                rules,
                calendar,
                start,
                met,
                state in spec.pending_in,
                today,
                stopped=state in ENDED_EARLY,
            )
        )
    if (only is None or "public_notice" in only) and (
        not pending_only or (f.state == S.IN_PUBLIC_NOTICE and f.notice_closed_on is None)
    ):
        out += _notice(f, rules, calendar, today)
    if only is None or not OTHER_LABELS.keys().isdisjoint(only):
        out += _enrolment(f, rules, calendar, today, pending_only)
    return [
        d
        for d in out
        if (not pending_only or d.status == "pending") and (only is None or d.name in only)
    ]


def _notice(
    f: DeadlineFacts, rules: RuleBook, calendar: WorkCalendar, today: dt.date
) -> list[Deadline]:
    """The 7-day public notice (Art. 19): due when it may close; pending while it runs.

    A notice interrupted by an objection has no deadline: a new one starts.
    """
    if f.notice_started_at is None or (
        f.state != S.IN_PUBLIC_NOTICE and f.notice_closed_on is None
    ):
        return []
    start = f.notice_started_at.astimezone(f.tz).date()
    closes = notice_closes_on(f.notice_started_at, rules, f.tz)
    return [
        _deadline(
            "public_notice",
            OTHER_LABELS["public_notice"],
            "public_notice_days",
            rules,
            calendar,
            start,
            f.notice_closed_on,
            f.state == S.IN_PUBLIC_NOTICE,
            today,
            due=closes,
        )
    ]


def notice_closes_on(started: dt.datetime, rules: RuleBook, tz: dt.tzinfo) -> dt.date:
    """The local day from which a notice published at ``started`` may close, under the
    notice length in force on its publication day (Art. 19; TK Art. 26 for a termination)."""
    days = rules.value("public_notice_days", started.astimezone(tz).date())
    return notice_may_close_at(started, days, tz).astimezone(tz).date()


#: deadlines computed outside SPECS: name -> (Chinese, English) label
OTHER_LABELS: dict[str, tuple[str, str]] = {
    "public_notice": ("公示期满", "public notice runs its course"),
    "payment_start": ("次月起发放保障金", "payment from the next month"),
    "recheck": ("定期核查", "periodic recheck"),
    "phase_out_end": ("渐退期满", "end of phase-out"),
}


def _enrolment(
    f: DeadlineFacts,
    rules: RuleBook,
    calendar: WorkCalendar,
    today: dt.date,
    pending_only: bool = False,
) -> list[Deadline]:
    """Payment start (Art. 21), the next recheck (Art. 31) and the phase-out's end
    (``pending_only``: not the payment start, which is never pending)."""
    out: list[Deadline] = []
    if (
        not pending_only
        and f.decided_on is not None
        and f.state
        in (
            S.ACTIVE,
            S.UNDER_RECHECK,
            S.PHASING_OUT,
            S.TERMINATION_NOTICE,
            S.TERMINATED,
        )
    ):
        first = first_of_next_month(f.decided_on)
        out.append(
            Deadline(
                "payment_start",
                *OTHER_LABELS["payment_start"],
                "《最低生活保障审核确认办法》第二十一条",
                1,
                "months",
                f.decided_on,
                first,
                None,
                "info",
                None,
                False,
                False,
            )
        )
    if f.next_recheck_on is not None and f.state == S.ACTIVE:
        out.append(
            Deadline(
                "recheck",
                *OTHER_LABELS["recheck"],
                "《最低生活保障审核确认办法》第三十一条",
                f.recheck_interval_months or 0,
                "months",
                f.decided_on or f.next_recheck_on,
                f.next_recheck_on,
                None,
                "pending",
                (f.next_recheck_on - today).days,
                today > f.next_recheck_on,
                False,
            )
        )
    if f.phase_out_started_on is not None and f.state == S.PHASING_OUT:
        ends = add_months(f.phase_out_started_on, f.phase_out_months)
        out.append(
            Deadline(
                "phase_out_end",
                *OTHER_LABELS["phase_out_end"],
                rules.rule("phase_out_max_months", f.phase_out_started_on).source,
                f.phase_out_months,
                "months",
                f.phase_out_started_on,
                ends,
                None,
                "pending",
                (ends - today).days,
                today > ends,
                False,
            )
        )
    return out


def earliest_pending(deadlines: list[Deadline]) -> Deadline | None:
    """The pending deadline that falls due first (on a tie, the first in the case's list)."""
    pending = [d for d in deadlines if d.status == "pending"]
    return min(pending, key=lambda d: d.due_on) if pending else None


def earliest_due(deadlines: list[Deadline]) -> dt.date | None:
    """The earliest due date among pending deadlines (None when nothing is pending)."""
    first = earliest_pending(deadlines)
    return first.due_on if first else None


def next_deadline(deadlines: list[Deadline], today: dt.date) -> NextDeadline | None:
    """The case's next deadline: the earliest pending one, with its calendar days left."""
    first = earliest_pending(deadlines)
    return next_due(first.name, first.due_on, today) if first else None
