"""API v1: standards, local policy parameters and county statistics."""

from __future__ import annotations

from admin.api.common import route, signed_in
from admin.api.rules_schemas import (
    ParameterIn,
    ParameterList,
    ParameterOut,
    ParameterQuery,
    StandardIn,
    StandardList,
    StandardOut,
    StandardQuery,
    StatsOut,
    StatsQuery,
)
from admin.extensions import runtime
from engine.access import county_of
from engine.clock import local_date
from engine.errors import Forbidden
from engine.services.policy import NewParameter, NewStandard, set_parameter, set_standard
from engine.services.policy_queries import list_parameters, list_standards
from engine.stats import county_stats


def _standard_out(row: object) -> StandardOut:
    return StandardOut.model_validate(row, from_attributes=True)


@route(
    "/standards",
    "GET",
    summary="List standards",
    tag="policy",
    query=StandardQuery,
    responses={200: StandardList},
)
def standards(query: StandardQuery) -> tuple[StandardList, int]:
    """Every standard version (yuan per person per month), by county, category and area."""
    with runtime().reader() as uow:
        items = [_standard_out(s) for s in list_standards(uow.session, query.county_code)]
    return StandardList(items=items), 200


@route(
    "/standards",
    "POST",
    summary="Add a standard version",
    tag="policy",
    body=StandardIn,
    responses={201: StandardOut},
    errors=(403, 409),
)
def create_standard(body: StandardIn) -> tuple[StandardOut, int]:
    """Add a dated standard (admin). A case uses the standard in force on its decision date;
    a version whose date falls on or before a decision already taken is refused (409)."""
    rt = runtime()
    new_id = set_standard(
        rt.uow(),
        signed_in(),
        NewStandard(
            body.county_code,
            body.area_type,
            body.category,
            body.monthly_yuan,
            body.effective_from,
            body.source,
        ),
    )
    with rt.reader() as uow:
        row = next(s for s in list_standards(uow.session, body.county_code) if s.id == new_id)
        return _standard_out(row), 201


@route(
    "/parameters",
    "GET",
    summary="List policy parameters",
    tag="policy",
    query=ParameterQuery,
    responses={200: ParameterList},
)
def parameters(query: ParameterQuery) -> tuple[ParameterList, int]:
    """National defaults (no county) and the county's own dated versions of each parameter."""
    with runtime().reader() as uow:
        rows = list_parameters(uow.session, query.county_code)
    return ParameterList(items=[ParameterOut(**vars(r)) for r in rows]), 200


@route(
    "/parameters",
    "POST",
    summary="Add a parameter version",
    tag="policy",
    body=ParameterIn,
    responses={201: ParameterOut},
    errors=(403, 409),
)
def create_parameter(body: ParameterIn) -> tuple[ParameterOut, int]:
    """Add a dated version of a local parameter (admin); an unknown name is refused (422)."""
    rt = runtime()
    new_id = set_parameter(
        rt.uow(),
        signed_in(),
        NewParameter(
            body.county_code,
            body.name,
            str(body.value).lower() if isinstance(body.value, bool) else str(body.value),
            body.effective_from,
            body.source,
        ),
    )
    with rt.reader() as uow:
        row = next(r for r in list_parameters(uow.session, body.county_code) if r.id == new_id)
    return ParameterOut(**vars(row)), 201


@route(
    "/stats",
    "GET",
    summary="County statistics",
    tag="statistics",
    query=StatsQuery,
    responses={200: StatsOut},
    errors=(403,),
)
def stats(query: StatsQuery) -> tuple[StatsOut, int]:
    """People and households by category and state, new enrolments in the year, coverage,
    average benefit per person, kinship filings and overdue cases."""
    actor = signed_in()
    county = query.county or county_of(actor.region_code)
    if not county.startswith(county_of(actor.region_code)) or len(actor.region_code) > 6:
        raise Forbidden(
            "统计限本人所在区县（县级用户）",
            "statistics are for county-level users of that county",
            code="outside_region",
        )
    rt = runtime()
    today = local_date(rt.clock.now(), rt.clock.tz)
    year = query.year or today.year
    with rt.reader() as uow:
        figures = county_stats(uow.session, county, year, today, rt.clock.tz)
    return StatsOut(county=county, year=year, as_of=today, figures=figures), 200
