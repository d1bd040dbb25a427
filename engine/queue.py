"""The work queue: the cases waiting on a role in a region, soonest deadline first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from engine import guards as guard_registry
from engine.clock import as_utc
from engine.deadlines import DueStatus, NextDeadline, due_window, next_due
from engine.errors import InvalidData, Problem, invalid_field
from engine.guards import CaseFacts, GuardContext, InvestigationFact
from engine.keyset import Sort, beyond, edge_of, order, parse_cursor
from engine.models import (
    BenefitDecision,
    BenefitKind,
    Case,
    InspectionFinding,
    Investigation,
    InvestigationLevel,
    InvestigationMethod,
    KinshipFiling,
    KinshipFlag,
    Objection,
    ObjectionStatus,
    fen_to_yuan,
)
from engine.ports import Actor
from engine.queries import MAX_PER_PAGE, CaseSummary, member_counts, summary_of
from engine.states import CaseState, Role, rules_from
from engine.uow import UnitOfWork

S = CaseState

#: states in which a case waits on the role's next step of the procedure
WORK_STATES: dict[Role, tuple[CaseState, ...]] = {
    # accept or return, resubmit, start and record the household investigation
    Role.CLERK: (S.DRAFT, S.SUBMITTED, S.AWAITING_MATERIALS, S.ACCEPTED, S.INVESTIGATING),
    # propose, publish and close the notice, conclude a recheck
    Role.REVIEWER: (S.INVESTIGATING, S.INITIAL_REVIEWED, S.IN_PUBLIC_NOTICE, S.UNDER_RECHECK),
    # confirm, and decide what a recheck found
    Role.APPROVER: (S.PENDING_CONFIRMATION, S.UNDER_RECHECK, S.TERMINATION_NOTICE),
    # the drafts registered on households' behalf (代办), and the materials they help gather
    Role.COORDINATOR: (S.DRAFT, S.AWAITING_MATERIALS),
}
#: enrolled states that wait on the role only once their date has come
DUE_STATES: dict[Role, tuple[CaseState, ...]] = {
    Role.REVIEWER: (S.ACTIVE,),  # the periodic recheck is due
    Role.APPROVER: (S.PHASING_OUT,),  # the phase-out has run its months
}
SORTS: tuple[Sort, ...] = ("due", "newest", "oldest")


@dataclass(frozen=True)
class QueueItem:
    """A case in the queue with its earliest deadline (worded as the case page words it)."""

    case: CaseSummary
    next: NextDeadline | None

    @property
    def due_on(self) -> dt.date | None:
        """When the earliest deadline falls due."""
        return self.next.due_on if self.next else None

    @property
    def days_left(self) -> int | None:
        """Calendar days to the earliest deadline (negative once it has passed)."""
        return self.next.days_left if self.next else None

    @property
    def overdue(self) -> bool:
        """Whether the earliest deadline has passed."""
        return self.next is not None and self.next.overdue


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
    #: cursors of the first and last rows, for the links to the pages before and after
    first: str | None = None
    last: str | None = None


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
    overdue = func.sum(case((due_in(DueStatus.OVERDUE, today), 1), else_=0))
    groups = [
        QueueGroup(str(s), n, int(late or 0))
        for s, n, late in session.execute(
            select(Case.state, func.count(), overdue).where(*where).group_by(Case.state)
        )
    ]
    groups.sort(key=lambda g: list(CaseState).index(CaseState(g.state)))
    return groups


def due_in(status: DueStatus, today: dt.date) -> ColumnElement[bool]:
    """SQL condition: the case's earliest deadline is in ``status`` today (as the pages say)."""
    first, last = due_window(status, today)
    conditions: list[ColumnElement[bool]] = [Case.due_on.is_not(None)]
    if first is not None:
        conditions.append(Case.due_on >= first)
    if last is not None:
        conditions.append(Case.due_on <= last)
    return and_(*conditions)


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
    after: str | None = None,
    before: str | None = None,
) -> QueuePage:
    """Return one page of the cases waiting on the actor, with counts per state.

    ``after`` (or ``before``) is the cursor of the row the page follows (or precedes), as the
    previous page gave it: the page is found by its key at any depth. Without one, ``page``
    is counted from the start (what a typed page number asks for).
    """
    problems = []
    if not has_queue(actor.role):
        problems.append(invalid_field("role", "该角色没有待办", f"no queue for {actor.role}"))
    if state is not None and state not in [s.value for s in CaseState]:
        problems.append(invalid_field("state", f"未知状态：{state}", f"unknown state {state!r}"))
    if sort not in SORTS:
        problems.append(invalid_field("sort", f"未知排序：{sort}", f"unknown sort {sort!r}"))
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        problems.append(invalid_field("page", "分页参数有误", "page or per_page out of range"))
    if after is not None and before is not None:
        problems.append(invalid_field("after", "分页参数有误", "give after or before, not both"))
    if problems:
        raise InvalidData("查询参数有误", "invalid query parameters", problems=problems)
    by = cast(Sort, sort)
    edge = (
        parse_cursor(after, by, "after")
        if after is not None
        else parse_cursor(before, by, "before")
        if before is not None
        else None
    )
    where = [_waiting(actor, today)]
    if village_code:
        where.append(Case.village_code.startswith(village_code, autoescape=True))
    groups = queue_groups(session, where, today)
    if state is not None:
        where.append(Case.state == CaseState(state))
    total = sum(g.count for g in groups if state is None or g.state == state)
    stmt = select(Case).where(*where).limit(per_page)
    if edge is None:
        cases = list(session.scalars(stmt.order_by(*order(by)).offset((page - 1) * per_page)))
    elif after is not None:
        cases = list(session.scalars(stmt.where(beyond(by, edge, "after")).order_by(*order(by))))
    else:
        # the rows just before the edge: read backwards, shown forwards
        backwards = stmt.where(beyond(by, edge, "before")).order_by(*order(by, reverse=True))
        cases = list(reversed(session.scalars(backwards).all()))
    members = member_counts(session, [c.household_id for c in cases])
    items = [
        QueueItem(
            summary_of(c, members[c.household_id], actor), next_due(c.due_kind, c.due_on, today)
        )
        for c in cases
    ]
    return QueuePage(
        items,
        groups,
        total,
        page,
        per_page,
        first=edge_of(cases[0]).cursor(by) if cases else None,
        last=edge_of(cases[-1]).cursor(by) if cases else None,
    )


#: the guards that hold a decision until the county has visited the household itself; each
#: reads only the facts ``decision_facts`` loads
VISIT_GUARDS = ("county_check_done", "inspection_visit_done", "kinship_reviewed_while_enrolled")


@dataclass(frozen=True)
class DecisionFacts:
    """What deciding on a queued case needs at a glance: amount, flags, objections, visits."""

    #: the amount in force, else the township's proposal (as the case page shows it)
    monthly_yuan: Decimal | None
    #: "proposed" or "decided"
    amount_kind: str | None
    #: active kinship flags, and whether a filing (备案) made after them covers them all
    kinship_flags: int
    kinship_filed: bool
    #: objections of the notice not yet re-investigated or dismissed
    open_objections: int
    #: complaints received while the county confirms (Art. 20)
    complaints: int
    #: drawn for the county's own check when the file reached the county (TK Art. 16)
    sampled: bool
    #: an inspector's finding requires the county's own visit before the next decision
    finding_requires_visit: bool
    #: the latest county home visit, if any
    county_visited_on: dt.date | None
    #: why the next decision must wait for a county home visit (the guards' own words)
    visit_problems: tuple[Problem, ...]

    @property
    def visit_missing(self) -> bool:
        """Whether a county home visit is needed and not yet made."""
        return bool(self.visit_problems)

    @property
    def clean(self) -> bool:
        """Whether nothing calls for opening the case before deciding: no kinship flag, no open
        objection or complaint, no county visit outstanding (its guards still decide)."""
        return not (
            self.kinship_flags or self.open_objections or self.complaints or self.visit_missing
        )


def decision_facts(
    uow: UnitOfWork, actor: Actor, case_ids: Sequence[int]
) -> dict[int, DecisionFacts]:
    """Load the decision facts of these cases (those in the actor's region) in a fixed number
    of queries, however many cases there are."""
    session = uow.session
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        return {}
    cases = session.execute(
        select(
            Case.id,
            Case.state,
            Case.category,
            Case.sampled_for_county_check,
            Case.decided_at,
            Case.rechecked_at,
        ).where(Case.id.in_(ids), Case.village_code.startswith(actor.region_code, autoescape=True))
    ).all()
    ids = [row.id for row in cases]
    amounts = _amounts(session, ids)
    flags = {
        case_id: (int(n), latest)
        for case_id, n, latest in session.execute(
            select(KinshipFlag.case_id, func.count(), func.max(KinshipFlag.raised_at))
            .where(KinshipFlag.case_id.in_(ids), KinshipFlag.vanished_at.is_(None))
            .group_by(KinshipFlag.case_id)
        )
    }
    filed: dict[int, dt.datetime] = dict(
        session.execute(
            select(KinshipFiling.case_id, func.max(KinshipFiling.filed_at))
            .where(KinshipFiling.case_id.in_(ids))
            .group_by(KinshipFiling.case_id)
        ).all()
    )
    objections: dict[int, list[tuple[str, ObjectionStatus, dt.datetime]]] = {}
    for case_id, kind, status, raised in session.execute(
        select(Objection.case_id, Objection.kind, Objection.status, Objection.raised_at).where(
            Objection.case_id.in_(ids)
        )
    ):
        objections.setdefault(case_id, []).append((kind, status, raised))
    visits: dict[int, list[InvestigationFact]] = {}
    for inv in session.execute(
        select(
            Investigation.case_id,
            Investigation.id,
            Investigation.date,
            Investigation.recorded_at,
        ).where(
            Investigation.case_id.in_(ids),
            Investigation.level == InvestigationLevel.COUNTY,
            Investigation.method == InvestigationMethod.HOME_VISIT,
        )
    ):
        visits.setdefault(inv.case_id, []).append(
            InvestigationFact(
                id=inv.id,
                level=str(InvestigationLevel.COUNTY),
                date=inv.date,
                investigator_ids=frozenset(),
                recorded_at=inv.recorded_at,
                method=str(InvestigationMethod.HOME_VISIT),
            )
        )
    findings: dict[int, dt.datetime] = dict(
        session.execute(
            select(InspectionFinding.case_id, func.max(InspectionFinding.recorded_at))
            .where(InspectionFinding.case_id.in_(ids), InspectionFinding.requires_visit.is_(True))
            .group_by(InspectionFinding.case_id)
        ).all()
    )
    now = uow.clock.now()
    out = {}
    for row in cases:
        count, flagged_at = flags.get(row.id, (0, None))
        filed_at = filed.get(row.id)
        mine = objections.get(row.id, [])
        complaints = [raised for kind, _, raised in mine if kind == "complaint"]
        own_visits = tuple(sorted(visits.get(row.id, []), key=lambda v: v.id))
        facts = CaseFacts(
            case_id=row.id,
            state=str(row.state),
            category=str(row.category),
            decided_at=row.decided_at,
            rechecked_at=row.rechecked_at,
            investigations=own_visits,
            had_objection=any(kind != "complaint" for kind, _, _ in mine),
            complaint_at=max(complaints, key=as_utc) if complaints else None,
            sampled_for_county_check=row.sampled_for_county_check,
            kinship_flags=count,
            kinship_flagged_at=flagged_at,
            kinship_filed=filed_at is not None
            and (flagged_at is None or as_utc(filed_at) >= as_utc(flagged_at)),
            finding_visit_required_at=findings.get(row.id),
        )
        ctx = GuardContext(facts=facts, actor=actor, now=now, tz=uow.clock.tz, rules=uow.rules)
        # the visit guards of the decisions that can be taken from the case's state
        names = tuple(
            dict.fromkeys(
                g
                for rule in rules_from(CaseState(row.state))
                for g in rule.guards
                if g in VISIT_GUARDS
            )
        )
        amount = amounts.get(row.id)
        out[row.id] = DecisionFacts(
            monthly_yuan=amount[0] if amount else None,
            amount_kind=amount[1] if amount else None,
            kinship_flags=count,
            kinship_filed=facts.kinship_filed,
            open_objections=sum(
                1 for k, status, _ in mine if k != "complaint" and status == ObjectionStatus.OPEN
            ),
            complaints=len(complaints),
            sampled=bool(row.sampled_for_county_check),
            finding_requires_visit=row.id in findings,
            county_visited_on=max((v.date for v in own_visits), default=None),
            visit_problems=tuple(guard_registry.check(names, ctx)),
        )
    return out


def _amounts(session: Session, ids: list[int]) -> dict[int, tuple[Decimal, str]]:
    """Each case's amount as the case page shows it: the latest decision, else the latest
    proposal."""
    best: dict[int, tuple[int, BenefitKind, int]] = {}
    for case_id, row_id, kind, fen in session.execute(
        select(
            BenefitDecision.case_id,
            BenefitDecision.id,
            BenefitDecision.kind,
            BenefitDecision.monthly_fen,
        ).where(BenefitDecision.case_id.in_(ids))
    ):
        held = best.get(case_id)
        # a decision outranks any proposal; among equals the latest wins
        rank = (kind == BenefitKind.DECIDED, row_id)
        if held is None or rank > (held[1] == BenefitKind.DECIDED, held[0]):
            best[case_id] = (row_id, kind, fen)
    return {case_id: (fen_to_yuan(fen), str(kind)) for case_id, (_, kind, fen) in best.items()}
