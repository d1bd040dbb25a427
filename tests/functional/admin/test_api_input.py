"""What the API lets in: no control characters, hidden text or unbounded JSON reach storage.

Each refusal is a 422 naming the field; nothing is written, the trail stays
readable, and no personal data from the refused request reaches the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine.states import CaseState
from tests.support import VILLAGE_A1, World, id_number

Auth = Callable[[str], dict[str, str]]


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"x": 1}
    for _ in range(depth):
        value = {"x": value}
    return value


def test_deeply_nested_data_never_reaches_the_trail(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    case_id = world.apply()
    response = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        headers=auth("clerk"),
        json={"trigger": "accept", "data": nested(400)},
    )
    assert response.status_code == 422, response.json
    assert response.json["details"][0]["field"].startswith("data")  # type: ignore[index]
    assert (
        client.get(f"/api/v1/cases/{case_id}/audit", headers=auth("inspector")).status_code == 200
    )
    too_big = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        headers=auth("clerk"),
        json={"trigger": "accept", "data": {"note": "x" * 20_000}},
    )
    assert too_big.status_code == 422
    assert world.fire(case_id, "accept", "clerk") == CaseState.ACCEPTED  # nothing was written


def test_a_body_nested_past_the_parser_is_refused_not_a_500(
    client: FlaskClient, auth: Auth
) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(
        "/api/v1/cases", data=body, headers={**auth("clerk"), "Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422) and response.is_json


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("收入超标\x00", "control_character"),
        ("收入\x1b[31m超标", "control_character"),
        ("收入\u202e标超", "bidi_control"),
        ("\ud800", "control_character"),
    ],
)
def test_a_reason_with_hidden_characters_is_refused(
    client: FlaskClient, auth: Auth, world: World, value: str, code: str
) -> None:
    case_id = world.apply()
    world.to_state(case_id, CaseState.PENDING_CONFIRMATION)
    response = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        headers=auth("approver"),
        data='{"trigger": "reject", "reason": ' + _json_string(value) + "}",
        content_type="application/json",
    )
    assert response.status_code == 422, response.json
    (problem,) = response.json["details"]  # type: ignore[index]
    assert problem["field"] == "reason" and problem["code"] == code


def _json_string(value: str) -> str:
    """A JSON string literal that keeps lone surrogates as escapes."""
    return '"' + "".join(c if 0x20 <= ord(c) < 0x7F else f"\\u{ord(c):04x}" for c in value) + '"'


@pytest.mark.parametrize("name", ["王\x00国", "\u200b\u200b", "\u202e国王", "\u2066王国\u2069"])
def test_a_name_of_hidden_characters_is_refused(client: FlaskClient, auth: Auth, name: str) -> None:
    body = {
        "category": "dibao",
        "village_code": VILLAGE_A1,
        "members": [{"id_number": id_number(), "name": name, "relation": "self"}],
    }
    response = client.post("/api/v1/cases", json=body, headers=auth("clerk"))
    assert response.status_code == 422, response.json
    assert response.json["details"][0]["field"] == "members.0.name"  # type: ignore[index]


def test_text_with_line_breaks_and_tabs_is_fine(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    case_id = world.apply()
    world.to_state(case_id, CaseState.PENDING_CONFIRMATION)
    response = client.post(
        f"/api/v1/cases/{case_id}/transitions",
        headers=auth("approver"),
        json={"trigger": "reject", "reason": "一、收入超标；\n二、\t存款超标"},
    )
    assert response.status_code == 200


def test_a_nul_in_the_token_request_is_422_and_stays_out_of_the_log(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = client.post(
            "/api/v1/auth/token", json={"username": "张秘密\x00", "password": "身份证512022"}
        )
    assert response.status_code == 422 and response.json["details"][0]["field"] == "username"  # type: ignore[index]
    assert "张秘密" not in caplog.text and "512022" not in caplog.text


def test_a_query_argument_with_a_nul_is_refused(client: FlaskClient, auth: Auth) -> None:
    response = client.get("/api/v1/cases?village_code=512022%00", headers=auth("inspector"))
    assert response.status_code == 422
    assert response.json["details"][0]["field"] == "village_code"  # type: ignore[index]
