"""A household's means as the rules see them, with the policy in force: loaded once per decision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.access import county_of
from engine.errors import Problem
from engine.identity import mask_name
from engine.models import Case, Category, Household, Member, fen_to_yuan
from engine.parameters import ParameterSet
from engine.policy import StandardRef, parameters_in_force, rules_policy, standard_in_force
from engine.rules import (
    Benefit,
    HouseholdMeans,
    Income,
    MemberMeans,
    Policy,
    compute_benefit,
    inputs_payload,
)
from engine.states import ENROLLED_STATES


@dataclass(frozen=True)
class RecheckPlan:
    """How often the case is rechecked, and why (Art. 31)."""

    months: int
    unstable: bool
    reason_zh: str
    reason_en: str


@dataclass(frozen=True)
class MeansFacts:
    """The household's means, the policy in force on the decision date, and the result."""

    on: dt.date
    household: HouseholdMeans
    parameters: ParameterSet
    standard: StandardRef | None
    #: the rules' inputs the benefit was computed with (None: no standard in force)
    policy: Policy | None
    benefit: Benefit | None
    property_problems: tuple[Problem, ...]
    recheck: RecheckPlan

    def receipt(self) -> dict[str, Any]:
        """Return the decision's inputs and result: what `doudi audit replay` recomputes."""
        assert self.standard is not None and self.benefit is not None
        assert self.policy is not None
        policy = self.policy
        return {
            "decision_date": self.on,
            "standard": self.standard.as_payload(),
            "parameters": self.parameters.as_payload(),
            "inputs": inputs_payload(self.household, policy),
            "result": self.benefit.as_dict(),
        }


def household_means(
    household: Household, category: str, on: dt.date | None = None
) -> HouseholdMeans:
    """Turn the household's current members into the rules' inputs (ages as of ``on``)."""
    return HouseholdMeans(
        category=category,
        rigid_expenses_yuan=household.rigid_expenses,
        members=tuple(_member_means(m, on) for m in household.members),
        supporter=household.tekun_supporter,
    )


def age_on(birth: dt.date, on: dt.date) -> int:
    """Whole years of age on ``on``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _member_means(m: Member, on: dt.date | None) -> MemberMeans:
    return MemberMeans(
        age=age_on(m.person.birth_date, on) if on is not None else None,
        able_to_work=m.able_to_work,
        sanctioned=m.work_sanctioned_at is not None,
        in_school=m.in_school,
        label=mask_name(m.person.name),
        relation=str(m.relation),
        incomes=tuple(Income(str(i.type), i.monthly_yuan) for i in m.incomes),
        disability_grade=m.disability_grade,
        disability_type=str(m.disability_type) if m.disability_type else None,
        serious_illness=m.serious_illness,
        covered=m.covered,
    )


def property_problems(household: Household, members: int, params: ParameterSet) -> list[Problem]:
    """Check recorded property against the local limits (Art. 11; property not recorded passes)."""
    problems = []
    deposits_limit = params["property_limit_deposits_per_capita_yuan"]
    if deposits_limit is not None and household.deposits_fen is not None and members:
        per_capita = fen_to_yuan(household.deposits_fen) / members
        if per_capita > Decimal(str(deposits_limit)):
            problems.append(
                Problem(
                    "property_deposits",
                    f"人均存款{per_capita:.2f}元超过当地上限{deposits_limit}元",
                    f"per-capita deposits {per_capita:.2f} exceed the local limit {deposits_limit}",
                )
            )
    for field, name, zh, en in (
        ("vehicles", "property_limit_vehicles", "机动车辆", "vehicles"),
        (
            "extra_housing_units",
            "property_limit_extra_housing_units",
            "自住以外房产",
            "extra housing",
        ),
    ):
        limit, value = params[name], getattr(household, field)
        if limit is not None and value is not None and value > int(str(limit)):
            problems.append(
                Problem(
                    f"property_{field}",
                    f"{zh}{value}超过当地上限{limit}",
                    f"{en} {value} exceed the local limit {limit}",
                )
            )
    return problems


def recheck_plan(household: Household, category: str, params: ParameterSet) -> RecheckPlan:
    """Yearly for stable households and tekun; half-yearly if someone can work and income varies."""
    able = [m for m in household.members if m.able_to_work]
    if category != Category.TEKUN and able and not household.income_stable:
        return RecheckPlan(
            int(params.decimal("recheck_months_unstable")),
            True,
            f"家庭有{len(able)}名有劳动能力的成员且收入不稳定，每半年核查（第三十一条）",
            f"{len(able)} member(s) able to work and income unstable: rechecked half-yearly "
            "(Art. 31)",
        )
    why_zh = "特困人员" if category == Category.TEKUN else "家庭收入来源相对稳定"
    why_en = "tekun" if category == Category.TEKUN else "income relatively stable"
    return RecheckPlan(
        int(params.decimal("recheck_months_stable")),
        False,
        f"{why_zh}，每年核查（第三十一条）",
        f"{why_en}: rechecked yearly (Art. 31)",
    )


def load_household(session: Session, household_id: int) -> Household:
    """Load a household with its current members, their persons and incomes."""
    return session.scalars(
        select(Household)
        .where(Household.id == household_id)
        .options(
            selectinload(Household.members).selectinload(Member.person),
            selectinload(Household.members).selectinload(Member.incomes),
        )
    ).one()


def load_means(session: Session, case: Case, on: dt.date) -> MeansFacts:
    """Load the case's household and the policy in force on ``on``, and compute its benefit."""
    household = load_household(session, case.household_id)
    county = county_of(case.village_code)
    params = parameters_in_force(session, county, on)
    means = household_means(household, str(case.category), on)
    standard = standard_in_force(session, county, str(case.area_type), str(case.category), on)
    dibao = None
    if case.category == Category.TEKUN:
        # tekun eligibility measures income against the local dibao standard (TK Art. 6)
        dibao = standard_in_force(session, county, str(case.area_type), "dibao", on)
    policy = None
    if standard is not None and (dibao is not None or case.category != Category.TEKUN):
        # a person already supported keeps Art. 24's continuation (a minor to 18, or at school)
        continuing = case.state in ENROLLED_STATES
        policy = rules_policy(standard, params, on, dibao=dibao, continuing=continuing)
    benefit = compute_benefit(means, policy) if policy is not None else None
    return MeansFacts(
        on=on,
        household=means,
        parameters=params,
        standard=standard,
        policy=policy,
        benefit=benefit,
        property_problems=tuple(property_problems(household, len(means.members), params)),
        recheck=recheck_plan(household, str(case.category), params),
    )
