"""Who may open which page and press which button, and region isolation by URL tampering."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from audit.models import AuditEntry
from engine.models import Case
from engine.states import CaseState
from tests.support import TOWNSHIP_B, VILLAGE_B1, World, application

ROLES = ("clerk", "reviewer", "approver", "inspector", "admin")

#: page -> the roles that may open it (everyone else gets 403)
PAGES = {
    "/admin/queue/": {"clerk", "reviewer", "approver"},
    "/admin/apply/": {"clerk"},
    "/admin/case/{case}": {"clerk", "reviewer", "approver", "inspector"},
    "/admin/trail/": {"inspector"},
    "/admin/verify/": {"inspector"},
    "/admin/flags/": {"inspector", "approver", "admin"},
    "/admin/register/": {"inspector", "approver", "admin"},
    "/admin/reads/": {"inspector"},
    "/admin/signins/": {"inspector", "admin"},
    "/admin/activity/": {"inspector"},
    "/admin/users/": {"admin"},
    "/admin/regions/": {"admin"},
    "/admin/policy/": {"admin"},
    "/admin/officials/": {"admin"},
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_page_opens_for_its_roles_only(as_user, world: World, page: str) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    for role in ROLES:
        b = as_user(role)
        status = b.get(page.format(case=case_id)).status_code
        assert status == (200 if role in PAGES[page] else 403), (page, role, status)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_page_sends_strangers_to_sign_in(browser, world: World, page: str) -> None:  # type: ignore[no-untyped-def]
    response = browser.get(page.format(case=1))
    assert response.status_code == 302
    assert "/ui/signin" in response.headers["Location"]


def test_a_refusal_is_a_page_in_the_uis_language(as_user) -> None:  # type: ignore[no-untyped-def]
    b = as_user("clerk")
    forbidden = b.get("/admin/users/")
    assert forbidden.status_code == 403
    assert "您的角色或辖区无权打开此页面" in forbidden.get_data(as_text=True)
    missing = b.get("/admin/no-such-page/")
    assert missing.status_code == 404 and "页面或记录不存在" in missing.get_data(as_text=True)
    # the API keeps answering in JSON
    assert b.client.get("/api/v1/no-such-thing").is_json


def test_each_role_lands_on_its_own_dashboard(as_user) -> None:  # type: ignore[no-untyped-def]
    marks = {
        "clerk": 'id="workload"',
        "reviewer": 'id="workload"',
        "approver": 'id="workload"',
        "inspector": 'id="oversight-visits"',
        "admin": 'id="oversight-accounts"',
    }
    for role, mark in marks.items():
        page = as_user(role).text("/admin/")
        assert mark in page, role
        # the region's figures for staff and inspectors; none for the administrator
        assert ('id="figures"' in page) == (role != "admin"), role


def state_and_entries(world: World, case_id: int) -> tuple[str, int]:
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        n = uow.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.case_id == case_id)
        )
        return str(case.state), int(n or 0)


def test_a_case_of_another_township_cannot_be_opened_or_changed(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    other = world.apply(application(village=VILLAGE_B1), by="clerk_b")
    before = state_and_entries(world, other)
    b = as_user("clerk")
    assert b.get(f"/admin/case/{other}").status_code == 403
    b.get("/admin/queue/")
    for path, form in (
        (f"/admin/case/{other}/fire", {"trigger": "accept", "expected_version": "2"}),
        (
            f"/admin/case/{other}/investigations",
            {
                "date": "2026-03-02",
                "method": "home_visit",
                "level": "township",
                "investigators": ["clerk", "clerk2"],
                "findings": "x",
            },
        ),
        (f"/admin/case/{other}/objections", {"objector": "x", "content": "y"}),
        (f"/admin/case/{other}/filings", {"note": "x", "expected_version": "2"}),
    ):
        assert b.post(path, form).status_code in (302, 403), path
    assert state_and_entries(world, other) == before
    # the queue of the other township's clerk has it; ours does not
    assert f"#{other}" not in b.text("/admin/queue/")
    assert f"#{other}" in as_user("clerk_b").text("/admin/queue/")


def test_the_village_filter_cannot_reach_outside_the_region(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    other = world.apply(application(village=VILLAGE_B1), by="clerk_b")
    page = as_user("clerk").text(f"/admin/queue/?village={VILLAGE_B1}")
    assert f"#{other}" not in page


def test_an_inspector_reads_the_case_but_has_no_buttons(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    b = as_user("inspector")
    page = b.text(f"/admin/case/{case_id}")
    for form in ("fire", "investigations", "objections", "filings"):
        assert f'action="/admin/case/{case_id}/{form}"' not in page
    response = b.post(f"/admin/case/{case_id}/fire", {"trigger": "accept", "expected_version": "2"})
    assert response.status_code == 403
    assert state_and_entries(world, case_id)[0] == CaseState.SUBMITTED


def test_an_administrator_fires_no_transition(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    b = as_user("admin")
    b.get("/admin/users/")
    response = b.post(f"/admin/case/{case_id}/fire", {"trigger": "accept", "expected_version": "2"})
    assert response.status_code == 403
    assert state_and_entries(world, case_id) == (CaseState.SUBMITTED, 2)


def test_the_trail_has_no_generic_edit_create_or_delete(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    b = as_user("inspector")
    b.get("/admin/trail/")
    with world.rt.reader() as uow:
        entry_id = uow.session.scalar(select(AuditEntry.id).where(AuditEntry.case_id == case_id))
    for path in (f"/admin/trail/edit/?id={entry_id}", "/admin/trail/new/"):
        assert b.get(path).status_code in (302, 403, 404), path
        b.post(path, {"reason": "changed", "trigger": "approve"})
    b.post("/admin/trail/delete/", {"id": str(entry_id)})
    with world.rt.reader() as uow:
        entry = uow.session.get(AuditEntry, entry_id)
        assert entry is not None and entry.reason != "changed"
    assert state_and_entries(world, case_id) == (CaseState.SUBMITTED, 2)


def test_a_case_page_without_csrf_token_changes_nothing(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    b = as_user("clerk")
    response = b.client.post(
        f"/admin/case/{case_id}/fire", data={"trigger": "accept", "expected_version": "2"}
    )
    assert response.status_code == 400
    assert state_and_entries(world, case_id) == (CaseState.SUBMITTED, 2)


def test_another_townships_reviewer_sees_an_empty_queue(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    world.apply()
    page = as_user("reviewer_b").text("/admin/queue/")
    assert TOWNSHIP_B in page


EXTERNAL = re.compile(r'(?:src|href)\s*=\s*["\'](?:https?:)?//', re.IGNORECASE)


def test_no_page_loads_anything_from_another_host(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    for role in ROLES:
        b = as_user(role)
        for page, roles in PAGES.items():
            if role in roles:
                html = b.text(page.format(case=case_id))
                assert not EXTERNAL.search(html), (role, page, EXTERNAL.findall(html))
    assert not EXTERNAL.search(b.text("/ui/signin"))


def test_hidden_characters_in_a_form_or_filter_are_refused_by_name(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    world.to_state(case_id, CaseState.IN_PUBLIC_NOTICE)
    b = as_user("clerk")
    b.get(f"/admin/case/{case_id}")
    response = b.post(
        f"/admin/case/{case_id}/objections", {"objector": "村民\x00甲", "content": "有车"}
    )
    assert response.status_code == 422 and "objector" in response.get_data(as_text=True)
    inspector = as_user("inspector")
    assert inspector.get("/admin/trail/?flt0_0=%00").status_code == 422
    assert inspector.get("/admin/trail/?search=%E2%80%AE").status_code == 422
    with world.rt.reader() as uow:
        from engine.models import Objection

        assert uow.session.query(Objection).count() == 0
