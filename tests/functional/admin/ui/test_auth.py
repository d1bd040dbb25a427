"""Signing in and out of the UI: the form, the session cookie, CSRF, limits and the record."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from audit.models import SignInEvent
from tests.functional.admin.ui.conftest import Browser
from tests.support import World


def events(world: World) -> list[tuple[str, str, str]]:
    with world.rt.reader() as uow:
        rows = uow.session.scalars(select(SignInEvent).order_by(SignInEvent.id)).all()
        return [(e.username, str(e.outcome), e.channel) for e in rows]


def test_the_sign_in_page_is_chinese_by_default(browser: Browser) -> None:
    page = browser.text("/ui/signin")
    assert "登录" in page and 'name="csrf_token"' in page


def test_signing_in_sends_the_user_to_their_workspace_and_is_recorded(
    browser: Browser, world: World
) -> None:
    response = browser.sign_in("clerk")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/")
    assert 'id="workload"' in browser.text("/admin/")  # the clerk's dashboard
    assert events(world) == [("clerk", "ok", "ui")]


def test_the_session_cookie_is_http_only_and_same_site(browser: Browser) -> None:
    response = browser.sign_in("clerk")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_wrong_password_is_refused_recorded_and_the_name_kept(
    browser: Browser, world: World
) -> None:
    response = browser.sign_in("clerk", "wrong-password")
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "用户名或密码错误" in page and 'value="clerk"' in page
    assert events(world) == [("clerk", "bad_credentials", "ui")]
    assert browser.get("/admin/queue/").status_code == 302  # still signed out


def test_repeated_failures_slow_the_name_down_even_for_the_right_password(
    browser: Browser, world: World
) -> None:
    for _ in range(world.rt.sign_in_limits.per_user):
        assert browser.sign_in("clerk", "wrong-password").status_code == 401
    response = browser.sign_in("clerk")
    assert response.status_code == 401
    assert "登录失败次数过多，请1秒后再试" in response.get_data(as_text=True)
    assert events(world)[-1] == ("clerk", "throttled_user", "ui")
    world.clock.advance(dt.timedelta(seconds=1))
    assert browser.sign_in("clerk").status_code == 302  # the owner gets in after the delay


def test_an_administrator_unlocks_a_locked_account(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    from engine.models import User

    with world.rt.uow() as uow:
        uow.session.execute(
            update(User).where(User.username == "clerk").values(locked_at=world.clock.now())
        )
        uow.commit()
    refused = Browser(as_user("admin").client.application.test_client()).sign_in("clerk")
    assert "已被锁定" in refused.get_data(as_text=True)
    admin = as_user("admin")
    user_id = world.actors["clerk"].user_id
    page = admin.text(f"/admin/users/{user_id}")
    assert 'id="account-locked"' in page
    admin.post(f"/admin/users/{user_id}", {"display_name": "", "active": "1", "unlock": "1"})
    assert 'id="account-locked"' not in admin.text(f"/admin/users/{user_id}")
    assert Browser(admin.client.application.test_client()).sign_in("clerk").status_code == 302


def test_a_form_without_its_csrf_token_is_refused(browser: Browser, world: World) -> None:
    response = browser.client.post(
        "/ui/signin", data={"username": "clerk", "password": "correct-horse-battery"}
    )
    assert response.status_code == 400
    assert "表单已过期或并非来自本系统" in response.get_data(as_text=True)
    assert events(world) == []


def test_signing_out_is_a_post_that_ends_the_session(browser: Browser, world: World) -> None:
    browser.sign_in("clerk")
    browser.get("/admin/queue/")
    assert browser.client.get("/ui/signout").status_code == 405
    response = browser.post("/ui/signout")
    assert response.status_code == 302
    assert browser.get("/admin/queue/").status_code == 302
    assert events(world)[-1] == ("clerk", "signed_out", "ui")


def test_sign_in_never_redirects_to_another_site(browser: Browser) -> None:
    browser.get("/ui/signin")
    response = browser.post(
        "/ui/signin?next=//evil.example/x",
        {"username": "clerk", "password": "correct-horse-battery"},
    )
    assert response.headers["Location"] == "/admin/"


def test_a_stranger_is_sent_to_sign_in_and_back(browser: Browser) -> None:
    response = browser.get("/admin/queue/?state=submitted")
    assert response.status_code == 302
    assert "/ui/signin?next=" in response.headers["Location"]


def test_a_deactivated_account_loses_its_session(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    from engine.services.users import update_user

    b = as_user("clerk")
    assert b.get("/admin/queue/").status_code == 200
    update_user(world.uow(), world.actors["admin"], world.actors["clerk"].user_id, active=False)
    assert b.get("/admin/queue/").status_code == 302


def test_the_language_can_be_switched_to_english_and_back(as_user) -> None:  # type: ignore[no-untyped-def]
    b = as_user("clerk")
    assert "待办事项" in b.text("/admin/queue/")
    b.post("/ui/language", {"lang": "en", "next": "/admin/queue/"})
    page = b.text("/admin/queue/")
    assert "Work queue" in page and "待办事项" not in page
    b.post("/ui/language", {"lang": "zh_Hans_CN"})
    assert "待办事项" in b.text("/admin/queue/")


def test_an_unknown_language_is_ignored(as_user) -> None:  # type: ignore[no-untyped-def]
    b = as_user("clerk")
    b.post("/ui/language", {"lang": "xx"})
    assert "待办事项" in b.text("/admin/queue/")


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example",  # Werkzeug strips the tab: //evil.example
        "/%0a/evil.example",
        "/%5cevil.example",  # a backslash: browsers read /\evil.example as //evil.example
        "%5c%5cevil.example",
        "https://evil.example/",
        "/%0d%0aSet-Cookie:%20x=1",  # CRLF in a redirect target answered 500
        "javascript:alert(1)",
    ],
)
def test_the_next_page_after_sign_in_is_a_page_of_this_site(browser: Browser, target: str) -> None:
    browser.get("/ui/signin")
    response = browser.post(
        f"/ui/signin?next={target}", {"username": "clerk", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert "evil.example" not in location and "\r" not in location and "\n" not in location


def test_a_local_next_page_is_kept(browser: Browser) -> None:
    browser.get("/ui/signin")
    response = browser.post(
        "/ui/signin?next=/admin/queue/%3Fstate%3Dsubmitted",
        {"username": "clerk", "password": "correct-horse-battery"},
    )
    assert response.headers["Location"] == "/admin/queue/?state=submitted"


def test_a_copied_session_cookie_dies_with_sign_out(browser: Browser, app) -> None:  # type: ignore[no-untyped-def]
    browser.sign_in("clerk")
    assert browser.get("/admin/queue/").status_code == 200
    stolen = browser.client.get_cookie("session")
    assert stolen is not None
    browser.post("/ui/signout")
    thief = app.test_client()
    thief.set_cookie("session", stolen.value)
    assert thief.get("/admin/queue/").status_code == 302  # to the sign-in page


def test_a_password_reset_ends_every_session_of_the_user(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    from engine.services.users import update_user

    b = as_user("clerk")
    other = as_user("clerk")  # the same user at a second desk
    assert b.get("/admin/queue/").status_code == 200
    update_user(
        world.uow(), world.actors["admin"], world.actors["clerk"].user_id, password="new-horse-9x"
    )
    assert b.get("/admin/queue/").status_code == 302
    assert other.get("/admin/queue/").status_code == 302
    assert b.get("/admin/queue/").status_code == 302
