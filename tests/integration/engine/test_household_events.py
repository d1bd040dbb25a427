"""Events in an enrolled household: a member's death and the reassessment it calls for."""

from __future__ import annotations

import pytest

from engine.models import Case
from engine.services import record_death
from engine.services.bulk import start_due_rechecks
from engine.services.case_deadlines import deadlines_of
from engine.states import CaseState
from tests.support import World, application

S = CaseState


def reassessment(world: World, case_id: int) -> tuple[str, object, object]:
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        found = {d.name: d for d in deadlines_of(uow, case)}["death_reassessment"]
        return found.status, found.met_on, case.due_on


@pytest.mark.parametrize("way", ["single", "bulk"])
def test_a_death_reassessment_is_met_by_the_decision_not_by_starting_a_recheck(
    world: World, way: str
) -> None:
    """民发〔2022〕83号: after a member's death the case is reassessed (增减停) within 3 months;
    starting a recheck is not the decision, confirming, adjusting or ending it is."""
    app = application(members=2)
    case_id = world.apply(app)
    world.to_state(case_id, S.ACTIVE)
    world.pass_days(20)
    record_death(
        world.uow(), world.actors["clerk"], case_id, app.members[1].id_number, world.today()
    )
    died = world.today()
    world.pass_days(10)
    if way == "single":
        world.fire(case_id, "start_recheck", "reviewer")
    else:
        with world.rt.uow() as uow:
            case = uow.session.get(Case, case_id)
            assert case is not None
            case.next_recheck_on = world.today()
            uow.commit()
        assert start_due_rechecks(world.rt.uow, world.actors["reviewer"], world.today()).done == 1
    status, met, due_on = reassessment(world, case_id)
    assert (status, met) == ("pending", None)
    assert due_on is not None and due_on > died  # still listed as due
    world.pass_days(5)
    world.fire(case_id, "confirm_unchanged", "reviewer")
    assert reassessment(world, case_id)[:2] == ("met", world.today())
