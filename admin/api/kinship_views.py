"""API v1: the officials registry, kinship filings and declarations, flags for inspectors."""

from __future__ import annotations

from admin.api.case_views import case_response
from admin.api.common import route, signed_in
from admin.api.kinship_schemas import (
    DeclarationIn,
    FilingIn,
    FilingOut,
    FlagList,
    FlagOut,
    FlagQuery,
    OfficialIn,
    OfficialList,
    OfficialOut,
    OfficialQuery,
    RelativeIn,
    RelativeOut,
)
from admin.api.schemas import CaseOut
from admin.extensions import runtime
from admin.reads import record_reads
from audit.inspect import list_flags
from audit.officials import (
    OfficialRow,
    add_relative,
    declare_for_member,
    import_officials,
    list_officials,
)
from engine.access import ensure_role
from engine.errors import Conflict
from engine.models import KinshipFiling, User
from engine.privacy import Disclosure
from engine.services.filings import file_kinship
from engine.states import Role

REGISTRY = frozenset({Role.ADMIN})
INSPECTION = frozenset({Role.INSPECTOR, Role.ADMIN, Role.APPROVER})


def _official_out(region_prefix: str, official_id: int) -> OfficialOut:
    with runtime().reader() as uow:
        views, _ = list_officials(uow.session, region_prefix, Disclosure(signed_in()), 1, 10_000)
    view = next(v for v in views if v.id == official_id)
    return OfficialOut(**{**vars(view), "relatives": [RelativeOut(**r) for r in view.relatives]})


@route(
    "/officials",
    "POST",
    summary="Add an official",
    tag="kinship",
    body=OfficialIn,
    responses={201: OfficialOut},
    errors=(403, 409),
)
def create_official(body: OfficialIn) -> tuple[OfficialOut, int]:
    """Register a case officer or village cadre (admin), with any declared relatives.
    Cases the change affects are checked at once."""
    actor = signed_in()
    base = {
        "official_id_number": body.id_number,
        "official_name": body.name,
        "position": body.position,
        "region_code": body.region_code,
        "term_start": body.term_start.isoformat() if body.term_start else "",
        "term_end": body.term_end.isoformat() if body.term_end else "",
        "home_address": body.home_address or "",
        "bank_account": body.bank_account or "",
    }
    rows = [
        OfficialRow(
            line=i + 1,
            **base,
            relative_id_number=r.id_number or "",
            relative_name=r.name,
            relative_birth_date=r.birth_date.isoformat() if r.birth_date else "",
            relation=r.relation,
        )
        for i, r in enumerate(body.relatives)
    ] or [OfficialRow(line=1, **base)]
    report = import_officials(runtime().uow(), actor, rows)
    if not report.officials_created:
        raise Conflict(
            "该官员已在名册中",
            "the official is already registered in that position",
            code="official_exists",
        )
    return _official_out(body.region_code, report.official_ids[0]), 201


@route(
    "/officials",
    "GET",
    summary="List officials",
    tag="kinship",
    query=OfficialQuery,
    responses={200: OfficialList},
    errors=(403,),
)
def officials(query: OfficialQuery) -> tuple[OfficialList, int]:
    """The officials registry of the caller's region (admin), with declared relatives."""
    actor = signed_in()
    ensure_role(actor, REGISTRY, "查看名册", "read the registry")
    region = query.region_code or actor.region_code
    if not region.startswith(actor.region_code):
        region = actor.region_code
    with runtime().reader() as uow:
        views, total = list_officials(
            uow.session, region, Disclosure(actor), query.page, query.per_page
        )
    items = [
        OfficialOut(**{**vars(v), "relatives": [RelativeOut(**r) for r in v.relatives]})
        for v in views
    ]
    return OfficialList(items=items, total=total, page=query.page, per_page=query.per_page), 200


@route(
    "/officials/<int:official_id>/relatives",
    "POST",
    summary="Declare a relative of an official",
    tag="kinship",
    body=RelativeIn,
    responses={201: RelativeOut},
    errors=(403, 404, 409),
)
def create_relative(official_id: int, body: RelativeIn) -> tuple[RelativeOut, int]:
    """Add a declared relative (admin): by resident ID, or name and birth date. A relation
    outside the county's configured set, a self-relation or a repeat is refused."""
    actor = signed_in()
    report = add_relative(
        runtime().uow(),
        actor,
        official_id,
        body.relation,
        body.name,
        body.id_number or "",
        body.birth_date.isoformat() if body.birth_date else "",
    )
    view = _official_out(actor.region_code, report.official_ids[0])
    return RelativeOut(**view.relatives[-1].model_dump()), 201


@route(
    "/cases/<int:case_id>/filings",
    "POST",
    summary="File a kinship-flagged case (备案)",
    tag="kinship",
    body=FilingIn,
    responses={201: FilingOut},
    errors=(403, 404, 409),
)
def create_filing(case_id: int, body: FilingIn) -> tuple[FilingOut, int]:
    """Record the separate filing of a flagged case (clerk or reviewer); the notice cannot
    close without it, and approval needs the county's own home visit (Art. 20)."""
    actor = signed_in()
    ref = file_kinship(runtime().uow(), actor, case_id, body.note, body.expected_version)
    with runtime().reader() as uow:
        filing = uow.session.get(KinshipFiling, ref.id)
        assert filing is not None
        user = uow.session.get(User, filing.filed_by_id)
        return FilingOut(
            id=filing.id,
            case_id=case_id,
            filed_by=user.username if user else "",
            filed_at=filing.filed_at,
            note=filing.note,
        ), 201


@route(
    "/cases/<int:case_id>/declarations",
    "POST",
    summary="Record an applicant's declaration",
    tag="kinship",
    body=DeclarationIn,
    responses={201: CaseOut},
    errors=(403, 404, 409),
)
def create_declaration(case_id: int, body: DeclarationIn) -> tuple[CaseOut, int]:
    """The applicant declares a member's relation to an official in the registry (clerk);
    the case is checked again at once."""
    actor = signed_in()
    declare_for_member(
        runtime().uow(),
        actor,
        case_id,
        body.official_id_number,
        body.member_id_number,
        body.relation,
    )
    return case_response(actor, case_id), 201


@route(
    "/kinship/flags",
    "GET",
    summary="Kinship flags",
    tag="kinship",
    query=FlagQuery,
    responses={200: FlagList},
    errors=(403,),
)
def flags(query: FlagQuery) -> tuple[FlagList, int]:
    """Flagged cases of the caller's region, filed or not (inspectors, approvers, admins).
    Administrators see names and ID numbers masked; every other reader's read is logged."""
    actor = signed_in()
    ensure_role(actor, INSPECTION, "查看近亲属关联", "list kinship flags")
    active = {"active": True, "vanished": False, "all": None}[query.status]
    with runtime().reader() as uow:
        rows, total = list_flags(
            uow.session,
            actor.region_code,
            Disclosure(actor),
            active=active,
            filed=query.filed,
            page=query.page,
            per_page=query.per_page,
        )
    record_reads(actor, "list_flags", "api", [r.case_id for r in rows])
    return FlagList(
        items=[FlagOut(**vars(r)) for r in rows],
        total=total,
        page=query.page,
        per_page=query.per_page,
    ), 200
