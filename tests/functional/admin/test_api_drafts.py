"""Correcting a draft over the API: PUT /api/v1/cases/{id}."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from tests.functional.admin.test_api_cases import body
from tests.support import World

Auth = Callable[[str], dict[str, str]]


def test_a_draft_is_corrected_then_submitted(client: FlaskClient, auth: Auth, world: World) -> None:
    draft = body(members=2, draft=True)
    created = client.post("/api/v1/cases", json=draft, headers=auth("clerk")).json
    assert created is not None and created["state"] == "draft"
    path = f"/api/v1/cases/{created['id']}"
    fixed: dict[str, Any] = {**draft, "rigid_expenses_yuan": 80, "expected_version": 1}
    fixed["members"] = [{**draft["members"][0], "monthly_income": 400}, draft["members"][1]]
    kept = client.put(path, json=fixed, headers=auth("clerk"))
    assert kept.status_code == 200, kept.json
    assert (kept.json["state"], kept.json["version"]) == ("draft", 2)  # type: ignore[index]
    assert kept.json["members"][0]["monthly_income"] == 400  # type: ignore[index]
    # a stale version, another role, an unknown case, bad input: refused
    stale = client.put(path, json=fixed, headers=auth("clerk"))
    assert stale.status_code == 409 and stale.json["error"] == "version_conflict"  # type: ignore[index]
    assert client.put(path, json=fixed, headers=auth("reviewer")).status_code == 403
    assert client.put("/api/v1/cases/99999", json=fixed, headers=auth("clerk")).status_code == 404
    bad = {**fixed, "expected_version": 2, "members": [{**draft["members"][0], "relation": "x"}]}
    assert client.put(path, json=bad, headers=auth("clerk")).status_code == 422
    submitted = client.put(
        path, json={**fixed, "expected_version": 2, "draft": False}, headers=auth("clerk")
    )
    assert submitted.status_code == 200 and submitted.json["state"] == "submitted"  # type: ignore[index]
    again = client.put(path, json={**fixed, "expected_version": None}, headers=auth("clerk"))
    assert again.status_code == 409 and again.json["error"] == "not_a_draft"  # type: ignore[index]
