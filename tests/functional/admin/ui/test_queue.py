"""The work queue page: groups, filters, overdue rows, paging, bad parameters."""

from __future__ import annotations

from engine.states import CaseState
from tests.support import VILLAGE_A1, VILLAGE_B1, World


def test_the_queue_lists_waiting_cases_with_state_badges(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    page = as_user("clerk").text("/admin/queue/")
    assert f'data-case="{case_id}"' in page
    assert "doudi-state-submitted" in page and 'data-state="submitted"' in page


def test_overdue_cases_are_highlighted(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    late = world.apply()
    world.to_state(late, CaseState.ACCEPTED)
    world.pass_days(30)
    page = as_user("clerk").text("/admin/queue/")
    assert f'class="doudi-overdue" data-case="{late}"' in page
    assert "超期" in page


def test_filters_and_paging_keep_their_arguments(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        world.apply()
    b = as_user("clerk")
    page = b.text(f"/admin/queue/?state=submitted&village={VILLAGE_A1}&sort=newest")
    assert page.count("data-case=") == 3
    assert b.text("/admin/queue/?state=accepted").count("data-case=") == 0


def test_bad_queue_parameters_get_a_plain_message(as_user) -> None:  # type: ignore[no-untyped-def]
    b = as_user("clerk")
    response = b.get("/admin/queue/?state=nonsense")
    assert response.status_code == 422
    assert "查询参数有误" in response.get_data(as_text=True)
    assert b.get("/admin/queue/?page=-3").status_code == 200  # falls back to the first page


def test_the_reviewer_prints_a_village_notice_from_the_queue(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    world.to_state(case_id, CaseState.IN_PUBLIC_NOTICE)
    b = as_user("reviewer")
    page = b.text("/admin/queue/")
    assert 'id="notices-to-print"' in page and f'data-village="{VILLAGE_A1}"' in page
    response = b.get(f"/admin/queue/villages/{VILLAGE_A1}/notice.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert b.get(f"/admin/queue/villages/{VILLAGE_A1}/poster.pdf").status_code == 404
    assert b.get(f"/admin/queue/villages/{VILLAGE_B1}/notice.pdf").status_code == 403
