"""Request and response models of API v1 for finding people's cases."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from admin.api.schemas import In
from engine.queries import MAX_PAGE
from engine.search import MAX_PER_PAGE, MAX_TERM, MIN_TAIL, PER_PAGE


class SearchQuery(In):
    """What to search for, and which page of the results."""

    model_config = ConfigDict(extra="ignore")

    q: str = Field(
        description=f"a resident ID number, its last {MIN_TAIL} or more characters, part of a "
        "member's name, or part of a village's name (finding its cases' applicants); at most "
        f"{MAX_TERM} characters",
        json_schema_extra={"maxLength": MAX_TERM},
    )
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    per_page: int = Field(default=PER_PAGE, ge=1, le=MAX_PER_PAGE)


class SearchHitOut(BaseModel):
    """A case found, and the member of it the term matched (masked for roles that see masked
    data)."""

    case_id: int
    state: str
    village_code: str
    name: str = Field(description="the member's name, masked if the caller's role requires")
    relation: str = Field(description="the member's relation to the applicant ('self': the head)")


class SearchList(BaseModel):
    """One page of what a search found, newest case first."""

    items: list[SearchHitOut]
    total: int
    page: int
    per_page: int
