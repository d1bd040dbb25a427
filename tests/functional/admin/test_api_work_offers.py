"""``POST /api/v1/cases/{id}/work-offers`` and the sanction it can lead to (Art. 34)."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from engine.services import Application
from engine.states import CaseState
from tests.support import VILLAGE_A1, World, member

Auth = Callable[[str], dict[str, str]]


def test_offers_are_recorded_and_three_refusals_allow_the_sanction(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    son = member("child", "0", able_to_work=True, name="王小军")
    app = Application("dibao", VILLAGE_A1, [member("self", "300"), son])
    case_id = world.apply(app)
    world.to_state(case_id, CaseState.ACTIVE)
    path = f"/api/v1/cases/{case_id}/work-offers"
    body = {
        "member_id_number": son.id_number,
        "offered_on": world.today().isoformat(),
        "offer": "县人社局推荐：保洁岗位",
        "outcome": "refused",
    }
    bad = client.post(path, json={**body, "outcome": "maybe"}, headers=auth("clerk"))
    assert bad.status_code == 422
    for _ in range(3):
        made = client.post(path, json=body, headers=auth("clerk"))
        assert made.status_code == 201, made.json
    seen = client.get(f"/api/v1/cases/{case_id}", headers=auth("admin")).json
    assert [o["outcome"] for o in seen["work_offers"]] == ["refused"] * 3  # type: ignore[index]
    assert "王小军" not in str(seen["work_offers"]) and "保洁" not in str(seen["work_offers"])  # type: ignore[index]
    fired = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={
            "trigger": "sanction_work_refusal",
            "reason": "连续三次拒绝介绍的工作",
            "data": {"member": son.id_number},
        },
        headers=auth("approver"),
    )
    assert fired.status_code == 200, fired.json
    assert fired.json["benefit"]["monthly_yuan"] == 383  # type: ignore[index]
