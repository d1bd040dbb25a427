"""The payment roll: from the month after approval (Art. 21), nothing after the case ends."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from engine.services import Application, IncomeInput, MeansChange, MemberChange, record_change
from engine.services.payments import payment_lines
from tests.support import COUNTY, VILLAGE_A1, World, found_work, member

D = dt.date


def roll(w: World, month: dt.date) -> dict[int, Decimal]:
    with w.rt.reader() as uow:
        return {
            line.case_id: line.monthly_yuan
            for line in payment_lines(uow.session, COUNTY, month, w.clock.tz)
        }


def approved(w: World, wages: str = "300", **kw: object) -> tuple[int, Application]:
    app = Application(
        "dibao",
        VILLAGE_A1,
        [member("self", wages), member("spouse")],
        bank_account="6214830012345678901",
        **kw,
    )  # type: ignore[arg-type]
    case_id = w.apply(app)
    w.to_state(case_id, "active")  # type: ignore[arg-type]
    return case_id, app


def test_payment_starts_the_month_after_approval(world: World) -> None:
    case_id, _ = approved(world)  # approved in March 2026
    assert roll(world, D(2026, 3, 1)) == {}
    assert roll(world, D(2026, 4, 1)) == {case_id: Decimal("766.00")}


def test_a_line_names_the_payee_and_masks_the_account(world: World) -> None:
    _, app = approved(world)
    with world.rt.reader() as uow:
        (line,) = payment_lines(uow.session, COUNTY, D(2026, 4, 1), world.clock.tz)
    assert line.payee == app.members[0].name
    assert line.account == "6214***********8901"
    assert (line.people, line.category, line.village_name) == (2, "dibao", "白塔村")


def test_an_adjusted_amount_is_paid_from_the_following_month(world: World) -> None:
    case_id, app = approved(world)
    world.pass_days(60)  # May
    world.fire(case_id, "start_recheck", "reviewer")
    record_change(
        world.uow(),
        world.actors["clerk"],
        case_id,
        MeansChange(
            kind="income",
            note="配偶务工",
            members=[
                MemberChange(app.members[1].id_number, incomes=[IncomeInput("wages", Decimal(266))])
            ],
        ),
    )
    world.fire(case_id, "adjust", "approver", "收入增加")
    assert roll(world, D(2026, 5, 1)) == {case_id: Decimal("766.00")}
    assert roll(world, D(2026, 6, 1)) == {case_id: Decimal("500.00")}


def test_nothing_is_paid_after_termination(world: World) -> None:
    case_id, _ = approved(world)
    world.pass_days(90)  # early June
    world.fire(case_id, "terminate", "approver", "户籍迁出本县")
    assert case_id in roll(world, D(2026, 5, 1))
    assert case_id not in roll(world, D(2026, 7, 1))


def test_a_phase_out_is_never_paid_beyond_its_months(world: World) -> None:
    """2022 notice (民发〔2022〕83号): phase-out at most 6 months — the roll stops paying after
    the last month of the phase-out whether or not end_phase_out has fired."""
    case_id, app = approved(world)
    world.pass_days(60)
    world.fire(case_id, "start_recheck", "reviewer")
    found_work(world, case_id, {app.members[1].id_number: 3000})
    world.fire(case_id, "start_phase_out", "approver", "就业增收")
    started = world.today()  # early May 2026: six months run to early November
    assert case_id in roll(world, D(2026, 11, 1))
    world.pass_days(400)  # nobody ended the phase-out
    assert case_id not in roll(world, D(2026, 12, 1))
    assert case_id not in roll(world, D(2027, 3, 1))
    assert started.month == 5
