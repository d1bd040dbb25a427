"""An amount explained as a sum: counted income apart from income not counted, every figure
to the fen, the rounding as its own step, and the lines adding up to the amount decided."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.amounts import AmountExplanation, ShownLine, explain_amount
from engine.rules import HouseholdMeans, Income, MemberMeans, Policy, compute_benefit
from tests.unit.engine.test_rules import households, policies

D = Decimal
RURAL = Policy(standard_yuan=D(533), classified_supplement_rate=D("0.10"))


def member(*incomes: tuple[str, str], ill: bool = False, sanctioned: bool = False) -> MemberMeans:
    return MemberMeans(
        label="m",
        relation="self",
        incomes=tuple(Income(t, D(v)) for t, v in incomes),
        serious_illness=ill,
        sanctioned=sanctioned,
    )


def explained(household: HouseholdMeans, policy: Policy = RURAL) -> AmountExplanation:
    benefit = compute_benefit(household, policy)
    lines = [line.as_dict() for line in benefit.breakdown]
    return explain_amount(lines, benefit.monthly_yuan, policy.rounding)


def codes(lines: tuple[ShownLine, ...]) -> list[str]:
    return [line.code for line in lines]


def assert_adds_up(part: tuple[ShownLine, ...]) -> None:
    """Each subtotal and the total are the sum of the terms shown above them."""
    running = D(0)
    for line in part:
        assert line.amount_yuan == line.amount_yuan.quantize(D("0.01")), line
        if line.kind == "term":
            running += line.amount_yuan
        else:
            assert line.amount_yuan == running, (line, running)


def test_the_issue_example_shows_its_rounding_and_keeps_the_pension_apart() -> None:
    """1599 − 300 = 1299.00, + 53.30 = 1352.30, rounded to whole yuan: −0.30 → 1352.00."""
    household = HouseholdMeans(
        "dibao",
        (member(("wages", "300"), ill=True), member(("pension_basic", "150")), member()),
    )
    e = explained(household)
    assert codes(e.counted) == ["income.wages", "counted.total"]
    assert codes(e.amount) == [
        "standard.total",
        "counted.less",
        "base",
        "supplement.classified",
        "subtotal",
        "rounding.yuan",
        "monthly",
    ]
    assert [line.amount_yuan for line in e.amount] == [
        D("1599.00"),
        D("-300.00"),
        D("1299.00"),
        D("53.30"),
        D("1352.30"),
        D("-0.30"),
        D("1352.00"),
    ]
    assert [(x.code, x.kind, x.amount_yuan) for x in e.excluded] == [
        ("excluded.pension_basic", "item", D("150.00"))
    ]
    assert [name for name, _ in e.sections()] == ["counted", "amount", "excluded"]
    assert_adds_up(e.counted)
    assert_adds_up(e.amount)


def test_deductions_above_the_income_leave_the_counted_income_at_zero() -> None:
    policy = replace(RURAL, employment_cost_fixed_yuan=D(500))
    household = HouseholdMeans("dibao", (member(("wages", "300")),), rigid_expenses_yuan=D(0))
    e = explained(household, replace(policy, rigid_expense_share=D(1)))
    assert e.counted[-1].code == "counted.total" and e.counted[-1].amount_yuan == 0
    assert_adds_up(e.counted)
    assert_adds_up(e.amount)


def test_a_stopped_share_with_repeating_decimals_still_adds_up() -> None:
    """Art. 34: a third of 1599 − 599 = 1000 is stopped (333.333…): shown to the fen, the
    rounding step takes up the rest."""
    household = HouseholdMeans(
        "dibao",
        (member(("wages", "599")), member(sanctioned=True), member()),
    )
    e = explained(household)
    stopped = next(x for x in e.amount if x.code == "sanction.work_refusal")
    assert stopped.amount_yuan == D("-333.33")
    assert e.amount[-1].amount_yuan == D(667)
    assert_adds_up(e.amount)


def test_tekun_pays_the_standard_and_shows_the_income_test_figure_apart() -> None:
    policy = replace(RURAL, standard_yuan=D(693))
    household = HouseholdMeans("tekun", (member(("pension", "100")),), supporter="none")
    e = explained(household, policy)
    assert "counted.less" not in codes(e.amount)
    assert codes(e.amount) == ["standard.total", "subtotal", "rounding.yuan", "monthly"]
    assert e.amount[-2].amount_yuan == 0


def test_a_phase_out_amount_is_its_one_line_and_unknown_rounding_still_shows() -> None:
    lines = [{"code": "phase_out", "label": "渐退期保障金", "amount_yuan": "384", "member": None}]
    e = explain_amount(lines, D(384), None)
    assert e.counted == () and codes(e.amount) == ["phase_out", "subtotal", "rounding", "monthly"]
    assert_adds_up(e.amount)


@settings(max_examples=300, deadline=None)
@given(households, policies(), st.sampled_from(["dibao", "single_person", "tekun"]))
def test_every_explained_amount_adds_up_to_the_amount_decided(
    household: HouseholdMeans, policy: Policy, category: str
) -> None:
    household = replace(household, category=category)
    if category == "single_person":
        first = replace(household.members[0], covered=True)
        household = replace(household, members=(first, *household.members[1:]))
    benefit = compute_benefit(household, policy)
    # stored as JSON text, read back as decimals: what the case page explains
    lines = [{**x.as_dict(), "amount_yuan": str(x.amount_yuan)} for x in benefit.breakdown]
    e = explain_amount(lines, benefit.monthly_yuan, policy.rounding)
    assert_adds_up(e.counted)
    assert_adds_up(e.amount)
    assert e.amount[-1].amount_yuan == benefit.monthly_yuan.quantize(D("0.01"))
    assert all(x.kind == "item" for x in (*e.excluded, *e.references))
    assert len(e.excluded) == sum(1 for x in benefit.breakdown if x.code.startswith("excluded."))
