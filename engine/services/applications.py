"""Applications as the clerk enters them, and every check on their own fields."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.errors import Problem, invalid_field
from engine.identity import InvalidIdNumber, parse_id_number
from engine.inputs import free_text_problem
from engine.models import AreaType, Category, DisabilityType, IncomeType, Relation
from engine.rules import SUPPORTER_ABLE, SUPPORTER_GROUNDS

#: the largest monthly income accepted per member, in yuan (a typo guard, not a rule)
MAX_MONTHLY_INCOME = Decimal("10000000")
CENT = Decimal("0.01")
MAX_MEMBERS = 30
MAX_PROPERTY_COUNT = 99
BANK_ACCOUNT_RE = re.compile(r"^[0-9]{10,30}$")
#: the longest address the household record holds
ADDRESS_MAX_CHARS = 200


@dataclass(frozen=True)
class IncomeInput:
    """One monthly income item of a member."""

    type: str
    monthly_yuan: Decimal


@dataclass(frozen=True)
class MemberInput:
    """One household member as given in an application.

    ``monthly_income`` alone means wages; typed items go in ``incomes``.
    """

    id_number: str
    name: str
    relation: str
    monthly_income: Decimal = Decimal(0)
    disability_grade: int | None = None
    disability_type: str | None = None
    serious_illness: bool = False
    able_to_work: bool = False
    incomes: Sequence[IncomeInput] = ()
    #: at school: a supported tekun minor stays supported past 18 (TK Art. 24)
    in_school: bool = False
    covered: bool = False

    def income_items(self) -> list[IncomeInput]:
        """The member's income items, with ``monthly_income`` as wages."""
        items = list(self.incomes)
        if Decimal(self.monthly_income) > 0:
            items.insert(0, IncomeInput(IncomeType.WAGES, Decimal(self.monthly_income)))
        return items


@dataclass(frozen=True)
class PropertyInput:
    """Property checked against the local limits (None: not recorded)."""

    deposits_yuan: Decimal | None = None
    vehicles: int | None = None
    extra_housing_units: int | None = None


@dataclass(frozen=True)
class Referral:
    """Where an application came from when staff opened it for the household (a terminated
    tekun case handed off to dibao, TK Art. 27): recorded in the new case's first entry."""

    kind: str
    note: str
    #: the case whose trail records the hand-off, if any
    source_case_id: int | None = None
    #: the monitoring warning followed up by this referral, if any (marked referred with it)
    warning_id: int | None = None

    def as_payload(self) -> dict[str, Any]:
        """The referral as audit payload data."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "note": self.note,
            "source_case_id": self.source_case_id,
        }
        if self.warning_id is not None:
            out["warning_id"] = self.warning_id
        return out


@dataclass(frozen=True)
class Application:
    """An application for assistance, as the clerk registers it."""

    category: str
    village_code: str
    members: Sequence[MemberInput]
    area_type: str | None = None
    draft: bool = False
    #: false when someone able to work has irregular income (rechecked half-yearly)
    income_stable: bool = True
    rigid_expenses_yuan: Decimal = Decimal(0)
    bank_account: str | None = None
    #: where the household lives (free text)
    address: str | None = None
    property: PropertyInput = PropertyInput()
    #: tekun: the legal supporters' situation (``engine.rules.SUPPORTER_GROUNDS`` or "able")
    tekun_supporter: str | None = None
    #: opened by staff on a referral rather than at the household's request
    referral: Referral | None = None


def is_amount(value: object) -> bool:
    """A non-negative yuan amount with at most two decimals, within reason."""
    try:
        amount = Decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError):
        return False
    return (
        amount.is_finite()
        and 0 <= amount <= MAX_MONTHLY_INCOME
        and amount == amount.quantize(Decimal("0.01"))
    )


def _enum_problem(field: str, value: object, enum_cls: type[Any]) -> Problem | None:
    allowed = [m.value for m in enum_cls]
    if value in allowed:
        return None
    if value in ("", None):
        return invalid_field(field, "未填写，请选择", "missing: choose one")
    return invalid_field(
        field,
        f"取值无效：{value!r}，可选：{'、'.join(allowed)}",
        f"invalid value {value!r}; expected one of: {', '.join(allowed)}",
    )


def member_field_problems(
    where: str, *, incomes: Sequence[IncomeInput], grade: int | None, disability_type: str | None
) -> list[Problem]:
    """Check a member's income items and disability fields (shared with recorded changes)."""
    problems: list[Problem] = []
    for j, item in enumerate(incomes):
        if (p := _enum_problem(f"{where}.incomes.{j}.type", item.type, IncomeType)) is not None:
            problems.append(p)
        if not is_amount(item.monthly_yuan):
            problems.append(
                invalid_field(
                    f"{where}.incomes.{j}.monthly_yuan",
                    "金额须为不小于0的金额（最多两位小数）",
                    "monthly_yuan must be a non-negative amount with at most 2 decimals",
                )
            )
    if grade is not None and grade not in (1, 2, 3, 4):
        problems.append(
            invalid_field(
                f"{where}.disability_grade",
                "残疾等级须为1至4级",
                "disability_grade must be 1, 2, 3 or 4",
            )
        )
    if disability_type is not None:
        if p := _enum_problem(f"{where}.disability_type", disability_type, DisabilityType):
            problems.append(p)
        elif grade is None:
            problems.append(
                invalid_field(
                    f"{where}.disability_grade",
                    "填写残疾类别时须同时填写残疾等级",
                    "disability_type needs a disability_grade",
                )
            )
    return problems


def member_problems(where: str, m: MemberInput, today: dt.date) -> list[Problem]:
    """Check one member: ID number, name, relation, incomes, disability fields."""
    problems: list[Problem] = []
    try:
        parse_id_number(m.id_number, today=today, field=f"{where}.id_number")
    except InvalidIdNumber as err:
        problems.append(err.problem)
    if not m.name.strip() or len(m.name.strip()) > 50:
        problems.append(
            invalid_field(
                f"{where}.name", "姓名不能为空且不超过50字", "name must be 1-50 characters"
            )
        )
    if (p := _enum_problem(f"{where}.relation", m.relation, Relation)) is not None:
        problems.append(p)
    if not is_amount(m.monthly_income):
        problems.append(
            invalid_field(
                f"{where}.monthly_income",
                "月收入须为不小于0的金额（最多两位小数）",
                "monthly_income must be a non-negative amount with at most 2 decimals",
            )
        )
    elif m.incomes and Decimal(m.monthly_income) > 0:
        problems.append(
            invalid_field(
                f"{where}.monthly_income",
                "已逐项填写收入（incomes）时不再填写 monthly_income",
                "give either monthly_income (wages) or typed incomes, not both",
            )
        )
    problems += member_field_problems(
        where, incomes=m.incomes, grade=m.disability_grade, disability_type=m.disability_type
    )
    return problems


#: what may be declared about a tekun applicant's legal supporters (TK Arts. 7-8)
SUPPORTER_CHOICES = (*SUPPORTER_GROUNDS, SUPPORTER_ABLE)


def validate_application(app: Application, today: dt.date) -> list[Problem]:
    """Return every problem with the application's own fields."""
    problems: list[Problem] = []
    if (p := _enum_problem("category", app.category, Category)) is not None:
        problems.append(p)
    if app.area_type is not None and (p := _enum_problem("area_type", app.area_type, AreaType)):
        problems.append(p)
    if not app.members:
        problems.append(invalid_field("members", "至少需要一名家庭成员", "at least one member"))
    elif len(app.members) > MAX_MEMBERS:
        problems.append(
            invalid_field("members", f"家庭成员不超过{MAX_MEMBERS}人", f"at most {MAX_MEMBERS}")
        )
    for i, member in enumerate(app.members):
        problems.extend(member_problems(f"members.{i}", member, today))
    applicants = sum(1 for m in app.members if m.relation == Relation.SELF)
    if app.members and applicants != 1:
        problems.append(
            invalid_field(
                "members",
                f"须有且仅有一名申请人（relation 为 self），实际{applicants}名",
                f"exactly one member must have relation 'self', found {applicants}",
                code="applicant_count",
            )
        )
    problems += _household_problems(app)
    problems += composition_problems(app.members, today)
    if app.tekun_supporter is not None and app.tekun_supporter not in SUPPORTER_CHOICES:
        problems.append(
            invalid_field(
                "tekun_supporter",
                f"义务人情况须为以下之一：{'、'.join(SUPPORTER_CHOICES)}",
                f"tekun_supporter must be one of: {', '.join(SUPPORTER_CHOICES)}",
            )
        )
    seen: dict[str, int] = {}
    for i, member in enumerate(app.members):
        number = member.id_number.strip().upper() if isinstance(member.id_number, str) else ""
        if number and number in seen:
            problems.append(
                invalid_field(
                    f"members.{i}.id_number",
                    f"与第{seen[number] + 1}名成员的身份证号码重复",
                    f"same ID number as member {seen[number]}",
                    code="duplicate_member",
                )
            )
        seen.setdefault(number, i)
    return problems


#: the fewest years between a parent's birth and a child's that a household record may show
#: (a plausibility check on the ID numbers' birth dates, not a rule of law)
MIN_GENERATION_YEARS = 12
#: relations to the applicant a generation above or below, and how many generations
GENERATIONS = {
    Relation.PARENT: 1,
    Relation.GRANDPARENT: 2,
    Relation.CHILD: -1,
    Relation.GRANDCHILD: -2,
}


def _birth(member: MemberInput, today: dt.date) -> dt.date | None:
    try:
        return parse_id_number(member.id_number, today=today).birth_date
    except InvalidIdNumber:
        return None  # reported with the member's own fields


def _years_between(earlier: dt.date, later: dt.date) -> int:
    """Whole years from ``earlier`` to ``later`` (negative when ``later`` comes first)."""
    if later < earlier:
        return -_years_between(later, earlier)
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))


def composition_problems(members: Sequence[MemberInput], today: dt.date) -> list[Problem]:
    """The household as a family: at most one spouse of the applicant, and parents,
    grandparents, children and grandchildren plausibly older or younger than the applicant
    by the birth dates their ID numbers carry."""
    problems: list[Problem] = []
    spouses = [i for i, m in enumerate(members) if m.relation == Relation.SPOUSE]
    for i in spouses[1:]:
        problems.append(
            invalid_field(
                f"members.{i}.relation",
                f"申请人只能有一名配偶（第{spouses[0] + 1}名成员已填为配偶）",
                f"the applicant has one spouse at most (member {spouses[0] + 1} is one)",
                code="second_spouse",
            )
        )
    applicants = [m for m in members if m.relation == Relation.SELF]
    born = _birth(applicants[0], today) if len(applicants) == 1 else None
    if born is None:
        return problems
    for i, member in enumerate(members):
        generations = GENERATIONS.get(member.relation)  # type: ignore[call-overload]
        if generations is None or member.id_number == applicants[0].id_number:
            continue  # the applicant twice is refused as a duplicate, not for the ages
        theirs = _birth(member, today)
        if theirs is None:
            continue
        older_by = _years_between(theirs, born)
        needed = MIN_GENERATION_YEARS * abs(generations)
        if (generations > 0 and older_by < needed) or (generations < 0 and -older_by < needed):
            word = "年长" if generations > 0 else "年轻"
            problems.append(
                invalid_field(
                    f"members.{i}.relation",
                    f"与申请人的关系不合常理：按身份证号码，出生于{theirs.isoformat()}，"
                    f"申请人出生于{born.isoformat()}，应比申请人{word}至少{needed}岁",
                    f"implausible relation: born {theirs.isoformat()}, the applicant "
                    f"{born.isoformat()}; should be at least {needed} years "
                    f"{'older' if generations > 0 else 'younger'}",
                    code="implausible_relation",
                )
            )
    return problems


def _household_problems(app: Application) -> list[Problem]:
    """Coverage, rigid expenses, bank account and property."""
    problems: list[Problem] = []
    covered = [i for i, m in enumerate(app.members) if m.covered]
    if covered and app.category != Category.SINGLE_PERSON:
        problems.append(
            invalid_field(
                f"members.{covered[0]}.covered",
                "只有单人保（single_person）指定被保障成员",
                "covered applies to single_person cases only",
            )
        )
    if len(covered) > 1:
        problems.append(
            invalid_field(
                f"members.{covered[1]}.covered",
                "单人保只能指定一名被保障成员",
                "a single-person case covers exactly one member",
            )
        )
    if not is_amount(app.rigid_expenses_yuan):
        problems.append(
            invalid_field(
                "rigid_expenses_yuan", "刚性支出须为不小于0的金额", "must be a non-negative amount"
            )
        )
    if app.bank_account is not None and not BANK_ACCOUNT_RE.match(app.bank_account):
        problems.append(
            invalid_field("bank_account", "银行账号须为10-30位数字", "bank_account: 10-30 digits")
        )
    if app.address is not None:
        problem = free_text_problem(app.address, "address", ADDRESS_MAX_CHARS, required=False)
        if problem is not None:
            problems.append(problem)
    prop = app.property
    if prop.deposits_yuan is not None and not is_amount(prop.deposits_yuan):
        problems.append(
            invalid_field(
                "property.deposits_yuan", "存款须为不小于0的金额", "must be a non-negative amount"
            )
        )
    for name in ("vehicles", "extra_housing_units"):
        value = getattr(prop, name)
        if value is not None and not 0 <= value <= MAX_PROPERTY_COUNT:
            problems.append(
                invalid_field(
                    f"property.{name}",
                    f"须为0-{MAX_PROPERTY_COUNT}的整数",
                    f"a whole number from 0 to {MAX_PROPERTY_COUNT}",
                )
            )
    return problems
