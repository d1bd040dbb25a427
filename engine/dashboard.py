"""Each role's landing page: the work due today and this week, what is overdue, what waits on
others, and the region's figures (the county report's, drawn as charts by the UI)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from engine.deadlines import DueStatus
from engine.models import (
    Case,
    InspectionFinding,
    Investigation,
    InvestigationLevel,
    InvestigationMethod,
    KinshipFlag,
    User,
)
from engine.ports import Actor
from engine.queue import WORK_STATES, QueueGroup, due_in, has_queue, queue_groups, waiting_on
from engine.states import ENROLLED_STATES, OPEN_STATES, Role
from engine.stats import county_stats

#: the last day of a week, as ``date.weekday`` counts (Sunday)
LAST_WEEKDAY = 6


@dataclass(frozen=True)
class Workload:
    """The cases waiting on the user's role, by when they are due."""

    waiting: int
    overdue: int
    due_today: int
    due_this_week: int
    groups: list[QueueGroup]
    #: open cases of the region waiting on each other role
    on_others: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Oversight:
    """What an inspector or administrator watches in the region."""

    open_flags: int
    visits_required: int
    accounts_waiting: int


def workload(session: Session, actor: Actor, today: dt.date) -> Workload:
    """The actor's queue by deadline, and what the region's other roles have waiting."""
    mine = waiting_on(actor, today)
    week_end = today + dt.timedelta(days=LAST_WEEKDAY - today.weekday())

    def due(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    waiting, overdue, due_today, this_week = session.execute(
        select(
            func.count(),
            due(due_in(DueStatus.OVERDUE, today)),
            due(due_in(DueStatus.DUE_TODAY, today)),
            due(and_(Case.due_on >= today, Case.due_on <= week_end)),
        ).where(mine)
    ).one()
    in_region = Case.village_code.startswith(actor.region_code, autoescape=True)
    on_others = {}
    for role, states in WORK_STATES.items():
        if role != actor.role:
            theirs = [s for s in states if s not in WORK_STATES.get(actor.role, ())]
            on_others[role.value] = (
                session.scalar(select(func.count()).where(in_region, Case.state.in_(theirs))) or 0
            )
    return Workload(
        waiting,
        int(overdue),
        int(due_today),
        int(this_week),
        queue_groups(session, [mine], today),
        on_others,
    )


def oversight(session: Session, actor: Actor) -> Oversight:
    """Open kinship flags, cases whose inspector's finding still waits on the county's own
    home visit, and accounts waiting for a second administrator."""
    in_region = Case.village_code.startswith(actor.region_code, autoescape=True)
    open_states = [*OPEN_STATES, *ENROLLED_STATES]
    flags = session.scalar(
        select(func.count(func.distinct(KinshipFlag.case_id)))
        .join(Case, Case.id == KinshipFlag.case_id)
        .where(in_region, KinshipFlag.vanished_at.is_(None), Case.state.in_(open_states))
    )
    visited = (
        select(Investigation.id)
        .where(
            Investigation.case_id == InspectionFinding.case_id,
            Investigation.level == InvestigationLevel.COUNTY,
            Investigation.method == InvestigationMethod.HOME_VISIT,
            Investigation.recorded_at >= InspectionFinding.recorded_at,
        )
        .exists()
    )
    visits = session.scalar(
        select(func.count(func.distinct(InspectionFinding.case_id)))
        .join(Case, Case.id == InspectionFinding.case_id)
        .where(in_region, InspectionFinding.requires_visit.is_(True), ~visited)
    )
    accounts = session.scalar(
        select(func.count())
        .select_from(User)
        .where(
            User.region_code.startswith(actor.region_code, autoescape=True),
            User.pending_since.is_not(None),
        )
    )
    return Oversight(flags or 0, visits or 0, accounts or 0)


@dataclass(frozen=True)
class Dashboard:
    """Everything the landing page shows one user."""

    workload: Workload | None
    oversight: Oversight | None
    figures: dict[str, Any] | None


def dashboard(session: Session, actor: Actor, today: dt.date, tz: dt.tzinfo) -> Dashboard:
    """The landing page's content for the actor's role and region."""
    work = workload(session, actor, today) if has_queue(actor.role) else None
    watch = oversight(session, actor) if actor.role in (Role.INSPECTOR, Role.ADMIN) else None
    # the report's figures for the region (aggregates only: no personal data)
    figures = (
        county_stats(session, actor.region_code, today.year, today, tz)
        if actor.role != Role.ADMIN
        else None
    )
    return Dashboard(work, watch, figures)
