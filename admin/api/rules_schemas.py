"""Request and response models of API v1 for policy, household events and statistics."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from admin.api.schemas import AmountIn, DisabilityName, In, IncomeIn, MemberIn, Money

# --- policy ---------------------------------------------------------------------------------


class StandardIn(In):
    """A dated standard version (admin)."""

    county_code: str = Field(min_length=6, max_length=6)
    area_type: Literal["rural", "urban"]
    category: Literal["dibao", "tekun"]
    monthly_yuan: Decimal = Field(gt=0, max_digits=10, decimal_places=2)
    effective_from: dt.date
    source: str = Field(min_length=1, max_length=1000)


class StandardOut(BaseModel):
    """A standard version."""

    id: int
    county_code: str
    area_type: str
    category: str
    monthly_yuan: Money
    effective_from: dt.date
    source: str
    created_at: dt.datetime


class StandardList(BaseModel):
    """Standard versions, newest first."""

    items: list[StandardOut]


class StandardQuery(In):
    """Which standards to list."""

    model_config = ConfigDict(extra="ignore")

    county_code: str | None = Field(default=None, max_length=6)


class ParameterIn(In):
    """A dated local policy parameter version (admin)."""

    county_code: str = Field(min_length=6, max_length=6)
    name: str = Field(min_length=1, max_length=60)
    value: str | int | float | bool = Field(description="decimal, whole number, choice or 'none'")
    effective_from: dt.date
    source: str = Field(min_length=1, max_length=1000)


class ParameterOut(BaseModel):
    """A parameter version (county rows and the national defaults)."""

    id: int | None
    county_code: str | None
    name: str
    value: str
    effective_from: dt.date
    source: str
    label: str


class ParameterList(BaseModel):
    """Parameter versions."""

    items: list[ParameterOut]


class ParameterQuery(In):
    """Which parameters to list."""

    model_config = ConfigDict(extra="ignore")

    county_code: str | None = Field(default=None, max_length=6)


# --- household events -----------------------------------------------------------------------


class MemberChangeIn(In):
    """New figures for one current member; omitted fields stay as they are."""

    id_number: str = Field(min_length=1, max_length=32)
    incomes: list[IncomeIn] | None = None
    monthly_income: AmountIn | None = Field(default=None, description="wages, as a shorthand")
    disability_grade: int | None = Field(default=None, ge=1, le=4)
    disability_type: DisabilityName | None = None
    serious_illness: bool | None = None
    able_to_work: bool | None = None
    in_school: bool | None = Field(
        default=None, description="at school (a supported tekun minor past 18, TK Art. 24)"
    )


class ChangeIn(In):
    """A change of means found by an investigation or recheck."""

    kind: Literal["employment", "income", "health", "property", "other"]
    note: str = Field(min_length=1, max_length=2000)
    members: list[MemberChangeIn] = Field(default_factory=list, max_length=30)
    income_stable: bool | None = None
    rigid_expenses_yuan: AmountIn | None = None
    expected_version: int | None = Field(default=None, ge=1)


class DeathIn(In):
    """A member's death."""

    id_number: str = Field(min_length=1, max_length=32)
    died_on: dt.date
    expected_version: int | None = Field(default=None, ge=1)


class MemberJoinIn(In):
    """A person joins the household: the member as in an application, when and why."""

    member: MemberIn
    joined_on: dt.date
    reason: Literal["birth", "marriage", "moved_in", "other"]
    note: str = Field(default="", max_length=500)
    expected_version: int | None = Field(default=None, ge=1)


class DepartureIn(In):
    """A member leaves the household alive (a death is recorded under ``/deaths``)."""

    id_number: str = Field(min_length=1, max_length=32)
    left_on: dt.date
    reason: Literal["moved_out", "married_out", "other"]
    note: str = Field(default="", max_length=500)
    expected_version: int | None = Field(default=None, ge=1)


class ServiceIn(In):
    """The written decision was served on the applicant."""

    served_on: dt.date
    method: Literal["in_person", "post", "village_posting", "electronic"]
    expected_version: int | None = Field(default=None, ge=1)


# --- statistics -----------------------------------------------------------------------------


class StatsQuery(In):
    """Which county and year to report on."""

    model_config = ConfigDict(extra="ignore")

    county: str | None = Field(default=None, max_length=6, description="county code")
    year: int | None = Field(default=None, ge=2000, le=2100)


class StatsOut(BaseModel):
    """The figures a county report quotes (see engine.stats)."""

    county: str
    year: int
    as_of: dt.date
    figures: dict[str, Any]
