"""What every response says to the browser, and the settings production refuses.

Headers: a Content-Security-Policy that loads scripts only from this site (and
the inline ones Flask-Admin marks with the request's nonce), no framing, no
MIME sniffing, no referrer to other sites, and no caching of anything that
may carry personal data.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient

from admin.config import ConfigError, load_settings
from engine.errors import Forbidden
from engine.services import Application
from engine.services.policy import NewStandard, set_standard
from engine.services.users import NewUser, create_user
from tests.functional.admin.ui.conftest import Browser
from tests.support import COUNTY, PASSWORD, TOWNSHIP_A, VILLAGE_B1, World, member

Auth = Callable[[str], dict[str, str]]


@pytest.fixture
def backend() -> str:
    """Headers and settings do not depend on the database."""
    return "sqlite"


@pytest.mark.parametrize("path", ["/", "/ui/signin", "/api/v1/regions", "/verify", "/healthz"])
def test_every_response_carries_the_security_headers(
    client: FlaskClient, auth: Auth, path: str
) -> None:
    response = client.get(path, headers=auth("clerk"))
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy and "base-uri 'self'" in policy
    assert re.search(r"script-src 'self' 'nonce-[A-Za-z0-9_-]{16,}'", policy)
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "no-store" in headers["Cache-Control"]


def test_the_nonce_changes_per_request_and_marks_flask_admins_scripts(app: Flask) -> None:
    b = Browser(app.test_client())
    b.sign_in("inspector")
    first = b.get("/admin/trail/")
    second = b.get("/admin/trail/")
    nonce = re.search(r"'nonce-([^']+)'", first.headers["Content-Security-Policy"]).group(1)  # type: ignore[union-attr]
    assert nonce not in second.headers["Content-Security-Policy"]
    scripts = re.findall(r"<script[^>]*>", first.get_data(as_text=True))
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)


def test_static_assets_may_be_cached(app: Flask) -> None:
    for path, cached in (
        ("/static/ui/doudi.css", True),
        ("/admin/static/x.js", True),
        ("/", False),
    ):
        with app.test_request_context(path):
            response = app.process_response(Response("x"))
        assert ("no-store" not in response.headers.get("Cache-Control", "")) == cached, path


def test_the_openapi_document_does_not_echo_the_host(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json", headers={"Host": "evil.example"}).json
    assert "evil.example" not in str(document["servers"])  # type: ignore[index]


def test_the_anonymous_start_page_shows_no_case_counts(client: FlaskClient, world: World) -> None:
    world.apply()
    page = client.get("/").get_data(as_text=True)
    assert "已提交" not in page and "案件概况" not in page
    assert 'href="/ui/signin"' in page


@pytest.mark.parametrize("key", ["x", "0" * 64, "short-but-not-really-random"])
def test_production_refuses_a_weak_secret_key(tmp_path: Path, key: str) -> None:
    with pytest.raises(ConfigError, match="DOUDI_SECRET_KEY"):
        load_settings(
            environ={
                "DOUDI_ENV": "production",
                "DOUDI_SECRET_KEY": key,
                "DOUDI_INSTANCE_PATH": str(tmp_path),
            }
        )
    strong = os.urandom(32).hex()
    assert (
        load_settings(
            environ={
                "DOUDI_ENV": "production",
                "DOUDI_SECRET_KEY": strong,
                "DOUDI_INSTANCE_PATH": str(tmp_path),
            }
        ).secret_key
        == strong
    )


def test_a_township_admin_cannot_change_county_policy(world: World) -> None:
    import datetime as dt
    from decimal import Decimal

    create_user(world.uow(), NewUser("admin_a", "admin", TOWNSHIP_A, PASSWORD))
    from tests.support import load_actors

    township_admin = load_actors(world.rt)["admin_a"]
    with pytest.raises(Forbidden):
        set_standard(
            world.uow(),
            township_admin,
            NewStandard(COUNTY, "rural", "dibao", Decimal(600), dt.date(2027, 1, 1), "镇文件"),
        )


def test_the_sqlite_file_is_readable_by_its_owner_only(world: World) -> None:
    path = Path(world.rt.settings.database_url.removeprefix("sqlite:///"))
    world.apply()
    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists():
            assert stat.S_IMODE(file.stat().st_mode) & 0o077 == 0, file


def test_a_conflict_does_not_reveal_a_case_outside_the_region(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    elsewhere = Application("dibao", VILLAGE_B1, [member("self", "100")])
    other_case = world.apply(elsewhere, by="clerk_b")
    body = {
        "category": "dibao",
        "village_code": "512022101201",
        "members": [
            {
                "id_number": elsewhere.members[0].id_number,
                "name": elsewhere.members[0].name,
                "relation": "self",
            }
        ],
    }
    response = client.post("/api/v1/cases", json=body, headers=auth("clerk"))
    assert response.status_code == 409
    (detail,) = response.json["details"]  # type: ignore[index]
    assert detail["case_id"] is None and detail["case_id"] != other_case
    assert detail["in_your_region"] is False


def sign_in_addresses(world: World) -> list[str]:
    from sqlalchemy import select

    from audit.models import SignInEvent

    with world.rt.reader() as uow:
        return list(uow.session.scalars(select(SignInEvent.address).order_by(SignInEvent.id)))


@pytest.mark.parametrize(("proxies", "seen"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_forwarded_client_addresses_are_believed_only_behind_a_configured_proxy(
    world: World, proxies: int, seen: str
) -> None:
    from dataclasses import replace

    from admin.app import create_app
    from admin.runtime import Runtime

    rt = Runtime(replace(world.rt.settings, trusted_proxies=proxies), clock=world.clock)
    client = create_app(rt=rt).test_client()
    response = client.post(
        "/api/v1/auth/token",
        json={"username": "clerk", "password": "wrong"},
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert response.status_code == 401
    # without a trusted proxy, anyone could pick the address the throttle counts against
    assert sign_in_addresses(world) == [seen]
    rt.close()
