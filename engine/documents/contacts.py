"""Who signs a document and where people turn: read from the regions' contact data."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.orm import Session

from engine.access import county_of
from engine.documents.views import AppealRoute, Issuer
from engine.errors import InvalidData, NotFound, Problem
from engine.models import Region
from engine.rulebook import RuleBook

#: a statistical division code: 6 (county), 9 (township) or 12 (village) ASCII digits
REGION_CODE = re.compile(r"[0-9]{6}(?:[0-9]{3}){0,2}")
#: what each contact field is called in a refusal
FIELD_NAMES = {
    "authority": ("发文机关", "issuing authority"),
    "office": ("受理异议和举报的办公室", "office taking objections and reports"),
    "phone": ("联系电话", "telephone"),
    "reconsideration_body": ("行政复议机关", "reconsideration body"),
    "court": ("人民法院", "court"),
}


def region(session: Session, code: str) -> Region:
    """Return the region with this code, or refuse naming it."""
    # checked before the query: a stray character (a NUL) must not reach the database
    found = session.get(Region, code) if REGION_CODE.fullmatch(code) else None
    if found is None:
        raise NotFound(
            f"地区{code}不存在", f"region {code} does not exist", code="region_not_found"
        )
    return found


def _require(place: Region, fields: tuple[str, ...]) -> dict[str, str]:
    """The region's contact fields, or a refusal naming each one missing."""
    values = {name: (getattr(place, name) or "").strip() for name in fields}
    missing = [name for name, value in values.items() if not value]
    if missing:
        problems = [
            Problem(
                code="contact_missing",
                message=f"{place.name}（{place.code}）未登记{FIELD_NAMES[name][0]}",
                message_en=f"{place.name} ({place.code}) has no {FIELD_NAMES[name][1]} on record",
                field=name,
            )
            for name in missing
        ]
        raise InvalidData(
            f"{place.name}的联系信息不全，无法印发文书：请用 doudi regions import 补充"
            f"{'、'.join(FIELD_NAMES[n][0] for n in missing)}",
            f"{place.name} lacks contact data documents print; add "
            f"{', '.join(missing)} with `doudi regions import`",
            code="contact_missing",
            problems=problems,
        )
    return values


def issuer_of(session: Session, code: str) -> Issuer:
    """The signer and contacts of a township or county (refused if any is missing)."""
    values = _require(region(session, code), ("authority", "office", "phone"))
    return Issuer(values["authority"], values["office"], values["phone"])


def appeal_route(session: Session, village_code: str, rules: RuleBook, on: dt.date) -> AppealRoute:
    """Where the county's decisions are challenged, and the time limits in force (Art. 38)."""
    values = _require(region(session, county_of(village_code)), ("reconsideration_body", "court"))
    return AppealRoute(
        reconsideration_body=values["reconsideration_body"],
        reconsideration_days=rules.value("reconsideration_days", on),
        court=values["court"],
        litigation_months=rules.value("litigation_months", on),
    )
