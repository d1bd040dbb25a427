"""Request and response models of API v1 for the officials registry and kinship."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from admin.api.schemas import In
from engine.queries import MAX_PAGE

PositionName = Literal[
    "county_officer", "township_officer", "village_director", "village_deputy", "village_member"
]


class RelativeIn(In):
    """A declared relative: by resident ID, or by name and birth date (a weaker match)."""

    relation: str = Field(
        min_length=1,
        max_length=20,
        description="the relative is the official's: spouse, parent, child, sibling, "
        "grandparent, grandchild, and the county's additions (kinship_additions)",
    )
    name: str = Field(min_length=1, max_length=50)
    id_number: str | None = Field(default=None, max_length=32)
    birth_date: dt.date | None = None


class OfficialIn(In):
    """An official: a case officer or village cadre, with relatives if any."""

    id_number: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=50)
    position: PositionName
    region_code: str = Field(min_length=6, max_length=12)
    term_start: dt.date | None = None
    term_end: dt.date | None = None
    home_address: str | None = Field(
        default=None, max_length=200, description="where the official lives (an indicator)"
    )
    bank_account: str | None = Field(
        default=None, pattern=r"^[0-9]{10,30}$", description="the official's own account"
    )
    relatives: list[RelativeIn] = Field(default_factory=list, max_length=200)


class RelativeOut(BaseModel):
    """A declared relative (ID numbers masked unless the caller keeps the registry)."""

    id: int
    relation: str
    name: str
    id_number: str | None
    birth_date: dt.date | None
    source: str


class OfficialOut(BaseModel):
    """An official and their declared relatives."""

    id: int
    id_number: str
    name: str
    position: str
    region_code: str
    term_start: dt.date | None
    term_end: dt.date | None
    relatives: list[RelativeOut]


class OfficialList(BaseModel):
    """One page of officials."""

    items: list[OfficialOut]
    total: int
    page: int
    per_page: int


class OfficialQuery(In):
    """Which officials to list."""

    model_config = ConfigDict(extra="ignore")

    region_code: str | None = Field(default=None, max_length=12)
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    per_page: int = Field(default=50, ge=1, le=200)


class FilingIn(In):
    """The 备案 of a kinship-flagged case."""

    note: str = Field(min_length=1, max_length=2000)
    expected_version: int | None = Field(default=None, ge=1)


class FilingOut(BaseModel):
    """A recorded filing."""

    id: int
    case_id: int
    filed_by: str
    filed_at: dt.datetime
    note: str


class DeclarationIn(In):
    """The applicant declares that a member is an official's relative."""

    official_id_number: str = Field(min_length=1, max_length=32)
    member_id_number: str = Field(min_length=1, max_length=32)
    relation: str = Field(min_length=1, max_length=20)


class FlagOut(BaseModel):
    """A kinship flag as inspectors list it."""

    flag_id: int
    case_id: int
    case_state: str
    village_code: str
    village_name: str
    member_name: str
    official_name: str
    official_id_number: str
    position: str
    relation: str
    strength: str
    path: str
    path_en: str
    raised_at: dt.datetime
    vanished_at: dt.datetime | None
    filed: bool


class FlagList(BaseModel):
    """One page of kinship flags."""

    items: list[FlagOut]
    total: int
    page: int
    per_page: int


class FlagQuery(In):
    """Which flags to list."""

    model_config = ConfigDict(extra="ignore")

    status: Literal["active", "vanished", "all"] = "active"
    filed: bool | None = None
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    per_page: int = Field(default=50, ge=1, le=200)
