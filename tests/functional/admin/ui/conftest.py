"""Fixtures for the UI: a browser-like client that signs in and posts forms with their token."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support import PASSWORD

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """A test client that keeps the session's CSRF token, like a browser with the page open."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token = ""
        self.page = ""

    def get(self, path: str, **kwargs: object) -> TestResponse:
        """GET a page and remember the CSRF token it carries."""
        response = self.client.get(path, **kwargs)  # type: ignore[arg-type]
        if response.mimetype != "text/html":
            return response
        self.page = path
        found = TOKEN.search(response.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return response

    def post(
        self, path: str, data: dict[str, object] | None = None, **kwargs: object
    ) -> TestResponse:
        """POST a form with the CSRF token of the last page."""
        if not self.token:
            self.get("/ui/signin")
        form = {"csrf_token": self.token, **(data or {})}
        # a browser names the page the form was on
        headers = {"Referer": f"http://localhost{self.page}"} if self.page else {}
        return self.client.post(path, data=form, headers=headers, **kwargs)  # type: ignore[arg-type]

    def sign_in(self, username: str, password: str = PASSWORD) -> TestResponse:
        """Sign in through the form."""
        self.get("/ui/signin")
        return self.post("/ui/signin", {"username": username, "password": password})

    def text(self, path: str) -> str:
        """A page's HTML (asserting it answered 200)."""
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)


@pytest.fixture
def backend() -> str:
    """The UI's pages run on SQLite: the services under them are tested on both databases."""
    return "sqlite"


@pytest.fixture
def browser(app: Flask) -> Browser:
    """A fresh browser on the app (signed out)."""
    return Browser(app.test_client())


@pytest.fixture
def as_user(app: Flask):  # type: ignore[no-untyped-def]
    """A signed-in browser for a user name."""

    def signed_in(username: str) -> Browser:
        b = Browser(app.test_client())
        response = b.sign_in(username)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return b

    return signed_in
