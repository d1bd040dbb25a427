"""API v1 for the rules: standards, parameters, typed incomes, amounts, deadlines, statistics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support import VILLAGE_A1, World, id_number

Auth = Callable[[str], dict[str, str]]


def new_case(client: FlaskClient, auth: Auth, **extra: Any) -> dict[str, Any]:
    body = {
        "category": "dibao",
        "village_code": VILLAGE_A1,
        "members": [
            {
                "id_number": id_number(),
                "name": "王建国",
                "relation": "self",
                "incomes": [
                    {"type": "wages", "monthly_yuan": 250},
                    {"type": "pension_basic", "monthly_yuan": 150},
                ],
            },
            {
                "id_number": id_number(male=False),
                "name": "李秀英",
                "relation": "spouse",
                "monthly_income": 50,
                "serious_illness": True,
            },
        ],
        **extra,
    }
    response = client.post("/api/v1/cases", json=body, headers=auth("clerk"))
    assert response.status_code == 201, response.json
    return response.json  # type: ignore[return-value]


def fire(
    client: FlaskClient, auth: Auth, case_id: int, trigger: str, who: str, **extra: Any
) -> Any:
    return client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"trigger": trigger, **extra},
        headers=auth(who),
    )


def to_active(client: FlaskClient, auth: Auth, world: World, case_id: int) -> dict[str, Any]:
    for trigger in ("accept", "start_investigation"):
        assert fire(client, auth, case_id, trigger, "clerk").status_code == 200
    client.post(
        f"/api/v1/cases/{case_id}/investigations",
        headers=auth("clerk"),
        json={
            "date": "2026-03-02",
            "method": "home_visit",
            "investigators": ["clerk", "clerk2"],
            "findings": "入户核实",
            "level": "township",
        },
    )
    for trigger in ("propose", "publish_notice"):
        assert fire(client, auth, case_id, trigger, "reviewer").status_code == 200
    world.pass_days(8)
    assert fire(client, auth, case_id, "close_notice", "reviewer").status_code == 200
    response = fire(client, auth, case_id, "approve", "approver")
    assert response.status_code == 200, response.json
    return response.json  # type: ignore[no-any-return]


class TestStandardsAndParameters:
    def test_admins_add_standards_others_get_403(self, client: FlaskClient, auth: Auth) -> None:
        body = {
            "county_code": "512022",
            "area_type": "urban",
            "category": "dibao",
            "monthly_yuan": 760,
            "effective_from": "2026-07-01",
            "source": "县政府文件（测试）",
        }
        assert (
            client.post("/api/v1/standards", json=body, headers=auth("approver")).status_code == 403
        )
        made = client.post("/api/v1/standards", json=body, headers=auth("admin"))
        assert made.status_code == 201
        assert made.json["monthly_yuan"] == 760  # type: ignore[index]
        listed = client.get("/api/v1/standards?county_code=512022", headers=auth("clerk")).json
        urban = [
            s
            for s in listed["items"]
            if (s["area_type"], s["category"])
            == (  # type: ignore[index]
                "urban",
                "dibao",
            )
        ]
        assert [s["monthly_yuan"] for s in urban] == [760, 740]

    @pytest.mark.parametrize(
        ("change", "status", "field"),
        [
            ({"monthly_yuan": -5}, 422, "monthly_yuan"),
            ({"effective_from": "2026-02-30"}, 422, "effective_from"),
            ({"category": "single_person"}, 422, "category"),
            ({"effective_from": "2024-01-01"}, 409, None),  # the seeded version's date
        ],
    )
    def test_bad_standards(
        self,
        client: FlaskClient,
        auth: Auth,
        change: dict[str, Any],
        status: int,
        field: str | None,
    ) -> None:
        body = {
            "county_code": "512022",
            "area_type": "rural",
            "category": "dibao",
            "monthly_yuan": 600,
            "effective_from": "2026-07-01",
            "source": "文件",
            **change,
        }
        response = client.post("/api/v1/standards", json=body, headers=auth("admin"))
        assert response.status_code == status
        if field:
            assert field in [d["field"] for d in response.json["details"]]  # type: ignore[index]

    def test_parameters(self, client: FlaskClient, auth: Auth) -> None:
        body = {
            "county_code": "512022",
            "name": "classified_supplement_rate",
            "value": 0.1,
            "effective_from": "2026-01-01",
            "source": "乐至县分类施保办法（测试）",
        }
        made = client.post("/api/v1/parameters", json=body, headers=auth("admin"))
        assert made.status_code == 201
        assert made.json["value"] == "0.1"  # type: ignore[index]
        unknown = client.post(
            "/api/v1/parameters", json=body | {"name": "bonus"}, headers=auth("admin")
        )
        assert unknown.status_code == 422
        assert unknown.json["details"][0]["code"] == "unknown_parameter"  # type: ignore[index]
        listed = client.get("/api/v1/parameters?county_code=512022", headers=auth("admin")).json
        rates = [p for p in listed["items"] if p["name"] == "classified_supplement_rate"]  # type: ignore[index]
        assert [(p["county_code"], p["value"]) for p in rates] == [(None, "0"), ("512022", "0.1")]


class TestCaseRules:
    def test_typed_incomes_and_the_benefit_in_the_case(
        self, client: FlaskClient, auth: Auth, world: World
    ) -> None:
        case = new_case(client, auth)
        incomes = case["members"][0]["incomes"]
        assert incomes == [
            {"type": "wages", "monthly_yuan": 250},
            {"type": "pension_basic", "monthly_yuan": 150},
        ]
        active = to_active(client, auth, world, case["id"])
        benefit = active["benefit"]
        # 533 × 2 − (250 + 50) = 766; the basic pension is not counted (Art. 13)
        assert (
            benefit["monthly_yuan"],
            benefit["standard_yuan"],
            benefit["members"],
            benefit["counted_income_yuan"],
            benefit["supplement_yuan"],
        ) == (766, 533, 2, 300, 0)
        assert any(line["code"] == "excluded.pension_basic" for line in benefit["breakdown"])
        assert active["recheck"]["interval_months"] == 12

    def test_unknown_income_types_and_both_income_forms_are_422(
        self, client: FlaskClient, auth: Auth
    ) -> None:
        body = {
            "category": "dibao",
            "village_code": VILLAGE_A1,
            "members": [
                {
                    "id_number": id_number(),
                    "name": "王",
                    "relation": "self",
                    "incomes": [{"type": "lottery", "monthly_yuan": 10}],
                }
            ],
        }
        response = client.post("/api/v1/cases", json=body, headers=auth("clerk"))
        assert response.status_code == 422
        assert response.json["details"][0]["field"] == "members.0.incomes.0.type"  # type: ignore[index]
        body["members"][0] = body["members"][0] | {  # type: ignore[index]
            "incomes": [{"type": "wages", "monthly_yuan": 10}],
            "monthly_income": 20,
        }
        both = client.post("/api/v1/cases", json=body, headers=auth("clerk"))
        assert both.status_code == 422
        assert both.json["details"][0]["field"] == "members.0.monthly_income"  # type: ignore[index]

    def test_deadlines_and_the_overdue_list(
        self, client: FlaskClient, auth: Auth, world: World
    ) -> None:
        case = new_case(client, auth)
        fire(client, auth, case["id"], "accept", "clerk")
        shown = client.get(f"/api/v1/cases/{case['id']}", headers=auth("clerk")).json
        start = shown["deadlines"]["investigation_start"]  # type: ignore[index]
        assert (start["due_on"], start["days_left"], start["overdue"]) == ("2026-03-05", 3, False)
        assert shown["deadlines"]["case_total"]["limit"] == 30  # type: ignore[index]
        # the next deadline as the queue and the case page word it (calendar days)
        assert shown["next_deadline"] == {  # type: ignore[index]
            "kind": "investigation_start",
            "due_on": "2026-03-05",
            "days_left": 3,
            "status": "due_soon",
        }
        assert start["kind"] == "investigation_start" and start["due_status"] == "due_soon"
        overdue = client.get("/api/v1/cases?overdue=true", headers=auth("clerk")).json
        assert overdue["total"] == 0  # type: ignore[index]
        world.pass_days(4)
        overdue = client.get("/api/v1/cases?overdue=true", headers=auth("clerk")).json
        assert [i["id"] for i in overdue["items"]] == [case["id"]]  # type: ignore[index]

    def test_a_refusal_must_be_served(self, client: FlaskClient, auth: Auth, world: World) -> None:
        case = new_case(
            client,
            auth,
            members=[
                {
                    "id_number": id_number(),
                    "name": "赵富",
                    "relation": "self",
                    "monthly_income": 900,
                }
            ],
        )
        for trigger in ("accept", "start_investigation"):
            fire(client, auth, case["id"], trigger, "clerk")
        client.post(
            f"/api/v1/cases/{case['id']}/investigations",
            headers=auth("clerk"),
            json={
                "date": "2026-03-02",
                "method": "home_visit",
                "investigators": ["clerk", "clerk2"],
                "findings": "收入高于标准",
            },
        )
        for trigger in ("propose", "publish_notice"):
            fire(client, auth, case["id"], trigger, "reviewer")
        world.pass_days(8)
        fire(client, auth, case["id"], "close_notice", "reviewer")
        refused = fire(client, auth, case["id"], "approve", "approver")
        assert refused.status_code == 422
        assert refused.json["details"][0]["code"] == "income_not_below_standard"  # type: ignore[index]
        fire(client, auth, case["id"], "reject", "approver", reason="人均收入900元高于标准")
        served = client.post(
            f"/api/v1/cases/{case['id']}/decision-served",
            json={"served_on": "2026-03-10", "method": "in_person"},
            headers=auth("clerk"),
        )
        assert served.status_code == 200
        assert served.json["deadlines"]["decision_notice"]["status"] == "met"  # type: ignore[index]

    def test_a_death_opens_a_reassessment(
        self, client: FlaskClient, auth: Auth, world: World
    ) -> None:
        case = new_case(client, auth)
        to_active(client, auth, world, case["id"])
        spouse = case["members"][1]["id_number"]
        response = client.post(
            f"/api/v1/cases/{case['id']}/deaths",
            json={"id_number": spouse, "died_on": "2026-03-10"},
            headers=auth("clerk"),
        )
        assert response.status_code == 200
        shown = response.json
        assert len(shown["members"]) == 1  # type: ignore[index]
        assert shown["deadlines"]["death_reassessment"]["due_on"] == "2026-06-10"  # type: ignore[index]

    def test_members_join_and_leave(self, client: FlaskClient, auth: Auth, world: World) -> None:
        case = new_case(client, auth)
        to_active(client, auth, world, case["id"])
        baby = id_number(dt.date(2026, 2, 20), male=False)
        joined = client.post(
            f"/api/v1/cases/{case['id']}/members",
            json={
                "member": {"id_number": baby, "name": "王小妹", "relation": "child"},
                "joined_on": "2026-02-20",
                "reason": "birth",
            },
            headers=auth("clerk"),
        )
        assert joined.status_code == 200, joined.json
        assert len(joined.json["members"]) == 3  # type: ignore[index]
        left = client.post(
            f"/api/v1/cases/{case['id']}/departures",
            json={
                "id_number": case["members"][1]["id_number"],
                "left_on": "2026-03-01",
                "reason": "moved_out",
                "note": "随子女迁居外县",
                "expected_version": joined.json["version"],  # type: ignore[index]
            },
            headers=auth("clerk"),
        )
        assert left.status_code == 200, left.json
        assert [m["relation"] for m in left.json["members"]] == ["self", "child"]  # type: ignore[index]
        trail = client.get(f"/api/v1/cases/{case['id']}/audit", headers=auth("inspector")).json
        assert [e["trigger"] for e in trail["entries"][-2:]] == ["member_joined", "member_left"]  # type: ignore[index]

    @pytest.mark.parametrize(
        ("path", "body", "status", "error"),
        [
            (
                "members",
                {
                    "member": {"id_number": "123", "name": "甲", "relation": "child"},
                    "joined_on": "2026-02-20",
                    "reason": "birth",
                },
                422,
                "invalid",
            ),
            ("members", {"member": {"name": "甲"}, "reason": "birth"}, 422, "invalid"),
            (
                "departures",
                {"id_number": "x", "left_on": "2026-03-01", "reason": "fled"},
                422,
                "invalid",
            ),
            (
                "departures",
                {"id_number": "self", "left_on": "2026-03-01", "reason": "moved_out"},
                409,
                "applicant_cannot_leave",
            ),
        ],
    )
    def test_bad_household_changes_get_clear_errors(
        self,
        client: FlaskClient,
        auth: Auth,
        path: str,
        body: dict[str, Any],
        status: int,
        error: str,
    ) -> None:
        case = new_case(client, auth)
        if body.get("id_number") == "self":
            body = {**body, "id_number": case["members"][0]["id_number"]}
        response = client.post(
            f"/api/v1/cases/{case['id']}/{path}", json=body, headers=auth("clerk")
        )
        assert response.status_code == status, response.json
        assert response.json["error"] == error  # type: ignore[index]
        again = client.get(f"/api/v1/cases/{case['id']}", headers=auth("clerk")).json
        assert (again["version"], len(again["members"])) == (case["version"], 2)  # type: ignore[index]

    def test_a_recorded_change_feeds_the_adjustment(
        self, client: FlaskClient, auth: Auth, world: World
    ) -> None:
        case = new_case(client, auth)
        to_active(client, auth, world, case["id"])
        fire(client, auth, case["id"], "start_recheck", "reviewer")
        change = client.post(
            f"/api/v1/cases/{case['id']}/changes",
            headers=auth("clerk"),
            json={
                "kind": "income",
                "note": "配偶病愈务工",
                "members": [
                    {
                        "id_number": case["members"][1]["id_number"],
                        "monthly_income": 400,
                        "serious_illness": False,
                    }
                ],
            },
        )
        assert change.status_code == 200, change.json
        adjusted = fire(client, auth, case["id"], "adjust", "approver", reason="收入增加")
        assert adjusted.json["benefit"]["monthly_yuan"] == 416  # type: ignore[index]

    def test_changes_only_during_investigation_or_recheck(
        self, client: FlaskClient, auth: Auth
    ) -> None:
        case = new_case(client, auth)
        response = client.post(
            f"/api/v1/cases/{case['id']}/changes",
            headers=auth("clerk"),
            json={"kind": "income", "note": "x"},
        )
        assert response.status_code == 409


def test_county_statistics(client: FlaskClient, auth: Auth, world: World) -> None:
    case = new_case(client, auth)
    to_active(client, auth, world, case["id"])
    new_case(client, auth)
    response = client.get("/api/v1/stats?year=2026", headers=auth("inspector"))
    assert response.status_code == 200
    figures = response.json["figures"]  # type: ignore[index]
    assert figures["by_category_and_state"]["dibao"]["active"] == {"households": 1, "people": 2}
    assert figures["by_category_and_state"]["dibao"]["submitted"]["households"] == 1
    assert figures["new_enrollments"]["dibao"] == {"households": 1, "people": 2}
    rural = figures["enrolled"]["dibao"]["rural"]
    assert (rural["people"], rural["average_per_person_yuan"]) == (2, "383.00")
    assert figures["kinship_filed"] == 0
    assert client.get("/api/v1/stats", headers=auth("clerk")).status_code == 403
