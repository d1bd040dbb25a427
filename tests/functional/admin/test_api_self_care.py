"""Self-care assessments and reported changes over the API (TK Arts. 20-22)."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from engine.states import CaseState
from tests.support import World, application

Auth = Callable[[str], dict[str, str]]


def test_an_assessment_is_recorded_and_withheld_from_masked_readers(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    app = application(members=1, category="tekun")
    case_id = world.apply(app)
    world.to_state(case_id, CaseState.PENDING_CONFIRMATION)
    path = f"/api/v1/cases/{case_id}/self-care-assessments"
    body = {
        "member_id_number": app.members[0].id_number,
        "assessed_on": world.today().isoformat(),
        "failed": ["eating", "dressing", "toileting", "bathing"],
    }
    bad = client.post(path, json={**body, "failed": ["flying"]}, headers=auth("approver"))
    assert bad.status_code == 422
    assert client.post(path, json=body, headers=auth("clerk")).status_code == 403
    made = client.post(path, json=body, headers=auth("approver"))
    assert made.status_code == 201 and made.json["result"] == "fully_lost"  # type: ignore[index]
    masked = client.get(f"/api/v1/cases/{case_id}", headers=auth("admin")).json
    assert masked["self_care"][0]["result"] is None  # type: ignore[index]
    early = client.post(
        f"/api/v1/cases/{case_id}/care-changes", json={"note": "摔伤"}, headers=auth("clerk")
    )
    assert early.status_code == 200
