"""Refusing suitable work (《最低生活保障审核确认办法》Art. 34): a member able to work who refuses
three times in a row without good reason may have their own share stopped by the county;
each offer and answer is recorded."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from engine.case_view import case_detail
from engine.errors import Conflict, GuardFailed, InvalidData
from engine.services import Application
from engine.services.work_offers import WorkOfferInput, record_work_offer
from engine.states import CaseState
from tests.support import VILLAGE_A1, World, member


def enrolled(world: World) -> tuple[int, Application]:
    """A household of three on dibao: 533 × 3 − 300 = 1,299 a month; the son can work."""
    app = Application(
        "dibao",
        VILLAGE_A1,
        [member("self", "300"), member("spouse", "0"), member("child", "0", able_to_work=True)],
    )
    case_id = world.apply(app)
    world.to_state(case_id, CaseState.ACTIVE)
    return case_id, app


def offer(world: World, case_id: int, who: str, outcome: str, note: str = "") -> None:
    record_work_offer(
        world.uow(),
        world.actors["clerk"],
        case_id,
        WorkOfferInput(who, world.today(), "县人社局推荐：物业保洁岗位", outcome, note),
    )


def monthly(world: World, case_id: int) -> Decimal:
    with world.rt.reader() as uow:
        benefit = case_detail(uow, world.actors["approver"], case_id).benefit
    assert benefit is not None
    return Decimal(benefit["monthly_yuan"])


def test_three_refusals_in_a_row_let_the_county_stop_the_members_own_share(
    world: World,
) -> None:
    """Art. 34: three refusals without good reason in a row; the county stops the member's
    own share (a third of the household's top-up here), with its reasons and a new amount."""
    case_id, app = enrolled(world)
    son = app.members[2].id_number
    assert monthly(world, case_id) == Decimal(1299)
    offer(world, case_id, son, "refused")
    offer(world, case_id, son, "refused_good_reason", "住院治疗期间")  # neither counts nor resets
    offer(world, case_id, son, "refused")
    with pytest.raises(GuardFailed) as early:
        world.fire(case_id, "sanction_work_refusal", "approver", "拒绝就业", data={"member": son})
    assert "work_refusals_below_limit" in {p.code for p in early.value.problems}
    offer(world, case_id, son, "refused")
    world.fire(
        case_id, "sanction_work_refusal", "approver", "连续三次拒绝介绍的工作", data={"member": son}
    )
    assert monthly(world, case_id) == Decimal(866)  # 1,299 − 433
    with pytest.raises(Conflict):
        world.fire(case_id, "sanction_work_refusal", "approver", "再次", data={"member": son})


def test_a_lifted_sanction_pays_the_members_share_again(world: World) -> None:
    """Art. 34: the stop lasts while its ground does; once the member takes up work or
    training the county pays their share again, with its reasons and a new amount."""
    case_id, app = enrolled(world)
    son, wife = app.members[2].id_number, app.members[1].id_number
    lift = {"member": son}
    with pytest.raises(Conflict) as never_stopped:
        world.fire(case_id, "lift_work_refusal_sanction", "approver", "参加培训", data=lift)
    assert never_stopped.value.code == "not_sanctioned"
    for _ in range(3):
        offer(world, case_id, son, "refused")
    world.fire(case_id, "sanction_work_refusal", "approver", "连续三次拒绝", data={"member": son})
    assert monthly(world, case_id) == Decimal(866)
    with pytest.raises(InvalidData):
        world.fire(case_id, "lift_work_refusal_sanction", "approver", "误", data={"member": "1"})
    with pytest.raises(Conflict):
        world.fire(case_id, "lift_work_refusal_sanction", "approver", "误", data={"member": wife})
    world.pass_days(1)
    world.fire(case_id, "lift_work_refusal_sanction", "approver", "已参加技能培训", data=lift)
    assert monthly(world, case_id) == Decimal(1299)


def test_an_accepted_offer_ends_a_run_of_refusals(world: World) -> None:
    case_id, app = enrolled(world)
    son = app.members[2].id_number
    for outcome in ("refused", "refused", "accepted", "refused", "refused"):
        offer(world, case_id, son, outcome)
    with pytest.raises(GuardFailed):
        world.fire(case_id, "sanction_work_refusal", "approver", "拒绝就业", data={"member": son})


def test_offers_only_to_members_able_to_work_of_enrolled_households(world: World) -> None:
    case_id, app = enrolled(world)
    with pytest.raises(InvalidData) as unable:
        offer(world, case_id, app.members[1].id_number, "refused")  # the spouse cannot work
    assert unable.value.problems[0].code == "not_able_to_work"
    with pytest.raises(InvalidData) as stranger:
        offer(world, case_id, member().id_number, "refused")
    assert stranger.value.problems[0].code == "not_a_member"
    with pytest.raises(InvalidData) as reasonless:
        offer(world, case_id, app.members[2].id_number, "refused_good_reason")
    assert reasonless.value.problems[0].field == "note"
    future = WorkOfferInput(
        app.members[2].id_number, world.today() + dt.timedelta(days=3), "岗位", "refused"
    )
    with pytest.raises(InvalidData):
        record_work_offer(world.uow(), world.actors["clerk"], case_id, future)
    pending = world.apply()
    with pytest.raises(Conflict):
        record_work_offer(
            world.uow(),
            world.actors["clerk"],
            pending,
            dataclasses.replace(future, offered_on=world.today()),
        )
