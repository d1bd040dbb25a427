"""Fraud and recovery (民发〔2022〕83号 §5(五); 《社会救助暂行办法》 Art. 68): a finding of
concealed income terminates or adjusts the benefit with an amount ordered back, never more
than was paid; repayments are recorded against it; the payments ledger shows both."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from audit.models import LedgerEntry
from engine.case_view import case_detail
from engine.errors import Conflict, InvalidData
from engine.services.recoveries import record_repayment
from engine.states import CaseState
from tests.support import COUNTY, World, application


def paid_for_months(world: World, months: int) -> int:
    """An active case (533 × 3 − 700 = 899 yuan a month from April 2026), months on."""
    case_id = world.apply(application(members=3))
    world.to_state(case_id, CaseState.ACTIVE)
    world.clock.advance(
        dt.datetime(2026, 3 + months, 15, 10, tzinfo=world.clock.tz) - world.clock.now()
    )
    return case_id


def ledger(world: World) -> list[tuple[str, dict[str, object]]]:
    with world.rt.reader() as uow:
        rows = uow.session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.ledger == f"payments:{COUNTY}")
            .order_by(LedgerEntry.seq)
        ).all()
        return [(r.event, json.loads(r.payload)) for r in rows]


def recoveries(world: World, case_id: int, who: str = "approver"):  # type: ignore[no-untyped-def]
    with world.rt.reader() as uow:
        return case_detail(uow, world.actors[who], case_id).recoveries


def test_a_termination_for_concealed_income_orders_the_money_back(world: World) -> None:
    """2022 notice §5(五): stop the benefit and order back what was obtained by concealment;
    the payments ledger shows the order and each repayment."""
    case_id = paid_for_months(world, 3)  # April, May and June paid: 899 × 3 = 2,697
    world.fire(
        case_id,
        "terminate",
        "approver",
        "隐瞒务工收入",
        data={"recovery_yuan": "2000.00", "finding": "经信息核对，配偶在外务工月收入3000元"},
    )
    (order,) = recoveries(world, case_id)
    assert (order.owed_yuan, order.outstanding_yuan) == (Decimal("2000.00"), Decimal("2000.00"))
    record_repayment(world.uow(), world.actors["approver"], case_id, order.id, "500", world.today())
    (order,) = recoveries(world, case_id)
    assert (order.repaid_yuan, order.outstanding_yuan) == (Decimal("500.00"), Decimal("1500.00"))
    events = ledger(world)
    assert [e for e, _ in events] == ["recovery_ordered", "repayment"]
    assert events[1][1]["outstanding_yuan"] == "1500.00"
    with pytest.raises(Conflict) as too_much:
        record_repayment(
            world.uow(), world.actors["approver"], case_id, order.id, "1500.01", world.today()
        )
    assert too_much.value.code == "repayment_above_owed"
    assert recoveries(world, case_id, "admin")[0].owed_yuan is None  # withheld when masked


def test_a_recovery_larger_than_what_was_paid_is_refused_and_nothing_is_written(
    world: World,
) -> None:
    case_id = paid_for_months(world, 1)
    with pytest.raises(InvalidData) as refused:
        world.fire(
            case_id,
            "terminate",
            "approver",
            "隐瞒收入",
            data={"recovery_yuan": "99999", "finding": "隐瞒经营收入"},
        )
    assert refused.value.problems[0].code == "recovery_above_paid"
    assert "83号" in refused.value.problems[0].message
    assert recoveries(world, case_id) == [] and ledger(world) == []
    with world.rt.reader() as uow:
        assert case_detail(uow, world.actors["approver"], case_id).summary.state == "active"
    with pytest.raises(InvalidData):  # a finding is required with the amount
        world.fire(case_id, "terminate", "approver", "隐瞒收入", data={"recovery_yuan": "100"})


def test_an_adjustment_can_order_money_back_too(world: World) -> None:
    case_id = paid_for_months(world, 2)
    world.fire(case_id, "start_recheck", "reviewer")
    world.fire(
        case_id,
        "adjust",
        "approver",
        "核查发现隐瞒部分收入",
        data={"recovery_yuan": "300", "finding": "子女经营收入未申报"},
    )
    (order,) = recoveries(world, case_id)
    assert (order.trigger, order.owed_yuan) == ("adjust", Decimal("300.00"))
