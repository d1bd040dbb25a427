"""API v1: information-check flags on a case, and their resolution."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from tests.support import World, flagged_by_crosscheck

Auth = Callable[[str], dict[str, str]]


def test_the_case_shows_the_flag_with_its_evidence_row(
    world: World, client: FlaskClient, auth: Auth
) -> None:
    case_id = flagged_by_crosscheck(world)
    body = client.get(f"/api/v1/cases/{case_id}", headers=auth("approver")).json
    assert body is not None
    (flag,) = [f for f in body["flags"] if f["kind"] == "crosscheck"]
    assert flag["source"] == "public_employees"
    assert flag["evidence"]["employer"] == "乐至县某局"
    assert flag["evidence"]["monthly_salary"] == "5200.00"
    assert (flag["file"], flag["line"]) == ("x.csv", 2)


def test_staff_resolve_a_flag_and_it_leaves_the_case(
    world: World, client: FlaskClient, auth: Auth
) -> None:
    case_id = flagged_by_crosscheck(world)
    body = client.get(f"/api/v1/cases/{case_id}", headers=auth("clerk")).json
    assert body is not None
    (flag,) = [f for f in body["flags"] if f["kind"] == "crosscheck"]
    url = f"/api/v1/crosschecks/{flag['flag_id']}/resolve"
    bad = client.post(url, json={"outcome": "ignore", "reason": "x"}, headers=auth("clerk"))
    assert bad.status_code == 422 and bad.json is not None and bad.json["error"] == "invalid"
    stale = client.post(
        url,
        json={"outcome": "recheck", "reason": "有工资收入", "expected_version": 1},
        headers=auth("reviewer"),
    )
    assert stale.status_code == 409
    done = client.post(
        url,
        json={"outcome": "recheck", "reason": "有工资收入", "expected_version": body["version"]},
        headers=auth("reviewer"),
    )
    assert done.status_code == 200, done.json
    assert done.json is not None
    assert not [f for f in done.json["flags"] if f["kind"] == "crosscheck"]
    assert done.json["next_deadline"]["kind"] == "recheck"
    again = client.post(url, json={"outcome": "explained", "reason": "x"}, headers=auth("clerk"))
    assert again.status_code == 409
    assert (
        client.post(
            "/api/v1/crosschecks/999999/resolve",
            json={"outcome": "explained", "reason": "x"},
            headers=auth("clerk"),
        ).status_code
        == 404
    )
    assert (
        client.post(
            url, json={"outcome": "explained", "reason": "x"}, headers=auth("inspector")
        ).status_code
        == 403
    )
