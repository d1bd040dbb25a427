"""API v1: monitoring warnings from signal to follow-up, and outreach visits."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from engine.services.users import NewUser, create_user
from tests.support import (
    PASSWORD,
    VILLAGE_A1,
    VILLAGE_B1,
    World,
    load_actors,
    person,
    put_on_register,
)

Auth = Callable[[str], dict[str, str]]
PHOTO = hashlib.sha256(b"visit").hexdigest()


@pytest.fixture
def monitored(world: World) -> str:
    """A person on the register, and the village's coordinator; the person's ID number."""
    create_user(world.uow(), NewUser("xieliyuan", "coordinator", VILLAGE_A1, PASSWORD))
    world.actors = load_actors(world.rt)
    one = person()
    put_on_register(world, [one])
    return one["id_number"]


def test_a_signal_raises_a_warning_the_coordinator_follows_up(
    world: World, client: FlaskClient, auth: Auth, monitored: str
) -> None:
    today = world.today().isoformat()
    signal = {"id_number": monitored, "signal": "income_drop", "signal_on": today, "detail": "减产"}
    raised = client.post("/api/v1/monitoring/signals", json=signal, headers=auth("clerk"))
    assert raised.status_code == 201 and raised.json is not None and raised.json["raised"]
    warning_id = raised.json["warning_id"]
    listed = client.get("/api/v1/monitoring/warnings", headers=auth("xieliyuan")).json
    assert listed is not None and [w["id"] for w in listed["items"]] == [warning_id]
    assert listed["items"][0]["overdue"] is False
    # another township sees none of it
    other = client.get("/api/v1/monitoring/warnings", headers=auth("clerk_b")).json
    assert other is not None and other["total"] == 0
    bad = client.post(
        f"/api/v1/monitoring/warnings/{warning_id}/visit",
        json={"visited_on": today, "findings": "入户", "photo_sha256": ["not-a-hash"]},
        headers=auth("xieliyuan"),
    )
    assert bad.status_code == 422
    done = client.post(
        f"/api/v1/monitoring/warnings/{warning_id}/visit",
        json={"visited_on": today, "findings": "入户核实，收入下降属实", "photo_sha256": [PHOTO]},
        headers=auth("xieliyuan"),
    )
    assert done.status_code == 201, done.json
    again = client.post(
        f"/api/v1/monitoring/warnings/{warning_id}/close",
        json={"reason": "重复"},
        headers=auth("clerk"),
    )
    assert again.status_code == 409


def test_a_referral_opens_a_draft_and_an_outreach_visit_is_recorded(
    world: World, client: FlaskClient, auth: Auth, monitored: str
) -> None:
    today = world.today().isoformat()
    signal = {"id_number": monitored, "signal": "job_loss", "signal_on": today, "detail": "失业"}
    warning_id = client.post(
        "/api/v1/monitoring/signals", json=signal, headers=auth("xieliyuan")
    ).json["warning_id"]  # type: ignore[index]
    referred = client.post(
        f"/api/v1/monitoring/warnings/{warning_id}/refer",
        json={"note": "转低保申请"},
        headers=auth("xieliyuan"),
    )
    assert referred.status_code == 201 and referred.json is not None
    case = client.get(f"/api/v1/cases/{referred.json['id']}", headers=auth("clerk")).json
    assert case is not None and case["state"] == "draft"
    assert case["origin"] == "referral" and case["referral"]["warning_id"] == warning_id
    assert case["referral"]["note"] == "转低保申请"
    visit = {
        "village_code": VILLAGE_A1,
        "visited_on": today,
        "household": "孙家",
        "findings": "走访摸排：独居老人，无固定收入",
        "photo_sha256": [PHOTO],
    }
    assert client.post("/api/v1/visits", json=visit, headers=auth("xieliyuan")).status_code == 201
    elsewhere = {**visit, "village_code": VILLAGE_B1}
    assert (
        client.post("/api/v1/visits", json=elsewhere, headers=auth("xieliyuan")).status_code == 403
    )
    old = {**visit, "visited_on": (world.today() - dt.timedelta(days=400)).isoformat()}
    assert client.post("/api/v1/visits", json=old, headers=auth("xieliyuan")).status_code == 422
    unknown = {**signal, "id_number": "110101199001011237"}
    assert (
        client.post("/api/v1/monitoring/signals", json=unknown, headers=auth("clerk")).status_code
        == 404
    )
