"""The landing page's figures: the work due by deadline, what waits on other roles, the
region's figures, and what inspectors and administrators watch."""

from __future__ import annotations

from engine.dashboard import dashboard, workload
from engine.states import CaseState
from tests.support import World, application


def board_of(w: World, role: str):  # type: ignore[no-untyped-def]
    with w.rt.reader() as uow:
        return dashboard(uow.session, w.actors[role], w.today(), w.rt.clock.tz)


def test_the_clerks_work_is_counted_by_deadline_and_others_work_by_role(world: World) -> None:
    # accepted on Monday 2 March: the investigation is due on Thursday 5 March
    waiting = [world.apply(), world.apply()]
    for case_id in waiting:
        world.to_state(case_id, CaseState.ACCEPTED)
    proposed = world.apply()
    world.to_state(proposed, CaseState.INITIAL_REVIEWED)

    def clerks() -> tuple[int, int, int, int]:
        with world.rt.reader() as uow:
            w = workload(uow.session, world.actors["clerk"], world.today())
        assert sum(g.count for g in w.groups) == w.waiting
        assert w.on_others["reviewer"] == 1  # the proposal waits on the township's reviewer
        return w.waiting, w.overdue, w.due_today, w.due_this_week

    assert clerks() == (2, 0, 0, 2)
    world.pass_days(3)
    assert clerks() == (2, 0, 2, 2)
    world.pass_days(1)
    assert clerks() == (2, 2, 0, 0)


def test_the_region_figures_count_the_people_enrolled(world: World) -> None:
    case_id = world.apply(application(members=3))
    world.to_state(case_id, CaseState.ACTIVE)
    board = board_of(world, "approver")
    assert board.figures is not None and board.oversight is None
    assert board.figures["enrolled"]["dibao"]["rural"]["people"] == 3
    assert board_of(world, "admin").figures is None


def test_inspectors_see_open_flags_and_findings_waiting_on_a_visit(world: World) -> None:
    from engine.services.findings import record_finding

    case_id = world.apply()
    world.to_state(case_id, CaseState.PENDING_CONFIRMATION)
    record_finding(world.uow(), world.actors["inspector"], case_id, "请县级入户核实", True)
    board = board_of(world, "inspector")
    assert board.oversight is not None and board.oversight.visits_required == 1
    assert board.workload is None
