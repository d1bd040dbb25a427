"""Benefit formulas against hand-computed amounts, and their properties.

Each row names the rule it checks: Art. 13 of 《最低生活保障审核确认办法》 for counted
and excluded income and the employment-cost deduction, the 2022 notice
(民发〔2022〕83号) for rigid expenses, Art. 12 of 《社会救助暂行办法》 for the classified
supplement, the 2021 measures on marginal families for single-person coverage,
and 《特困人员认定办法》 for tekun.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.chain import canonical_text
from engine.rules import (
    COUNTED_INCOME,
    EXCLUDED_INCOME,
    HouseholdMeans,
    Income,
    MemberMeans,
    Policy,
    compute_benefit,
    inputs_from_payload,
    inputs_payload,
    phase_out_amount,
)

D = Decimal
RURAL = Policy(standard_yuan=D(533), classified_supplement_rate=D("0.10"))


def m(
    *incomes: tuple[str, str],
    relation: str = "self",
    grade: int | None = None,
    kind: str | None = None,
    ill: bool = False,
    covered: bool = False,
) -> MemberMeans:
    return MemberMeans(
        label=relation,
        relation=relation,
        incomes=tuple(Income(t, D(v)) for t, v in incomes),
        disability_grade=grade,
        disability_type=kind,
        serious_illness=ill,
        covered=covered,
    )


def h(*members: MemberMeans, category: str = "dibao", rigid: str = "0") -> HouseholdMeans:
    return HouseholdMeans(category=category, members=members, rigid_expenses_yuan=D(rigid))


# (id and rule, household, policy, expected monthly amount, expected ineligibility codes)
CASES = [
    ("01 Art.13 one member, no income: the whole standard", h(m()), RURAL, "533", ()),
    ("02 Art.13 wages counted", h(m(("wages", "300")), m(relation="spouse")), RURAL, "766", ()),
    (
        "03 Art.13 basic resident pension not counted",
        h(
            m(("wages", "500")),
            m(("wages", "400"), relation="spouse"),
            m(("pension_basic", "150"), relation="parent"),
        ),
        RURAL,
        "699",
        (),
    ),
    (
        "04 Art.13 income above the standard: nothing, ineligible",
        h(m(("wages", "600")), m(("wages", "500"), relation="spouse")),
        RURAL,
        "0",
        ("income_not_below_standard",),
    ),
    (
        "05 Art.13 income equal to the standard: nothing",
        h(m(("wages", "533"))),
        RURAL,
        "0",
        ("income_not_below_standard",),
    ),
    (
        "06 SZJ Art.12 supplement for a seriously ill member",
        h(m(("wages", "200")), m(relation="spouse", ill=True)),
        RURAL,
        "919",
        (),
    ),
    (
        "07 SZJ Art.12 supplement for disability grade 2",
        h(m(("wages", "700")), m(relation="spouse"), m(relation="child", grade=2, kind="physical")),
        RURAL,
        "952",
        (),
    ),
    (
        "08 SZJ Art.12 no supplement for grade 3",
        h(m(("wages", "100")), m(relation="child", grade=3, kind="physical")),
        RURAL,
        "966",
        (),
    ),
    (
        "09 SZJ Art.12 two supplements, rounded once",
        h(m(), m(relation="spouse", ill=True), m(relation="child", grade=1, kind="visual")),
        RURAL,
        "1706",
        (),
    ),
    (
        "10 Art.13 employment cost as a share of wages",
        h(m(("wages", "1000")), m(relation="spouse")),
        replace(RURAL, employment_cost_share=D("0.2")),
        "266",
        (),
    ),
    (
        "11 Art.13 fixed employment cost",
        h(m(("wages", "1000")), m(relation="spouse")),
        replace(RURAL, employment_cost_fixed_yuan=D(100)),
        "166",
        (),
    ),
    (
        "12 Art.13 fixed employment cost never exceeds the wages",
        h(m(("wages", "50"))),
        replace(RURAL, employment_cost_fixed_yuan=D(100)),
        "533",
        (),
    ),
    (
        "13 Art.13 share plus fixed amount",
        h(m(("wages", "800")), m(relation="spouse")),
        replace(RURAL, employment_cost_share=D("0.1"), employment_cost_fixed_yuan=D(50)),
        "396",
        (),
    ),
    (
        "14 Art.13 employment cost per member with wages",
        h(m(("wages", "400")), m(("wages", "300"), relation="spouse")),
        replace(RURAL, employment_cost_share=D("0.1"), employment_cost_fixed_yuan=D(30)),
        "496",
        (),
    ),
    (
        "15 Art.13 every excluded type stays out",
        h(
            m(
                ("award", "200"),
                ("assistance", "300"),
                ("veterans", "100"),
                ("family_planning", "80"),
                ("pension_basic", "150"),
            )
        ),
        RURAL,
        "533",
        (),
    ),
    (
        "16 Art.13 business, property and transfer income counted",
        h(
            m(("business", "300")),
            m(("property", "50"), relation="spouse"),
            m(("transfer", "200"), relation="parent"),
        ),
        RURAL,
        "1049",
        (),
    ),
    (
        "17 2022 notice: a share of rigid expenses deducted",
        h(m(("wages", "600")), m(relation="spouse"), rigid="400"),
        replace(RURAL, rigid_expense_share=D("0.5")),
        "666",
        (),
    ),
    (
        "18 2022 notice: deductions never make income negative",
        h(m(("wages", "100")), m(relation="spouse"), rigid="1000"),
        replace(RURAL, rigid_expense_share=D(1)),
        "1066",
        (),
    ),
    (
        "19 urban standard",
        h(m(("wages", "500")), m(relation="spouse")),
        replace(RURAL, standard_yuan=D(740)),
        "980",
        (),
    ),
    (
        "20 rounding half up to the yuan",
        h(m(ill=True)),
        replace(RURAL, standard_yuan=D(535)),
        "589",
        (),
    ),
    (
        "21 rounding to the jiao when the county says so",
        h(m(ill=True)),
        replace(RURAL, standard_yuan=D(535), rounding="jiao"),
        "588.5",
        (),
    ),
    (
        "22 rounding to the fen",
        h(m(ill=True)),
        replace(RURAL, classified_supplement_rate=D("0.05"), rounding="fen"),
        "559.65",
        (),
    ),
    ("23 Art.13 employee pension counted", h(m(("pension", "400"))), RURAL, "133", ()),
    (
        "24 single-person: covered member of a marginal family, computed for one",
        h(
            m(("wages", "1000")),
            m(("wages", "900"), relation="spouse"),
            m(relation="child", grade=1, kind="intellectual", covered=True),
            category="single_person",
        ),
        RURAL,
        "586",
        (),
    ),
    (
        "25 single-person: grade 3 mental disability qualifies",
        h(
            m(("wages", "1200")),
            m(relation="child", grade=3, kind="mental", covered=True),
            category="single_person",
        ),
        RURAL,
        "533",
        (),
    ),
    (
        "26 single-person: the covered member's own counted income is deducted",
        h(
            m(("wages", "1100")),
            m(
                ("pension_basic", "150"),
                ("transfer", "100"),
                relation="parent",
                ill=True,
                covered=True,
            ),
            category="single_person",
        ),
        RURAL,
        "486",
        (),
    ),
    (
        "27 single-person: not a marginal family (too well off)",
        h(
            m(("wages", "2000")),
            m(("wages", "1000"), relation="spouse"),
            m(relation="child", grade=1, kind="physical", covered=True),
            category="single_person",
        ),
        RURAL,
        "586",
        ("single_person_not_marginal_family",),
    ),
    (
        "28 single-person: grade 3 physical disability does not qualify",
        h(
            m(("wages", "1200")),
            m(relation="child", grade=3, kind="physical", covered=True),
            category="single_person",
        ),
        RURAL,
        "533",
        ("single_person_member_not_qualified",),
    ),
    (
        "29 single-person: a family below the standard should apply for dibao",
        h(
            m(("wages", "300")),
            m(relation="child", grade=1, kind="physical", covered=True),
            category="single_person",
        ),
        RURAL,
        "586",
        ("single_person_not_marginal_family",),
    ),
    (
        "30 tekun: the tekun standard, income not deducted",
        h(m(("pension_basic", "150"), ("wages", "100")), category="tekun"),
        replace(RURAL, standard_yuan=D(700)),
        "700",
        (),
    ),
    (
        "31 tekun: two supported persons",
        h(m(), m(relation="spouse"), category="tekun"),
        replace(RURAL, standard_yuan=D(700)),
        "1400",
        (),
    ),
]


@pytest.mark.parametrize(
    ("name", "household", "policy", "amount", "ineligible"), CASES, ids=[c[0][:2] for c in CASES]
)
def test_hand_computed_amounts(
    name: str, household: HouseholdMeans, policy: Policy, amount: str, ineligible: tuple[str, ...]
) -> None:
    benefit = compute_benefit(household, policy)
    assert benefit.monthly_yuan == D(amount), name
    assert benefit.ineligible == ineligible, name


def test_the_breakdown_explains_the_amount() -> None:
    benefit = compute_benefit(CASES[5][1], RURAL)
    codes = [line.code for line in benefit.breakdown]
    assert codes == ["income.wages", "standard.total", "base", "supplement.classified"]
    assert (benefit.base_yuan, benefit.supplement_yuan, benefit.counted_income_yuan) == (
        D(866),
        D("53.30"),
        D(200),
    )
    assert benefit.per_capita_income_yuan == D(100)


def test_phase_out_amount_follows_the_local_rule() -> None:
    """2022 notice: the amount during phase-out is set locally (default unchanged)."""
    assert phase_out_amount(D(766), "unchanged", "yuan") == D(766)
    assert phase_out_amount(D(767), "half", "yuan") == D(384)


# --- properties ------------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False)
fractions = st.decimals(min_value=0, max_value=1, places=2)


@st.composite
def members(draw: st.DrawFn) -> MemberMeans:
    types = sorted(COUNTED_INCOME | EXCLUDED_INCOME)
    items = draw(st.lists(st.tuples(st.sampled_from(types), amounts), max_size=4))
    return MemberMeans(
        label="m",
        relation="self",
        incomes=tuple(Income(t, v) for t, v in items),
        disability_grade=draw(st.none() | st.integers(1, 4)),
        serious_illness=draw(st.booleans()),
    )


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    return Policy(
        standard_yuan=draw(st.decimals(min_value=100, max_value=2000, places=0)),
        employment_cost_share=draw(fractions),
        employment_cost_fixed_yuan=draw(st.decimals(min_value=0, max_value=300, places=2)),
        rigid_expense_share=draw(fractions),
        classified_supplement_rate=draw(fractions),
        rounding=draw(st.sampled_from(["yuan", "jiao", "fen"])),
    )


households = st.builds(
    lambda ms, rigid: HouseholdMeans("dibao", tuple(ms), rigid),
    st.lists(members(), min_size=1, max_size=6),
    amounts,
)


@settings(max_examples=300, deadline=None)
@given(households, policies())
def test_the_benefit_is_never_negative(household: HouseholdMeans, policy: Policy) -> None:
    benefit = compute_benefit(household, policy)
    assert benefit.monthly_yuan >= 0
    assert benefit.base_yuan >= 0 and benefit.counted_income_yuan >= 0


@settings(max_examples=300, deadline=None)
@given(households, policies(), st.sampled_from(sorted(COUNTED_INCOME)), amounts, st.integers(0, 5))
def test_more_counted_income_never_raises_the_benefit(
    household: HouseholdMeans, policy: Policy, kind: str, extra: Decimal, who: int
) -> None:
    index = who % len(household.members)
    richer_member = replace(
        household.members[index], incomes=(*household.members[index].incomes, Income(kind, extra))
    )
    richer = replace(
        household,
        members=tuple(
            richer_member if i == index else mm for i, mm in enumerate(household.members)
        ),
    )
    assert (
        compute_benefit(richer, policy).monthly_yuan
        <= compute_benefit(household, policy).monthly_yuan
    )


@settings(max_examples=200, deadline=None)
@given(households, policies(), st.sampled_from(sorted(EXCLUDED_INCOME)), amounts)
def test_excluded_income_never_changes_the_benefit(
    household: HouseholdMeans, policy: Policy, kind: str, extra: Decimal
) -> None:
    first = household.members[0]
    more = replace(first, incomes=(*first.incomes, Income(kind, extra)))
    changed = replace(household, members=(more, *household.members[1:]))
    assert (
        compute_benefit(changed, policy).monthly_yuan
        == compute_benefit(household, policy).monthly_yuan
    )


@settings(max_examples=200, deadline=None)
@given(households, policies(), st.sampled_from(["dibao", "single_person", "tekun"]))
def test_a_receipt_replays_to_the_same_result(
    household: HouseholdMeans, policy: Policy, category: str
) -> None:
    household = replace(household, category=category)
    receipt = json.loads(canonical_text(inputs_payload(household, policy)))
    again_household, again_policy = inputs_from_payload(receipt)
    assert compute_benefit(again_household, again_policy) == compute_benefit(household, policy)
