"""API v1: finding people's cases by ID number, its tail, or a name."""

from __future__ import annotations

from admin.api.common import route, signed_in
from admin.api.search_schemas import SearchHitOut, SearchList, SearchQuery
from admin.reads import search


@route(
    "/search",
    "GET",
    summary="Find cases by ID number or name",
    tag="cases",
    query=SearchQuery,
    responses={200: SearchList},
    errors=(422,),
)
def search_cases(query: SearchQuery) -> tuple[SearchList, int]:
    """The cases of the caller's region with a member (present or past) whose resident ID number
    equals `q` or ends with it (6 or more characters; spaces, full-width digits and a lower-case
    x are accepted), or whose name contains `q`; a `q` that is part of a village's name finds
    the village's cases by their applicant. One item per case and member found, newest case
    first, a page at a time. Names are masked for roles that see masked data; a search that
    returns unmasked names is logged as a read of each case it lists. 422 for an empty `q`, a
    tail shorter than 6 characters, more than 18 digits, or more than 50 characters."""
    found = search(signed_in(), query.q, "api", query.page, query.per_page)
    return (
        SearchList(
            items=[
                SearchHitOut(
                    case_id=h.case_id,
                    state=h.state,
                    village_code=h.village_code,
                    name=h.name,
                    relation=h.relation,
                )
                for h in found.items
            ],
            total=found.total,
            page=found.page,
            per_page=found.per_page,
        ),
        200,
    )
