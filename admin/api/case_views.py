"""API v1: cases, their transitions, investigations, objections and audit trail."""

from __future__ import annotations

import base64
import binascii
from typing import TypeVar

from pydantic import BaseModel
from werkzeug.wrappers import Response

from admin.api.common import route, signed_in
from admin.api.errors import lang
from admin.api.rules_schemas import (
    ChangeIn,
    DeathIn,
    DepartureIn,
    MemberChangeIn,
    MemberJoinIn,
    ServiceIn,
)
from admin.api.schemas import (
    AttachmentIn,
    AuditEntryOut,
    AuditOut,
    BenefitOut,
    CareChangeIn,
    CaseCreate,
    CaseList,
    CaseListQuery,
    CaseOut,
    CaseSummaryOut,
    ChainCheckOut,
    ComplaintIn,
    DataCheckIn,
    DataCheckOut,
    DataCheckResultIn,
    DataCheckStartIn,
    DemocraticReviewIn,
    DemocraticReviewOut,
    DraftUpdate,
    FindingIn,
    FindingOut,
    HandOffIn,
    InvestigationIn,
    InvestigationOut,
    MemberIn,
    MemberOut,
    NextStepOut,
    ObjectionDismissIn,
    ObjectionIn,
    ObjectionOut,
    ProblemOut,
    RecheckOut,
    RecoveryOut,
    RepaymentIn,
    SelfCareIn,
    SelfCareOut,
    TransitionIn,
    TriggerOut,
    WorkOfferIn,
    WorkOfferOut,
)
from admin.extensions import runtime
from admin.files import attachment_response
from admin.reads import case_trail, read_attachment, read_case, record_reads
from engine import case_view, queries, services
from engine.attachments import Upload
from engine.case_view import CaseDetail
from engine.clock import local_date
from engine.errors import invalid_field, raise_invalid
from engine.ports import Actor
from engine.privacy import Disclosure
from engine.queries import CaseSummary
from engine.services.findings import record_finding
from engine.services.recoveries import record_repayment
from engine.services.self_care import record_self_care_assessment, report_care_change
from engine.services.work_offers import WorkOfferInput, record_work_offer
from engine.states import STATE_LABELS, CaseState

#: a record of a case as the API returns it
Out = TypeVar("Out", bound=BaseModel)


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
        next_deadline=d.next_deadline.as_dict() if d.next_deadline else None,
        dates=d.dates,
        investigations=[InvestigationOut(case_id=case_id, **vars(i)) for i in d.investigations],
        objections=[ObjectionOut(case_id=case_id, **vars(o)) for o in d.objections],
        democratic_reviews=[
            DemocraticReviewOut(case_id=case_id, **vars(r)) for r in d.democratic_reviews
        ],
        data_checks=[DataCheckOut(case_id=case_id, **vars(c)) for c in d.data_checks],
        work_offers=[WorkOfferOut(case_id=case_id, **vars(o)) for o in d.work_offers],
        recoveries=[RecoveryOut(case_id=case_id, **vars(r)) for r in d.recoveries],
        self_care=[SelfCareOut(case_id=case_id, **vars(a)) for a in d.self_care],
        findings=[FindingOut(case_id=case_id, **vars(f)) for f in d.findings],
        audit_entries=d.audit_entries,
        benefit=BenefitOut.model_validate(d.benefit) if d.benefit else None,
        recheck=RecheckOut.model_validate(d.recheck) if d.recheck else None,
        household=d.household,
        next_step=NextStepOut.model_validate(d.next_step.as_dict(lang)) if d.next_step else None,
        origin=d.origin,
        referral=d.referral,
    )


def case_response(actor: Actor, case_id: int) -> CaseOut:
    """Read the case as ``actor`` sees it (the read is logged) and shape it for the API."""
    return _case_out(read_case(actor, case_id, "api"), lang())


def member_input(m: MemberIn) -> services.MemberInput:
    """The service's member from the API's."""
    return services.MemberInput(
        id_number=m.id_number,
        name=m.name,
        relation=m.relation,
        monthly_income=m.monthly_income,
        disability_grade=m.disability_grade,
        disability_type=m.disability_type,
        serious_illness=m.serious_illness,
        able_to_work=m.able_to_work,
        in_school=m.in_school,
        incomes=[services.IncomeInput(i.type, i.monthly_yuan) for i in m.incomes],
        covered=m.covered,
    )


@route(
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
    actor = signed_in()
    ref = services.submit_application(runtime().uow(), actor, application_input(body))
    return case_response(actor, ref.id), 201


def application_input(body: CaseCreate) -> services.Application:
    """The service's application from the API's."""
    return services.Application(
        category=body.category,
        village_code=body.village_code,
        area_type=body.area_type,
        draft=body.draft,
        members=[member_input(m) for m in body.members],
        income_stable=body.income_stable,
        rigid_expenses_yuan=body.rigid_expenses_yuan,
        bank_account=body.bank_account,
        address=body.address,
        tekun_supporter=body.tekun_supporter,
        property=services.PropertyInput(
            deposits_yuan=body.property.deposits_yuan,
            vehicles=body.property.vehicles,
            extra_housing_units=body.property.extra_housing_units,
        ),
    )


@route(
    "/cases/<int:case_id>",
    "PUT",
    summary="Correct a draft application",
    tag="cases",
    body=DraftUpdate,
    responses={200: CaseOut},
    errors=(403, 404, 409),
)
def update_draft(case_id: int, body: DraftUpdate) -> tuple[CaseOut, int]:
    """Replace a draft's application (clerk): its household, members and means become those
    sent, and the case is submitted unless ``draft`` is true. 409 unless the case is a draft,
    on a stale ``expected_version``, or when a member added is in another open case."""
    actor = signed_in()
    services.update_draft(
        runtime().uow(), actor, case_id, application_input(body), body.expected_version
    )
    return case_response(actor, case_id), 200


@route(
    "/cases/<int:case_id>/hand-off",
    "POST",
    summary="Hand a terminated tekun case off to a dibao application",
    tag="cases",
    body=HandOffIn,
    responses={201: CaseOut},
    errors=(403, 404, 409),
)
def hand_off(case_id: int, body: HandOffIn) -> tuple[CaseOut, int]:
    """Open a dibao application (a draft) for the household of a terminated 特困 case,
    pre-filled from its current members and means (clerk; TK Art. 27). Both trails record
    the hand-off. 409 unless the case is a terminated tekun case without a later application."""
    actor = signed_in()
    ref = services.hand_off_to_dibao(runtime().uow(), actor, case_id, body.note)
    return case_response(actor, ref.id), 201


@route(
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
    actor = signed_in()
    with runtime().reader() as uow:
        items, total = queries.list_cases(
            uow.session,
            actor,
            state=query.state,
            village_code=query.village_code,
            overdue=query.overdue,
            today=local_date(uow.clock.now(), uow.clock.tz),
            page=query.page,
            per_page=query.per_page,
        )
    # the applicant's name beside the case's state is personal data (assistance status)
    record_reads(actor, "list_cases", "api", [i.id for i in items])
    return (
        CaseList(
            items=[_summary_out(i) for i in items],
            total=total,
            page=query.page,
            per_page=query.per_page,
        ),
        200,
    )


@route(
    "/cases/<int:case_id>",
    "GET",
    summary="Show a case",
    tag="cases",
    responses={200: CaseOut},
    errors=(403, 404),
)
def get_case(case_id: int) -> tuple[CaseOut, int]:
    """One case with its members, the triggers the caller may fire now, flags and deadlines."""
    return case_response(signed_in(), case_id), 200


@route(
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
    actor = signed_in()
    services.advance(
        runtime().uow(),
        case_id,
        body.trigger,
        actor,
        reason=body.reason,
        data=body.data,
        expected_version=body.expected_version,
    )
    return case_response(actor, case_id), 200


@route(
    "/cases/<int:case_id>/investigations",
    "POST",
    summary="Record an investigation",
    tag="cases",
    body=InvestigationIn,
    responses={201: InvestigationOut},
    errors=(403, 404, 409),
)
def create_investigation(case_id: int, body: InvestigationIn) -> tuple[InvestigationOut, int]:
    """Record a township or county investigation with at least two investigators (Art. 16),
    the household members present and photos or scans of signed forms (JPEG, PNG or PDF by
    their content, base64-encoded; each kept under its SHA-256, which the audit entry
    records). A refused record keeps no file."""
    actor = signed_in()
    rt = runtime()
    ref = services.record_investigation(
        rt.uow(),
        actor,
        case_id,
        services.InvestigationInput(
            date=body.date,
            method=body.method,
            investigators=body.investigators,
            findings=body.findings,
            level=body.level,
            present=body.present_member_ids,
            attachments=decoded_attachments(body.attachments),
        ),
        expected_version=body.expected_version,
        store=rt.attachments,
    )
    return _record_out(actor, case_id, "investigations", ref.id, InvestigationOut), 201


def decoded_attachments(files: list[AttachmentIn]) -> list[Upload]:
    """The files' bytes from their base64; refuse (422) any that is not base64."""
    uploads: list[Upload] = []
    problems = []
    for i, f in enumerate(files):
        try:
            uploads.append(Upload(f.file_name, base64.b64decode(f.content_base64, validate=True)))
        except binascii.Error:
            problems.append(
                invalid_field(
                    f"attachments.{i}.content_base64",
                    "文件内容须为 base64 编码",
                    "the file's content must be base64-encoded",
                )
            )
    raise_invalid(problems)
    return uploads


@route(
    "/cases/<int:case_id>/attachments/<int:attachment_id>",
    "GET",
    summary="Download a photo or scan attached to an investigation",
    tag="cases",
    responses={200: None},
    errors=(403, 404, 409),
    media_type="application/octet-stream",
)
def download_attachment(case_id: int, attachment_id: int) -> tuple[Response, int]:
    """The file as it was attached (``Content-Type`` its type, ``ETag`` its SHA-256), checked
    against its hash first (409 when the kept file is missing or changed). Roles that see
    personal data only; the read is logged."""
    return attachment_response(read_attachment(signed_in(), case_id, attachment_id, "api")), 200


@route(
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
    actor = signed_in()
    ref = services.record_objection(
        runtime().uow(), actor, case_id, body.objector, body.content, body.expected_version
    )
    return _objection_out(actor, case_id, ref.id), 201


@route(
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
    actor = signed_in()
    services.dismiss_objection(
        runtime().uow(), actor, case_id, objection_id, body.resolution, body.expected_version
    )
    return _objection_out(actor, case_id, objection_id), 200


@route(
    "/cases/<int:case_id>/complaints",
    "POST",
    summary="Record a complaint received while the county confirms",
    tag="cases",
    body=ComplaintIn,
    responses={201: ObjectionOut},
    errors=(403, 404, 409),
)
def create_complaint(case_id: int, body: ComplaintIn) -> tuple[ObjectionOut, int]:
    """Record a complaint or report (投诉举报) about a case pending the county's confirmation
    (clerk, reviewer or approver); ``approve`` then needs the county's own home visit made
    after it (Art. 20). Outside ``pending_confirmation`` it is a 409."""
    actor = signed_in()
    ref = services.record_complaint(
        runtime().uow(), actor, case_id, body.complainant, body.content, body.expected_version
    )
    return _objection_out(actor, case_id, ref.id), 201


@route(
    "/cases/<int:case_id>/democratic-reviews",
    "POST",
    summary="Record a democratic review of the notice's objections",
    tag="cases",
    body=DemocraticReviewIn,
    responses={201: DemocraticReviewOut},
    errors=(403, 404, 409),
)
def create_democratic_review(
    case_id: int, body: DemocraticReviewIn
) -> tuple[DemocraticReviewOut, int]:
    """Record a democratic review (民主评议) held on an objection raised during this notice:
    the day, who took part, the outcome and the minutes (reviewer). The township then gives a
    new initial opinion by firing ``revise_opinion`` before the notice may close (Art. 19 ¶2);
    a tekun objection is re-investigated and noticed again instead (TK Art. 15)."""
    actor = signed_in()
    ref = services.record_democratic_review(
        runtime().uow(),
        actor,
        case_id,
        services.DemocraticReviewInput(
            held_on=body.held_on,
            participants=body.participants,
            outcome=body.outcome,
            minutes=body.minutes,
        ),
        body.expected_version,
    )
    return _record_out(actor, case_id, "democratic_reviews", ref.id, DemocraticReviewOut), 201


@route(
    "/cases/<int:case_id>/data-checks",
    "POST",
    summary="Request an information check from the county",
    tag="cases",
    body=DataCheckIn,
    responses={201: DataCheckOut},
    errors=(403, 404, 409),
)
def create_data_check(case_id: int, body: DataCheckIn) -> tuple[DataCheckOut, int]:
    """Record the township's request (clerk or reviewer) that the county check the household's
    records with other departments (信息核对, Art. 17); the county must start it within 3
    working days. One check at a time: another open request is a 409, as is a decided case."""
    actor = signed_in()
    ref = services.request_data_check(
        runtime().uow(), actor, case_id, body.sources, body.note, body.expected_version
    )
    return _data_check_out(actor, case_id, ref.id), 201


@route(
    "/cases/<int:case_id>/data-checks/<int:check_id>/start",
    "POST",
    summary="Start a requested information check",
    tag="cases",
    body=DataCheckStartIn,
    responses={200: DataCheckOut},
    errors=(403, 404, 409),
)
def start_data_check(
    case_id: int, check_id: int, body: DataCheckStartIn
) -> tuple[DataCheckOut, int]:
    """Record that the county (a county clerk or approver) started the check; this meets the
    3-working-day limit from the request (Art. 17)."""
    actor = signed_in()
    services.start_data_check(runtime().uow(), actor, case_id, check_id, body.expected_version)
    return _data_check_out(actor, case_id, check_id), 200


@route(
    "/cases/<int:case_id>/data-checks/<int:check_id>/result",
    "POST",
    summary="Record an information check's result",
    tag="cases",
    body=DataCheckResultIn,
    responses={200: DataCheckOut},
    errors=(403, 404, 409),
)
def record_data_check_result(
    case_id: int, check_id: int, body: DataCheckResultIn
) -> tuple[DataCheckOut, int]:
    """Record what the records show and whether they contradict the declaration (county clerk or
    approver); a check not yet started starts now. A check with its result is a 409."""
    actor = signed_in()
    services.record_data_check_result(
        runtime().uow(),
        actor,
        case_id,
        check_id,
        body.discrepancy,
        body.findings,
        body.expected_version,
    )
    return _data_check_out(actor, case_id, check_id), 200


@route(
    "/cases/<int:case_id>/work-offers",
    "POST",
    summary="Record work offered to a member and the answer",
    tag="cases",
    body=WorkOfferIn,
    responses={201: WorkOfferOut},
    errors=(403, 404, 409),
)
def create_work_offer(case_id: int, body: WorkOfferIn) -> tuple[WorkOfferOut, int]:
    """Record suitable work offered to a member able to work, and whether they accepted or
    refused it (with or without good reason). After three refusals in a row without good
    reason the county may fire ``sanction_work_refusal`` with ``data.member`` (Art. 34)."""
    actor = signed_in()
    ref = record_work_offer(
        runtime().uow(),
        actor,
        case_id,
        WorkOfferInput(
            member_id_number=body.member_id_number,
            offered_on=body.offered_on,
            offer=body.offer,
            outcome=body.outcome,
            note=body.note,
        ),
        body.expected_version,
    )
    return _record_out(actor, case_id, "work_offers", ref.id, WorkOfferOut), 201


@route(
    "/cases/<int:case_id>/recoveries/<int:recovery_id>/repayments",
    "POST",
    summary="Record money paid back against a recovery order",
    tag="cases",
    body=RepaymentIn,
    responses={200: RecoveryOut},
    errors=(403, 404, 409),
)
def create_repayment(case_id: int, recovery_id: int, body: RepaymentIn) -> tuple[RecoveryOut, int]:
    """Record a repayment (approver) against the recovery a ``terminate`` or ``adjust`` ordered
    with ``data.recovery_yuan`` and ``data.finding``; more than is still owed is a 409. The
    county's payments ledger records it beside the rolls (2022 notice §5(五))."""
    actor = signed_in()
    record_repayment(
        runtime().uow(),
        actor,
        case_id,
        recovery_id,
        body.amount_yuan,
        body.paid_on,
        body.note,
        body.expected_version,
    )
    return _record_out(actor, case_id, "recoveries", recovery_id, RecoveryOut), 200


@route(
    "/cases/<int:case_id>/self-care-assessments",
    "POST",
    summary="Record a tekun person's self-care assessment",
    tag="cases",
    body=SelfCareIn,
    responses={201: SelfCareOut},
    errors=(403, 404, 409),
)
def create_self_care_assessment(case_id: int, body: SelfCareIn) -> tuple[SelfCareOut, int]:
    """The county's assessment (approver) of one supported person's six everyday activities;
    the result (self-caring, partly or fully lost) sets the care level. Every supported
    person is assessed before ``approve`` (TK Arts. 20-21); a non-tekun case is a 409."""
    actor = signed_in()
    ref = record_self_care_assessment(
        runtime().uow(),
        actor,
        case_id,
        body.member_id_number,
        body.assessed_on,
        body.failed,
        body.note,
        body.expected_version,
    )
    return _record_out(actor, case_id, "self_care", ref.id, SelfCareOut), 201


@route(
    "/cases/<int:case_id>/care-changes",
    "POST",
    summary="Report a change in a tekun person's self-care",
    tag="cases",
    body=CareChangeIn,
    responses={200: CaseOut},
    errors=(403, 404, 409),
)
def create_care_change(case_id: int, body: CareChangeIn) -> tuple[CaseOut, int]:
    """Record that a tekun person's ability to care for themself changed (clerk, reviewer or
    approver): the county reassesses within 10 working days (TK Art. 22)."""
    actor = signed_in()
    report_care_change(runtime().uow(), actor, case_id, body.note, body.expected_version)
    return case_response(actor, case_id), 200


@route(
    "/cases/<int:case_id>/findings",
    "POST",
    summary="Record an inspector's finding on a case",
    tag="cases",
    body=FindingIn,
    responses={201: FindingOut},
    errors=(403, 404, 409),
)
def create_finding(case_id: int, body: FindingIn) -> tuple[FindingOut, int]:
    """Record a discipline inspector's finding (inspector), in the case's trail and shown to
    the county; with ``requires_visit`` the next decision (approve, reject, a recheck's
    outcome, a phase-out, a termination) waits for the county's own home visit made after
    it. 409 for ``requires_visit`` on a closed case."""
    actor = signed_in()
    ref = record_finding(
        runtime().uow(), actor, case_id, body.note, body.requires_visit, body.expected_version
    )
    return _record_out(actor, case_id, "findings", ref.id, FindingOut), 201


def _record_out(actor: Actor, case_id: int, records: str, record_id: int, out: type[Out]) -> Out:
    """One record of the case (``records`` names the list in its detail) as the caller sees it."""
    with runtime().reader() as uow:
        detail = case_view.case_detail(uow, actor, case_id)
    record = next(r for r in getattr(detail, records) if r.id == record_id)
    return out(case_id=case_id, **vars(record))


def _data_check_out(actor: Actor, case_id: int, check_id: int) -> DataCheckOut:
    return _record_out(actor, case_id, "data_checks", check_id, DataCheckOut)


def _objection_out(actor: Actor, case_id: int, objection_id: int) -> ObjectionOut:
    return _record_out(actor, case_id, "objections", objection_id, ObjectionOut)


@route(
    "/cases/<int:case_id>/audit",
    "GET",
    summary="Audit trail of a case",
    tag="audit",
    responses={200: AuditOut},
    errors=(403, 404),
)
def case_audit(case_id: int) -> tuple[AuditOut, int]:
    """Every audit entry of the case in order, with the result of verifying its hash chain.

    Readers who see personal data get the payloads whole (and the read is logged); others
    get them with names and ID numbers masked and health, means and free text withheld
    (``payload_masked``), so they cannot recompute the hashes; ``chain`` says whether the
    server could."""
    actor = signed_in()
    stored, problem = case_trail(actor, case_id, log_as=("view_trail", "api"))
    show = Disclosure(actor)
    entries = [
        AuditEntryOut(
            **{
                **s.body.as_dict(),
                "reason": show.text(s.body.reason) or "",
                "payload": show.payload(s.body.payload),
            },
            payload_masked=not show.full,
            prev_hash=s.prev_hash,
            hash=s.hash,
        )
        for s in stored
    ]
    chain = ChainCheckOut(
        ok=problem is None,
        broken_seq=problem.seq if problem else None,
        problem=problem.message if problem else None,
    )
    return AuditOut(case_id=case_id, entries=entries, chain=chain), 200


@route(
    "/cases/<int:case_id>/changes",
    "POST",
    summary="Record a change of means",
    tag="cases",
    body=ChangeIn,
    responses={200: CaseOut},
    errors=(403, 404, 409),
)
def record_change(case_id: int, body: ChangeIn) -> tuple[CaseOut, int]:
    """Record changed incomes, health or work capacity found by an investigation or recheck
    (kind ``employment`` opens the way to phase-out). The next deciding trigger uses them."""
    actor = signed_in()
    services.record_change(
        runtime().uow(),
        actor,
        case_id,
        services.MeansChange(
            kind=body.kind,
            note=body.note,
            members=[
                services.MemberChange(
                    id_number=m.id_number,
                    incomes=_change_incomes(m),
                    disability_grade=m.disability_grade,
                    disability_type=m.disability_type,
                    serious_illness=m.serious_illness,
                    able_to_work=m.able_to_work,
                    in_school=m.in_school,
                )
                for m in body.members
            ],
            income_stable=body.income_stable,
            rigid_expenses_yuan=body.rigid_expenses_yuan,
        ),
        body.expected_version,
    )
    return case_response(actor, case_id), 200


def _change_incomes(m: MemberChangeIn) -> list[services.IncomeInput] | None:
    """Typed incomes, or ``monthly_income`` as wages, or None to leave incomes alone."""
    if m.incomes is not None:
        return [services.IncomeInput(i.type, i.monthly_yuan) for i in m.incomes]
    if m.monthly_income is not None:
        return [services.IncomeInput("wages", m.monthly_income)]
    return None


@route(
    "/cases/<int:case_id>/deaths",
    "POST",
    summary="Record a member's death",
    tag="cases",
    body=DeathIn,
    responses={200: CaseOut},
    errors=(403, 404, 409),
)
def record_death(case_id: int, body: DeathIn) -> tuple[CaseOut, int]:
    """Record a member's death: they leave the household and the case must be reassessed
    within 3 months (2022 notice), shown in ``deadlines``."""
    actor = signed_in()
    services.record_death(
        runtime().uow(), actor, case_id, body.id_number, body.died_on, body.expected_version
    )
    return case_response(actor, case_id), 200


@route(
    "/cases/<int:case_id>/members",
    "POST",
    summary="Record a member joining the household",
    tag="cases",
    body=MemberJoinIn,
    responses={200: CaseOut},
    errors=(403, 404, 409),
)
def member_joined(case_id: int, body: MemberJoinIn) -> tuple[CaseOut, int]:
    """A person joins the household (birth, marriage, moving in) while the case is open or
    enrolled (staff). 409 when they are in another open case; the case's kinship flags are
    checked again at once."""
    actor = signed_in()
    services.record_member_joined(
        runtime().uow(),
        actor,
        case_id,
        member_input(body.member),
        body.joined_on,
        body.reason,
        body.note,
        body.expected_version,
    )
    return case_response(actor, case_id), 200


@route(
    "/cases/<int:case_id>/departures",
    "POST",
    summary="Record a member leaving the household",
    tag="cases",
    body=DepartureIn,
    responses={200: CaseOut},
    errors=(403, 404, 409),
)
def member_left(case_id: int, body: DepartureIn) -> tuple[CaseOut, int]:
    """A member other than the applicant moves or marries out (staff); they are free to join
    another case, and the case's kinship flags are checked again."""
    actor = signed_in()
    services.record_member_left(
        runtime().uow(),
        actor,
        case_id,
        body.id_number,
        body.left_on,
        body.reason,
        body.note,
        body.expected_version,
    )
    return case_response(actor, case_id), 200


@route(
    "/cases/<int:case_id>/decision-served",
    "POST",
    summary="Record that the decision was served",
    tag="cases",
    body=ServiceIn,
    responses={200: CaseOut},
    errors=(403, 404, 409),
)
def decision_served(case_id: int, body: ServiceIn) -> tuple[CaseOut, int]:
    """Record the day the written decision (e.g. a refusal with reasons and the appeal route)
    was served on the applicant; a refusal is due within 3 working days (Art. 21, 38)."""
    actor = signed_in()
    services.serve_decision(
        runtime().uow(), actor, case_id, body.served_on, body.method, body.expected_version
    )
    return case_response(actor, case_id), 200
