"""API v1: low-income monitoring (register, risk signals, warnings and their follow-up) and
home visits (走访)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from admin.api.common import route, signed_in
from admin.api.schemas import In
from admin.extensions import runtime
from admin.reads import record_reads
from engine.clock import local_date
from engine.monitoring_reads import STATUSES, list_warnings
from engine.queries import MAX_PAGE, MAX_PER_PAGE
from engine.services.monitoring import Signal, raise_signal
from engine.services.visits import record_outreach_visit
from engine.services.warning_follow_up import (
    VisitInput,
    close_warning,
    follow_up_by_visit,
    refer_warning,
)

Sha256 = str


class SignalIn(In):
    """A risk signal about a person on the monitoring register."""

    id_number: str = Field(min_length=1, max_length=32)
    signal: Literal["hospital_bill", "disability", "death", "job_loss", "income_drop"]
    signal_on: dt.date
    detail: str = Field(min_length=1, max_length=2000)
    amount_yuan: Decimal | None = Field(
        default=None, ge=0, max_digits=12, decimal_places=2, description="a hospital bill's amount"
    )


class SignalOut(BaseModel):
    """What the signal did."""

    warning_id: int | None
    raised: bool = Field(description="false: below the threshold, or the warning is open already")
    reason: str


class WarningOut(BaseModel):
    """A warning as the list shows it."""

    id: int
    village_code: str
    village_name: str
    name: str
    id_number: str
    signal: str
    signal_on: dt.date
    detail: str
    amount_yuan: Decimal | None
    due_on: dt.date
    status: str
    overdue: bool
    case_id: int | None
    outcome_note: str = Field(description="how it was followed up (withheld from masked readers)")


class WarningQuery(In):
    """Which warnings, and which page."""

    status: Literal["open", "overdue", "visited", "referred", "closed", "all"] = "open"
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    per_page: int = Field(default=50, ge=1, le=MAX_PER_PAGE)


class WarningList(BaseModel):
    """A page of warnings."""

    items: list[WarningOut]
    total: int
    page: int
    per_page: int


class VisitIn(In):
    """A home visit: the day, what was found, and the photos' SHA-256."""

    visited_on: dt.date
    findings: str = Field(min_length=1, max_length=4000)
    household: str = Field(default="", max_length=100)
    photo_sha256: list[Sha256] = Field(default_factory=list, max_length=20)


class OutreachVisitIn(VisitIn):
    """A door-to-door visit (走访摸排) in a village."""

    village_code: str = Field(min_length=12, max_length=12)
    household: str = Field(min_length=1, max_length=100)


class ReferIn(In):
    """A referral: the draft application opens for the household."""

    note: str = Field(min_length=1, max_length=2000)
    category: Literal["dibao", "single_person", "tekun"] = "dibao"


class CloseIn(In):
    """Why the warning needs nothing more."""

    reason: str = Field(min_length=1, max_length=2000)


class CreatedOut(BaseModel):
    """What a follow-up made: the visit or the draft case."""

    id: int
    kind: Literal["visit", "case", "warning"]


@route(
    "/monitoring/signals",
    "POST",
    summary="Record a risk signal",
    tag="monitoring",
    body=SignalIn,
    responses={201: SignalOut},
    errors=(403, 404, 422),
)
def signal(body: SignalIn) -> tuple[SignalOut, int]:
    """A risk signal about a person on the register raises a warning due for follow-up within
    the county's `warning_follow_up_days` (a hospital bill only from `warning_hospital_bill_yuan`);
    404 `not_monitored` for a person not on the register."""
    found = raise_signal(
        runtime().uow(),
        signed_in(),
        Signal(body.id_number, body.signal, body.signal_on, body.detail, body.amount_yuan),
    )
    return SignalOut(warning_id=found.warning_id, raised=found.raised, reason=found.reason), 201


@route(
    "/monitoring/warnings",
    "GET",
    summary="Monitoring warnings",
    tag="monitoring",
    query=WarningQuery,
    responses={200: WarningList},
    errors=(403,),
)
def warnings(query: WarningQuery) -> tuple[WarningList, int]:
    """The warnings of the caller's region, soonest due first (`overdue`: open and past due)."""
    actor = signed_in()
    assert query.status in STATUSES
    rt = runtime()
    with rt.reader() as uow:
        today = local_date(rt.clock.now(), rt.clock.tz)
        rows, total = list_warnings(
            uow.session, actor, today, query.status, query.page, query.per_page
        )
    record_reads(actor, "list_warnings", "api", [r.case_id for r in rows])
    return WarningList(
        items=[WarningOut(**vars(r)) for r in rows],
        total=total,
        page=query.page,
        per_page=query.per_page,
    ), 200


@route(
    "/monitoring/warnings/<int:warning_id>/visit",
    "POST",
    summary="Follow a warning up by a home visit",
    tag="monitoring",
    body=VisitIn,
    responses={201: CreatedOut},
    errors=(403, 404, 409, 422),
)
def visit(warning_id: int, body: VisitIn) -> tuple[CreatedOut, int]:
    """The village's coordinator or staff visited the household; 409 when already followed up."""
    visit_id = follow_up_by_visit(
        runtime().uow(),
        signed_in(),
        warning_id,
        VisitInput(body.visited_on, body.findings, body.household, body.photo_sha256),
    )
    return CreatedOut(id=visit_id, kind="visit"), 201


@route(
    "/monitoring/warnings/<int:warning_id>/refer",
    "POST",
    summary="Follow a warning up by a referral to an application",
    tag="monitoring",
    body=ReferIn,
    responses={201: CreatedOut},
    errors=(403, 404, 409, 422),
)
def refer(warning_id: int, body: ReferIn) -> tuple[CreatedOut, int]:
    """A draft application opens for the person's household (members and means pre-filled,
    the referral in its first entry) for the township clerk to complete and submit."""
    ref = refer_warning(runtime().uow(), signed_in(), warning_id, body.note, body.category)
    return CreatedOut(id=ref.id, kind="case"), 201


@route(
    "/monitoring/warnings/<int:warning_id>/close",
    "POST",
    summary="Close a warning with a reason",
    tag="monitoring",
    body=CloseIn,
    responses={200: CreatedOut},
    errors=(403, 404, 409, 422),
)
def close(warning_id: int, body: CloseIn) -> tuple[CreatedOut, int]:
    """Nothing more is needed, and why."""
    close_warning(runtime().uow(), signed_in(), warning_id, body.reason)
    return CreatedOut(id=warning_id, kind="warning"), 200


@route(
    "/visits",
    "POST",
    summary="Record a door-to-door visit",
    tag="monitoring",
    body=OutreachVisitIn,
    responses={201: CreatedOut},
    errors=(403, 422),
)
def outreach_visit(body: OutreachVisitIn) -> tuple[CreatedOut, int]:
    """A coordinator's (or staff's) outreach visit (走访摸排) in a village of their region,
    with the photos' SHA-256; written in the county's outreach ledger."""
    visit_id = record_outreach_visit(
        runtime().uow(),
        signed_in(),
        body.village_code,
        body.visited_on,
        body.household,
        body.findings,
        body.photo_sha256,
    )
    return CreatedOut(id=visit_id, kind="visit"), 201
