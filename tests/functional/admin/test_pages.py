"""The start page and the health check."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.functional.admin.ui.conftest import Browser
from tests.support import World


def test_the_start_page_shows_the_county_and_no_figures(app: Flask, world: World) -> None:
    world.apply()
    anonymous = app.test_client().get("/").get_data(as_text=True)
    assert "乐至县" in anonymous and "/api/v1/openapi.json" in anonymous
    assert 'href="/ui/signin"' in anonymous  # the way into the workspaces
    assert "已提交" not in anonymous and "submitted" not in anonymous  # no figures, no codes
    staff = Browser(app.test_client())
    staff.sign_in("clerk")
    page = staff.text("/")
    assert 'href="/admin/"' in page and "已提交" not in page  # figures are on the dashboard


def test_health_reports_the_schema(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["ok"] is True  # type: ignore[index]


def test_pages_outside_the_api_keep_html_errors(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
