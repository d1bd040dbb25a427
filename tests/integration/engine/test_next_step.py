"""The next step of stored cases, read with the case: every state of DOMAIN.md's lifecycle on
both databases, with the dates its deadlines, notice and recheck give it."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.case_view import case_detail
from engine.next_step import NextStep
from engine.services import record_objection
from engine.states import CaseState, Role
from tests.support import World, all_states, application
from tests.unit.engine.test_next_step import EXPECTED

S = CaseState

#: who moves a case on from each state, as the case is driven there by ``World.to_state``
#: (investigating: its investigation is not recorded yet, so the clerk acts first): the same
#: table the pure function's tests hold it to
WHO_NEXT = EXPECTED


def next_of(world: World, case_id: int, by: str = "inspector") -> NextStep:
    with world.rt.reader() as uow:
        step = case_detail(uow, world.actors[by], case_id).next_step
    assert step is not None
    return step


def deadline(world: World, case_id: int, name: str) -> dt.date:
    with world.rt.reader() as uow:
        return case_detail(uow, world.actors["inspector"], case_id).deadlines[name]["due_on"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("state", list(all_states()))
def test_a_case_in_each_state_says_who_acts_next(world: World, state: CaseState) -> None:
    if state == S.DRAFT:
        case_id = world.apply(application(draft=True))
    elif state == S.TERMINATION_NOTICE:
        case_id = world.apply(application(members=1, category="tekun"))
    else:
        case_id = world.apply()
    if state != S.DRAFT:
        world.to_state(case_id, state)
    step = next_of(world, case_id)
    assert (step.role, step.triggers) == WHO_NEXT[state]
    assert step.text and step.text_en


def test_accepted_is_due_by_the_investigation_start_deadline(world: World) -> None:
    case_id = world.apply()
    world.to_state(case_id, S.ACCEPTED)
    step = next_of(world, case_id)
    due = deadline(world, case_id, "investigation_start")
    assert step.due_on == due
    assert step.text == f"由受理员开展入户调查（截止{due.month}月{due.day}日）"


def test_the_recorded_investigation_hands_the_case_to_the_reviewer(world: World) -> None:
    case_id = world.apply()
    world.to_state(case_id, S.INVESTIGATING)
    world.investigate(case_id)
    step = next_of(world, case_id, by="reviewer")
    assert (step.role, step.triggers) == (Role.REVIEWER, ("propose",))
    assert step.due_on == deadline(world, case_id, "case_total")
    assert step.text.startswith("等待乡镇审核员提出初审意见（截止")


def test_the_notice_runs_its_seven_days_then_the_reviewer_closes_it(world: World) -> None:
    case_id = world.apply()
    world.to_state(case_id, S.IN_PUBLIC_NOTICE)  # published Monday 2 March 2026
    step = next_of(world, case_id)
    assert step.due_on == dt.date(2026, 3, 10) == deadline(world, case_id, "public_notice")
    assert step.text == "公示期至3月9日，3月10日起由乡镇审核员结束公示并报县审核确认"
    world.pass_days(8)
    assert next_of(world, case_id).text.startswith("公示期已满")


def test_an_objection_then_its_re_investigation_sends_the_file_to_the_county(
    world: World,
) -> None:
    case_id = world.apply()
    world.to_state(case_id, S.IN_PUBLIC_NOTICE)
    record_objection(world.rt.uow(), world.actors["reviewer"], case_id, "村民", "家有轿车")
    step = next_of(world, case_id)
    assert step.triggers == ("raise_objection", "revise_opinion") and "1件异议" in step.text
    world.fire(case_id, "raise_objection", "reviewer", "核实轿车")
    world.investigate(case_id)
    world.fire(case_id, "propose", "reviewer", "轿车系借用")
    assert next_of(world, case_id).triggers == ("refer_to_county",)


def test_an_enrolled_case_names_its_next_recheck(world: World) -> None:
    case_id = world.apply()
    world.to_state(case_id, S.ACTIVE)
    with world.rt.reader() as uow:
        recheck = case_detail(uow, world.actors["inspector"], case_id).recheck
    assert recheck is not None
    on: dt.date = recheck["next_recheck_on"]
    step = next_of(world, case_id)
    assert step.due_on == on and f"{on.month}月{on.day}日" in step.text
