"""特困 eligibility (《特困人员认定办法》Arts. 4-8), decided by hand for each applicant: no capacity
to work (Art. 5), no source of livelihood — income below the local dibao standard (Art. 6) —
and no legal supporter, or one unable to support (Arts. 7-8)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.rules import (
    HouseholdMeans,
    Income,
    MemberMeans,
    Policy,
    TekunTest,
    compute_benefit,
    inputs_from_payload,
    inputs_payload,
    unable_to_work,
)

TEST = TekunTest(
    dibao_standard_yuan=Decimal(533),
    elderly_age=60,
    minor_age=16,
    max_grades={"intellectual": 3, "mental": 3, "physical": 2, "visual": 1},
)
POLICY = Policy(standard_yuan=Decimal(693), tekun_test=TEST)
ABLE = "tekun_able_to_work"
INCOME = "tekun_income_not_below_dibao_standard"


def person(
    age: int,
    able: bool = True,
    incomes: tuple[tuple[str, str], ...] = (),
    grade: int | None = None,
    kind: str | None = None,
) -> MemberMeans:
    return MemberMeans(
        label="申请人",
        relation="self",
        age=age,
        able_to_work=able,
        incomes=tuple(Income(t, Decimal(v)) for t, v in incomes),
        disability_grade=grade,
        disability_type=kind,
    )


#: (applicant, supporters' situation, the reasons for refusal; empty: eligible)
APPLICANTS = [
    ("an old man alone, no income", person(72), "none", ()),
    (
        "wages of 3,000 yuan a month",
        person(45, incomes=(("wages", "3000"),)),
        "none",
        (ABLE, INCOME),
    ),
    ("45, found unable to work", person(45, able=False), "none", ()),
    ("a child whose parent is in prison", person(12), "supporter_incapacitated", ()),
    ("16, able to work", person(16), "none", (ABLE,)),
    ("59, physical disability grade 2", person(59, grade=2, kind="physical"), "none", ()),
    ("40, physical disability grade 3", person(40, grade=3, kind="physical"), "none", (ABLE,)),
    ("40, mental disability grade 3", person(40, grade=3, kind="mental"), "none", ()),
    ("40, visual disability grade 2", person(40, grade=2, kind="visual"), "none", (ABLE,)),
    ("65, a pension of 600", person(65, incomes=(("pension", "600"),)), "none", (INCOME,)),
    (
        "65, basic resident pension 200 (not counted) and 500 other income",
        person(65, incomes=(("pension_basic", "200"), ("other", "500"))),
        "none",
        (),
    ),
    ("68, a son able to support him", person(68), "able", ("tekun_supporter_able",)),
    ("68, supporters not recorded", person(68), None, ("tekun_supporter_not_declared",)),
    (
        "60 today, wages just below the standard",
        person(60, incomes=(("wages", "532.99"),)),
        "none",
        (),
    ),
    ("61, wages equal to the standard", person(61, incomes=(("wages", "533"),)), "none", (INCOME,)),
    ("70, her daughter is on dibao and 62", person(70), "supporter_dibao_elderly", ()),
]


@pytest.mark.parametrize(
    ("applicant", "supporter", "refused"),
    [pytest.param(a, s, r, id=name) for name, a, s, r in APPLICANTS],
)
def test_tekun_eligibility_arts_4_to_8(
    applicant: MemberMeans, supporter: str | None, refused: tuple[str, ...]
) -> None:
    """TK Art. 4: all three conditions; Art. 5 (capacity), 6 (income), 7-8 (supporters)."""
    household = HouseholdMeans(category="tekun", members=(applicant,), supporter=supporter)
    benefit = compute_benefit(household, POLICY)
    assert benefit.ineligible == refused
    assert benefit.monthly_yuan == Decimal(693)  # the standard, when eligible


def test_a_receipt_replays_the_eligibility_it_was_decided_with() -> None:
    household = HouseholdMeans(category="tekun", members=(person(72),), supporter="none")
    again = compute_benefit(*inputs_from_payload(inputs_payload(household, POLICY)))
    assert again == compute_benefit(household, POLICY)
    older = inputs_payload(household, Policy(standard_yuan=Decimal(693)))
    _household, policy = inputs_from_payload(older)
    assert policy.tekun_test is None  # a receipt from before the test replays without it


#: a person already supported, tested again at a recheck (TK Art. 24 applies)
CONTINUING = TekunTest(**{**TEST.__dict__, "support_age": 18, "continuing": True})


@pytest.mark.parametrize(
    ("age", "in_school", "continuing", "ground"),
    [
        (15, False, False, "minor"),
        (17, False, False, None),  # a new applicant of 17 is no longer a minor (Art. 5)
        (17, False, True, "minor_supported"),  # supported before: to 18 (Art. 24)
        (19, True, True, "in_school"),  # and beyond while at school
        (19, False, True, None),
        (19, True, False, None),  # school alone does not admit an adult
    ],
)
def test_a_supported_minor_stays_supported_to_18_and_at_school_beyond_art_24(
    age: int, in_school: bool, continuing: bool, ground: str | None
) -> None:
    """TK Art. 24 ¶2: support continues to 18, and past 18 while in education."""
    member = MemberMeans(
        label="孤儿", relation="self", age=age, able_to_work=True, in_school=in_school
    )
    assert unable_to_work(member, CONTINUING if continuing else TEST) == ground
    again = inputs_from_payload(
        inputs_payload(
            HouseholdMeans("tekun", (member,), supporter="none"),
            Policy(standard_yuan=Decimal(693), tekun_test=CONTINUING),
        )
    )
    assert again[1].tekun_test == CONTINUING and again[0].members[0].in_school == in_school
