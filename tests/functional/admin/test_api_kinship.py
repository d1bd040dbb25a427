"""API v1 for kinship: the registry, flags on cases, filing, declarations, recusal per trigger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine.services import Application
from engine.services.users import NewUser, create_user
from engine.states import TRANSITIONS, CaseState
from tests.support import (
    COUNTY,
    PASSWORD,
    TOWNSHIP_A,
    VILLAGE_A1,
    VILLAGE_B1,
    World,
    id_number,
    member,
)

Auth = Callable[[str], dict[str, str]]


def official(client: FlaskClient, auth: Auth, relatives: list[dict[str, Any]], **extra: Any) -> Any:
    body = {
        "id_number": id_number(dt.date(1976, 4, 4)),
        "name": "王建军",
        "position": "village_member",
        "region_code": VILLAGE_A1,
        "relatives": relatives,
        **extra,
    }
    return client.post("/api/v1/officials", json=body, headers=auth("admin"))


def test_the_registry_over_the_api(client: FlaskClient, auth: Auth, world: World) -> None:
    app = Application("dibao", VILLAGE_A1, [member("self", "100", name="李芳")])
    case_id = world.apply(app)
    made = official(
        client,
        auth,
        [{"relation": "sibling", "name": "李芳", "id_number": app.members[0].id_number}],
    )
    assert made.status_code == 201, made.json
    body = made.json
    assert body["relatives"][0]["relation"] == "sibling"  # type: ignore[index]
    case = client.get(f"/api/v1/cases/{case_id}", headers=auth("reviewer")).json
    (flag,) = [f for f in case["flags"] if f["kind"] == "kinship"]  # type: ignore[index]
    assert set(flag) >= {
        "kind",
        "official_id_number",
        "position",
        "relation",
        "member_name",
        "strength",
        "path",
    }
    assert (flag["relation"], flag["strength"], flag["position"]) == (
        "sibling",
        "id",
        "village_member",
    )
    more = client.post(
        f"/api/v1/officials/{body['id']}/relatives",
        headers=auth("admin"),  # type: ignore[index]
        json={"relation": "child", "name": "王小", "birth_date": "2001-05-05"},
    )
    assert more.status_code == 201
    # the declared relative is a private person: the registry's keeper sees them masked
    assert (more.json["name"], more.json["birth_date"]) == ("王*", None)  # type: ignore[index]
    again = client.post(
        f"/api/v1/officials/{body['id']}/relatives",
        headers=auth("admin"),  # type: ignore[index]
        json={"relation": "child", "name": "王小", "birth_date": "2001-05-05"},
    )
    assert again.status_code == 409
    listed = client.get("/api/v1/officials", headers=auth("admin")).json
    assert listed["total"] == 1 and len(listed["items"][0]["relatives"]) == 2  # type: ignore[index]
    assert client.get("/api/v1/officials", headers=auth("clerk")).status_code == 403
    same = official(client, auth, [], id_number=body["id_number"])  # type: ignore[index]
    assert same.status_code == 409


@pytest.mark.parametrize(
    ("relatives", "field"),
    [
        ([{"relation": "cousin", "name": "某", "birth_date": "1990-01-01"}], "relation"),
        ([{"relation": "parent_in_law", "name": "某", "birth_date": "1990-01-01"}], "relation"),
        ([{"relation": "child", "name": "某"}], "relative_birth_date"),
        (
            [{"relation": "child", "name": "某", "id_number": "110105194912310021"}],
            "relative_id_number",
        ),
    ],
)
def test_bad_relatives_are_422_and_nothing_is_registered(
    client: FlaskClient, auth: Auth, relatives: list[dict[str, Any]], field: str
) -> None:
    response = official(client, auth, relatives)
    assert response.status_code == 422, response.json
    assert field in response.json["details"][0]["field"]  # type: ignore[index]
    assert client.get("/api/v1/officials", headers=auth("admin")).json["total"] == 0  # type: ignore[index]


def test_a_self_relation_is_refused(client: FlaskClient, auth: Auth) -> None:
    number = id_number(dt.date(1976, 4, 4))
    response = official(
        client,
        auth,
        [{"relation": "sibling", "name": "王建军", "id_number": number}],
        id_number=number,
    )
    assert response.status_code == 422


def test_filing_declarations_and_the_flag_list(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    app = Application("dibao", VILLAGE_A1, [member("self", "100", name="李芳")])
    case_id = world.apply(app)
    number = id_number(dt.date(1976, 4, 4))
    official(client, auth, [], id_number=number)
    declared = client.post(
        f"/api/v1/cases/{case_id}/declarations",
        headers=auth("clerk"),
        json={
            "official_id_number": number,
            "member_id_number": app.members[0].id_number,
            "relation": "spouse",
        },
    )
    assert declared.status_code == 201
    assert [f["relation"] for f in declared.json["flags"]] == ["spouse"]  # type: ignore[index]
    listed = client.get("/api/v1/kinship/flags", headers=auth("inspector")).json
    assert [(i["case_id"], i["filed"]) for i in listed["items"]] == [(case_id, False)]  # type: ignore[index]
    filing = client.post(
        f"/api/v1/cases/{case_id}/filings", json={"note": "单独备案"}, headers=auth("reviewer")
    )
    assert filing.status_code == 201 and filing.json["filed_by"] == "reviewer"  # type: ignore[index]
    filed = client.get("/api/v1/kinship/flags?filed=true", headers=auth("inspector")).json
    assert filed["total"] == 1  # type: ignore[index]
    assert client.get("/api/v1/kinship/flags", headers=auth("clerk")).status_code == 403


def _source(trigger: str) -> CaseState:
    special = {"submit": CaseState.DRAFT, "extend_deadline": CaseState.ACCEPTED}
    rule = next(r for r in TRANSITIONS if r.trigger == trigger)
    return special.get(trigger, rule.sources[0])


@pytest.mark.parametrize("trigger", [r.trigger for r in TRANSITIONS])
def test_a_related_user_gets_403_for_every_trigger(
    client: FlaskClient, auth: Auth, world: World, trigger: str
) -> None:
    """Recusal (回避) over the API: each trigger refused with the reason, and audited."""
    rule = next(r for r in TRANSITIONS if r.trigger == trigger)
    state = _source(trigger)
    # the termination notice is a tekun procedure (TK Art. 26)
    category = "tekun" if state == CaseState.TERMINATION_NOTICE else "dibao"
    app = Application(
        category,
        VILLAGE_A1,
        [member("self", "100", name="李芳")],
        draft=state == CaseState.DRAFT,
        tekun_supporter="none" if category == "tekun" else None,
    )
    case_id = world.apply(app)
    if state != CaseState.DRAFT:
        world.to_state(case_id, state)
    number = id_number(dt.date(1973, 7, 7))
    official(
        client,
        auth,
        [{"relation": "sibling", "name": "李芳", "id_number": app.members[0].id_number}],
        id_number=number,
        position="township_officer",
        region_code=TOWNSHIP_A,
    )
    region = COUNTY if rule.role == "approver" else TOWNSHIP_A
    create_user(
        world.uow(), NewUser("related", rule.role.value, region, PASSWORD, id_number=number)
    )
    response = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        headers=auth("related"),
        json={
            "trigger": trigger,
            "reason": "理由",
            "data": {"ground": "objection", "change": "employment"},
        },
    )
    assert response.status_code == 403, response.json
    assert response.json["error"] == "recusal"  # type: ignore[index]
    assert "回避" in response.json["message"]  # type: ignore[index]
    entries = client.get(f"/api/v1/cases/{case_id}/audit", headers=auth("inspector")).json
    assert entries["entries"][-1]["trigger"] == "recusal_refused"  # type: ignore[index]
    assert entries["chain"]["ok"] is True  # type: ignore[index]


def test_flags_and_the_register_keep_to_the_callers_region(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    """A township's inspector, approver or admin sees its own flags, not the county's."""
    cases = {}
    for village, name in ((VILLAGE_A1, "李芳"), (VILLAGE_B1, "赵敏")):
        app = Application("dibao", village, [member("self", "100", name=name)])
        case_id = world.apply(app, by="clerk" if village == VILLAGE_A1 else "clerk_b")
        number = id_number(dt.date(1976, 4, 4))
        official(client, auth, [], id_number=number, region_code=village)
        declared = client.post(
            f"/api/v1/cases/{case_id}/declarations",
            headers=auth("clerk" if village == VILLAGE_A1 else "clerk_b"),
            json={
                "official_id_number": number,
                "member_id_number": app.members[0].id_number,
                "relation": "spouse",
            },
        )
        assert declared.status_code == 201
        filing = client.post(
            f"/api/v1/cases/{case_id}/filings",
            json={"note": "单独备案"},
            headers=auth("reviewer" if village == VILLAGE_A1 else "reviewer_b"),
        )
        assert filing.status_code == 201
        cases[village] = case_id
    for role in ("inspector", "approver", "admin"):
        create_user(world.uow(), NewUser(f"{role}_a", role, TOWNSHIP_A, PASSWORD))
        listed = client.get("/api/v1/kinship/flags", headers=auth(f"{role}_a")).json
        assert [i["case_id"] for i in listed["items"]] == [cases[VILLAGE_A1]], role  # type: ignore[index]
        assert listed["total"] == 1  # type: ignore[index]
    county = client.get("/api/v1/kinship/flags", headers=auth("inspector")).json
    assert county["total"] == 2  # type: ignore[index]
