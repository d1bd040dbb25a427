"""POST /api/v1/cases/batch: one trigger on several cases, each outcome reported by case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine.states import CaseState
from tests.support import VILLAGE_A1, World, flagged_case

Auth = Callable[[str], dict[str, str]]


def pending(world: World, n: int) -> list[int]:
    ids = [world.apply() for _ in range(n)]
    for case_id in ids:
        world.to_state(case_id, CaseState.PENDING_CONFIRMATION)
    return ids


def batch(client: FlaskClient, auth: Auth, who: str, body: Any, **headers: str) -> Any:
    return client.post("/api/v1/cases/batch", json=body, headers={**auth(who), **headers})


def test_three_cases_confirmed_one_refused_by_its_guard(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    first, second = pending(world, 2)
    flagged = flagged_case(world, VILLAGE_A1, "李芳")
    world.to_state(flagged, CaseState.PENDING_CONFIRMATION)
    response = batch(
        client, auth, "approver", {"trigger": "approve", "case_ids": [first, flagged, second]}
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["trigger"], body["done"], body["refused"]) == ("approve", 2, 1)
    items = {i["case_id"]: i for i in body["items"]}
    assert items[first]["outcome"] == "done" and items[first]["state"] == "active"
    refused = items[flagged]
    assert refused["outcome"] == "refused" and refused["error"] == "guard_failed"
    assert "须先记录县级入户调查" in refused["message"]
    assert [d["code"] for d in refused["details"]] == ["county_check_missing"]
    case = client.get(f"/api/v1/cases/{flagged}", headers=auth("approver")).json
    assert case["state"] == "pending_confirmation"


def test_refusals_are_worded_in_english_when_asked(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    (case_id,) = pending(world, 1)
    stale = client.get(f"/api/v1/cases/{case_id}", headers=auth("approver")).json["version"] - 1
    response = batch(
        client,
        auth,
        "approver",
        {"trigger": "approve", "case_ids": [case_id], "expected_versions": {str(case_id): stale}},
        **{"Accept-Language": "en"},
    )
    (item,) = response.json["items"]
    assert (item["outcome"], item["error"]) == ("refused", "version_conflict")
    assert item["message"].startswith("version conflict")


@pytest.mark.parametrize("who", ["clerk", "reviewer", "inspector", "admin"])
def test_only_the_approver_confirms_a_batch(
    client: FlaskClient, auth: Auth, world: World, who: str
) -> None:
    (case_id,) = pending(world, 1)
    response = batch(client, auth, who, {"trigger": "approve", "case_ids": [case_id]})
    assert response.status_code == 403 and response.json["error"] == "role_not_allowed"


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"trigger": "approve", "case_ids": []}, 422, "请至少选择一个案件"),
        ({"trigger": "approve", "case_ids": list(range(1, 102))}, 422, "一次最多批量办理100件"),
        ({"trigger": "approve", "case_ids": [0, -4]}, 422, "案件编号须为"),
        ({"trigger": "approve", "case_ids": [2**70]}, 422, "案件编号须为"),
        ({"trigger": "approve", "case_ids": "1,2"}, 422, "case_ids"),
        ({"trigger": "approve", "case_ids": [1], "expected_versions": {"2": 1}}, 422, "版本号"),
        ({"trigger": "reject", "case_ids": [1], "reason": "收入超标"}, 422, "不能批量办理"),
        ({"trigger": "approve", "case_ids": [1], "extra": 1}, 422, "extra"),
        ({"trigger": "approve"}, 422, "case_ids"),
        ([1, 2], 422, "输入有误"),
    ],
)
def test_a_bad_request_is_refused_whole_with_a_plain_message(
    client: FlaskClient, auth: Auth, world: World, body: Any, status: int, text: str
) -> None:
    (case_id,) = pending(world, 1)
    response = batch(client, auth, "approver", body)
    assert response.status_code == status, response.json
    assert text in str(response.json)
    state = client.get(f"/api/v1/cases/{case_id}", headers=auth("approver")).json["state"]
    assert state == "pending_confirmation"


def test_the_batch_is_documented(client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").json
    operation = doc["paths"]["/api/v1/cases/batch"]["post"]
    assert set(operation["responses"]) >= {"200", "401", "403", "422"}
    assert "BatchIn" in str(operation["requestBody"])
