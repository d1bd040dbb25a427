"""The start page and the health check."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.support import World


def test_the_start_page_shows_the_county_and_counts(client: FlaskClient, world: World) -> None:
    world.apply()
    response = client.get("/")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "乐至县" in text and "已提交" in text and "/api/v1/openapi.json" in text
    assert 'href="/ui/signin"' in text  # the way into the workspaces


def test_health_reports_the_schema(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["ok"] is True  # type: ignore[index]


def test_pages_outside_the_api_keep_html_errors(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
