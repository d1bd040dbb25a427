"""A case's deadlines from its stored dates, and the indexed ``due_on`` (with which deadline
it is) kept up to date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, Protocol, cast

from sqlalchemy import ColumnElement, Select, Table, select, type_coerce
from sqlalchemy.orm import Session

from engine.access import county_of
from engine.calendar import WorkCalendar
from engine.clock import as_utc, local_date
from engine.db import in_ids
from engine.deadlines import Deadline, DeadlineFacts, case_deadlines, earliest_pending
from engine.models import Case, Objection, SelfCareAssessment
from engine.models.base import UTCDateTime
from engine.policy import ParameterHistory, parameter_history
from engine.states import FINAL_STATES, CaseState
from engine.uow import UnitOfWork


def _on(moment: dt.datetime | None, tz: dt.tzinfo) -> dt.date | None:
    return None if moment is None else local_date(moment, tz)


def _after(candidates: Sequence[dt.date | None], since: dt.date) -> dt.date | None:
    dates = [d for d in candidates if d is not None and d >= since]
    return min(dates) if dates else None


class DatedCase(Protocol):
    """What a case's deadlines are computed from: its stored dates (a ``Case``, or a row of
    ``DEADLINE_COLUMNS`` for a bulk run that never loads the objects)."""

    @property
    def id(self) -> int: ...
    @property
    def village_code(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def accepted_at(self) -> dt.datetime | None: ...
    @property
    def investigating_since(self) -> dt.datetime | None: ...
    @property
    def reinvestigating_since(self) -> dt.datetime | None: ...
    @property
    def proposed_at(self) -> dt.datetime | None: ...
    @property
    def notice_started_at(self) -> dt.datetime | None: ...
    @property
    def notice_closed_at(self) -> dt.datetime | None: ...
    @property
    def referred_at(self) -> dt.datetime | None: ...
    @property
    def decided_at(self) -> dt.datetime | None: ...
    @property
    def decision_served_on(self) -> dt.date | None: ...
    @property
    def extension_ground(self) -> str | None: ...
    @property
    def next_recheck_on(self) -> dt.date | None: ...
    @property
    def recheck_interval_months(self) -> int | None: ...
    @property
    def recheck_started_at(self) -> dt.datetime | None: ...
    @property
    def rechecked_at(self) -> dt.datetime | None: ...
    @property
    def phase_out_started_at(self) -> dt.datetime | None: ...
    @property
    def ended_at(self) -> dt.datetime | None: ...
    @property
    def reassess_from(self) -> dt.date | None: ...
    @property
    def care_change_reported_at(self) -> dt.datetime | None: ...
    @property
    def termination_noticed_at(self) -> dt.datetime | None: ...
    @property
    def data_check_requested_at(self) -> dt.datetime | None: ...
    @property
    def data_check_started_at(self) -> dt.datetime | None: ...


AnySelect = Select[*tuple[Any, ...]]

#: the case's columns its deadlines are computed from (``DatedCase``)
DEADLINE_COLUMNS: tuple[str, ...] = tuple(
    name for name in DatedCase.__dict__ if not name.startswith("_")
)


def dated_columns() -> list[ColumnElement[Any]]:
    """The case's ``DEADLINE_COLUMNS`` to select for many cases without loading them as
    objects, timestamps as the driver returns them (the deadlines take any zone, and
    normalizing thousands of them to UTC first costs more than the rest)."""
    table = cast(Table, Case.__table__)
    columns: list[ColumnElement[Any]] = []
    for name in DEADLINE_COLUMNS:
        column = table.c[name]
        if isinstance(column.type, UTCDateTime):
            columns.append(type_coerce(column, column.type.impl).label(name))
        else:
            columns.append(column)
    return columns


#: the parameters a case's deadlines are dated with: a new version of one re-dates the
#: county's cases
DEADLINE_PARAMETERS = frozenset({"decision_delegated", "phase_out_months"})


@cache
def _lookup_statements(dialect: str) -> tuple[AnySelect, AnySelect]:
    """The lookups' queries, built once per database kind and run with ``ids`` (a
    statement object keeps its compiled form's cache key: building and keying one costs
    more than a transition's own Python)."""
    assessments = select(SelfCareAssessment.case_id, SelfCareAssessment.recorded_at).where(
        in_ids(dialect, SelfCareAssessment.case_id, "ids")
    )
    objections = (
        select(Objection.case_id, Objection.raised_at, Objection.resolved_at)
        .where(in_ids(dialect, Objection.case_id, "ids"))
        .order_by(Objection.id)
    )
    return assessments, objections


class _Lookups:
    """The facts kept outside the case row, for a batch of cases, one query per kind."""

    def __init__(
        self,
        session: Session,
        cases: Sequence[DatedCase],
        parameters: Callable[[Session, str], ParameterHistory],
    ) -> None:
        self.session = session
        self._parameters = parameters
        assessments, objections = _lookup_statements(session.get_bind().dialect.name)
        reported = [c.id for c in cases if c.care_change_reported_at is not None]
        self.assessments: dict[int, list[dt.datetime]] = {}
        if reported:
            for case_id, recorded in session.execute(assessments, {"ids": reported}):
                self.assessments.setdefault(case_id, []).append(recorded)
        noticed = [c.id for c in cases if c.termination_noticed_at is not None]
        self.objections: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = {}
        if noticed:
            for case_id, raised, resolved in session.execute(objections, {"ids": noticed}):
                self.objections.setdefault(case_id, []).append((raised, resolved))
        self._histories: dict[str, ParameterHistory] = {}

    def parameters(self, county: str) -> ParameterHistory:
        """The county's parameters (read once for the batch)."""
        if county not in self._histories:
            self._histories[county] = self._parameters(self.session, county)
        return self._histories[county]


def deadline_facts_of(
    session: Session,
    cases: Sequence[DatedCase],
    tz: dt.tzinfo,
    parameters: Callable[[Session, str], ParameterHistory] = parameter_history,
) -> list[DeadlineFacts]:
    """Gather the local dates the deadlines of these cases depend on, with a few queries for
    all of them (one per kind of fact the cases need, whatever their number); ``parameters``
    reads a county's parameter versions (a process's cache, or afresh)."""
    lookups = _Lookups(session, cases, parameters)
    return [_facts(case, lookups, tz) for case in cases]


def _facts(case: DatedCase, lookups: _Lookups, tz: dt.tzinfo) -> DeadlineFacts:
    county = county_of(case.village_code)
    accepted_on = _on(case.accepted_at, tz)
    phase_out_on = _on(case.phase_out_started_at, tz)
    delegated = False
    if accepted_on is not None:
        delegated = bool(lookups.parameters(county).on(accepted_on)["decision_delegated"])
    months = 0
    if phase_out_on is not None:
        months = int(lookups.parameters(county).on(phase_out_on).decimal("phase_out_months"))
    reassessed_on = None
    if case.reassess_from is not None:
        # met by the decision (增减停: unchanged, adjusted, phased out or ended), not by
        # merely starting a recheck (2022 notice)
        reassessed_on = _after(
            [
                _on(case.rechecked_at, tz),
                _on(case.decided_at, tz),
                _on(case.phase_out_started_at, tz),
                _on(case.ended_at, tz),
            ],
            case.reassess_from,
        )
    reported = case.care_change_reported_at
    reassessed = None
    if reported is not None:
        # the first assessment the county recorded after the change was reported (TK Art. 22)
        after = [
            at for at in lookups.assessments.get(case.id, []) if as_utc(at) >= as_utc(reported)
        ]
        reassessed = min(after, key=as_utc) if after else None
    objection = None
    decided = case.decided_at
    if case.termination_noticed_at is not None and decided is not None:
        # objections raised after the decision can only be against a termination notice
        # (TK Art. 26): the latest of them, and when the county settled it
        against = [
            o for o in lookups.objections.get(case.id, []) if as_utc(o[0]) >= as_utc(decided)
        ]
        objection = against[-1] if against else None
    return DeadlineFacts(
        category=str(case.category),
        state=str(case.state),
        tz=tz,
        accepted_on=accepted_on,
        investigating_since_on=_on(case.investigating_since, tz),
        reinvestigating_since_on=_on(case.reinvestigating_since, tz),
        care_change_reported_on=_on(reported, tz),
        care_reassessed_on=_on(reassessed, tz),
        # the latest request: its start is due 3 working days after it (Art. 17)
        data_check_requested_on=_on(case.data_check_requested_at, tz),
        data_check_on=_on(case.data_check_started_at, tz),
        proposed_on=_on(case.proposed_at, tz),
        notice_started_at=case.notice_started_at,
        notice_closed_on=_on(case.notice_closed_at, tz),
        referred_on=_on(case.referred_at, tz),
        decided_on=_on(decided, tz),
        decision_served_on=case.decision_served_on,
        extension_ground=case.extension_ground,
        delegated=delegated,
        next_recheck_on=case.next_recheck_on,
        recheck_interval_months=case.recheck_interval_months,
        recheck_started_on=_on(case.recheck_started_at, tz),
        phase_out_started_on=phase_out_on,
        phase_out_months=months,
        reassess_from=case.reassess_from,
        reassessed_on=reassessed_on,
        termination_objection_on=_on(objection[0], tz) if objection else None,
        termination_objection_settled_on=_on(objection[1], tz) if objection else None,
    )


def deadlines_of(
    uow: UnitOfWork, case: Case, calendar: WorkCalendar | None = None
) -> list[Deadline]:
    """Return the case's deadlines as of the unit of work's clock."""
    session = uow.session
    calendar = calendar or uow.calendars.get(session, county_of(case.village_code))
    (facts,) = deadline_facts_of(session, [case], uow.clock.tz, uow.parameters.get)
    return case_deadlines(facts, calendar, uow.rules, local_date(uow.clock.now(), uow.clock.tz))


def next_due_dates(
    uow: UnitOfWork, cases: Sequence[DatedCase]
) -> list[tuple[dt.date | None, str | None]]:
    """Each case's earliest pending deadline as ``(due_on, due_kind)`` (None, None: nothing
    pending), for many cases with a few queries: what ``due_on`` and ``due_kind`` hold."""
    session, tz = uow.session, uow.clock.tz
    today = local_date(uow.clock.now(), tz)
    calendars: dict[str, WorkCalendar] = {}
    out: list[tuple[dt.date | None, str | None]] = []
    facts_of = deadline_facts_of(session, cases, tz, uow.parameters.get)
    for case, facts in zip(cases, facts_of, strict=True):
        county = county_of(case.village_code)
        if county not in calendars:
            calendars[county] = uow.calendars.get(session, county)
        pending = case_deadlines(facts, calendars[county], uow.rules, today, pending_only=True)
        first = earliest_pending(pending)
        out.append((first.due_on, first.name) if first else (None, None))
    return out


def refresh_due_on(uow: UnitOfWork, case: Case) -> None:
    """Set ``case.due_on`` and ``case.due_kind`` to its earliest pending deadline (the
    caller commits)."""
    session = uow.session
    # The facts read here live in tables of their own (checks, assessments, objections):
    # anything else changed in this unit of work may be one of them and is written first.
    # The case's own columns are read from the object, so its changes wait for its audit
    # entry, which is written with them in one statement (audit.recorder).
    if any(obj is not case for obj in (*session.new, *session.dirty)):
        session.flush()
    with session.no_autoflush:
        ((case.due_on, case.due_kind),) = next_due_dates(uow, [case])


#: cases whose due dates are recomputed together (one set of queries each)
REFRESH_BATCH = 1000


def refresh_county_due_dates(uow: UnitOfWork, county: str | None) -> int:
    """Recompute ``due_on`` of every case with deadlines in the county (None: everywhere)."""
    stmt = select(Case).where(
        Case.state.not_in([s for s in FINAL_STATES if s != CaseState.REJECTED])
    )
    if county is not None:
        stmt = stmt.where(Case.village_code.startswith(county, autoescape=True))
    cases = uow.session.scalars(stmt).all()
    for start in range(0, len(cases), REFRESH_BATCH):
        part = cases[start : start + REFRESH_BATCH]
        for case, (due_on, due_kind) in zip(part, next_due_dates(uow, part), strict=True):
            case.due_on, case.due_kind = due_on, due_kind
    return len(cases)
