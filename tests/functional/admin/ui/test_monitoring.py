"""The monitoring workspace: a coordinator follows warnings up and records door-to-door visits."""

from __future__ import annotations

import hashlib

import pytest

from engine.models import HomeVisit, MonitoringWarning
from engine.services.monitoring import Signal, raise_signal
from engine.services.users import NewUser, create_user
from tests.support import PASSWORD, VILLAGE_A1, World, load_actors, person, put_on_register

PHOTO = hashlib.sha256(b"door").hexdigest()


@pytest.fixture
def warned(world: World) -> tuple[int, int]:
    """The village's coordinator, and two open warnings about people on the register."""
    create_user(world.uow(), NewUser("xieliyuan", "coordinator", VILLAGE_A1, PASSWORD))
    world.actors = load_actors(world.rt)
    a, b = person(), person()
    put_on_register(world, [a, b])
    ids = [
        raise_signal(
            world.uow(),
            world.actors["clerk"],
            Signal(p["id_number"], "job_loss", world.today(), "失业"),
        ).warning_id
        for p in (a, b)
    ]
    assert ids[0] is not None and ids[1] is not None
    return ids[0], ids[1]


def test_the_coordinator_follows_warnings_up_from_the_page(  # type: ignore[no-untyped-def]
    as_user, world: World, warned: tuple[int, int]
) -> None:
    first, second = warned
    b = as_user("xieliyuan")
    page = b.text("/admin/monitoring/")
    assert f'id="warning-{first}"' in page and "失业" in page and "登记走访" in page
    visited = b.post(
        f"/admin/monitoring/{first}/visit",
        {"visited_on": world.today().isoformat(), "findings": "入户核实", "photos": PHOTO},
    )
    assert visited.status_code == 302
    referred = b.post(f"/admin/monitoring/{second}/refer", {"note": "转低保", "category": "dibao"})
    assert referred.status_code == 302 and "/admin/case/" in referred.headers["Location"]
    # the clerk who opens the draft sees where it came from and why
    draft = as_user("clerk").text(referred.headers["Location"])
    assert 'id="case-origin"' in draft and "失业" in draft and "转低保" in draft
    with world.rt.reader() as uow:
        statuses = sorted(w.status for w in uow.session.query(MonitoringWarning))
        assert statuses == ["referred", "visited"]
    assert f'id="warning-{first}"' not in b.text("/admin/monitoring/")


def test_a_door_to_door_visit_is_recorded_and_a_bad_one_refused(  # type: ignore[no-untyped-def]
    as_user, world: World, warned: tuple[int, int]
) -> None:
    b = as_user("xieliyuan")
    b.get("/admin/monitoring/")
    form = {
        "village_code": VILLAGE_A1,
        "household": "孙家",
        "visited_on": world.today().isoformat(),
        "findings": "独居老人",
        "photos": f"{PHOTO}\n",
    }
    assert b.post("/admin/monitoring/visits", form).status_code == 302
    assert "独居老人" in b.text("/admin/monitoring/")  # in the latest visits
    typed = {**form, "findings": "走访摸排：新发现的困难户", "photos": "not-a-hash"}
    bad = b.post("/admin/monitoring/visits", typed)
    # the page again, the problem named, what was typed kept
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "第1张照片的SHA-256须为64位十六进制数字" in page
    assert "走访摸排：新发现的困难户" in page
    elsewhere = b.post("/admin/monitoring/visits", {**form, "village_code": "512022102201"})
    assert elsewhere.status_code == 422 and "不在您的辖区内" in elsewhere.get_data(as_text=True)
    with world.rt.reader() as uow:
        assert uow.session.query(HomeVisit).count() == 1


def test_an_inspector_has_no_monitoring_workspace(as_user) -> None:  # type: ignore[no-untyped-def]
    assert as_user("inspector").get("/admin/monitoring/").status_code == 403


def test_a_coordinators_draft_is_in_their_queue_and_the_township_clerks(  # type: ignore[no-untyped-def]
    as_user, world: World, warned: tuple[int, int]
) -> None:
    from tests.support import application

    draft = world.apply(application(2, draft=True), by="xieliyuan")
    for user in ("xieliyuan", "clerk"):
        assert f"/admin/case/{draft}" in as_user(user).text("/admin/queue/"), user
    assert f"/admin/case/{draft}" not in as_user("clerk_b").text("/admin/queue/")


def test_the_coordinator_registers_and_corrects_drafts_only(  # type: ignore[no-untyped-def]
    as_user, world: World, warned: tuple[int, int]
) -> None:
    from tests.support import application

    b = as_user("xieliyuan")
    form = b.text("/admin/apply/")
    assert 'id="coordinator-draft"' in form and 'id="draft"' not in form
    draft = world.apply(application(1, draft=True), by="xieliyuan")
    assert f"/admin/apply/{draft}" in b.text(f"/admin/case/{draft}")
