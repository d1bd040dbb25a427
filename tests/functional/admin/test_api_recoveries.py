"""Recovery orders over the API: ordered with a termination, repaid, masked for admins."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask.testing import FlaskClient

from engine.states import CaseState
from tests.support import World, application

Auth = Callable[[str], dict[str, str]]


def test_a_recovery_is_ordered_repaid_and_masked_for_masked_roles(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    case_id = world.apply(application(members=3))
    world.to_state(case_id, CaseState.ACTIVE)
    world.clock.advance(dt.datetime(2026, 6, 15, 10, tzinfo=world.clock.tz) - world.clock.now())
    ended = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={
            "trigger": "terminate",
            "reason": "隐瞒务工收入",
            "data": {"recovery_yuan": "1000", "finding": "配偶务工收入未申报"},
        },
        headers=auth("approver"),
    )
    assert ended.status_code == 200, ended.json
    (order,) = ended.json["recoveries"]  # type: ignore[index]
    path = f"/api/v1/cases/{case_id}/recoveries/{order['id']}/repayments"
    body = {"amount_yuan": "400", "paid_on": world.today().isoformat()}
    assert client.post(path, json=body, headers=auth("clerk")).status_code == 403
    repaid = client.post(path, json=body, headers=auth("approver"))
    assert repaid.status_code == 200 and repaid.json["outstanding_yuan"] == "600.00"  # type: ignore[index]
    too_much = client.post(path, json={**body, "amount_yuan": "601"}, headers=auth("approver"))
    assert too_much.status_code == 409
    masked = client.get(f"/api/v1/cases/{case_id}", headers=auth("admin")).json
    assert masked["recoveries"][0]["owed_yuan"] is None  # type: ignore[index]
    assert "务工" not in masked["recoveries"][0]["finding"]  # type: ignore[index]
