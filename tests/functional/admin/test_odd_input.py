"""Odd input anywhere answers with a refusal, never a 500 (on SQLite and PostgreSQL).

Integers past 32 and 64 bits, Unicode digits that ``str.isdigit`` accepts but
``int`` refuses, the calendar's first and last days, and pages far beyond
the end.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.functional.admin.ui.conftest import Browser
from tests.functional.admin.ui.test_inspector import filter_arg
from tests.support import PASSWORD, World

Auth = Callable[[str], dict[str, str]]
HUGE = "9" * 30
BIG64 = str(2**63)
BIG32 = str(2**31)

API_GETS = [
    f"/api/v1/cases/{HUGE}",
    f"/api/v1/cases/{BIG64}",
    f"/api/v1/cases/{BIG32}",
    f"/api/v1/cases/{BIG32}/audit",
    f"/api/v1/cases/{BIG64}/dossier.pdf",
    f"/api/v1/cases/{BIG32}/letters/approval.pdf",
    f"/api/v1/cases?page={HUGE}",
    f"/api/v1/cases?page={BIG64}",
    "/api/v1/cases?page=²",
    "/api/v1/cases?per_page=-1",
    f"/api/v1/kinship/flags?page={HUGE}",
    "/api/v1/stats?year=99999",
    "/api/v1/stats?year=²",
]


def test_the_api_refuses_odd_numbers_without_a_500(
    client: FlaskClient, auth: Auth, world: World
) -> None:
    world.apply()
    for who in ("inspector", "clerk"):
        headers = auth(who)
        for path in API_GETS:
            response = client.get(path, headers=headers)
            assert response.status_code < 500, (who, path, response.status_code)
            assert response.is_json or response.mimetype == "application/pdf", path


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-02-30"])
def test_the_api_refuses_the_calendars_edges_without_a_500(
    client: FlaskClient, auth: Auth, world: World, day: str
) -> None:
    case_id = world.apply()
    world.fire(case_id, "accept", "clerk")
    world.fire(case_id, "start_investigation", "clerk")
    body = {
        "date": day,
        "method": "home_visit",
        "investigators": ["clerk", "clerk2"],
        "findings": "x",
        "level": "township",
    }
    response = client.post(
        f"/api/v1/cases/{case_id}/investigations", json=body, headers=auth("clerk")
    )
    assert response.status_code == 422, response.json


UI_GETS = [
    f"/admin/case/{HUGE}",
    f"/admin/case/{BIG32}",
    "/admin/case/?id=²",
    f"/admin/case/?id={HUGE}",
    "/admin/register/?year=²",
    f"/admin/register/?year={HUGE}",
    f"/admin/flags/?page={HUGE}",
    "/admin/flags/?page=²",
    f"/admin/trail/?page={HUGE}",
    f"/admin/trail/details/?id={HUGE}",
    f"/admin/reads/?page={BIG64}",
    f"/admin/activity/?page={HUGE}",
    f"/admin/verify/?page={HUGE}",
]


def test_the_ui_refuses_odd_numbers_without_a_500(app: Flask, world: World) -> None:
    world.apply()
    b = Browser(app.test_client())
    assert b.sign_in("inspector", PASSWORD).status_code == 302
    for path in UI_GETS:
        response = b.get(path)
        assert response.status_code < 500, (path, response.status_code)
    clerk = Browser(app.test_client())
    clerk.sign_in("clerk", PASSWORD)
    for path in (
        f"/admin/queue/?page={HUGE}",
        "/admin/queue/?page=²",
        f"/admin/queue/?page={BIG64}",
    ):
        assert clerk.get(path).status_code < 500, path


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_date_filters_at_the_calendars_edges_answer(app: Flask, world: World, day: str) -> None:
    b = Browser(app.test_client())
    b.sign_in("inspector", PASSWORD)
    name = filter_arg(b.text("/admin/trail/"), "时间", "之间")
    response = b.get(f"/admin/trail/?{name}={day}+to+{day}")
    assert response.status_code < 500
