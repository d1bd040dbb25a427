"""The work queue: what waits on each role in its region, grouped, sorted, paged."""

from __future__ import annotations

import pytest

from engine.errors import InvalidData
from engine.queue import work_queue
from engine.states import CaseState
from tests.support import VILLAGE_B1, World, application


def queue(world: World, username: str, **kw):  # type: ignore[no-untyped-def]
    with world.rt.reader() as uow:
        return work_queue(uow.session, world.actors[username], world.today(), **kw)


def test_each_role_sees_the_cases_waiting_on_its_next_step(world: World) -> None:
    submitted = world.apply()
    investigating = world.apply()
    world.to_state(investigating, CaseState.INVESTIGATING)
    pending = world.apply()
    world.to_state(pending, CaseState.PENDING_CONFIRMATION)
    ids = {
        name: [i.case.id for i in queue(world, name).items]
        for name in ("clerk", "reviewer", "approver")
    }
    assert sorted(ids["clerk"]) == [submitted, investigating]
    assert ids["reviewer"] == [investigating]
    assert ids["approver"] == [pending]


def test_the_queue_never_crosses_the_region(world: World) -> None:
    world.apply(application(village=VILLAGE_B1), by="clerk_b")
    mine = world.apply()
    assert [i.case.id for i in queue(world, "clerk").items] == [mine]
    # the village filter is applied inside the region, not instead of it
    assert queue(world, "clerk", village_code=VILLAGE_B1).items == []


def test_groups_count_states_and_overdue_cases(world: World) -> None:
    late = world.apply()
    world.to_state(late, CaseState.ACCEPTED)
    world.pass_days(30)  # the investigation should have started long ago
    world.apply()
    page = queue(world, "clerk")
    groups = {g.state: (g.count, g.overdue) for g in page.groups}
    assert groups == {"submitted": (1, 0), "accepted": (1, 1)}
    assert page.items[0].case.id == late and page.items[0].overdue
    assert page.items[0].days_left is not None and page.items[0].days_left < 0


def test_state_filter_sorts_and_pages(world: World) -> None:
    ids = [world.apply() for _ in range(5)]
    world.to_state(ids[0], CaseState.ACCEPTED)
    only = queue(world, "clerk", state="submitted")
    assert only.total == 4 and {i.case.id for i in only.items} == set(ids[1:])
    newest = queue(world, "clerk", sort="newest", per_page=2)
    assert [i.case.id for i in newest.items] == [ids[4], ids[3]] and newest.total == 5
    second = queue(world, "clerk", sort="newest", per_page=2, page=2)
    assert [i.case.id for i in second.items] == [ids[2], ids[1]]
    # soonest deadline first; cases without one last
    assert queue(world, "clerk").items[0].case.id == ids[0]


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"state": "nonsense"}, "state"),
        ({"sort": "sideways"}, "sort"),
        ({"page": 0}, "page"),
        ({"per_page": 10_000}, "page"),
    ],
)
def test_bad_parameters_are_refused_by_name(world: World, kw: dict, field: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InvalidData) as err:
        queue(world, "clerk", **kw)
    assert [p.field for p in err.value.problems] == [field]


def test_inspectors_have_no_queue(world: World) -> None:
    with pytest.raises(InvalidData):
        queue(world, "inspector")
