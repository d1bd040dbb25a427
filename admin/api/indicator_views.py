"""API v1: favouritism indicators for inspectors (人情保, 关系保), each with its cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from admin.api.common import route, signed_in
from admin.api.schemas import In
from admin.extensions import runtime
from admin.reads import record_reads
from audit.indicators import DEFAULTS, indicators, period
from engine.access import ensure_role
from engine.clock import local_date
from engine.inputs import EARLIEST_DAY, LATEST_DAY
from engine.states import Role

INSPECTORS = frozenset({Role.INSPECTOR})


class IndicatorQuery(In):
    """The period (local days, both included; default: the last year) and the thresholds."""

    model_config = ConfigDict(extra="ignore")

    since: dt.date | None = Field(default=None, ge=EARLIEST_DAY, le=LATEST_DAY)
    until: dt.date | None = Field(default=None, ge=EARLIEST_DAY, le=LATEST_DAY)
    rate_margin_points: int = Field(default=DEFAULTS["rate_margin_points"], ge=1, le=100)
    min_decisions: int = Field(default=DEFAULTS["min_decisions"], ge=1, le=10_000)
    filed_share_factor: int = Field(default=DEFAULTS["filed_share_factor"], ge=1, le=100)
    min_steps: int = Field(default=DEFAULTS["min_steps"], ge=2, le=5)
    quick_minutes: int = Field(default=DEFAULTS["quick_minutes"], ge=1, le=24 * 60)
    wave_min_rechecks: int = Field(default=DEFAULTS["wave_min_rechecks"], ge=2, le=100_000)
    wave_window_days: int = Field(default=DEFAULTS["wave_window_days"], ge=1, le=366)
    cluster_factor: int = Field(default=DEFAULTS["cluster_factor"], ge=1, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> IndicatorQuery:
        if self.since and self.until and self.since > self.until:
            raise ValueError("since must not be after until")
        return self


class DeciderOut(BaseModel):
    """A decider's approval rate against the region's other deciders."""

    user: str
    approved: int
    rejected: int
    rate: float
    peers_rate: float | None
    outlier: bool
    case_ids: list[int]


class VillageOut(BaseModel):
    """A village's share of cases filed as kin of an official."""

    code: str
    name: str
    cases: int
    filed: int
    share: float
    outlier: bool
    case_ids: list[int]


class OfficialOut(BaseModel):
    """An official named by kinship flags on the region's cases."""

    official_id: int
    name: str
    position: str
    region_code: str
    cases: int
    case_ids: list[int]


class StepsOut(BaseModel):
    """One user at several steps of one case."""

    case_id: int
    user: str
    steps: list[str]


class QuickOut(BaseModel):
    """A step taken at the first moment it was allowed."""

    case_id: int
    user: str
    trigger: str
    at: dt.datetime
    allowed_from: dt.datetime
    minutes: int


class OffHoursOut(BaseModel):
    """A transition outside working hours or on a day off."""

    case_id: int
    user: str
    trigger: str
    at: dt.datetime
    day_off: bool


class ClusterOut(BaseModel):
    """Enrolments bunched before a recheck wave (``before_recheck``; ``who``: the wave's
    number of rechecks) or by one decider in one month (``one_decider``; ``who``: the user)."""

    kind: str
    who: str
    start: dt.date
    end: dt.date
    enrolments: int
    usual: float
    case_ids: list[int]


class SharedOut(BaseModel):
    """A household sharing an address (``address``) or a bank account (``bank_account``) with
    an official."""

    case_id: int
    official_id: int
    name: str
    position: str
    region_code: str
    shared: str


class IndicatorsOut(BaseModel):
    """Every indicator of the caller's region for the period."""

    since: dt.date
    until: dt.date
    thresholds: dict[str, int]
    deciders: list[DeciderOut]
    villages: list[VillageOut]
    officials: list[OfficialOut]
    several_steps: list[StepsOut]
    quick_steps: list[QuickOut]
    off_hours: list[OffHoursOut]
    clusters: list[ClusterOut]
    shared_contacts: list[SharedOut]


def _out(items: list[Any], model: type[BaseModel]) -> list[Any]:
    return [model(**vars(i)) for i in items]


@route(
    "/audit/indicators",
    "GET",
    summary="Favouritism indicators",
    tag="audit",
    query=IndicatorQuery,
    responses={200: IndicatorsOut},
    errors=(403,),
)
def list_indicators(query: IndicatorQuery) -> tuple[IndicatorsOut, int]:
    """Patterns no single rule catches, each with the cases behind it (inspectors): deciders'
    approval rates against their peers', villages' shares of kinship-filed cases, officials
    named by flags, one user at several steps of a case, notices closed and files approved at
    the first moment allowed, transitions outside working hours, and enrolments bunched just
    before a recheck wave or by one decider in one month, and households at an official's
    address or paid into an official's account. Reasons to look, not findings."""
    actor = signed_in()
    ensure_role(actor, INSPECTORS, "查看优亲厚友风险指标", "see favouritism indicators")
    rt = runtime()
    since, until = period(query.since, query.until, local_date(rt.clock.now(), rt.clock.tz))
    thresholds = {name: int(getattr(query, name, value)) for name, value in DEFAULTS.items()}
    with rt.reader() as uow:
        found = indicators(
            uow.session, actor.region_code, since, until, rt.clock.tz, uow.rules, thresholds
        )
    # officials named beside the cases they are kin to, or share an address or an account
    # with, is personal data of both
    record_reads(actor, "indicators", "api", found.named_cases())
    return (
        IndicatorsOut(
            since=since,
            until=until,
            thresholds=thresholds,
            deciders=_out(found.deciders, DeciderOut),
            villages=_out(found.villages, VillageOut),
            officials=_out(found.officials, OfficialOut),
            several_steps=_out(found.several_steps, StepsOut),
            quick_steps=_out(found.quick_steps, QuickOut),
            off_hours=_out(found.off_hours, OffHoursOut),
            clusters=_out(found.clusters, ClusterOut),
            shared_contacts=_out(found.shared_contacts, SharedOut),
        ),
        200,
    )
