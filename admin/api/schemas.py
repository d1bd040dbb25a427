"""Request and response models of API v1: they validate input and generate the OpenAPI document."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from engine.attachments import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, MAX_NAME_CHARS
from engine.models import Category, DisabilityType, IncomeType, InvestigationMethod, Relation
from engine.queries import MAX_PAGE
from engine.services.applications import MAX_MEMBERS
from engine.services.batch import MAX_BATCH
from engine.states import CaseState


def _number(value: Decimal) -> int | float:
    """Amounts are JSON numbers: whole yuan as integers, fen as two decimals."""
    return int(value) if value == value.to_integral_value() else float(value)


Money = Annotated[Decimal, PlainSerializer(_number, return_type=int | float, when_used="json")]

CategoryName = Literal[tuple(c.value for c in Category)]  # type: ignore[valid-type]
RelationName = Literal[tuple(r.value for r in Relation)]  # type: ignore[valid-type]
DisabilityName = Literal[tuple(d.value for d in DisabilityType)]  # type: ignore[valid-type]
MethodName = Literal[tuple(m.value for m in InvestigationMethod)]  # type: ignore[valid-type]
StateName = Literal[tuple(s.value for s in CaseState)]  # type: ignore[valid-type]


class In(BaseModel):
    """Input models refuse unknown fields, so a misspelt optional field is never silently lost."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- requests -------------------------------------------------------------------------------


class TokenRequest(In):
    """Credentials for a bearer token."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


IncomeTypeName = Literal[tuple(t.value for t in IncomeType)]  # type: ignore[valid-type]
AmountIn = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


class IncomeIn(In):
    """One monthly income item; Art. 13 decides whether its type counts."""

    type: IncomeTypeName = Field(
        description="counted: wages, business, property, transfer, pension, other; "
        "not counted (Art. 13): pension_basic, award, assistance, veterans, family_planning"
    )
    monthly_yuan: AmountIn


class MemberIn(In):
    """A household member in an application; ``monthly_income`` alone means wages."""

    id_number: str = Field(min_length=1, max_length=32, description="resident ID (GB 11643)")
    name: str = Field(min_length=1, max_length=50)
    relation: RelationName = Field(description="relation to the applicant; exactly one 'self'")
    monthly_income: Decimal = Field(
        default=Decimal(0), ge=0, max_digits=12, decimal_places=2, description="wages, yuan/month"
    )
    disability_grade: int | None = Field(default=None, ge=1, le=4)
    disability_type: DisabilityName | None = None
    serious_illness: bool = False
    able_to_work: bool = False
    in_school: bool = Field(
        default=False, description="at school: a supported tekun minor stays supported past 18"
    )
    incomes: list[IncomeIn] = Field(default_factory=list, max_length=20)
    covered: bool = Field(
        default=False, description="single_person only: the member covered alone (单人保)"
    )


class PropertyIn(In):
    """Property checked against the local limits."""

    deposits_yuan: AmountIn | None = None
    vehicles: int | None = Field(default=None, ge=0, le=99)
    extra_housing_units: int | None = Field(default=None, ge=0, le=99)


class CaseCreate(In):
    """An application for assistance; it is submitted at once unless ``draft`` is true."""

    category: CategoryName
    village_code: str = Field(min_length=1, max_length=12)
    area_type: Literal["rural", "urban"] | None = Field(
        default=None, description="household's area type; defaults to the village's"
    )
    members: list[MemberIn] = Field(min_length=1, max_length=30)
    draft: bool = False
    income_stable: bool = Field(
        default=True,
        description="false: someone able to work has irregular income (6-monthly "
        "rechecks, Art. 31)",
    )
    rigid_expenses_yuan: AmountIn = Field(
        default=Decimal(0), description="rigid medical/disability expenses per month"
    )
    bank_account: str | None = Field(default=None, pattern=r"^[0-9]{10,30}$")
    address: str | None = Field(
        default=None, max_length=200, description="where the household lives"
    )
    property: PropertyIn = Field(default_factory=PropertyIn)
    tekun_supporter: (
        Literal[
            "none",
            "supporter_tekun",
            "supporter_dibao_elderly",
            "supporter_elderly_or_disabled_low_income",
            "supporter_incapacitated",
            "able",
        ]
        | None
    ) = Field(
        default=None,
        description="tekun: the legal supporters' situation (TK Arts. 7-8): none 无义务人; "
        "supporter_tekun 义务人为特困人员; supporter_dibao_elderly 义务人为低保对象且年满60周岁; "
        "supporter_elderly_or_disabled_low_income 义务人年满70周岁或重度残疾且收入低; "
        "supporter_incapacitated 义务人无民事行为能力、失踪或服刑; able 义务人有能力（不符合）",
    )


class DraftUpdate(CaseCreate):
    """A draft's application as corrected: it replaces the draft's household, members and means,
    and submits the case unless ``draft`` is true. A bank account left out stays as it was."""

    expected_version: int | None = Field(default=None, ge=1)


class TransitionIn(In):
    """A trigger to fire on a case."""

    trigger: str = Field(min_length=1, max_length=40)
    reason: str = Field(default="", max_length=2000)
    expected_version: int | None = Field(default=None, ge=1)
    data: dict[str, Any] | None = None


class BatchIn(In):
    """One trigger for several cases, each decided on its own."""

    trigger: str = Field(
        min_length=1,
        max_length=40,
        description="approve (approver) or confirm_unchanged (reviewer, a recheck that "
        "found nothing changed)",
    )
    case_ids: list[int] = Field(
        description=f"the cases, at most {MAX_BATCH}; a case named twice is decided once"
    )
    reason: str = Field(default="", max_length=2000)
    expected_versions: dict[int, int] | None = Field(
        default=None,
        description="case id -> the version the caller saw; a case changed since is refused",
    )


#: the Chinese names of the methods, as officers write them, accepted as well
METHOD_ALIASES = {
    "入户调查": "home_visit",
    "邻里访问": "neighbour_interview",
    "neighbor_interview": "neighbour_interview",
    "信函索证": "letter",
    "信息核对": "data_check",
}


def _method_alias(value: object) -> object:
    return METHOD_ALIASES.get(value, value) if isinstance(value, str) else value


class AttachmentIn(In):
    """A photo or scan (JPEG, PNG or PDF, told by its content), base64-encoded."""

    file_name: str = Field(min_length=1, max_length=MAX_NAME_CHARS * 2)
    content_base64: str = Field(
        min_length=1,
        max_length=-(-MAX_ATTACHMENT_BYTES // 3) * 4,
        description=f"the file's bytes in base64 (RFC 4648), at most "
        f"{MAX_ATTACHMENT_BYTES // (1024 * 1024)} MiB before encoding",
    )


class InvestigationIn(In):
    """A household investigation record."""

    date: dt.date
    method: Annotated[MethodName, BeforeValidator(_method_alias)] = Field(
        description="home_visit 入户调查, neighbour_interview 邻里访问, letter 信函索证, "
        "data_check 信息核对 (the Chinese names are accepted too)"
    )
    investigators: list[str] = Field(min_length=1, max_length=20, description="usernames")
    findings: str = Field(min_length=1, max_length=10_000)
    level: Literal["township", "county"] = "township"
    expected_version: int | None = Field(default=None, ge=1)
    present_member_ids: list[int] = Field(
        default_factory=list,
        max_length=MAX_MEMBERS,
        description="the household's current members who were present (``members[].id``)",
    )
    attachments: list[AttachmentIn] = Field(
        default_factory=list,
        max_length=MAX_ATTACHMENTS,
        description=f"photos or scans of signed forms, at most {MAX_ATTACHMENTS}; each is kept "
        "under its SHA-256, which the investigation's audit entry records",
    )


class ObjectionIn(In):
    """An objection raised during the public notice."""

    objector: str = Field(min_length=1, max_length=100)
    content: str = Field(min_length=1, max_length=5000)
    expected_version: int | None = Field(default=None, ge=1)


class ObjectionDismissIn(In):
    """Why an objection is dismissed (e.g. the democratic review's conclusion)."""

    resolution: str = Field(min_length=1, max_length=5000)
    expected_version: int | None = Field(default=None, ge=1)


class ComplaintIn(In):
    """A complaint or report received while the county confirms the case (Art. 20)."""

    complainant: str = Field(min_length=1, max_length=100)
    content: str = Field(min_length=1, max_length=5000)
    expected_version: int | None = Field(default=None, ge=1)


class DemocraticReviewIn(In):
    """A democratic review (民主评议) of the notice's objections (Art. 19 ¶2)."""

    held_on: dt.date = Field(description="the day the review was held")
    participants: list[str] = Field(
        min_length=3, max_length=200, description="who took part, one name each"
    )
    outcome: Literal["founded", "unfounded"] = Field(
        description="founded: the objection is upheld; unfounded: it is not"
    )
    minutes: str = Field(min_length=1, max_length=5000, description="the review's record")
    expected_version: int | None = Field(default=None, ge=1)


class HandOffIn(In):
    """Why the household of a terminated tekun case is referred to dibao (TK Art. 27)."""

    note: str = Field(min_length=1, max_length=2000, description="why dibao may apply")


class DataCheckIn(In):
    """The township's request to the county for an information check (Art. 17)."""

    sources: list[
        Literal[
            "household_registration",
            "tax",
            "social_insurance",
            "real_estate",
            "business_registration",
            "housing_fund",
            "vehicles",
            "deposits",
        ]
    ] = Field(
        min_length=1,
        max_length=8,
        description="the records to query, each once: household_registration 户籍, tax 纳税, "
        "social_insurance 社保缴纳, real_estate 不动产, business_registration 市场主体登记, "
        "housing_fund 公积金, vehicles 车辆, deposits 存款等金融资产 (with authorisation)",
    )
    note: str = Field(default="", max_length=5000, description="what the township asks about")
    expected_version: int | None = Field(default=None, ge=1)


class DataCheckStartIn(In):
    """The county starts a requested check (due 3 working days after the request)."""

    expected_version: int | None = Field(default=None, ge=1)


class DataCheckResultIn(In):
    """The county's result of an information check."""

    discrepancy: bool = Field(
        description="whether the records contradict what the household declared"
    )
    findings: str = Field(min_length=1, max_length=5000, description="what the records show")
    expected_version: int | None = Field(default=None, ge=1)


class WorkOfferIn(In):
    """Suitable work offered to a member able to work, and the answer (Art. 34)."""

    member_id_number: str = Field(min_length=18, max_length=18)
    offered_on: dt.date
    offer: str = Field(min_length=1, max_length=2000, description="the job and who offered it")
    outcome: Literal["accepted", "refused", "refused_good_reason"]
    note: str = Field(default="", max_length=2000, description="the good reason, if any")
    expected_version: int | None = Field(default=None, ge=1)


class WorkOfferOut(BaseModel):
    """An offer of work and its answer."""

    id: int
    case_id: int
    member: str
    offered_on: dt.date
    offer: str
    outcome: str
    note: str


class RepaymentIn(In):
    """Money paid back against a recovery order."""

    amount_yuan: AmountIn = Field(description="yuan repaid, above 0 and at most what is owed")
    paid_on: dt.date
    note: str = Field(default="", max_length=2000)
    expected_version: int | None = Field(default=None, ge=1)


class RecoveryOut(BaseModel):
    """Money ordered back after concealment, and what is repaid (amounts null when masked)."""

    id: int
    case_id: int
    trigger: str
    ordered_at: dt.datetime
    owed_yuan: Decimal | None
    repaid_yuan: Decimal | None
    outstanding_yuan: Decimal | None
    finding: str


class SelfCareIn(In):
    """The county's self-care assessment of one tekun person (TK Arts. 20-21)."""

    member_id_number: str = Field(min_length=18, max_length=18)
    assessed_on: dt.date
    failed: list[
        Literal["eating", "dressing", "bed_transfer", "toileting", "indoor_walking", "bathing"]
    ] = Field(
        default_factory=list,
        max_length=6,
        description="the indicators the person cannot manage: none, self-caring; 1-3, partly "
        "lost; 4-6, fully lost",
    )
    note: str = Field(default="", max_length=2000)
    expected_version: int | None = Field(default=None, ge=1)


class SelfCareOut(BaseModel):
    """A self-care assessment (failed and result null for masked readers)."""

    id: int
    case_id: int
    member: str
    assessed_on: dt.date
    failed: list[str] | None
    result: str | None


class FindingIn(In):
    """An inspector's finding on a case; ``requires_visit`` holds the county's next decision
    until it has visited the household itself."""

    note: str = Field(min_length=1, max_length=5000)
    requires_visit: bool = False
    expected_version: int | None = Field(default=None, ge=1)


class FindingOut(BaseModel):
    """An inspector's finding (the note masked for readers who see masked data)."""

    id: int
    case_id: int
    note: str
    requires_visit: bool
    recorded_by: str
    recorded_at: dt.datetime
    visited: bool


class CareChangeIn(In):
    """A reported change in a tekun person's ability to care for themself (TK Art. 22)."""

    note: str = Field(min_length=1, max_length=2000)
    expected_version: int | None = Field(default=None, ge=1)


class CaseListQuery(In):
    """Filters and paging for the case list."""

    model_config = ConfigDict(extra="ignore")

    state: StateName | None = Field(default=None, description="only cases in this state")
    overdue: bool | None = Field(
        default=None, description="true: only cases with a deadline past due; false: none past due"
    )
    village_code: str | None = Field(
        default=None, max_length=12, description="a village, or a township/county to include all"
    )
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    per_page: int = Field(default=20, ge=1, le=100)


# --- responses ------------------------------------------------------------------------------


class RegionOut(BaseModel):
    """An administrative region."""

    code: str
    name: str
    parent_code: str | None
    level: str
    area_type: str


class RegionList(BaseModel):
    """All regions."""

    items: list[RegionOut]


class UserOut(BaseModel):
    """The signed-in user."""

    username: str
    role: str
    region_code: str


class TokenOut(BaseModel):
    """A bearer token."""

    token: str
    expires_at: dt.datetime
    user: UserOut


class IncomeOut(BaseModel):
    """One income item."""

    type: str
    monthly_yuan: Money


class MemberOut(BaseModel):
    """A household member (masked for roles that do not need personal data)."""

    id: int = Field(description="the member's id (``present_member_ids`` of an investigation)")
    id_number: str
    name: str
    relation: str
    sex: str
    birth_date: dt.date | None
    monthly_income: Money | None
    disability_grade: int | None
    disability_type: str | None
    serious_illness: bool | None
    able_to_work: bool | None
    in_school: bool | None = None
    incomes: list[IncomeOut] | None
    covered: bool


class ProblemOut(BaseModel):
    """A failed guard."""

    code: str
    message: str


class BatchItemOut(BaseModel):
    """What a batch did to one case: done, or refused with the reason (nothing written)."""

    case_id: int
    outcome: Literal["done", "refused"]
    state: str | None = None
    version: int | None = None
    #: the refusal's code (guard_failed, version_conflict, invalid_state, ...)
    error: str | None = None
    message: str | None = None
    details: list[ProblemOut] = Field(default_factory=list)


class BatchOut(BaseModel):
    """Each case's outcome, in the order given."""

    trigger: str
    done: int
    refused: int
    items: list[BatchItemOut]


class TriggerOut(BaseModel):
    """A trigger the caller's role may fire from this state, and what blocks it now."""

    trigger: str
    label: str
    allowed: bool
    reason_required: bool
    problems: list[ProblemOut]


class AttachmentOut(BaseModel):
    """A file attached to an investigation (download: ``GET …/attachments/{id}``)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    sha256: str
    size_bytes: int
    media_type: str
    file_name: str


class InvestigationOut(BaseModel):
    """A recorded investigation."""

    id: int
    case_id: int
    level: str
    date: dt.date
    method: str
    investigators: list[str]
    findings: str
    recorded_by: str
    recorded_at: dt.datetime
    present: list[str] = Field(default_factory=list, description="the members present, by name")
    attachments: list[AttachmentOut] = Field(default_factory=list)


class ObjectionOut(BaseModel):
    """An objection and its handling."""

    id: int
    case_id: int
    kind: str = Field(description="objection (during the notice) or complaint (Art. 20)")
    objector: str
    content: str
    status: str
    raised_at: dt.datetime
    resolved_at: dt.datetime | None
    resolution: str | None
    recorded_by: str = Field("", description="user name of the officer who recorded it")


class DemocraticReviewOut(BaseModel):
    """A democratic review held on the notice's objections."""

    id: int
    case_id: int
    held_on: dt.date
    participants: list[str]
    outcome: str
    minutes: str
    recorded_at: dt.datetime


class CaseSummaryOut(BaseModel):
    """A case in a list."""

    id: int
    state: str
    state_label: str
    version: int
    category: str
    village_code: str
    area_type: str
    applicant_name: str
    members_count: int
    created_at: dt.datetime
    updated_at: dt.datetime


class CaseList(BaseModel):
    """One page of cases."""

    items: list[CaseSummaryOut]
    total: int
    page: int
    per_page: int


class BreakdownLine(BaseModel):
    """One line explaining an amount."""

    code: str
    label: str
    amount_yuan: Money
    member: str | None


class BenefitOut(BaseModel):
    """The current amount: decided by the county, or proposed by the township before that."""

    kind: str
    trigger: str
    decision_id: int
    decided_at: dt.datetime
    effective_month: dt.date | None
    monthly_yuan: Money
    standard_yuan: Money
    members: int
    counted_income_yuan: Money | None = Field(
        description="withheld (null) for roles that see masked data"
    )
    base_yuan: Money | None
    supplement_yuan: Money | None
    breakdown: list[BreakdownLine] = Field(description="empty for roles that see masked data")


class RecheckOut(BaseModel):
    """When the case is next rechecked and why at that interval."""

    next_recheck_on: dt.date | None
    interval_months: int
    unstable: bool
    reason: str
    reason_en: str


class NextDeadlineOut(BaseModel):
    """The case's earliest pending deadline, as the queue and the case page show it."""

    kind: str | None = Field(description="the deadline's key in ``deadlines``")
    due_on: dt.date
    days_left: int = Field(description="calendar days to the due date, negative once past")
    status: Literal["overdue", "due_today", "due_soon", "on_time"]


class NextStepOut(BaseModel):
    """What happens next on the case, who does it and by when."""

    role: str | None = Field(description="the role that acts next; null once the case is closed")
    triggers: list[str] = Field(description="the lifecycle triggers that role fires next")
    due_on: dt.date | None = Field(None, description="the date the step is due by, if any")
    text: str = Field(description="the step in words, in the request's language")


class CaseOut(CaseSummaryOut):
    """A case with its household, what the caller may do now, flags and deadlines."""

    village_name: str
    household_id: int
    previous_case_id: int | None
    members: list[MemberOut]
    allowed_triggers: list[str]
    triggers: list[TriggerOut]
    flags: list[dict[str, Any]]
    deadlines: dict[str, Any]
    next_deadline: NextDeadlineOut | None = None
    dates: dict[str, dt.datetime | None]
    investigations: list[InvestigationOut]
    objections: list[ObjectionOut]
    democratic_reviews: list[DemocraticReviewOut]
    data_checks: list[DataCheckOut]
    work_offers: list[WorkOfferOut]
    recoveries: list[RecoveryOut]
    self_care: list[SelfCareOut]
    findings: list[FindingOut] = Field(default_factory=list)
    audit_entries: int
    benefit: BenefitOut | None
    recheck: RecheckOut | None
    household: dict[str, Any]
    next_step: NextStepOut | None = None
    origin: str = Field(
        default="application",
        description="how the case came: application, outreach (a coordinator registered it "
        "on the household's behalf), referral (a monitoring warning or a hand-off), roster",
    )
    referral: dict[str, Any] | None = Field(
        default=None,
        description="the monitoring warning a referral followed up: warning_id, signal, "
        "signal_on, detail, note, referred_at",
    )


class DataCheckOut(BaseModel):
    """An information check: requested by the township, started and answered by the county."""

    id: int
    case_id: int
    sources: list[str]
    note: str
    requested_by: str
    requested_at: dt.datetime
    started_by: str | None
    started_at: dt.datetime | None
    completed_by: str | None
    completed_at: dt.datetime | None
    discrepancy: bool | None = Field(description="withheld (null) from masked readers")
    findings: str


class AuditEntryOut(BaseModel):
    """One link of the case's hash chain: the hashed fields, then prev_hash and hash."""

    case_id: int
    seq: int
    trigger: str
    from_state: str | None
    to_state: str | None
    actor_id: int | None
    actor: str
    role: str
    at: dt.datetime
    reason: str
    payload: dict[str, Any]
    #: names and ID numbers masked, health, means and free text withheld (the reader's role)
    payload_masked: bool = False
    prev_hash: str
    hash: str


class ChainCheckOut(BaseModel):
    """Whether the chain verifies, and where it first breaks."""

    ok: bool
    broken_seq: int | None = None
    problem: str | None = None


class AuditOut(BaseModel):
    """A case's audit trail, oldest first, with the chain check."""

    case_id: int
    entries: list[AuditEntryOut]
    chain: ChainCheckOut
