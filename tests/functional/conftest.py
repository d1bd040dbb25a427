"""Fixtures for tests through the Flask test client."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.testing import FlaskClient

from admin.app import create_app
from admin.cli import cli
from tests.support import PASSWORD, World


@pytest.fixture
def app(world: World) -> Flask:
    """The application on the test's seeded database and frozen clock."""
    return create_app(rt=world.rt)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client."""
    return app.test_client()


@pytest.fixture
def auth(client: FlaskClient) -> Callable[[str], dict[str, str]]:
    """Return Authorization headers for a user (a fresh token each time: tests move the clock)."""

    def headers(username: str) -> dict[str, str]:
        response = client.post(
            "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.json
        return {"Authorization": f"Bearer {response.json['token']}"}  # type: ignore[index]

    return headers


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """Invoke ``doudi`` in-process against the test's database."""
    monkeypatch.setenv("DOUDI_DATABASE_URL", db_url)

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke
