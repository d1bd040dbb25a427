"""A decision letter's amount lines: the household's figures, adding up to the amount decided
with the rounding step shown, as on the case page."""

from __future__ import annotations

import json
from decimal import Decimal

from audit.letters import amount_lines
from engine.models import BenefitDecision
from engine.rules import HouseholdMeans, Income, MemberMeans, Policy, compute_benefit

D = Decimal


def decision(household: HouseholdMeans, policy: Policy) -> BenefitDecision:
    benefit = compute_benefit(household, policy)
    return BenefitDecision(
        monthly_fen=int(benefit.monthly_yuan * 100),
        standard_fen=int(policy.standard_yuan * 100),
        members=benefit.members,
        breakdown=json.dumps(
            [{**x.as_dict(), "amount_yuan": str(x.amount_yuan)} for x in benefit.breakdown]
        ),
    )


def person(*incomes: tuple[str, str], sanctioned: bool = False) -> MemberMeans:
    return MemberMeans(
        label="m",
        relation="self",
        incomes=tuple(Income(t, D(v)) for t, v in incomes),
        sanctioned=sanctioned,
    )


def test_a_stopped_share_and_the_rounding_make_the_letter_add_up() -> None:
    row = decision(
        HouseholdMeans("dibao", (person(("wages", "599")), person(sanctioned=True), person())),
        Policy(standard_yuan=D(533)),
    )
    lines = amount_lines(row, "dibao", "yuan")
    assert [x.code for x in lines] == [
        "standard_total",
        "counted_income",
        "base",
        "sanction",
        "rounding",
        "monthly",
    ]
    figures = {x.code: x.amount_yuan for x in lines}
    assert figures["base"] == figures["standard_total"] - figures["counted_income"] == D(1000)
    assert figures["sanction"] == D("333.33") and figures["rounding"] == D("0.33")
    assert figures["base"] - figures["sanction"] + figures["rounding"] == figures["monthly"]
    assert lines[-2].rule == "yuan"


def test_tekun_and_phase_out_letters_keep_to_their_figures() -> None:
    tekun = decision(
        HouseholdMeans("tekun", (person(),), supporter="none"), Policy(standard_yuan=D("693.50"))
    )
    lines = amount_lines(tekun, "tekun", "yuan")
    assert [(x.code, x.amount_yuan) for x in lines] == [
        ("tekun_standard_total", D("693.50")),
        ("rounding", D("0.50")),
        ("monthly", D("694.00")),
    ]
    phase = BenefitDecision(
        monthly_fen=38400,
        standard_fen=53300,
        members=2,
        breakdown=json.dumps([{"code": "phase_out", "label": "渐退期", "amount_yuan": "384"}]),
    )
    assert [x.code for x in amount_lines(phase, "dibao", "yuan")] == ["rounding", "monthly"]
