"""Standards, parameters and calendar days: dated, sourced, audited, never rewriting the past."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from audit.models import LedgerEntry
from audit.verify import verify_all
from engine.errors import Conflict, Forbidden, InvalidData
from engine.models import Case
from engine.services.policy import (
    NewCalendarDay,
    NewParameter,
    NewStandard,
    set_calendar_day,
    set_parameter,
    set_standard,
)
from engine.states import CaseState
from tests.support import COUNTY, World

LATER = dt.date(2026, 7, 1)


def standard(yuan: str = "560", on: dt.date = LATER, **kw: object) -> NewStandard:
    values = {
        "county_code": COUNTY,
        "area_type": "rural",
        "category": "dibao",
        "monthly_yuan": Decimal(yuan),
        "effective_from": on,
        "source": "县政府文件（测试）",
    }
    values.update(kw)
    return NewStandard(**values)  # type: ignore[arg-type]


def test_a_standard_is_recorded_in_the_policy_ledger(world: World) -> None:
    set_standard(world.uow(), world.actors["admin"], standard())
    with world.rt.reader() as uow:
        last = uow.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id.desc())).first()
        assert last is not None and (last.ledger, last.event) == (
            f"policy:{COUNTY}",
            "set_standard",
        )
        assert '"monthly_yuan":"560.00"' in last.payload
        assert verify_all(uow.session).ok


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"monthly_yuan": Decimal("-1")}, "monthly_yuan"),
        ({"monthly_yuan": Decimal(0)}, "monthly_yuan"),
        ({"monthly_yuan": Decimal("533.001")}, "monthly_yuan"),
        ({"area_type": "suburb"}, "area_type"),
        ({"category": "single_person"}, "category"),
        ({"source": " "}, "source"),
        ({"county_code": "512099"}, "county_code"),
    ],
)
def test_bad_standards_are_refused_naming_the_field(
    world: World, change: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidData) as refused:
        set_standard(world.uow(), world.actors["admin"], standard(**change))  # type: ignore[arg-type]
    assert field in [p.field for p in refused.value.problems]


def test_only_administrators_set_policy(world: World) -> None:
    for who in ("approver", "inspector", "clerk"):
        with pytest.raises(Forbidden):
            set_standard(world.uow(), world.actors[who], standard())


def test_a_standard_that_would_rewrite_a_decision_is_refused(world: World) -> None:
    case_id = world.apply()
    world.to_state(case_id, CaseState.ACTIVE)  # decided 2 March 2026... plus the notice days
    with world.rt.reader() as uow:
        decided = uow.session.get(Case, case_id).decided_at  # type: ignore[union-attr]
    decided_on = decided.astimezone(world.clock.tz).date()  # type: ignore[union-attr]
    with pytest.raises(Conflict) as refused:
        set_standard(world.uow(), world.actors["admin"], standard(on=decided_on))
    assert refused.value.code == "rewrites_past"
    # the day after the decision is fine, and so is another category's standard
    set_standard(world.uow(), world.actors["admin"], standard(on=decided_on + dt.timedelta(days=1)))
    set_standard(world.uow(), world.actors["admin"], standard(on=decided_on, category="tekun"))


def test_the_same_version_twice_is_a_conflict(world: World) -> None:
    set_standard(world.uow(), world.actors["admin"], standard())
    with pytest.raises(Conflict):
        set_standard(world.uow(), world.actors["admin"], standard())


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("bonus_rate", "0.1", "unknown_parameter"),
        ("classified_supplement_rate", "1.5", "invalid"),
        ("phase_out_months", "7", "above_statutory_ceiling"),
        ("phase_out_amount", "double", "invalid"),
        ("employment_cost_fixed_yuan", "-10", "invalid"),
        ("marginal_factor", "0.9", "invalid"),
        ("decision_delegated", "maybe", "invalid"),
    ],
)
def test_bad_parameters_are_refused(world: World, name: str, value: str, code: str) -> None:
    with pytest.raises(InvalidData) as refused:
        set_parameter(
            world.uow(),
            world.actors["admin"],
            NewParameter(COUNTY, name, value, LATER, "县文件（测试）"),
        )
    assert refused.value.problems[0].code == code


@pytest.mark.parametrize(
    ("name", "too_loose", "strictest_allowed", "article"),
    [
        ("tekun_sampling_ratio", "0.29", "0.3", "《特困人员认定办法》第十六条"),
        ("recheck_months_stable", "13", "12", "第三十一条"),
        ("recheck_months_unstable", "7", "6", "第三十一条"),
        ("phase_out_months", "7", "6", "民发〔2022〕83号"),
    ],
)
def test_a_local_parameter_may_be_stricter_than_the_law_never_looser(
    world: World, name: str, too_loose: str, strictest_allowed: str, article: str
) -> None:
    """Statutory floors and ceilings (TK Art. 16: the county checks ≥ 30 % of tekun files;
    Art. 31: rechecks at least yearly, every 6 months for unstable households; 2022 notice:
    phase-out at most 6 months): a county's value beyond them is refused naming the article,
    and nothing is written."""
    with pytest.raises(InvalidData) as refused:
        set_parameter(
            world.uow(),
            world.actors["admin"],
            NewParameter(COUNTY, name, too_loose, LATER, "县文件（测试）"),
        )
    (problem,) = refused.value.problems
    assert problem.field == "value" and article in problem.message
    with world.rt.reader() as uow:
        assert (
            uow.session.scalar(select(LedgerEntry.id).where(LedgerEntry.event == "set_parameter"))
            is None
        )
    set_parameter(
        world.uow(),
        world.actors["admin"],
        NewParameter(COUNTY, name, strictest_allowed, LATER, "县文件（测试）"),
    )


def test_an_amount_parameter_may_not_reach_back_before_a_decision(world: World) -> None:
    case_id = world.apply()
    world.to_state(case_id, CaseState.ACTIVE)
    with pytest.raises(Conflict):
        set_parameter(
            world.uow(),
            world.actors["admin"],
            NewParameter(
                COUNTY, "classified_supplement_rate", "0.1", dt.date(2026, 1, 1), "县文件（测试）"
            ),
        )
    # a parameter that changes no amount may
    set_parameter(
        world.uow(),
        world.actors["admin"],
        NewParameter(COUNTY, "dibao_sampling_ratio", "0.1", dt.date(2026, 1, 1), "县文件（测试）"),
    )


def test_a_local_day_off_moves_the_deadlines(world: World) -> None:
    """Investigation due 3 working days after acceptance (Art. 15); a day off adds one."""
    case_id = world.apply()
    world.fire(case_id, "accept", "clerk")  # Monday 2 March 2026
    with world.rt.reader() as uow:
        assert uow.session.get(Case, case_id).due_on == dt.date(2026, 3, 5)  # type: ignore[union-attr]
    set_calendar_day(
        world.uow(),
        world.actors["admin"],
        NewCalendarDay(dt.date(2026, 3, 4), False, "县城防汛停工", "县政府通知（测试）", COUNTY),
    )
    with world.rt.reader() as uow:
        assert uow.session.get(Case, case_id).due_on == dt.date(2026, 3, 6)  # type: ignore[union-attr]


def due(world: World, case_id: int) -> tuple[dt.date | None, str | None]:
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        return case.due_on, case.due_kind


def test_a_delegated_decision_shortens_the_running_cases_limit_at_once(world: World) -> None:
    """Art. 22: a case is decided within 30 working days of acceptance, 20 where the county
    delegated decisions to the townships. Cases already running are dated again when the
    county records the delegation, and this process's next transitions read it at once
    (its parameter cache is forgotten)."""
    first, second = world.apply(), world.apply()
    world.to_state(first, CaseState.INITIAL_REVIEWED)
    thirty = due(world, first)
    assert thirty[1] == "case_total"
    set_parameter(
        world.uow(),
        world.actors["admin"],
        NewParameter(COUNTY, "decision_delegated", "true", dt.date(2021, 7, 1), "县文件（测试）"),
    )
    twenty = due(world, first)
    assert twenty[1] == "case_total" and twenty[0] is not None and thirty[0] is not None
    assert (thirty[0] - twenty[0]).days >= 10  # ten working days earlier
    # the same steps on the same day date the second case with the new version
    world.to_state(second, CaseState.INITIAL_REVIEWED)
    assert due(world, second) == twenty


def test_the_basic_resident_pension_is_excluded_within_its_dated_window(world: World) -> None:
    """Art. 13(3): the basic resident pension is not counted from 2021-07-01 (the measures'
    date); before it the rule was each locality's, and doudi counted it by default."""
    from engine.policy import excluded_income, parameters_in_force
    from engine.rulebook import national_rules

    with world.rt.reader() as uow:
        params = parameters_in_force(uow.session, COUNTY, LATER)
    rules = national_rules()
    assert "pension_basic" in excluded_income(params, dt.date(2021, 7, 1), rules)
    assert "pension_basic" not in excluded_income(params, dt.date(2021, 6, 30), rules)
    assert "wages" not in excluded_income(params, LATER, rules)


def test_a_county_may_exclude_more_income_types(world: World) -> None:
    """Art. 13(4): income the county itself excludes is data (excluded_income_types), dated,
    and the amount follows it from its effective date."""
    from engine.means import load_means
    from engine.services import Application, IncomeInput
    from tests.support import VILLAGE_A1, member

    app = Application(
        "dibao",
        VILLAGE_A1,
        [member("self", "0", incomes=[IncomeInput("transfer", Decimal(200))]), member("spouse")],
    )
    case_id = world.apply(app)
    set_parameter(
        world.uow(),
        world.actors["admin"],
        NewParameter(COUNTY, "excluded_income_types", "transfer", LATER, "县政府文件（测试）"),
    )
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        before = load_means(uow.session, case, LATER - dt.timedelta(days=1)).benefit  # type: ignore[arg-type]
        after = load_means(uow.session, case, LATER).benefit  # type: ignore[arg-type]
    assert before is not None and after is not None
    assert before.counted_income_yuan == Decimal(200)
    assert after.counted_income_yuan == Decimal(0)
    with pytest.raises(InvalidData):
        set_parameter(
            world.uow(),
            world.actors["admin"],
            NewParameter(COUNTY, "excluded_income_types", "wages", LATER, "县政府文件（测试）"),
        )
