"""Ending tekun support over the API (《特困人员认定办法》 Arts. 26-27): the termination notice
through the transitions endpoint, and the hand-off to a dibao application."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from engine.states import CaseState
from tests.support import World, application

Auth = Callable[[str], dict[str, str]]


def test_a_noticed_termination_then_the_hand_off_to_dibao(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    """TK Art. 26: terminate is refused until the notice has run; TK Art. 27: the clerk opens
    the household's dibao application from the terminated case."""
    case_id = world.apply(application(members=1, category="tekun"))
    world.to_state(case_id, CaseState.TERMINATION_NOTICE)
    transitions = f"/api/v1/cases/{case_id}/transitions"
    early = client.post(
        transitions, json={"trigger": "terminate", "reason": "公示期满"}, headers=auth("approver2")
    )
    assert early.status_code == 422, early.json  # a guard refuses
    assert "notice_period_running" in {p["code"] for p in early.json["details"]}  # type: ignore[index]
    hand_off = f"/api/v1/cases/{case_id}/hand-off"
    not_yet = client.post(hand_off, json={"note": "转介"}, headers=auth("clerk"))
    assert not_yet.status_code == 409 and not_yet.json["error"] == "handoff_not_allowed"  # type: ignore[index]
    world.pass_days(8)
    ended = client.post(
        transitions,
        json={"trigger": "terminate", "reason": "公示期满无异议"},
        headers=auth("approver2"),
    )
    assert ended.status_code == 200, ended.json
    empty = client.post(hand_off, json={"note": ""}, headers=auth("clerk"))
    assert empty.status_code == 422 and empty.json["details"][0]["field"] == "note"  # type: ignore[index]
    wrong_role = client.post(hand_off, json={"note": "转介"}, headers=auth("approver"))
    assert wrong_role.status_code == 403
    made = client.post(hand_off, json={"note": "收入仍低于低保标准"}, headers=auth("clerk"))
    assert made.status_code == 201, made.json
    assert made.json["category"] == "dibao" and made.json["state"] == "draft"  # type: ignore[index]
    again = client.post(hand_off, json={"note": "再次"}, headers=auth("clerk"))
    assert again.status_code == 409 and again.json["error"] == "already_handed_off"  # type: ignore[index]
