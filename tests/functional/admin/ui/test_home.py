"""The landing page: the work waiting, by deadline, and the region's figures as charts."""

from __future__ import annotations

from engine.states import CaseState
from tests.support import World, application


def test_the_approvers_dashboard_draws_the_regions_figures(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply(application(members=3))
    world.to_state(case_id, CaseState.ACTIVE)
    waiting = world.apply()
    world.to_state(waiting, CaseState.PENDING_CONFIRMATION)
    page = as_user("approver").text("/admin/")
    assert 'id="workload-waiting"' in page and "等待您办理" in page
    assert 'id="chart-people"' in page and "在保人数" in page
    # the bar of rural dibao people is written with its figure
    people = page[page.index('id="chart-people"') :]
    people = people[: people.index("</svg>")]
    assert "最低生活保障 · 农村" in people and ">3</text>" in people
    assert "户籍人口保障覆盖率" in page and "人均保障金（元/月）" in page
