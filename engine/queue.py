"""The work queue: the cases waiting on a role in a region, soonest deadline first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from engine.errors import InvalidData, invalid_field
from engine.models import Case
from engine.ports import Actor
from engine.queries import MAX_PER_PAGE, CaseSummary, member_counts, summary_of
from engine.states import CaseState, Role

S = CaseState

#: states in which a case waits on the role's next step of the procedure
WORK_STATES: dict[Role, tuple[CaseState, ...]] = {
    # accept or return, resubmit, start and record the household investigation
    Role.CLERK: (S.DRAFT, S.SUBMITTED, S.AWAITING_MATERIALS, S.ACCEPTED, S.INVESTIGATING),
    # propose, publish and close the notice, conclude a recheck
    Role.REVIEWER: (S.INVESTIGATING, S.INITIAL_REVIEWED, S.IN_PUBLIC_NOTICE, S.UNDER_RECHECK),
    # confirm, and decide what a recheck found
    Role.APPROVER: (S.PENDING_CONFIRMATION, S.UNDER_RECHECK, S.TERMINATION_NOTICE),
}
#: enrolled states that wait on the role only once their date has come
DUE_STATES: dict[Role, tuple[CaseState, ...]] = {
    Role.REVIEWER: (S.ACTIVE,),  # the periodic recheck is due
    Role.APPROVER: (S.PHASING_OUT,),  # the phase-out has run its months
}
Sort = Literal["due", "newest", "oldest"]
SORTS: tuple[Sort, ...] = ("due", "newest", "oldest")


@dataclass(frozen=True)
class QueueItem:
    """A case in the queue with its earliest deadline."""

    case: CaseSummary
    due_on: dt.date | None
    days_left: int | None

    @property
    def overdue(self) -> bool:
        """Whether the earliest deadline has passed."""
        return self.days_left is not None and self.days_left < 0


@dataclass(frozen=True)
class QueueGroup:
    """How many queued cases are in one state, and how many of them are overdue."""

    state: str
    count: int
    overdue: int


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue, the per-state counts and the total."""

    items: list[QueueItem]
    groups: list[QueueGroup]
    total: int
    page: int
    per_page: int


def has_queue(role: Role) -> bool:
    """Whether the role has a work queue (inspectors and admins have none)."""
    return role in WORK_STATES


def _waiting(actor: Actor, today: dt.date) -> ColumnElement[bool]:
    """SQL condition: the case waits on the actor's role."""
    due = DUE_STATES.get(actor.role, ())
    waiting: ColumnElement[bool] = Case.state.in_(WORK_STATES[actor.role])
    if due:
        waiting = or_(waiting, and_(Case.state.in_(due), Case.due_on <= today))
    return and_(waiting, Case.village_code.startswith(actor.region_code, autoescape=True))


def queue_groups(
    session: Session, where: list[ColumnElement[bool]], today: dt.date
) -> list[QueueGroup]:
    """How many of the cases meeting ``where`` are in each state, and how many are overdue."""
    overdue = func.sum(case((Case.due_on < today, 1), else_=0))
    groups = [
        QueueGroup(str(s), n, int(late or 0))
        for s, n, late in session.execute(
            select(Case.state, func.count(), overdue).where(*where).group_by(Case.state)
        )
    ]
    groups.sort(key=lambda g: list(CaseState).index(CaseState(g.state)))
    return groups


def waiting_on(actor: Actor, today: dt.date) -> ColumnElement[bool]:
    """SQL condition: the case waits on the actor's role in the actor's region."""
    return _waiting(actor, today)


def work_queue(
    session: Session,
    actor: Actor,
    today: dt.date,
    *,
    state: str | None = None,
    village_code: str | None = None,
    sort: str = "due",
    page: int = 1,
    per_page: int = 50,
) -> QueuePage:
    """Return one page of the cases waiting on the actor, with counts per state."""
    problems = []
    if not has_queue(actor.role):
        problems.append(invalid_field("role", "该角色没有待办", f"no queue for {actor.role}"))
    if state is not None and state not in [s.value for s in CaseState]:
        problems.append(invalid_field("state", f"未知状态：{state}", f"unknown state {state!r}"))
    if sort not in SORTS:
        problems.append(invalid_field("sort", f"未知排序：{sort}", f"unknown sort {sort!r}"))
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        problems.append(invalid_field("page", "分页参数有误", "page or per_page out of range"))
    if problems:
        raise InvalidData("查询参数有误", "invalid query parameters", problems=problems)
    where = [_waiting(actor, today)]
    if village_code:
        where.append(Case.village_code.startswith(village_code, autoescape=True))
    groups = queue_groups(session, where, today)
    if state is not None:
        where.append(Case.state == CaseState(state))
    total = sum(g.count for g in groups if state is None or g.state == state)
    order = {
        "due": (Case.due_on.is_(None), Case.due_on, Case.id),
        "newest": (Case.id.desc(),),
        "oldest": (Case.id,),
    }[sort]
    cases = session.scalars(
        select(Case).where(*where).order_by(*order).limit(per_page).offset((page - 1) * per_page)
    ).all()
    members = member_counts(session, [c.household_id for c in cases])
    items = [
        QueueItem(
            summary_of(c, members[c.household_id], actor),
            c.due_on,
            (c.due_on - today).days if c.due_on is not None else None,
        )
        for c in cases
    ]
    return QueuePage(items, groups, total, page, per_page)
