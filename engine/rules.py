"""Income and benefit: pure functions with exact decimal arithmetic, rounded once at the end.

References: 《最低生活保障审核确认办法》 (2021) Art. 10-13 (income), 《社会救助暂行办法》
Art. 12 (classified supplement), the 2021 measures on marginal families and
single-person coverage, 《特困人员认定办法》 (tekun), DOMAIN.md "Money".

- counted income = Σ counted items − deductions (employment cost per member
  with wages, a share of rigid expenses), never below zero;
- base = max(0, standard × members − counted income);
- monthly amount = base + Σ classified supplements, rounded once, half up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ZERO = Decimal(0)

#: income that counts towards the means test (Art. 13)
COUNTED_INCOME = frozenset({"wages", "business", "property", "transfer", "pension", "other"})
#: income Art. 13 keeps out: the basic resident pension, awards and scholarships,
#: social-assistance money, veterans' and family-planning payments
EXCLUDED_INCOME = frozenset({"pension_basic", "award", "assistance", "veterans", "family_planning"})
INCOME_TYPES = COUNTED_INCOME | EXCLUDED_INCOME

ROUNDING_QUANTUM = {"yuan": Decimal("1"), "jiao": Decimal("0.1"), "fen": Decimal("0.01")}


@dataclass(frozen=True)
class Income:
    """One monthly income item."""

    type: str
    monthly_yuan: Decimal


@dataclass(frozen=True)
class MemberMeans:
    """What the means test needs to know about one member."""

    label: str
    relation: str
    incomes: tuple[Income, ...] = ()
    disability_grade: int | None = None
    disability_type: str | None = None
    serious_illness: bool = False
    covered: bool = False
    #: whole years on the decision date, and the investigation's finding on capacity to work
    age: int | None = None
    able_to_work: bool | None = None
    #: the county stopped this member's own share for refusing suitable work (Art. 34)
    sanctioned: bool = False
    #: at school: a supported tekun minor stays supported past 18 while studying (TK Art. 24)
    in_school: bool = False

    @property
    def wages(self) -> Decimal:
        """Wage income per month."""
        return sum((i.monthly_yuan for i in self.incomes if i.type == "wages"), ZERO)

    @property
    def severely_disabled(self) -> bool:
        """Disability grade 1 or 2 (重度残疾)."""
        return self.disability_grade in (1, 2)

    @property
    def gets_supplement(self) -> bool:
        """Seriously ill or severely disabled: the classified supplement applies."""
        return self.serious_illness or self.severely_disabled

    @property
    def may_be_covered_alone(self) -> bool:
        """Grade 1-2 disability, grade 3 intellectual or mental disability, or serious illness."""
        grade3_mind = self.disability_grade == 3 and self.disability_type in (
            "intellectual",
            "mental",
        )
        return self.severely_disabled or grade3_mind or self.serious_illness


@dataclass(frozen=True)
class HouseholdMeans:
    """A household as the means test sees it."""

    category: str
    members: tuple[MemberMeans, ...]
    rigid_expenses_yuan: Decimal = ZERO
    #: tekun: the legal supporters' situation (``SUPPORTER_GROUNDS``; None: not declared)
    supporter: str | None = None


@dataclass(frozen=True)
class Policy:
    """The standard and local parameters a computation uses."""

    standard_yuan: Decimal
    employment_cost_share: Decimal = ZERO
    employment_cost_fixed_yuan: Decimal = ZERO
    rigid_expense_share: Decimal = ZERO
    classified_supplement_rate: Decimal = ZERO
    marginal_factor: Decimal = Decimal("1.5")
    rounding: str = "yuan"
    #: the income types not counted on the decision date (national list, in its dated
    #: window, and the county's own additions; Art. 13)
    excluded_income: frozenset[str] = EXCLUDED_INCOME
    #: tekun eligibility (TK Arts. 4-8), None where not applied (receipts from before it):
    #: the local dibao standard for the income test, and the national thresholds
    tekun_test: TekunTest | None = None


@dataclass(frozen=True)
class TekunTest:
    """What 特困 eligibility is measured against (TK Arts. 5-6; the values are dated rules)."""

    dibao_standard_yuan: Decimal
    elderly_age: int
    minor_age: int
    #: the highest disability grade that means no capacity to work, by disability type
    max_grades: Mapping[str, int]
    #: the age to which a supported minor stays supported (TK Art. 24; None: receipts from
    #: before the rule was applied)
    support_age: int | None = None
    #: the person is already supported: Art. 24's continuation applies (a recheck, not an
    #: application)
    continuing: bool = False

    def as_payload(self) -> dict[str, Any]:
        """The test's inputs as JSON-ready data (for receipts)."""
        return {
            "dibao_standard_yuan": self.dibao_standard_yuan,
            "elderly_age": self.elderly_age,
            "minor_age": self.minor_age,
            "max_grades": dict(self.max_grades),
            "support_age": self.support_age,
            "continuing": self.continuing,
        }


@dataclass(frozen=True)
class Line:
    """One line of the explanation shown with an amount."""

    code: str
    label: str
    amount_yuan: Decimal
    member: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the line as JSON-ready data."""
        return {
            "code": self.code,
            "label": self.label,
            "amount_yuan": self.amount_yuan,
            "member": self.member,
        }


@dataclass(frozen=True)
class Benefit:
    """An amount and how it was reached."""

    category: str
    monthly_yuan: Decimal
    standard_yuan: Decimal
    members: int
    counted_income_yuan: Decimal
    per_capita_income_yuan: Decimal
    base_yuan: Decimal
    supplement_yuan: Decimal
    breakdown: tuple[Line, ...]
    #: why the household cannot receive this benefit (empty when it can)
    ineligible: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data (for receipts and replay)."""
        return {
            "category": self.category,
            "monthly_yuan": self.monthly_yuan,
            "standard_yuan": self.standard_yuan,
            "members": self.members,
            "counted_income_yuan": self.counted_income_yuan,
            "per_capita_income_yuan": self.per_capita_income_yuan,
            "base_yuan": self.base_yuan,
            "supplement_yuan": self.supplement_yuan,
            "breakdown": [line.as_dict() for line in self.breakdown],
            "ineligible": list(self.ineligible),
        }


def round_amount(amount: Decimal, rounding: str) -> Decimal:
    """Round once, half up, to whole yuan (or jiao or fen, as the county sets)."""
    return amount.quantize(ROUNDING_QUANTUM[rounding], rounding=ROUND_HALF_UP)


def employment_cost(member: MemberMeans, policy: Policy) -> Decimal:
    """就业成本: a share of the wages plus a fixed amount, never more than the wages (Art. 13)."""
    wages = member.wages
    if wages <= 0:
        return ZERO
    return min(wages, wages * policy.employment_cost_share + policy.employment_cost_fixed_yuan)


def member_counted_income(member: MemberMeans, policy: Policy) -> tuple[Decimal, list[Line]]:
    """Return the member's counted income after the employment-cost deduction, with lines."""
    lines: list[Line] = []
    counted = ZERO
    for item in member.incomes:
        if item.type not in policy.excluded_income:
            counted += item.monthly_yuan
            lines.append(Line(f"income.{item.type}", "计入收入", item.monthly_yuan, member.label))
        else:
            lines.append(
                Line(
                    f"excluded.{item.type}",
                    "不计入收入（第十三条）",
                    item.monthly_yuan,
                    member.label,
                )
            )
    deduction = employment_cost(member, policy)
    if deduction:
        lines.append(Line("deduction.employment_cost", "就业成本扣减", -deduction, member.label))
    return counted - deduction, lines


def household_counted_income(
    members: Sequence[MemberMeans], rigid_expenses: Decimal, policy: Policy
) -> tuple[Decimal, list[Line]]:
    """Σ members' counted income − the deductible share of rigid expenses, never below zero."""
    total = ZERO
    lines: list[Line] = []
    for member in members:
        counted, member_lines = member_counted_income(member, policy)
        total += counted
        lines += member_lines
    rigid = rigid_expenses * policy.rigid_expense_share
    if rigid:
        lines.append(Line("deduction.rigid_expenses", "刚性支出扣减", -rigid))
        total -= rigid
    return max(ZERO, total), lines


def supplements(members: Sequence[MemberMeans], policy: Policy) -> tuple[Decimal, list[Line]]:
    """分类施保: the rate × the standard for each seriously ill or severely disabled member."""
    lines = [
        Line(
            "supplement.classified",
            "分类施保（重病或重度残疾）",
            policy.standard_yuan * policy.classified_supplement_rate,
            m.label,
        )
        for m in members
        if m.gets_supplement and policy.classified_supplement_rate
    ]
    return sum((line.amount_yuan for line in lines), ZERO), lines


def per_capita(total: Decimal, members: int) -> Decimal:
    """Per-capita monthly income (exact; shown to the fen)."""
    return (total / members).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if members else ZERO


def dibao_benefit(household: HouseholdMeans, policy: Policy) -> Benefit:
    """低保补差: (standard × members − counted income) + supplements, never negative."""
    members = household.members
    n = len(members)
    counted, lines = household_counted_income(members, household.rigid_expenses_yuan, policy)
    need = policy.standard_yuan * n
    base = max(ZERO, need - counted)
    paid = [m for m in members if not m.sanctioned]
    supplement, supplement_lines = supplements(paid, policy)
    lines.append(Line("standard.total", f"保障标准 × {n}人", need))
    lines.append(Line("base", "补差", base))
    ineligible = () if base > 0 else ("income_not_below_standard",)
    stopped = ZERO
    for m in members:
        if m.sanctioned and n:
            # the member's own share of the top-up stops; the household's income still counts
            share = base / n
            stopped += share
            lines.append(
                Line("sanction.work_refusal", "停发本人保障金（第三十四条）", -share, m.label)
            )
    lines += supplement_lines
    return Benefit(
        category="dibao",
        monthly_yuan=round_amount(base - stopped + supplement, policy.rounding),
        standard_yuan=policy.standard_yuan,
        members=n,
        counted_income_yuan=counted,
        per_capita_income_yuan=per_capita(counted, n),
        base_yuan=base,
        supplement_yuan=supplement,
        breakdown=tuple(lines),
        ineligible=ineligible,
    )


def is_marginal(per_capita_income: Decimal, policy: Policy) -> bool:
    """低保边缘家庭: not below the standard, but below marginal_factor × the standard."""
    return policy.standard_yuan <= per_capita_income < policy.standard_yuan * policy.marginal_factor


def single_person_benefit(household: HouseholdMeans, policy: Policy) -> Benefit:
    """单人保: the covered member of a marginal family is assisted as a household of one."""
    members = household.members
    counted_all, _ = household_counted_income(members, household.rigid_expenses_yuan, policy)
    household_per_capita = per_capita(counted_all, len(members))
    covered = [m for m in members if m.covered]
    problems: list[str] = []
    if len(covered) != 1:
        problems.append("single_person_needs_one_covered_member")
    elif not covered[0].may_be_covered_alone:
        problems.append("single_person_member_not_qualified")
    if not is_marginal(household_per_capita, policy):
        problems.append("single_person_not_marginal_family")
    person = covered[:1]
    counted, lines = household_counted_income(person, ZERO, policy)
    base = max(ZERO, policy.standard_yuan - counted) if person else ZERO
    supplement, supplement_lines = supplements(person, policy)
    lines.append(Line("household.per_capita", "家庭人均收入（认定边缘家庭）", household_per_capita))
    lines.append(Line("standard.total", "保障标准 × 1人", policy.standard_yuan))
    lines.append(Line("base", "补差", base))
    lines += supplement_lines
    if person and base <= 0:
        problems.append("income_not_below_standard")
    return Benefit(
        category="single_person",
        monthly_yuan=round_amount(base + supplement, policy.rounding),
        standard_yuan=policy.standard_yuan,
        members=len(person),
        counted_income_yuan=counted,
        per_capita_income_yuan=household_per_capita,
        base_yuan=base,
        supplement_yuan=supplement,
        breakdown=tuple(lines),
        ineligible=tuple(problems),
    )


#: legal supporters' situations that leave a tekun applicant without support (TK Arts. 7-8)
SUPPORTER_GROUNDS = {
    "none": "无法定赡养、抚养、扶养义务人",
    "supporter_tekun": "义务人为特困人员",
    "supporter_dibao_elderly": "义务人为最低生活保障对象且年满60周岁",
    "supporter_elderly_or_disabled_low_income": (
        "义务人年满70周岁或重度残疾，且收入低于当地上年人均可支配收入"
    ),
    "supporter_incapacitated": "义务人无民事行为能力、被宣告失踪或在监狱服刑",
}
#: a legal supporter who can support: not eligible
SUPPORTER_ABLE = "able"
#: the grounds on which tekun support ends (TK Art. 24 ¶1)
TEKUN_TERMINATION_GROUNDS: dict[str, tuple[str, str]] = {
    "death": ("死亡、被宣告死亡或失踪", "died, or declared dead or missing"),
    "capacity_to_work": ("具备或者恢复劳动能力", "has or regained capacity to work"),
    "imprisoned": ("被判处刑罚且在监狱服刑", "sentenced and serving a prison term"),
    "means": ("收入和财产状况不再符合条件", "income and property no longer qualify"),
    "supporter_able": ("法定义务人具有了履行义务能力", "a legal supporter became able"),
    "voluntary": ("自愿申请退出", "asked to leave the support"),
}


def unable_to_work(member: MemberMeans, test: TekunTest) -> str | None:
    """The TK Art. 5 ground on which the member has no capacity to work, if any."""
    if member.age is not None and member.age >= test.elderly_age:
        return "elderly"
    if member.age is not None and member.age < test.minor_age:
        return "minor"
    if test.continuing and test.support_age is not None and member.age is not None:
        # a supported minor stays supported to 18, and beyond while at school (TK Art. 24)
        if member.age < test.support_age:
            return "minor_supported"
        if member.in_school:
            return "in_school"
    grade, kind = member.disability_grade, member.disability_type
    if grade is not None and kind is not None and grade <= test.max_grades.get(kind, 0):
        return f"disability_{kind}"
    if member.able_to_work is False:
        return "assessed_unable"  # the investigation's finding (Art. 5(4): other grounds)
    return None


def tekun_ineligible(
    household: HouseholdMeans, per_capita_income: Decimal, test: TekunTest
) -> tuple[str, ...]:
    """Why the applicant is not 特困 (TK Art. 4): capacity to work, a source of livelihood,
    or a supporter able to support; empty when all three conditions hold."""
    problems = []
    if any(unable_to_work(m, test) is None for m in household.members):
        problems.append("tekun_able_to_work")
    if per_capita_income >= test.dibao_standard_yuan:
        problems.append("tekun_income_not_below_dibao_standard")
    if household.supporter is None:
        problems.append("tekun_supporter_not_declared")
    elif household.supporter not in SUPPORTER_GROUNDS:
        problems.append("tekun_supporter_able")
    return tuple(problems)


def tekun_benefit(household: HouseholdMeans, policy: Policy) -> Benefit:
    """特困供养: the tekun basic-living standard for each supported person (no income top-up),
    for applicants who meet the three conditions of TK Art. 4."""
    n = len(household.members)
    counted, lines = household_counted_income(household.members, ZERO, policy)
    base = policy.standard_yuan * n
    lines.append(Line("standard.total", f"特困人员基本生活标准 × {n}人", base))
    test = policy.tekun_test
    ineligible: tuple[str, ...] = ()
    if test is not None:
        lines.append(
            Line(
                "tekun.dibao_standard", "当地低保标准（收入认定，第六条）", test.dibao_standard_yuan
            )
        )
        ineligible = tekun_ineligible(household, per_capita(counted, n), test)
    return Benefit(
        category="tekun",
        monthly_yuan=round_amount(base, policy.rounding),
        standard_yuan=policy.standard_yuan,
        members=n,
        counted_income_yuan=counted,
        per_capita_income_yuan=per_capita(counted, n),
        base_yuan=base,
        supplement_yuan=ZERO,
        breakdown=tuple(lines),
        ineligible=ineligible,
    )


CALCULATORS = {
    "dibao": dibao_benefit,
    "single_person": single_person_benefit,
    "tekun": tekun_benefit,
}


def compute_benefit(household: HouseholdMeans, policy: Policy) -> Benefit:
    """Compute the monthly amount for the household's category."""
    return CALCULATORS[household.category](household, policy)


def phase_out_amount(last_decided: Decimal, rule: str, rounding: str) -> Decimal:
    """The amount paid during phase-out (2022 notice: set locally; default unchanged)."""
    if rule == "half":
        return round_amount(last_decided / 2, rounding)
    return last_decided


# --- receipts: the inputs as data, so that a decision can be replayed -------------------------


def inputs_payload(household: HouseholdMeans, policy: Policy) -> dict[str, Any]:
    """Return every input of a computation as JSON-ready data."""
    return {
        "category": household.category,
        "rigid_expenses_yuan": household.rigid_expenses_yuan,
        "members": [
            {
                "label": m.label,
                "relation": m.relation,
                "incomes": [{"type": i.type, "monthly_yuan": i.monthly_yuan} for i in m.incomes],
                "disability_grade": m.disability_grade,
                "disability_type": m.disability_type,
                "serious_illness": m.serious_illness,
                "covered": m.covered,
                "age": m.age,
                "able_to_work": m.able_to_work,
                "sanctioned": m.sanctioned,
                "in_school": m.in_school,
            }
            for m in household.members
        ],
        "supporter": household.supporter,
        "policy": {
            "standard_yuan": policy.standard_yuan,
            "employment_cost_share": policy.employment_cost_share,
            "employment_cost_fixed_yuan": policy.employment_cost_fixed_yuan,
            "rigid_expense_share": policy.rigid_expense_share,
            "classified_supplement_rate": policy.classified_supplement_rate,
            "marginal_factor": policy.marginal_factor,
            "rounding": policy.rounding,
            "excluded_income": sorted(policy.excluded_income),
            "tekun_test": policy.tekun_test.as_payload() if policy.tekun_test else None,
        },
    }


def inputs_from_payload(data: Mapping[str, Any]) -> tuple[HouseholdMeans, Policy]:
    """Rebuild the inputs of a computation from a receipt."""
    p = data["policy"]
    policy = Policy(
        standard_yuan=Decimal(p["standard_yuan"]),
        employment_cost_share=Decimal(p["employment_cost_share"]),
        employment_cost_fixed_yuan=Decimal(p["employment_cost_fixed_yuan"]),
        rigid_expense_share=Decimal(p["rigid_expense_share"]),
        classified_supplement_rate=Decimal(p["classified_supplement_rate"]),
        marginal_factor=Decimal(p["marginal_factor"]),
        rounding=p["rounding"],
        # receipts written before the exclusions were recorded used the national list
        excluded_income=frozenset(p.get("excluded_income", EXCLUDED_INCOME)),
        # receipts written before tekun eligibility was tested have none
        tekun_test=TekunTest(
            dibao_standard_yuan=Decimal(t["dibao_standard_yuan"]),
            elderly_age=t["elderly_age"],
            minor_age=t["minor_age"],
            max_grades=t["max_grades"],
            support_age=t.get("support_age"),
            continuing=t.get("continuing", False),
        )
        if (t := p.get("tekun_test"))
        else None,
    )
    household = HouseholdMeans(
        category=data["category"],
        rigid_expenses_yuan=Decimal(data["rigid_expenses_yuan"]),
        members=tuple(
            MemberMeans(
                label=m["label"],
                relation=m["relation"],
                incomes=tuple(Income(i["type"], Decimal(i["monthly_yuan"])) for i in m["incomes"]),
                disability_grade=m["disability_grade"],
                disability_type=m["disability_type"],
                serious_illness=m["serious_illness"],
                covered=m["covered"],
                age=m.get("age"),
                able_to_work=m.get("able_to_work"),
                sanctioned=m.get("sanctioned", False),
                in_school=m.get("in_school", False),
            )
            for m in data["members"]
        ),
        supporter=data.get("supporter"),
    )
    return household, policy
