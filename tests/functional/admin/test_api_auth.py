"""API authentication: tokens, 401s, expiry and revocation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask.testing import FlaskClient

from tests.support import PASSWORD, World

Auth = Callable[[str], dict[str, str]]


def test_a_token_for_valid_credentials(client: FlaskClient) -> None:
    response = client.post("/api/v1/auth/token", json={"username": "clerk", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json
    assert body is not None and len(body["token"]) >= 40
    assert body["user"] == {"username": "clerk", "role": "clerk", "region_code": "512022101"}


def test_wrong_password_or_unknown_user_is_401(client: FlaskClient) -> None:
    for creds in (
        {"username": "clerk", "password": "wrong"},
        {"username": "ghost", "password": PASSWORD},
    ):
        response = client.post("/api/v1/auth/token", json=creds)
        assert response.status_code == 401
        assert response.json == {
            "error": "invalid_credentials",
            "message": "用户名或密码错误",
            "details": None,
        }


def test_too_many_failures_slow_the_user_name_with_429_and_retry_after(
    client: FlaskClient, world: World
) -> None:
    wrong = {"username": "clerk", "password": "wrong"}
    for _ in range(5):  # DOUDI_SIGNIN_FAILURES_PER_USER
        assert client.post("/api/v1/auth/token", json=wrong).status_code == 401
    good = {"username": "clerk", "password": PASSWORD}
    slowed = client.post("/api/v1/auth/token", json=good)
    assert slowed.status_code == 429 and slowed.headers["Retry-After"] == "1"
    assert slowed.json["error"] == "too_many_attempts"  # type: ignore[index]
    world.clock.advance(dt.timedelta(seconds=1))
    assert client.post("/api/v1/auth/token", json=good).status_code == 200


def test_a_locked_account_is_403(client: FlaskClient, world: World) -> None:
    from sqlalchemy import update

    from engine.models import User

    with world.rt.uow() as uow:
        uow.session.execute(
            update(User).where(User.username == "clerk").values(locked_at=world.clock.now())
        )
        uow.commit()
    locked = client.post("/api/v1/auth/token", json={"username": "clerk", "password": PASSWORD})
    assert locked.status_code == 403 and locked.json["error"] == "account_locked"  # type: ignore[index]


def test_every_other_endpoint_needs_a_bearer_token(client: FlaskClient) -> None:
    for method, path in [
        ("get", "/api/v1/regions"),
        ("get", "/api/v1/cases"),
        ("get", "/api/v1/cases/1"),
        ("post", "/api/v1/cases"),
        ("post", "/api/v1/cases/1/transitions"),
        ("get", "/api/v1/cases/1/audit"),
        ("post", "/api/v1/cases/1/investigations"),
    ]:
        for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic x"}):
            response = getattr(client, method)(path, headers=headers, json={})
            assert response.status_code == 401, (method, path)
            assert response.json["error"] == "unauthorized"  # type: ignore[index]


def test_a_token_expires(client: FlaskClient, auth: Auth, world: World) -> None:
    headers = auth("clerk")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    world.clock.advance(dt.timedelta(hours=13))
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_revoked_token_stops_working(client: FlaskClient, auth: Auth) -> None:
    headers = auth("clerk")
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_regions_for_any_signed_in_user(client: FlaskClient, auth: Auth) -> None:
    response = client.get("/api/v1/regions", headers=auth("inspector"))
    assert response.status_code == 200
    items = response.json["items"]  # type: ignore[index]
    assert items[0] == {
        "code": "512022",
        "name": "乐至县",
        "parent_code": None,
        "level": "county",
        "area_type": "rural",
    }
    assert {i["level"] for i in items} == {"county", "township", "village"}
