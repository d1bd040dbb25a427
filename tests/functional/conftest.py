"""Fixtures for tests through the Flask test client."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from admin.app import create_app
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
    """Return Authorization headers for a user, signing in once per user."""
    tokens: dict[str, str] = {}

    def headers(username: str) -> dict[str, str]:
        if username not in tokens:
            response = client.post(
                "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
            )
            assert response.status_code == 200, response.json
            tokens[username] = response.json["token"]  # type: ignore[index]
        return {"Authorization": f"Bearer {tokens[username]}"}

    return headers
