"""Favouritism indicators over the API and in the inspector's workspace: inspectors only, each
indicator with the cases behind it, bad periods refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from engine.states import CaseState
from tests.functional.admin.ui.conftest import Browser
from tests.support import PASSWORD, VILLAGE_A1, World, flagged_case

Auth = Callable[[str], dict[str, str]]


@pytest.fixture
def backend() -> str:
    """The indicators read the trail the same way on both databases; they run on SQLite."""
    return "sqlite"


def test_the_indicators_name_the_pattern_and_the_cases_behind_it(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    approved = world.apply()
    world.to_state(approved, CaseState.ACTIVE)
    rejected = world.apply()
    world.to_state(rejected, CaseState.REJECTED)
    kin = flagged_case(world, VILLAGE_A1, "李芳")
    response = client.get("/api/v1/audit/indicators", headers=auth("inspector"))
    assert response.status_code == 200, response.json
    body = response.json
    assert body is not None
    deciders = {d["user"]: d for d in body["deciders"]}
    assert deciders["approver"]["approved"] == 1 and deciders["approver"]["rejected"] == 1
    assert sorted(deciders["approver"]["case_ids"]) == sorted([approved, rejected])
    assert any(kin in o["case_ids"] for o in body["officials"])
    assert body["thresholds"]["min_steps"] == 3
    for role in ("clerk", "reviewer", "approver", "admin"):
        assert client.get("/api/v1/audit/indicators", headers=auth(role)).status_code == 403
    backwards = client.get(
        "/api/v1/audit/indicators?since=2026-03-02&until=2026-01-01", headers=auth("inspector")
    )
    assert backwards.status_code == 422
    odd = client.get("/api/v1/audit/indicators?min_steps=9", headers=auth("inspector"))
    assert odd.status_code == 422


def test_enrolments_bunched_by_one_decider_are_listed_with_their_cases(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    cases = [world.apply() for _ in range(2)]
    for case_id in cases:
        world.to_state(case_id, CaseState.ACTIVE)
    query = "min_decisions=2&cluster_factor=1&wave_window_days=10&wave_min_rechecks=2"
    response = client.get(f"/api/v1/audit/indicators?{query}", headers=auth("inspector"))
    assert response.status_code == 200, response.json
    body = response.json
    assert body is not None
    (cluster,) = body["clusters"]
    assert (cluster["kind"], cluster["who"], cluster["enrolments"]) == (
        "one_decider",
        "approver",
        2,
    )
    assert sorted(cluster["case_ids"]) == sorted(cases)
    assert body["thresholds"]["wave_window_days"] == 10
    zero = client.get("/api/v1/audit/indicators?wave_window_days=0", headers=auth("inspector"))
    assert zero.status_code == 422


def test_the_workspace_shows_the_indicators_with_links_to_the_cases(
    client: FlaskClient, world: World
) -> None:
    case_id = world.apply()
    world.to_state(case_id, CaseState.ACTIVE)
    b = Browser(client)
    b.sign_in("inspector", PASSWORD)
    page = b.text("/admin/indicators/")
    assert 'id="indicator-deciders"' in page and f"/admin/case/{case_id}" in page
    assert 'id="indicator-clusters"' in page
    assert "优亲厚友" in page or "审批员批准率对比" in page
    clerk = Browser(client)
    clerk.sign_in("clerk", PASSWORD)
    assert clerk.get("/admin/indicators/").status_code == 403


def test_an_inspector_records_a_finding_the_county_sees(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    """A finding over the API and the case page: the county sees it and what it requires."""
    case_id = world.apply()
    world.to_state(case_id, CaseState.PENDING_CONFIRMATION)
    url = f"/api/v1/cases/{case_id}/findings"
    made = client.post(
        url,
        json={"note": "与村干部同住一址，请核实", "requires_visit": True},
        headers=auth("inspector"),
    )
    assert made.status_code == 201, made.json
    assert made.json["requires_visit"] is True and made.json["visited"] is False  # type: ignore[index]
    assert client.post(url, json={"note": "x"}, headers=auth("approver")).status_code == 403
    assert client.post(url, json={"note": ""}, headers=auth("inspector")).status_code == 422
    seen = client.get(f"/api/v1/cases/{case_id}", headers=auth("approver")).json
    assert seen["findings"][0]["note"] == "与村干部同住一址，请核实"  # type: ignore[index]
    held = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"trigger": "approve"},
        headers=auth("approver"),
    )
    assert held.status_code == 422
    assert "inspection_visit_required" in {p["code"] for p in held.json["details"]}  # type: ignore[index]
    b = Browser(client)
    b.sign_in("inspector", PASSWORD)
    page = b.text(f"/admin/case/{case_id}")
    assert 'id="finding-form"' in page and 'id="case-findings"' in page
    version = client.get(f"/api/v1/cases/{case_id}", headers=auth("inspector")).json["version"]  # type: ignore[index]
    posted = b.post(
        f"/admin/case/{case_id}/findings",
        {"note": "补充：核实其子女收入", "expected_version": version},
    )
    assert posted.status_code == 302
    assert "补充：核实其子女收入" in b.text(f"/admin/case/{case_id}")
    approver = Browser(client)
    approver.sign_in("approver", PASSWORD)
    county = approver.text(f"/admin/case/{case_id}")
    assert 'id="case-findings"' in county and 'id="finding-form"' not in county
