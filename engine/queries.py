"""Read side: regions, case lists and what a user may do on a case (see also case_view)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from engine import guards as guard_registry
from engine.access import covers, ensure_in_region
from engine.errors import InvalidData, NotFound, Problem, invalid_field
from engine.identity import mask_name
from engine.models import (
    Case,
    Member,
    Person,
    Region,
    RegionLevel,
    Relation,
    User,
)
from engine.ports import Actor
from engine.privacy import sees_personal_data
from engine.services.workflow_step import guard_context
from engine.states import TRIGGERS_BY_ROLE, CaseState, rules_from
from engine.uow import UnitOfWork

MAX_PER_PAGE = 100
#: the last page any list may ask for: its offset must fit any database's integers
MAX_PAGE = 1_000_000


def region_names(
    session: Session, prefix: str, level: RegionLevel | None = None
) -> list[tuple[str, str]]:
    """Code and name of the regions within ``prefix`` (of one level, if given), by code."""
    stmt = select(Region.code, Region.name).where(Region.code.startswith(prefix, autoescape=True))
    if level is not None:
        stmt = stmt.where(Region.level == level)
    return [(code, name) for code, name in session.execute(stmt.order_by(Region.code))]


@dataclass(frozen=True)
class StaffName:
    """How a user is named to colleagues: their display name (else the user name) and role."""

    name: str
    role: str


def staff_names(session: Session, usernames: Collection[str]) -> dict[str, StaffName]:
    """User name -> display name and role, for all of ``usernames`` in one query (names that
    are no user's, such as the system's, are left out)."""
    wanted = {u for u in usernames if u}
    if not wanted:
        return {}
    rows = session.execute(
        select(User.username, User.display_name, User.role).where(User.username.in_(wanted))
    ).all()
    return {u: StaffName(shown or u, str(role)) for u, shown, role in rows}


@dataclass(frozen=True)
class TriggerOption:
    """A trigger the user's role may fire from the case's state, and whether it may fire now."""

    trigger: str
    label: str
    label_en: str
    reason_required: bool
    problems: list[Problem]

    @property
    def allowed(self) -> bool:
        """Whether every guard passes now."""
        return not self.problems


@dataclass(frozen=True)
class CaseSummary:
    """A case in a list."""

    id: int
    state: str
    version: int
    category: str
    village_code: str
    area_type: str
    applicant_name: str
    members_count: int
    created_at: dt.datetime
    updated_at: dt.datetime


def list_regions(session: Session) -> list[Region]:
    """Return every region, counties first, then by code."""
    return list(session.scalars(select(Region).order_by(func.length(Region.code), Region.code)))


def _visible(stmt: Select[Any], actor: Actor) -> Select[Any]:
    return stmt.where(Case.village_code.startswith(actor.region_code, autoescape=True))


def member_counts(session: Session, household_ids: list[int]) -> dict[int, tuple[int, str]]:
    """Return household id -> (current member count, applicant name)."""
    rows = session.execute(
        select(Member.household_id, Member.relation, Member.person_id).where(
            Member.household_id.in_(household_ids), Member.left_at.is_(None)
        )
    ).all()
    counts: dict[int, int] = {}
    applicants: dict[int, int] = {}
    for household_id, relation, person_id in rows:
        counts[household_id] = counts.get(household_id, 0) + 1
        if relation == Relation.SELF:
            applicants[household_id] = person_id
    names = dict(
        session.execute(
            select(Person.id, Person.name).where(Person.id.in_(list(applicants.values())))
        ).all()
    )
    return {h: (counts.get(h, 0), names.get(applicants.get(h, -1), "")) for h in household_ids}


def summary_of(case: Case, members: tuple[int, str], actor: Actor) -> CaseSummary:
    """A case as listed: masked names for roles that do not need them."""
    count, applicant = members
    return CaseSummary(
        id=case.id,
        state=str(case.state),
        version=case.version,
        category=str(case.category),
        village_code=case.village_code,
        area_type=str(case.area_type),
        applicant_name=applicant if sees_personal_data(actor) else mask_name(applicant),
        members_count=count,
        created_at=case.created_at,
        updated_at=case.updated_at,
    )


def list_cases(
    session: Session,
    actor: Actor,
    *,
    state: str | None = None,
    village_code: str | None = None,
    overdue: bool | None = None,
    today: dt.date | None = None,
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[CaseSummary], int]:
    """Return one page of the cases in the actor's region, newest first, and the total.

    ``overdue=True`` keeps the cases with a deadline past due on ``today``.
    """
    problems = []
    if state is not None and state not in [s.value for s in CaseState]:
        problems.append(invalid_field("state", f"未知状态：{state}", f"unknown state {state!r}"))
    if not 1 <= page <= MAX_PAGE:
        problems.append(
            invalid_field("page", f"页码须为1-{MAX_PAGE}", f"page must be from 1 to {MAX_PAGE}")
        )
    if not 1 <= per_page <= MAX_PER_PAGE:
        problems.append(
            invalid_field("per_page", f"每页1-{MAX_PER_PAGE}条", f"per_page: 1-{MAX_PER_PAGE}")
        )
    if problems:
        raise InvalidData("查询参数有误", "invalid query parameters", problems=problems)
    stmt = _visible(select(Case), actor)
    if state is not None:
        stmt = stmt.where(Case.state == CaseState(state))
    if village_code:
        # a township or county code narrows to everything beneath it
        stmt = stmt.where(Case.village_code.startswith(village_code, autoescape=True))
    if overdue is not None and today is not None:
        stmt = (
            stmt.where(Case.due_on < today)
            if overdue
            else stmt.where(or_(Case.due_on.is_(None), Case.due_on >= today))
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    cases = session.scalars(
        stmt.order_by(Case.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    members = member_counts(session, [c.household_id for c in cases])
    return [summary_of(c, members[c.household_id], actor) for c in cases], total


def visible_case(session: Session, actor: Actor, case_id: int) -> Case:
    """Return the case if it exists and lies in the actor's region."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(
            f"案件{case_id}不存在", f"case {case_id} does not exist", code="case_not_found"
        )
    ensure_in_region(actor, case.village_code)
    return case


def trigger_options(uow: UnitOfWork, case: Case, actor: Actor) -> list[TriggerOption]:
    """Return the triggers the actor's role may fire from the case's state, with guard results."""
    mine = [
        rule
        for rule in rules_from(CaseState(case.state))
        if rule.trigger in TRIGGERS_BY_ROLE[actor.role]
    ]
    if not mine or not covers(actor.region_code, case.village_code):
        return []
    ctx = guard_context(uow, case, actor, {}, mine)
    return [
        TriggerOption(
            trigger=rule.trigger,
            label=rule.label_zh,
            label_en=rule.label_en,
            reason_required=rule.reason_required,
            problems=guard_registry.check(rule.guards, ctx),
        )
        for rule in mine
    ]
