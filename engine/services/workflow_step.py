"""The one place a case's state changes: check, fire, stamp, record, inside a unit of work.

``advance`` (and the application service, for ``submit``) call ``fire_on`` with
the case locked; it writes the state, the stamps, the version and one audit
entry to the session. The caller commits all of it at once, or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, selectinload

from engine import workflow
from engine.access import ensure_in_region, ensure_role_may_fire
from engine.case_rows import locked_case_row, reads_directly
from engine.clock import as_utc, local_date
from engine.db import among
from engine.errors import Conflict, NotFound, Problem, Recused, raise_invalid
from engine.guards import (
    FACT_GROUPS,
    GUARD_RULES,
    CaseFacts,
    GuardContext,
    InvestigationFact,
    fact_groups,
)
from engine.inputs import text_problem
from engine.means import load_means
from engine.models import (
    Case,
    CaseClaim,
    Category,
    DemocraticReview,
    InspectionFinding,
    Investigation,
    KinshipFiling,
    KinshipFlag,
    Objection,
    ObjectionStatus,
)
from engine.ports import Actor, AuditLog, CaseEvent
from engine.services.case_deadlines import refresh_due_on
from engine.services.decision_record import DECISION_TRIGGERS, decision_records
from engine.states import FINAL_STATES, CaseState, TransitionRule
from engine.uow import UnitOfWork, db_conflicts
from engine.work_refusals import consecutive_refusals, unassessed

#: longest reason text kept in the audit trail
MAX_REASON_CHARS = 2000


@dataclass(frozen=True)
class CaseRef:
    """What a service returns about the case it changed."""

    id: int
    state: str
    version: int


#: (unit of work, locked case after the state change, the guards' context, reason) -> payload
Effect = Callable[[UnitOfWork, Case, GuardContext, str], Mapping[str, Any]]

#: trigger -> extra work done in the same transaction; returns audit payload additions
EFFECTS: dict[str, Effect] = {}


def effect(trigger: str) -> Callable[[Effect], Effect]:
    """Register what else happens when ``trigger`` fires (beyond state and stamps)."""

    def register(fn: Effect) -> Effect:
        if trigger in EFFECTS:
            raise ValueError(f"effect for {trigger!r} registered twice")
        EFFECTS[trigger] = fn
        return fn

    return register


#: built once: a statement object keeps its compiled form's cache key, which SQLAlchemy
#: would otherwise work out again for every transition
_LOCK_CASE = (
    select(Case)
    .where(Case.id == bindparam("case_id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)


def lock_case(session: Session, case_id: int) -> Case:
    """Load a case with a row lock (FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE on SQLite)."""
    if reads_directly(session, case_id):
        case = locked_case_row(session, case_id)
    else:
        case = session.execute(_LOCK_CASE, {"case_id": case_id}).scalar_one_or_none()
    if case is None:
        raise NotFound(
            f"案件{case_id}不存在", f"case {case_id} does not exist", code="case_not_found"
        )
    return case


def lock_cases(session: Session, case_ids: Sequence[int]) -> Sequence[Case]:
    """Load the existing ones of these cases with row locks, in id order (for bulk runs)."""
    return session.scalars(
        select(Case)
        .where(Case.id.in_(case_ids))
        .order_by(Case.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()


def check_version(case: Case, expected_version: int | None) -> None:
    """Refuse a change made against a stale copy of the case."""
    if expected_version is not None and expected_version != case.version:
        raise Conflict(
            f"案件已被他人修改（当前版本{case.version}，您提交的版本{expected_version}），请刷新后重试",
            f"version conflict: case is at version {case.version}, you sent {expected_version}",
            code="version_conflict",
            details={"current_version": case.version, "expected_version": expected_version},
        )


def case_investigations(session: Session, case_id: int) -> Sequence[Investigation]:
    """Return the case's investigations, oldest first, with their investigators."""
    return session.scalars(
        select(Investigation)
        .where(Investigation.case_id == case_id)
        .options(selectinload(Investigation.investigators))
        .order_by(Investigation.id)
    ).all()


def load_facts(
    session: Session,
    audit: AuditLog,
    case: Case,
    on: dt.date | None = None,
    work_offers: bool = False,
    self_care: bool = False,
    findings: bool = False,
    groups: frozenset[str] = frozenset(FACT_GROUPS),
) -> CaseFacts:
    """Load what the guards need to decide about ``case``: the facts on the case itself, the
    ``groups`` of facts kept in tables of their own (``FACT_GROUPS``: each a query or two),
    its means given a date, its members' refusals of work when ``work_offers``."""
    investigations = case_investigations(session, case.id) if "investigations" in groups else []
    rows = (
        session.execute(
            select(Objection.id, Objection.status, Objection.raised_at, Objection.kind)
            .where(Objection.case_id == case.id)
            .order_by(Objection.id)
        ).all()
        if "objections" in groups
        else []
    )
    objections = [(i, status, raised) for i, status, raised, kind in rows if kind != "complaint"]
    complaints = [raised for _, _, raised, kind in rows if kind == "complaint"]
    notice = case.notice_started_at
    this_notice = [
        raised
        for _, _, raised in objections
        if notice is not None and as_utc(raised) >= as_utc(notice)
    ]
    # objections to a tekun termination notice (TK Art. 26) count from its (latest) start
    termination = case.termination_noticed_at
    against_termination = [
        raised
        for _, _, raised in objections
        if termination is not None and as_utc(raised) >= as_utc(termination)
    ]
    flag_count, flagged_at, filed_at = 0, None, None
    if "kinship" in groups:
        flag_count, flagged_at = session.execute(
            select(func.count(), func.max(KinshipFlag.raised_at)).where(
                KinshipFlag.case_id == case.id, KinshipFlag.vanished_at.is_(None)
            )
        ).one()
        # a filing covers the flags raised before it: a later flag needs its own filing
        filed_at = session.scalar(
            select(func.max(KinshipFiling.filed_at)).where(KinshipFiling.case_id == case.id)
        )
    return CaseFacts(
        case_id=case.id,
        state=str(case.state),
        category=str(case.category),
        investigating_since=case.investigating_since,
        reinvestigating_since=case.reinvestigating_since,
        proposed_at=case.proposed_at,
        opinion_revised_at=case.opinion_revised_at,
        decided_at=case.decided_at,
        recheck_started_at=case.recheck_started_at,
        notice_started_at=case.notice_started_at,
        investigations=tuple(
            InvestigationFact(
                id=inv.id,
                level=str(inv.level),
                date=inv.date,
                investigator_ids=frozenset(u.id for u in inv.investigators),
                recorded_at=inv.recorded_at,
                method=str(inv.method),
            )
            for inv in investigations
        ),
        open_objection_ids=tuple(
            i for i, status, _ in objections if status == ObjectionStatus.OPEN
        ),
        objection_raised_at=max(this_notice, key=as_utc) if this_notice else None,
        complaint_at=max(complaints, key=as_utc) if complaints else None,
        # only an objection of this notice makes a review matter: no query otherwise
        democratic_review_at=session.scalar(
            select(func.max(DemocraticReview.recorded_at)).where(
                DemocraticReview.case_id == case.id
            )
        )
        if this_notice
        else None,
        proposer_ids=audit.participants(session, case.id, ("propose",))
        if "proposers" in groups
        else frozenset(),
        had_objection=bool(objections),
        sampled_for_county_check=case.sampled_for_county_check,
        extension_ground=case.extension_ground,
        last_change_kind=case.last_change_kind,
        kinship_flags=flag_count,
        kinship_flagged_at=flagged_at,
        kinship_filed=filed_at is not None
        and (flagged_at is None or as_utc(filed_at) >= as_utc(flagged_at)),
        rechecked_at=case.rechecked_at,
        work_refusals=consecutive_refusals(session, case.id) if work_offers else {},
        self_care_unassessed=unassessed(session, case)
        if self_care and case.category == Category.TEKUN
        else 0,
        means=load_means(session, case, on) if on is not None else None,
        termination_noticed_at=termination,
        finding_visit_required_at=session.scalar(
            select(func.max(InspectionFinding.recorded_at)).where(
                InspectionFinding.case_id == case.id, InspectionFinding.requires_visit.is_(True)
            )
        )
        if findings
        else None,
        termination_objection_at=max(against_termination, key=as_utc)
        if against_termination
        else None,
        loaded=groups,
    )


def reason_problems(rule: TransitionRule, reason: str) -> list[Problem]:
    """Check the written reason a trigger needs (and that it hides nothing)."""
    hidden = text_problem(reason, "reason")
    if hidden is not None:
        return [hidden]
    if rule.reason_required and not reason.strip():
        return [
            Problem(
                code="reason_required",
                message=f"“{rule.label_zh}”必须填写书面理由",
                message_en=f"{rule.trigger!r} needs a written reason",
                field="reason",
            )
        ]
    if len(reason) > MAX_REASON_CHARS:
        return [
            Problem(
                code="reason_too_long",
                message=f"理由不得超过{MAX_REASON_CHARS}字",
                message_en=f"reason is longer than {MAX_REASON_CHARS} characters",
                field="reason",
            )
        ]
    return []


#: guards that read the household's means and the policy in force
MEANS_GUARDS = frozenset(
    {
        "benefit_computable",
        "benefit_eligible",
        "property_within_limits",
        "phase_out_grounds",
        "tekun_minor_supported",
    }
)
#: effects that read them (amounts, recheck intervals, sampling ratios)
MEANS_EFFECTS = frozenset({"confirm_unchanged", "close_notice", "refer_to_county"})


def needs_means(rules: Sequence[TransitionRule]) -> bool:
    """Whether any of the rules reads the household's means (loading them costs queries)."""
    return any(set(r.guards) & MEANS_GUARDS or r.trigger in MEANS_EFFECTS for r in rules)


def guard_context(
    uow: UnitOfWork,
    case: Case,
    actor: Actor,
    data: Mapping[str, Any],
    rules: Sequence[TransitionRule] = (),
    facts: Iterable[str] = (),
) -> GuardContext:
    """Build the guards' inputs for ``case`` as of now: the groups of facts the guards of
    ``rules`` read, and ``facts`` besides (with its means if ``rules`` need them)."""
    on = local_date(uow.clock.now(), uow.clock.tz) if needs_means(rules) else None
    offers = any("work_refusals_reach_limit" in r.guards for r in rules)
    care = any("self_care_assessed" in r.guards for r in rules)
    findings = any("inspection_visit_done" in r.guards for r in rules)
    return GuardContext(
        facts=load_facts(
            uow.session,
            uow.audit,
            case,
            on,
            work_offers=offers,
            self_care=care,
            findings=findings,
            groups=fact_groups(g for r in rules for g in r.guards) | frozenset(facts),
        ),
        actor=actor,
        now=uow.clock.now(),
        tz=uow.clock.tz,
        rules=uow.rules,
        data=data,
    )


def fire_on(
    uow: UnitOfWork,
    case: Case,
    rule: TransitionRule,
    actor: Actor,
    reason: str,
    data: Mapping[str, Any],
) -> None:
    """Fire ``rule`` on the locked ``case`` and record it; the caller commits."""
    ensure_role_may_fire(actor, rule)
    ensure_in_region(actor, case.village_code)
    ensure_not_recused(uow, case, actor, rule.trigger)
    if CaseState(case.state) not in rule.sources:
        raise workflow.state_conflict(case.state, rule.trigger)
    raise_invalid(reason_problems(rule, reason))
    ctx = guard_context(uow, case, actor, data, [rule])
    from_state = str(case.state)
    to_state = workflow.fire(from_state, rule.trigger, ctx)  # the same state when internal

    now = ctx.now
    case.state = CaseState(to_state)
    for column in rule.stamps:
        setattr(case, column, now)
    case.updated_at = now
    case.version += 1
    extra = EFFECTS[rule.trigger](uow, case, ctx, reason) if rule.trigger in EFFECTS else {}
    if rule.trigger in DECISION_TRIGGERS:
        (record,) = decision_records(uow, [case.village_code], ctx.today)
        extra = {**extra, **record}
    settle(uow, rule, [case.id])
    refresh_due_on(uow, case)

    rule_names = sorted({r for g in rule.guards for r in GUARD_RULES.get(g, ())})
    payload: dict[str, Any] = {
        "data": dict(data),
        "guards": list(rule.guards),
        "facts": ctx.facts.as_payload(),
        "rules": {
            name: {
                "value": uow.rules.rule(name, ctx.today).value,
                "effective_from": uow.rules.rule(name, ctx.today).effective_from,
            }
            for name in rule_names
        },
        "version": case.version,
        **extra,
    }
    uow.audit.append(
        uow.session,
        case,
        CaseEvent(
            trigger=rule.trigger,
            from_state=from_state,
            to_state=to_state,
            actor=actor,
            at=now,
            reason=reason,
            payload=payload,
        ),
    )


def ensure_not_recused(uow: UnitOfWork, case: Case, actor: Actor, action: str) -> None:
    """Refuse an actor related to the household, or living in it (回避)."""
    problem = uow.kinship.recusal(
        uow.session, case, actor.person_id, local_date(uow.clock.now(), uow.clock.tz)
    )
    if problem is not None:
        raise Recused(
            problem.message,
            problem.message_en,
            problems=[problem],
            details={"action": action, "case_id": case.id},
        )


@contextmanager
def refusals_recorded(uow: UnitOfWork, case_id: int, actor: Actor) -> Iterator[None]:
    """Record a recusal refusal in the case's trail, in a transaction of its own."""
    try:
        yield
    except Recused as err:
        with uow.again() as second:
            case = lock_case(second.session, case_id)
            record_case_event(
                second,
                case,
                actor,
                "recusal_refused",
                {
                    "attempted": (err.details or {}).get("action"),
                    "problem": [p.as_dict() for p in err.problems],
                },
                reason=err.message,
                bump_version=False,
            )
            second.commit()
        raise


@contextmanager
def locked_case(
    uow: UnitOfWork,
    case_id: int,
    actor: Actor,
    action: str,
    expected_version: int | None = None,
) -> Iterator[Case]:
    """Open the unit of work on the locked case, if the actor may act on it.

    Checks region, version and recusal; a recusal refusal is recorded in the
    case's trail after the work is rolled back.
    """
    with refusals_recorded(uow, case_id, actor), uow, db_conflicts():
        case = lock_case(uow.session, case_id)
        ensure_in_region(actor, case.village_code)
        check_version(case, expected_version)
        ensure_not_recused(uow, case, actor, action)
        yield case


def settled_values(rule: TransitionRule) -> dict[str, Any]:
    """The case columns ``settle`` sets when ``rule`` fires: a case that ends has no next
    recheck."""
    return {"next_recheck_on": None} if rule.dest in FINAL_STATES else {}


def settle(uow: UnitOfWork, rule: TransitionRule, case_ids: Sequence[int]) -> None:
    """What firing ``rule`` does to these cases beyond their state, stamps and audit entry,
    the same whether one case is advanced or a whole batch (the bulk runs call it too):
    a case that ends frees its members for a new application, and has no next recheck."""
    values = settled_values(rule)
    if not values or not case_ids:
        return
    uow.session.execute(
        update(CaseClaim)
        .where(among(uow.session, CaseClaim.case_id, case_ids), CaseClaim.released_at.is_(None))
        .values(released_at=uow.clock.now())
    )
    uow.session.execute(
        update(Case)
        .where(among(uow.session, Case.id, case_ids))
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )


def record_case_event(
    uow: UnitOfWork,
    case: Case,
    actor: Actor,
    trigger: str,
    payload: Mapping[str, Any],
    reason: str = "",
    bump_version: bool = True,
) -> None:
    """Record a non-transition event (an investigation, an objection) in the case's chain.

    ``bump_version=False`` is for events that change nothing of the case itself
    (a refused attempt): its version, which clients hold, stays as it was.
    """
    now = uow.clock.now()
    if bump_version:
        case.updated_at = now
        case.version += 1
        refresh_due_on(uow, case)
    uow.audit.append(
        uow.session,
        case,
        CaseEvent(
            trigger=trigger,
            from_state=str(case.state),
            to_state=str(case.state),
            actor=actor,
            at=now,
            reason=reason,
            payload={**payload, "version": case.version},
        ),
    )
