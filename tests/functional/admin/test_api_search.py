"""GET /api/v1/search: staff find people's cases by ID number, its tail, or a name (issue 13)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from audit.models import AccessLog
from engine.services import Application
from tests.support import VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, World, member

Auth = Callable[[str], dict[str, str]]


def household(w: World, village: str = VILLAGE_A1, by: str = "clerk") -> tuple[int, Application]:
    """A case of two: 欧阳建华 (the applicant) and 李秀兰 (his spouse)."""
    app = Application(
        "dibao",
        village,
        [member("self", "100", name="欧阳建华"), member("spouse", "0", name="李秀兰")],
    )
    return w.apply(app, by=by), app


def search(client: FlaskClient, auth: Auth, q: str, who: str = "clerk", **args: Any) -> Any:
    response = client.get("/api/v1/search", query_string={"q": q, **args}, headers=auth(who))
    assert response.status_code == 200, response.json
    return response.json


def search_reads(w: World) -> list[tuple[str, int | None, str]]:
    with w.rt.reader() as uow:
        rows = uow.session.scalars(select(AccessLog).where(AccessLog.action == "search_cases"))
        return [(r.username, r.case_id, r.channel) for r in rows]


def test_a_whole_id_number_finds_the_members_case(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    case_id, app = household(world)
    found = search(client, auth, app.members[1].id_number)
    assert found["items"] == [
        {
            "case_id": case_id,
            "state": "submitted",
            "village_code": VILLAGE_A1,
            "name": "李秀兰",
            "relation": "spouse",
        }
    ]
    assert found["total"] == 1 and found["page"] == 1


def test_the_tail_of_an_id_number_finds_it_from_six_characters(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    case_id, app = household(world)
    number = app.members[0].id_number
    for tail in (number[-6:], number[-11:], number[-17:]):
        items = search(client, auth, tail)["items"]
        assert [(i["case_id"], i["name"], i["relation"]) for i in items] == [
            (case_id, "欧阳建华", "self")
        ], tail
    spaced = f"{number[-8:-4]} {number[-4:]}"  # as read aloud from the card
    assert search(client, auth, spaced)["total"] == 1
    assert search(client, auth, number[1:-1])["total"] == 0  # inside the number is no tail


def test_part_of_a_name_finds_every_case_with_such_a_member(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    first, _ = household(world)
    second, _ = household(world, VILLAGE_A2)
    found = search(client, auth, "阳建")
    assert [(i["case_id"], i["name"]) for i in found["items"]] == [
        (second, "欧阳建华"),
        (first, "欧阳建华"),
    ]  # newest case first
    assert [i["relation"] for i in search(client, auth, "秀兰")["items"]] == ["spouse", "spouse"]
    assert search(client, auth, "%")["total"] == 0  # no wildcard: nobody's name has a %
    assert search(client, auth, "_")["total"] == 0


def test_a_village_name_finds_its_cases_by_their_household_head(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    ours, _ = household(world)
    household(world, VILLAGE_A2)
    items = search(client, auth, "白塔")["items"]  # 白塔村 is VILLAGE_A1
    assert [(i["case_id"], i["name"], i["relation"]) for i in items] == [(ours, "欧阳建华", "self")]


def test_results_come_a_page_at_a_time(client: FlaskClient, auth: Auth, world: World) -> None:
    cases = sorted((household(world)[0] for _ in range(3)), reverse=True)
    pages = [search(client, auth, "欧阳", page=p, per_page=2) for p in (1, 2)]
    assert [[i["case_id"] for i in p["items"]] for p in pages] == [cases[:2], cases[2:]]
    assert {p["total"] for p in pages} == {3}
    beyond = search(client, auth, "欧阳", page=3, per_page=2)
    assert beyond["items"] == [] and beyond["total"] == 3


def test_only_the_callers_region_is_searched(client: FlaskClient, auth: Auth, world: World) -> None:
    ours, app = household(world)
    theirs, other = household(world, VILLAGE_B1, by="clerk_b")
    assert search(client, auth, other.members[0].id_number)["items"] == []
    assert [i["case_id"] for i in search(client, auth, "欧阳建华")["items"]] == [ours]
    assert [i["case_id"] for i in search(client, auth, "欧阳建华", "clerk_b")["items"]] == [theirs]
    county = search(client, auth, "欧阳建华", "approver")["items"]
    assert [i["case_id"] for i in county] == [theirs, ours]
    village = search(client, auth, app.members[0].id_number, "village_clerk")
    assert [i["case_id"] for i in village["items"]] == [ours]


def test_a_masked_role_finds_masked_names_and_its_search_is_still_a_logged_read(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    case_id, app = household(world)
    found = search(client, auth, app.members[0].id_number, "admin")
    assert found["items"] == [
        {
            "case_id": case_id,
            "state": "submitted",
            "village_code": VILLAGE_A1,
            "name": "欧**华",
            "relation": "self",
        }
    ]
    assert "欧阳建华" not in str(search(client, auth, "欧阳", "admin"))
    # a hit on an ID number the administrator knows (an official's relative, say) tells them
    # the person is on assistance: logged like any read, masked or not
    assert search_reads(world) == [("admin", case_id, "api"), ("admin", case_id, "api")]


def test_a_search_that_shows_names_is_logged_as_a_read_of_each_case_it_lists(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    first, _ = household(world)
    second, _ = household(world)
    search(client, auth, "秀兰", "inspector")
    assert sorted(search_reads(world)) == [
        ("inspector", first, "api"),
        ("inspector", second, "api"),
    ]
    search(client, auth, "无此人", "inspector")  # nothing found: nothing read
    assert len(search_reads(world)) == 2


@pytest.mark.parametrize(
    ("q", "code"),
    [
        ("", "search_term_empty"),
        ("   ", "search_term_empty"),
        ("12345", "search_tail_too_short"),
        ("1234567890123456789", "search_id_too_long"),
        ("张" * 51, "search_term_too_long"),
    ],
)
def test_bad_terms_are_refused_with_the_reason(
    client: FlaskClient, auth: Auth, world: World, q: str, code: str
) -> None:
    response = client.get("/api/v1/search", query_string={"q": q}, headers=auth("clerk"))
    assert response.status_code == 422, response.json
    assert response.json["error"] == "invalid"  # type: ignore[index]
    assert [(d["field"], d["code"]) for d in response.json["details"]] == [("q", code)]  # type: ignore[index]
    assert "搜索条件有误" in response.json["message"]  # type: ignore[index]
    english = client.get(
        "/api/v1/search",
        query_string={"q": q},
        headers={**auth("clerk"), "Accept-Language": "en"},
    )
    assert english.json["message"].startswith("invalid search")  # type: ignore[index]


@pytest.mark.parametrize(
    "args",
    [{}, {"q": "王", "page": "0"}, {"q": "王", "per_page": "101"}, {"q": "王", "page": "x"}],
)
def test_a_missing_term_or_a_bad_page_is_a_422(
    client: FlaskClient, auth: Auth, world: World, args: dict[str, str]
) -> None:
    response = client.get("/api/v1/search", query_string=args, headers=auth("clerk"))
    assert response.status_code == 422


def test_search_needs_a_token_and_is_documented(client: FlaskClient, world: World) -> None:
    assert client.get("/api/v1/search?q=王").status_code == 401
    doc = client.get("/api/v1/openapi.json").json
    operation = doc["paths"]["/api/v1/search"]["get"]  # type: ignore[index]
    assert "ends with" in operation["description"]
    assert {p["name"] for p in operation["parameters"]} == {"q", "page", "per_page"}
    assert set(operation["responses"]) >= {"200", "401", "422"}
