"""API v1 views: each turns a request into one service call and the result into JSON."""

from __future__ import annotations

from flask import g, jsonify, request
from flask.typing import ResponseReturnValue

from admin.api import bp, spec
from admin.api.errors import ApiError, lang
from admin.api.schemas import (
    AuditEntryOut,
    AuditOut,
    CaseCreate,
    CaseList,
    CaseListQuery,
    CaseOut,
    CaseSummaryOut,
    ChainCheckOut,
    InvestigationIn,
    InvestigationOut,
    MemberOut,
    ObjectionDismissIn,
    ObjectionIn,
    ObjectionOut,
    ProblemOut,
    RegionList,
    RegionOut,
    TokenOut,
    TokenRequest,
    TransitionIn,
    TriggerOut,
    UserOut,
)
from admin.api.spec import endpoint
from admin.extensions import runtime
from audit.chain import verify_chain
from audit.recorder import case_entries, log_access, stored_entry
from engine import queries, services
from engine.ports import Actor
from engine.queries import CaseDetail, CaseSummary
from engine.services.users import actor_for_token, authenticate, issue_token, revoke_token
from engine.states import STATE_LABELS, CaseState


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_actor() -> Actor:
    """Authenticate the request's bearer token or answer 401."""
    token = _bearer_token()
    actor = actor_for_token(runtime().reader(), token) if token else None
    if actor is None:
        raise ApiError(
            401,
            "unauthorized",
            "未登录或令牌无效/已过期：请先调用 POST /api/v1/auth/token",
            "missing, invalid or expired bearer token: get one from POST /api/v1/auth/token",
        )
    return actor


def _actor() -> Actor:
    actor: Actor = g.actor
    return actor


def _route(rule: str, method: str, **kwargs: object):  # type: ignore[no-untyped-def]
    return endpoint(bp, spec, rule, method, authenticate=current_actor, **kwargs)  # type: ignore[arg-type]


def _label(state: str) -> str:
    return STATE_LABELS[CaseState(state)][0]


def _summary_out(s: CaseSummary) -> CaseSummaryOut:
    return CaseSummaryOut(**vars(s), state_label=_label(s.state))


def _case_out(d: CaseDetail, lang: str = "zh") -> CaseOut:
    case_id = d.summary.id
    return CaseOut(
        **_summary_out(d.summary).model_dump(),
        village_name=d.village_name,
        household_id=d.household_id,
        previous_case_id=d.previous_case_id,
        members=[MemberOut(**vars(m)) for m in d.members],
        allowed_triggers=d.allowed_triggers,
        triggers=[
            TriggerOut(
                trigger=t.trigger,
                label=t.label_en if lang == "en" else t.label,
                allowed=t.allowed,
                reason_required=t.reason_required,
                problems=[
                    ProblemOut(code=p.code, message=p.message_en if lang == "en" else p.message)
                    for p in t.problems
                ],
            )
            for t in d.triggers
        ],
        flags=d.flags,
        deadlines=d.deadlines,
        dates=d.dates,
        investigations=[InvestigationOut(case_id=case_id, **vars(i)) for i in d.investigations],
        objections=[ObjectionOut(case_id=case_id, **vars(o)) for o in d.objections],
        audit_entries=d.audit_entries,
    )


def _case_response(actor: Actor, case_id: int) -> CaseOut:
    """Read the case as ``actor`` sees it; log the read when it shows personal data."""
    rt = runtime()
    with rt.reader() as uow:
        detail = queries.case_detail(uow, actor, case_id)
    if detail.personal_data_shown:
        with rt.uow() as uow:
            log_access(
                uow.session,
                actor,
                action="view_case",
                channel="api",
                at=rt.clock.now(),
                case_id=case_id,
                household_id=detail.household_id,
            )
            uow.commit()
    return _case_out(detail, lang())


@bp.get("/openapi.json")
def openapi_document() -> ResponseReturnValue:
    """The OpenAPI 3.1 document of this API, generated from the request and response models."""
    return jsonify(spec.document(server_url=request.host_url.rstrip("/")))


@endpoint(
    bp,
    spec,
    "/auth/token",
    "POST",
    summary="Get a bearer token",
    tag="auth",
    body=TokenRequest,
    responses={200: TokenOut},
    auth=False,
)
def create_token(body: TokenRequest) -> tuple[TokenOut, int]:
    """Exchange a username and password for a bearer token (401 if they do not match)."""
    rt = runtime()
    actor = authenticate(rt.reader(), body.username, body.password)
    if actor is None:
        raise ApiError(401, "invalid_credentials", "用户名或密码错误", "wrong username or password")
    token = issue_token(rt.uow(), actor, rt.token_ttl)
    return (
        TokenOut(
            token=token,
            expires_at=rt.clock.now() + rt.token_ttl,
            user=UserOut(username=actor.username, role=actor.role, region_code=actor.region_code),
        ),
        200,
    )


@_route("/auth/token", "DELETE", summary="Revoke this token", tag="auth", responses={204: None})
def delete_token() -> tuple[None, int]:
    """Revoke the bearer token used for this request."""
    token = _bearer_token()
    assert token is not None
    revoke_token(runtime().uow(), token)
    return None, 204


@_route("/me", "GET", summary="Who am I", tag="auth", responses={200: UserOut})
def me() -> tuple[UserOut, int]:
    """Return the signed-in user."""
    a = _actor()
    return UserOut(username=a.username, role=a.role, region_code=a.region_code), 200


@_route("/regions", "GET", summary="List regions", tag="regions", responses={200: RegionList})
def regions() -> tuple[RegionList, int]:
    """Every county, township and village, with administrative codes and area type."""
    with runtime().reader() as uow:
        items = [
            RegionOut(
                code=r.code,
                name=r.name,
                parent_code=r.parent_code,
                level=str(r.level),
                area_type=str(r.area_type),
            )
            for r in queries.list_regions(uow.session)
        ]
    return RegionList(items=items), 200


@_route(
    "/cases",
    "POST",
    summary="Register and submit an application",
    tag="cases",
    body=CaseCreate,
    responses={201: CaseOut},
    errors=(403, 409),
)
def create_case(body: CaseCreate) -> tuple[CaseOut, int]:
    """Register a household's application (clerk). Exactly one member has relation 'self'.

    409 when a member is already in another open or active case.
    """
    actor = _actor()
    app = services.Application(
        category=body.category,
        village_code=body.village_code,
        area_type=body.area_type,
        draft=body.draft,
        members=[
            services.MemberInput(
                id_number=m.id_number,
                name=m.name,
                relation=m.relation,
                monthly_income=m.monthly_income,
                disability_grade=m.disability_grade,
                disability_type=m.disability_type,
                serious_illness=m.serious_illness,
                able_to_work=m.able_to_work,
            )
            for m in body.members
        ],
    )
    ref = services.submit_application(runtime().uow(), actor, app)
    return _case_response(actor, ref.id), 201


@_route(
    "/cases",
    "GET",
    summary="List cases",
    tag="cases",
    query=CaseListQuery,
    responses={200: CaseList},
    errors=(422,),
)
def list_cases(query: CaseListQuery) -> tuple[CaseList, int]:
    """The cases in the caller's region, newest first, one page at a time."""
    with runtime().reader() as uow:
        items, total = queries.list_cases(
            uow.session,
            _actor(),
            state=query.state,
            village_code=query.village_code,
            page=query.page,
            per_page=query.per_page,
        )
    return (
        CaseList(
            items=[_summary_out(i) for i in items],
            total=total,
            page=query.page,
            per_page=query.per_page,
        ),
        200,
    )


@_route(
    "/cases/<int:case_id>",
    "GET",
    summary="Show a case",
    tag="cases",
    responses={200: CaseOut},
    errors=(403, 404),
)
def get_case(case_id: int) -> tuple[CaseOut, int]:
    """One case with its members, the triggers the caller may fire now, flags and deadlines."""
    return _case_response(_actor(), case_id), 200


@_route(
    "/cases/<int:case_id>/transitions",
    "POST",
    summary="Fire a trigger",
    tag="cases",
    body=TransitionIn,
    responses={200: CaseOut},
    errors=(403, 404, 409),
)
def fire_transition(case_id: int, body: TransitionIn) -> tuple[CaseOut, int]:
    """Fire a lifecycle trigger. 403 role/region/recusal; 409 wrong state or stale version;
    422 a guard failed (``details`` lists every failed guard) or invalid data."""
    actor = _actor()
    services.advance(
        runtime().uow(),
        case_id,
        body.trigger,
        actor,
        reason=body.reason,
        data=body.data,
        expected_version=body.expected_version,
    )
    return _case_response(actor, case_id), 200


@_route(
    "/cases/<int:case_id>/investigations",
    "POST",
    summary="Record an investigation",
    tag="cases",
    body=InvestigationIn,
    responses={201: InvestigationOut},
    errors=(403, 404, 409),
)
def create_investigation(case_id: int, body: InvestigationIn) -> tuple[InvestigationOut, int]:
    """Record a township or county investigation with at least two investigators (Art. 16)."""
    actor = _actor()
    ref = services.record_investigation(
        runtime().uow(),
        actor,
        case_id,
        services.InvestigationInput(
            date=body.date,
            method=body.method,
            investigators=body.investigators,
            findings=body.findings,
            level=body.level,
        ),
        expected_version=body.expected_version,
    )
    with runtime().reader() as uow:
        detail = queries.case_detail(uow, actor, case_id)
    record = next(i for i in detail.investigations if i.id == ref.id)
    return InvestigationOut(case_id=case_id, **vars(record)), 201


@_route(
    "/cases/<int:case_id>/objections",
    "POST",
    summary="Record an objection",
    tag="cases",
    body=ObjectionIn,
    responses={201: ObjectionOut},
    errors=(403, 404, 409),
)
def create_objection(case_id: int, body: ObjectionIn) -> tuple[ObjectionOut, int]:
    """Record an objection raised during the public notice; the notice cannot close while it is
    open. Fire ``raise_objection`` to re-investigate, or dismiss it after democratic review."""
    actor = _actor()
    ref = services.record_objection(
        runtime().uow(), actor, case_id, body.objector, body.content, body.expected_version
    )
    return _objection_out(actor, case_id, ref.id), 201


@_route(
    "/cases/<int:case_id>/objections/<int:objection_id>/dismiss",
    "POST",
    summary="Dismiss an objection",
    tag="cases",
    body=ObjectionDismissIn,
    responses={200: ObjectionOut},
    errors=(403, 404, 409),
)
def dismiss_objection(
    case_id: int, objection_id: int, body: ObjectionDismissIn
) -> tuple[ObjectionOut, int]:
    """Close an objection found unfounded, with the resolution (reviewer)."""
    actor = _actor()
    services.dismiss_objection(
        runtime().uow(), actor, case_id, objection_id, body.resolution, body.expected_version
    )
    return _objection_out(actor, case_id, objection_id), 200


def _objection_out(actor: Actor, case_id: int, objection_id: int) -> ObjectionOut:
    with runtime().reader() as uow:
        detail = queries.case_detail(uow, actor, case_id)
    record = next(o for o in detail.objections if o.id == objection_id)
    return ObjectionOut(case_id=case_id, **vars(record))


@_route(
    "/cases/<int:case_id>/audit",
    "GET",
    summary="Audit trail of a case",
    tag="audit",
    responses={200: AuditOut},
    errors=(403, 404),
)
def case_audit(case_id: int) -> tuple[AuditOut, int]:
    """Every audit entry of the case in order, with the result of verifying its hash chain."""
    actor = _actor()
    with runtime().reader() as uow:
        case = queries.visible_case(uow.session, actor, case_id)
        stored = [stored_entry(r) for r in case_entries(uow.session, case_id)]
    problem = verify_chain(f"case {case_id}", stored, case.chain_seq, case.chain_head)
    entries = [
        AuditEntryOut(**s.body.as_dict(), prev_hash=s.prev_hash, hash=s.hash) for s in stored
    ]
    chain = ChainCheckOut(
        ok=problem is None,
        broken_seq=problem.seq if problem else None,
        problem=problem.message if problem else None,
    )
    return AuditOut(case_id=case_id, entries=entries, chain=chain), 200
