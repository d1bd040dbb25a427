"""The information-check endpoints (信息核对, Art. 17): the township asks, the county starts and
answers; masked readers see that a check happened, not what it found."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from engine.states import CaseState
from tests.support import World

Auth = Callable[[str], dict[str, str]]


def test_a_check_goes_from_the_townships_request_to_the_countys_result(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    case_id = world.apply()
    world.to_state(case_id, CaseState.INVESTIGATING)
    base = f"/api/v1/cases/{case_id}/data-checks"
    bad = client.post(base, json={"sources": ["astrology"]}, headers=auth("reviewer"))
    assert bad.status_code == 422 and bad.json["details"][0]["field"].startswith("sources")  # type: ignore[index]
    asked = client.post(
        base, json={"sources": ["tax", "vehicles"], "note": "核对车辆"}, headers=auth("reviewer")
    )
    assert asked.status_code == 201, asked.json
    check = asked.json["id"]  # type: ignore[index]
    again = client.post(base, json={"sources": ["tax"]}, headers=auth("clerk"))
    assert again.status_code == 409 and again.json["error"] == "check_open"  # type: ignore[index]
    township = client.post(f"{base}/{check}/start", json={}, headers=auth("clerk"))
    assert township.status_code == 403
    started = client.post(f"{base}/{check}/start", json={}, headers=auth("approver"))
    assert started.status_code == 200 and started.json["started_by"] == "approver"  # type: ignore[index]
    answered = client.post(
        f"{base}/{check}/result",
        json={"discrepancy": True, "findings": "名下登记小型轿车一辆"},
        headers=auth("approver"),
    )
    assert answered.status_code == 200 and answered.json["discrepancy"] is True  # type: ignore[index]
    case = client.get(f"/api/v1/cases/{case_id}", headers=auth("reviewer")).json
    assert case["data_checks"][0]["findings"] == "名下登记小型轿车一辆"  # type: ignore[index]
    assert case["deadlines"]["data_check"]["status"] == "met"  # type: ignore[index]
    masked = client.get(f"/api/v1/cases/{case_id}", headers=auth("admin")).json
    (seen,) = masked["data_checks"]  # type: ignore[index]
    assert seen["discrepancy"] is None and "轿车" not in seen["findings"]
    unknown = client.post(f"{base}/999999/start", json={}, headers=auth("approver"))
    assert unknown.status_code == 404
