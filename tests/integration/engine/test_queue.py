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


def test_the_queue_names_the_deadline_the_case_page_names_at_every_step(world: World) -> None:
    """The queue reads the stored earliest deadline, the case page computes it afresh: the
    same kind, date, calendar days left and status after each step of the procedure."""
    from engine.case_view import case_detail
    from engine.deadlines import next_due
    from engine.models import Case
    from tests.support import path_to

    case_id = world.apply()
    seen = []
    for step in [*path_to(CaseState.ACTIVE), lambda w, _: w.pass_days(400)]:
        step(world, case_id)
        with world.rt.reader() as uow:
            case = uow.session.get(Case, case_id)
            assert case is not None
            stored = next_due(case.due_kind, case.due_on, world.today())
            shown = case_detail(uow, world.actors["inspector"], case_id).next_deadline
        assert stored == shown
        seen.append(shown.kind if shown else None)
    assert {"investigation_start", "case_total", "public_notice", "county_decision"} <= set(seen)
    assert seen[-1] == "recheck"  # enrolled: the periodic recheck, overdue a year on
    queued = {i.case.id: i for i in queue(world, "reviewer").items}
    assert queued[case_id].next == shown and queued[case_id].overdue


def _walk(world: World, sort: str, direction: str, start: str | None) -> list[int]:
    """Every case of the clerk's queue, two at a time, following each page's cursor."""
    seen: list[int] = []
    cursor = start
    while True:
        page = queue(world, "clerk", sort=sort, per_page=2, **{direction: cursor})
        ids = [i.case.id for i in page.items]
        if not ids:
            return seen
        seen = seen + ids if direction == "after" else ids + seen
        cursor = page.last if direction == "after" else page.first


@pytest.mark.parametrize("sort", ["due", "newest", "oldest"])
def test_keyset_pages_walk_the_queue_as_counted_pages_do(world: World, sort: str) -> None:
    """Each page is found from the edge row of the one before (any depth costs the same): the
    pages walked forwards and backwards hold every case once, in the list's order, ties on
    a deadline and cases without one included."""
    import datetime as dt

    from engine.models import Case

    ids = [world.apply() for _ in range(9)]
    day = world.today()
    dues = [1, 1, None, 0, 2, None, 1, 0, None]
    with world.rt.uow() as uow:
        for case_id, days in zip(ids, dues, strict=True):
            case = uow.session.get(Case, case_id)
            assert case is not None
            case.due_on = None if days is None else day + dt.timedelta(days=days)
        uow.commit()
    whole = [i.case.id for i in queue(world, "clerk", sort=sort, per_page=100).items]
    assert sorted(whole) == sorted(ids)
    counted = [
        i.case.id
        for page in range(1, 6)
        for i in queue(world, "clerk", sort=sort, per_page=2, page=page).items
    ]
    assert counted == whole
    assert _walk(world, sort, "after", None) == whole
    last = queue(world, "clerk", sort=sort, per_page=2, page=5)
    assert _walk(world, sort, "before", last.first) + [i.case.id for i in last.items] == whole


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"after": "x1"}, "after"),
        ({"after": "d2026-02-30.5"}, "after"),
        ({"after": "i5"}, "after"),  # a cursor of another sort
        ({"before": "d2026-03-01.5", "sort": "newest"}, "before"),
        ({"after": "n1", "before": "n2"}, "after"),
    ],
)
def test_a_bad_page_position_is_refused_by_name(world: World, kw: dict, field: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InvalidData) as err:
        queue(world, "clerk", **kw)
    assert field in {p.field for p in err.value.problems}
