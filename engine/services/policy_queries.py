"""Listing local policy: standard and parameter versions, county rows and national defaults."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import PolicyParameter, Standard
from engine.parameters import SPECS, canonical, national_defaults


@dataclass(frozen=True)
class ParameterRow:
    """A parameter version as listed: a county's own, or the national default."""

    id: int | None
    county_code: str | None
    name: str
    value: str
    effective_from: dt.date
    source: str
    label: str


def list_standards(session: Session, county: str | None) -> list[Standard]:
    """Return standard versions, newest first."""
    stmt = select(Standard).order_by(
        Standard.county_code, Standard.category, Standard.area_type, Standard.effective_from.desc()
    )
    if county:
        stmt = stmt.where(Standard.county_code == county)
    return list(session.scalars(stmt))


def list_parameters(session: Session, county: str | None) -> list[ParameterRow]:
    """Return the national defaults and the county versions, by name and date."""
    rows = [
        ParameterRow(
            None,
            None,
            v.name,
            canonical(v.value),
            v.effective_from,
            v.source,
            SPECS[v.name].label_zh,
        )
        for v in national_defaults()
    ]
    stmt = select(PolicyParameter)
    if county:
        stmt = stmt.where(PolicyParameter.county_code == county)
    rows += [
        ParameterRow(
            p.id, p.county_code, p.name, p.value, p.effective_from, p.source, SPECS[p.name].label_zh
        )
        for p in session.scalars(stmt)
    ]
    return sorted(rows, key=lambda r: (r.name, r.county_code or "", r.effective_from))
