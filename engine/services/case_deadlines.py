"""A case's deadlines from its stored dates, and the indexed ``due_on`` (with which deadline
it is) kept up to date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.access import county_of
from engine.calendar import WorkCalendar
from engine.clock import local_date
from engine.deadlines import Deadline, DeadlineFacts, case_deadlines, earliest_pending
from engine.models import Case, DataCheck, Objection, SelfCareAssessment
from engine.policy import parameters_in_force
from engine.states import FINAL_STATES, CaseState
from engine.uow import UnitOfWork


def _on(moment: dt.datetime | None, tz: dt.tzinfo) -> dt.date | None:
    return None if moment is None else local_date(moment, tz)


def _after(candidates: Sequence[dt.date | None], since: dt.date) -> dt.date | None:
    dates = [d for d in candidates if d is not None and d >= since]
    return min(dates) if dates else None


def deadline_facts(session: Session, case: Case, tz: dt.tzinfo) -> DeadlineFacts:
    """Gather the local dates the case's deadlines depend on."""
    county = county_of(case.village_code)
    investigating_on = _on(case.investigating_since, tz)
    accepted_on = _on(case.accepted_at, tz)
    check = None
    if accepted_on is not None:
        # the latest request: its start is due 3 working days after it (Art. 17)
        check = session.execute(
            select(DataCheck.requested_at, DataCheck.started_at)
            .where(DataCheck.case_id == case.id)
            .order_by(DataCheck.id.desc())
            .limit(1)
        ).first()
    phase_out_on = _on(case.phase_out_started_at, tz)
    delegated = False
    if accepted_on is not None:
        delegated = bool(parameters_in_force(session, county, accepted_on)["decision_delegated"])
    months = 0
    if phase_out_on is not None:
        months = int(parameters_in_force(session, county, phase_out_on).decimal("phase_out_months"))
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
        reassessed = session.scalar(
            select(func.min(SelfCareAssessment.recorded_at)).where(
                SelfCareAssessment.case_id == case.id,
                SelfCareAssessment.recorded_at >= reported,
            )
        )
    objection = None
    if case.termination_noticed_at is not None:
        # objections raised after the decision can only be against a termination notice
        # (TK Art. 26): the latest of them, and when the county settled it
        objection = session.execute(
            select(Objection.raised_at, Objection.resolved_at)
            .where(Objection.case_id == case.id, Objection.raised_at >= case.decided_at)
            .order_by(Objection.id.desc())
            .limit(1)
        ).first()
    return DeadlineFacts(
        category=str(case.category),
        state=str(case.state),
        tz=tz,
        accepted_on=accepted_on,
        investigating_since_on=investigating_on,
        reinvestigating_since_on=_on(case.reinvestigating_since, tz),
        care_change_reported_on=_on(reported, tz),
        care_reassessed_on=_on(reassessed, tz),
        data_check_requested_on=_on(check.requested_at, tz) if check else None,
        data_check_on=_on(check.started_at, tz) if check else None,
        proposed_on=_on(case.proposed_at, tz),
        notice_started_at=case.notice_started_at,
        notice_closed_on=_on(case.notice_closed_at, tz),
        referred_on=_on(case.referred_at, tz),
        decided_on=_on(case.decided_at, tz),
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
        termination_objection_on=_on(objection.raised_at, tz) if objection else None,
        termination_objection_settled_on=_on(objection.resolved_at, tz) if objection else None,
    )


def deadlines_of(
    uow: UnitOfWork, case: Case, calendar: WorkCalendar | None = None
) -> list[Deadline]:
    """Return the case's deadlines as of the unit of work's clock."""
    session = uow.session
    calendar = calendar or uow.calendars.get(session, county_of(case.village_code))
    facts = deadline_facts(session, case, uow.clock.tz)
    return case_deadlines(facts, calendar, uow.rules, local_date(uow.clock.now(), uow.clock.tz))


def refresh_due_on(uow: UnitOfWork, case: Case, calendar: WorkCalendar | None = None) -> None:
    """Set ``case.due_on`` and ``case.due_kind`` to its earliest pending deadline (the
    caller commits)."""
    first = earliest_pending(deadlines_of(uow, case, calendar))
    case.due_on = first.due_on if first else None
    case.due_kind = first.name if first else None


def refresh_county_due_dates(uow: UnitOfWork, county: str | None) -> int:
    """Recompute ``due_on`` of every case with deadlines in the county (None: everywhere)."""
    stmt = select(Case).where(
        Case.state.not_in([s for s in FINAL_STATES if s != CaseState.REJECTED])
    )
    if county is not None:
        stmt = stmt.where(Case.village_code.startswith(county, autoescape=True))
    calendars: dict[str, WorkCalendar] = {}
    count = 0
    for case in uow.session.scalars(stmt):
        code = county_of(case.village_code)
        if code not in calendars:
            calendars[code] = uow.calendars.get(uow.session, code)
        refresh_due_on(uow, case, calendars[code])
        count += 1
    return count
