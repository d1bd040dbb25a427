"""Objections (异议) during the public notice: record, re-investigate or dismiss (Art. 19)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from engine.access import ensure_role
from engine.clock import as_utc, local_date
from engine.errors import Conflict, NotFound, Problem, invalid_field, raise_invalid
from engine.guards import GuardContext
from engine.inputs import text_problem
from engine.models import Case, DemocraticReview, Objection, ObjectionStatus
from engine.ports import Actor
from engine.services.workflow_step import CaseRef, effect, locked_case, record_case_event
from engine.states import STATE_LABELS, CaseState, Role
from engine.uow import UnitOfWork

MAX_TEXT = 5000
#: who records and handles objections: the village clerk takes them, the township reviewer decides
OBJECTION_ROLES = frozenset({Role.CLERK, Role.REVIEWER})


@dataclass(frozen=True)
class ObjectionRef:
    """The objection (or the democratic review of one) and the case's new version."""

    id: int
    case: CaseRef


def _text_problems(field: str, value: object, zh: str, en: str) -> list[Problem]:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        return [
            invalid_field(field, f"{zh}不能为空且不超过{MAX_TEXT}字", f"{en}: 1-{MAX_TEXT} chars")
        ]
    return []


def _new_objection(
    uow: UnitOfWork,
    case: Case,
    actor: Actor,
    objector: str,
    content: str,
    kind: str = "objection",
) -> Objection:
    """Add an open objection (or complaint) to the session and give it its id."""
    objection = Objection(
        case_id=case.id,
        kind=kind,
        objector=objector.strip(),
        content=content.strip(),
        status=ObjectionStatus.OPEN,
        recorded_by_id=actor.user_id,
        raised_at=uow.clock.now(),
    )
    uow.session.add(objection)
    uow.session.flush()
    return objection


#: where objections are taken: the application's notice, and a tekun termination notice
NOTICE_STATES = frozenset({CaseState.IN_PUBLIC_NOTICE, CaseState.TERMINATION_NOTICE})


def _ensure_in_notice(case: Case, states: frozenset[CaseState] = NOTICE_STATES) -> None:
    if case.state not in states:
        label = STATE_LABELS[CaseState(case.state)][0]
        raise Conflict(
            f"案件当前状态为“{label}”，只有公示期间才能登记异议",
            f"objections are recorded during the public notice; the case is {str(case.state)!r}",
            code="invalid_state",
        )


def record_objection(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    objector: str,
    content: str,
    expected_version: int | None = None,
) -> ObjectionRef:
    """Record an objection raised during the notice; it blocks closing until handled."""
    ensure_role(actor, OBJECTION_ROLES, "登记异议", "record objections")
    raise_invalid(
        _text_problems("objector", objector, "异议人", "objector")
        + _text_problems("content", content, "异议内容", "content")
    )
    with locked_case(uow, case_id, actor, "record_objection", expected_version) as case:
        _ensure_in_notice(case)
        objection = _new_objection(uow, case, actor, objector, content)
        record_case_event(
            uow,
            case,
            actor,
            "record_objection",
            {
                "objection_id": objection.id,
                "objector": objection.objector,
                "content": objection.content,
            },
        )
        uow.commit()
        return ObjectionRef(objection.id, CaseRef(case.id, str(case.state), case.version))


def dismiss_objection(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    objection_id: int,
    resolution: str,
    expected_version: int | None = None,
) -> ObjectionRef:
    """Close an objection found unfounded (e.g. after democratic review), with the reasons."""
    ensure_role(actor, frozenset({Role.REVIEWER}), "处理异议", "dismiss objections")
    raise_invalid(_text_problems("resolution", resolution, "处理意见", "resolution"))
    with locked_case(uow, case_id, actor, "dismiss_objection", expected_version) as case:
        objection = uow.session.get(Objection, objection_id)
        if objection is None or objection.case_id != case.id:
            raise NotFound(
                f"异议{objection_id}不存在", f"objection {objection_id} not found on this case"
            )
        if objection.status != ObjectionStatus.OPEN:
            raise Conflict(
                "该异议已处理", "the objection has already been handled", code="objection_closed"
            )
        if case.state == CaseState.TERMINATION_NOTICE:
            raise Conflict(
                "对终止公示的异议须由县级组织调查核实后，重新公示终止或不予终止"
                "（《特困人员认定办法》第二十六条），不能直接驳回",
                "an objection to a termination notice is investigated by the county, then the "
                "termination is noticed again or the support kept (TK Art. 26): it is not "
                "dismissed",
                code="termination_objection_needs_investigation",
            )
        objection.status = ObjectionStatus.DISMISSED
        objection.resolution = resolution.strip()
        objection.resolved_at = uow.clock.now()
        objection.resolved_by_id = actor.user_id
        record_case_event(
            uow,
            case,
            actor,
            "dismiss_objection",
            {"objection_id": objection.id},
            reason=objection.resolution,
        )
        uow.commit()
        return ObjectionRef(objection.id, CaseRef(case.id, str(case.state), case.version))


#: who records a complaint received while the county confirms: the township passes it on,
#: the county takes it directly
COMPLAINT_ROLES = frozenset({Role.CLERK, Role.REVIEWER, Role.APPROVER})


def record_complaint(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    complainant: str,
    content: str,
    expected_version: int | None = None,
) -> ObjectionRef:
    """Record a complaint or report (投诉举报) received while the county confirms the case;
    the county must then make its own home visit before approving (Art. 20)."""
    ensure_role(actor, COMPLAINT_ROLES, "登记投诉举报", "record complaints")
    raise_invalid(
        _text_problems("complainant", complainant, "投诉举报人", "complainant")
        + _text_problems("content", content, "投诉举报内容", "content")
    )
    with locked_case(uow, case_id, actor, "record_complaint", expected_version) as case:
        if case.state != CaseState.PENDING_CONFIRMATION:
            label = STATE_LABELS[CaseState(case.state)][0]
            raise Conflict(
                f"案件当前状态为“{label}”：投诉举报在县级审核确认期间登记（第二十条），"
                "公示期间的意见请登记为异议",
                "complaints are recorded while the county confirms the case (Art. 20); during "
                f"the notice record an objection. The case is {str(case.state)!r}",
                code="invalid_state",
            )
        complaint = _new_objection(uow, case, actor, complainant, content, kind="complaint")
        record_case_event(
            uow,
            case,
            actor,
            "record_complaint",
            {
                "complaint_id": complaint.id,
                "complainant": complaint.objector,
                "content": complaint.content,
            },
        )
        uow.commit()
        return ObjectionRef(complaint.id, CaseRef(case.id, str(case.state), case.version))


#: how a democratic review ended: the objection upheld, or found unfounded
REVIEW_OUTCOMES = {
    "founded": ("异议成立", "objection upheld"),
    "unfounded": ("异议不成立", "objection unfounded"),
}
#: a review is held by several people; a list longer than a village meeting is a mistake
MIN_PARTICIPANTS, MAX_PARTICIPANTS, MAX_NAME = 3, 200, 50


@dataclass(frozen=True)
class DemocraticReviewInput:
    """A democratic review (民主评议) held on the notice's objections (Art. 19 ¶2)."""

    held_on: dt.date
    participants: Sequence[str]
    outcome: str
    minutes: str


def _review_problems(review: DemocraticReviewInput) -> list[Problem]:
    problems = _text_problems("minutes", review.minutes, "评议记录", "minutes")
    if review.outcome not in REVIEW_OUTCOMES:
        problems.append(
            invalid_field(
                "outcome",
                "评议结论须为 founded（异议成立）或 unfounded（异议不成立）",
                "outcome must be 'founded' or 'unfounded'",
            )
        )
    names = list(review.participants)
    if not MIN_PARTICIPANTS <= len(names) <= MAX_PARTICIPANTS:
        problems.append(
            invalid_field(
                "participants",
                f"参加评议人员须为{MIN_PARTICIPANTS}至{MAX_PARTICIPANTS}人",
                f"a democratic review has {MIN_PARTICIPANTS}-{MAX_PARTICIPANTS} participants",
            )
        )
    for i, name in enumerate(names):
        field = f"participants.{i}"
        hidden = text_problem(name, field) if isinstance(name, str) else None
        if hidden is not None:
            problems.append(hidden)
        elif not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
            problems.append(
                invalid_field(field, f"姓名须为1至{MAX_NAME}字", f"a name of 1-{MAX_NAME} chars")
            )
    return problems


def record_democratic_review(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    review: DemocraticReviewInput,
    expected_version: int | None = None,
) -> ObjectionRef:
    """Record a democratic review of the notice's objections: its date, who took part and its
    outcome. A new initial opinion (``revise_opinion``) may follow it (Art. 19 ¶2)."""
    ensure_role(actor, frozenset({Role.REVIEWER}), "记录民主评议", "record democratic reviews")
    raise_invalid(_review_problems(review))
    with locked_case(uow, case_id, actor, "democratic_review", expected_version) as case:
        _ensure_in_notice(case, frozenset({CaseState.IN_PUBLIC_NOTICE}))
        notice = case.notice_started_at
        raised = uow.session.scalars(
            select(Objection.raised_at).where(Objection.case_id == case.id)
        ).all()
        this_notice = [r for r in raised if notice is not None and as_utc(r) >= as_utc(notice)]
        if not this_notice:
            raise Conflict(
                "本次公示没有异议，无须民主评议",
                "no objection was raised during this notice",
                code="no_objection",
            )
        first = local_date(min(this_notice, key=as_utc), uow.clock.tz)
        today = local_date(uow.clock.now(), uow.clock.tz)
        if not first <= review.held_on <= today:
            raise_invalid(
                [
                    invalid_field(
                        "held_on",
                        f"评议日期须在异议提出（{first.isoformat()}）之后、今天或之前",
                        f"held_on must lie between the objection ({first.isoformat()}) and today",
                    )
                ]
            )
        row = DemocraticReview(
            case_id=case.id,
            held_on=review.held_on,
            participants="\n".join(name.strip() for name in review.participants),
            outcome=review.outcome,
            minutes=review.minutes.strip(),
            recorded_by_id=actor.user_id,
            recorded_at=uow.clock.now(),
        )
        uow.session.add(row)
        uow.session.flush()
        record_case_event(
            uow,
            case,
            actor,
            "democratic_review",
            {
                "review_id": row.id,
                "held_on": row.held_on,
                "participants": row.participants.split("\n"),
                "outcome": row.outcome,
                "minutes": row.minutes,
            },
        )
        uow.commit()
        return ObjectionRef(row.id, CaseRef(case.id, str(case.state), case.version))


@effect("raise_objection")
def _reinvestigate(
    uow: UnitOfWork, case: Case, ctx: GuardContext, reason: str
) -> Mapping[str, Any]:
    """Send every open objection (and the one raised now, if new) back to investigation."""
    actor, data = ctx.actor, ctx.data
    raised: list[int] = []
    if "objector" in data or "content" in data:
        raise_invalid(
            _text_problems("data.objector", data.get("objector"), "异议人", "objector")
            + _text_problems("data.content", data.get("content"), "异议内容", "content")
        )
        objector, content = str(data["objector"]), str(data["content"])
        raised.append(_new_objection(uow, case, actor, objector, content).id)
    open_ones = list(
        uow.session.scalars(
            select(Objection).where(
                Objection.case_id == case.id, Objection.status == ObjectionStatus.OPEN
            )
        )
    )
    if not open_ones:
        # raised by the reviewer on the notice's own findings: the reason is the objection
        open_ones = [_new_objection(uow, case, actor, actor.username, reason)]
        raised.append(open_ones[0].id)
    now = uow.clock.now()
    for objection in open_ones:
        objection.status = ObjectionStatus.REINVESTIGATED
        objection.resolved_at = now
        objection.resolved_by_id = actor.user_id
        objection.resolution = reason.strip()
    return {"objections_reinvestigated": sorted(o.id for o in open_ones), "objections_new": raised}


def _settle_open(uow: UnitOfWork, case: Case, ctx: GuardContext, reason: str) -> list[int]:
    """Close the case's open objections as investigated, with the decision's reasons."""
    open_ones = list(
        uow.session.scalars(
            select(Objection).where(
                Objection.case_id == case.id, Objection.status == ObjectionStatus.OPEN
            )
        )
    )
    for objection in open_ones:
        objection.status = ObjectionStatus.REINVESTIGATED
        objection.resolved_at = ctx.now
        objection.resolved_by_id = ctx.actor.user_id
        objection.resolution = reason.strip()
    return sorted(o.id for o in open_ones)


@effect("renotice_termination")
def _renotice_termination(
    uow: UnitOfWork, case: Case, ctx: GuardContext, reason: str
) -> Mapping[str, Any]:
    """The county investigated the objections and still intends to end the support: they are
    settled and the termination is noticed again (TK Art. 26)."""
    return {"objections_investigated": _settle_open(uow, case, ctx, reason)}


@effect("keep_support")
def _keep_support(uow: UnitOfWork, case: Case, ctx: GuardContext, reason: str) -> Mapping[str, Any]:
    """The person still qualifies: the support continues, the objections are settled, and the
    reasons are told in writing (TK Art. 26)."""
    return {"objections_investigated": _settle_open(uow, case, ctx, reason)}
