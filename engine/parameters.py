"""Local policy parameters: what each one means, which values it takes, its national default.

The names are fixed here (an unknown name is refused); the values are data:
national defaults in ``engine/data/parameters.toml``, county versions in the
``policy_parameter`` table, each dated with a source note.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from importlib import resources

from engine.inputs import number_problem

Value = Decimal | int | str | bool | frozenset[str] | None
#: the longest value text read (a list of choices is the longest there is)
MAX_TEXT = 200


class Kind(StrEnum):
    """How a parameter's text is read."""

    FRACTION = "fraction"  # a decimal from 0 to 1
    YUAN = "yuan"  # a non-negative amount, at most 2 decimals
    FACTOR = "factor"  # a decimal of at least 1
    COUNT = "count"  # a whole number within bounds
    CHOICE = "choice"  # one of a few words
    CHOICES = "choices"  # any of a few words, comma-separated ("none" for none)
    FLAG = "flag"  # true or false


@dataclass(frozen=True)
class ParameterSpec:
    """One parameter: its meaning and the values it accepts."""

    name: str
    kind: Kind
    label_zh: str
    label_en: str
    minimum: int = 0
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    #: "none" is accepted and means "no limit"
    optional: bool = False

    def parse(self, raw: object) -> Value:
        """Read a value given as text or a number; raise ValueError saying what is accepted."""
        text = str(raw).strip().lower() if not isinstance(raw, bool) else str(raw).lower()
        if self.optional and text == "none":
            return None
        if self.kind == Kind.FLAG:
            if text in ("true", "false"):
                return text == "true"
            raise ValueError("true or false")
        if self.kind == Kind.CHOICE:
            if text in self.choices:
                return text
            raise ValueError("one of: " + ", ".join(self.choices))
        if self.kind == Kind.CHOICES:
            words = frozenset(w.strip() for w in text.split(",") if w.strip())
            if text == "none":
                return frozenset()
            if not words or not words <= set(self.choices):
                raise ValueError(self.expects())
            return words
        try:
            number = Decimal(text) if len(text) <= MAX_TEXT else Decimal("NaN")
        except InvalidOperation:
            raise ValueError(self.expects()) from None
        if number_problem(number, self.name) is not None:
            raise ValueError(self.expects())
        if self.kind == Kind.COUNT:
            if number != number.to_integral_value():
                raise ValueError(self.expects())
            whole = int(number)
            if whole < self.minimum or (self.maximum is not None and whole > self.maximum):
                raise ValueError(self.expects())
            return whole
        if self.kind == Kind.FRACTION and not Decimal(0) <= number <= Decimal(1):
            raise ValueError(self.expects())
        if self.kind == Kind.FACTOR and number < 1:
            raise ValueError(self.expects())
        if self.kind == Kind.YUAN and (number < 0 or number != number.quantize(Decimal("0.01"))):
            raise ValueError(self.expects())
        return number

    def expects(self) -> str:
        """Say in words which values are accepted."""
        base = {
            Kind.FRACTION: "a decimal from 0 to 1",
            Kind.YUAN: "a non-negative amount in yuan with at most 2 decimals",
            Kind.FACTOR: "a decimal of at least 1",
            Kind.COUNT: f"a whole number from {self.minimum}"
            + (f" to {self.maximum}" if self.maximum is not None else ""),
            Kind.CHOICE: "one of: " + ", ".join(self.choices),
            Kind.CHOICES: '"none" or a comma-separated list of: ' + ", ".join(self.choices),
            Kind.FLAG: "true or false",
        }[self.kind]
        return base + (', or "none" for no limit' if self.optional else "")

    def expects_zh(self) -> str:
        """Say in Chinese which values are accepted."""
        base = {
            Kind.FRACTION: "0到1之间的小数",
            Kind.YUAN: "不小于0、最多两位小数的金额（元）",
            Kind.FACTOR: "不小于1的数",
            Kind.COUNT: f"不小于{self.minimum}"
            + (f"、不大于{self.maximum}" if self.maximum is not None else "")
            + "的整数",
            Kind.CHOICE: "以下之一：" + "、".join(self.choices),
            Kind.CHOICES: "“none”或以下各项（以逗号分隔）：" + "、".join(self.choices),
            Kind.FLAG: "true（是）或 false（否）",
        }[self.kind]
        return base + ("，或填“none”表示不设上限" if self.optional else "")


def canonical(value: Value) -> str:
    """Return the canonical text of a parsed value, as stored."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, frozenset):
        return ",".join(sorted(value)) or "none"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


_P = ParameterSpec
SPECS: dict[str, ParameterSpec] = {
    p.name: p
    for p in (
        _P(
            "employment_cost_share",
            Kind.FRACTION,
            "就业成本扣减比例（占工资收入）",
            "employment-cost deduction as a share of each member's wages",
        ),
        _P(
            "employment_cost_fixed_yuan",
            Kind.YUAN,
            "就业成本固定扣减额（元/人·月）",
            "fixed monthly employment-cost deduction per member with wages (capped at the wages)",
        ),
        _P(
            "rigid_expense_share",
            Kind.FRACTION,
            "刚性支出扣减比例",
            "share of recorded rigid medical and disability expenses deducted from income",
        ),
        _P(
            "classified_supplement_rate",
            Kind.FRACTION,
            "分类施保增发比例（占保障标准）",
            "classified supplement per seriously ill or severely disabled member, "
            "as a share of the standard",
        ),
        _P(
            "rounding",
            Kind.CHOICE,
            "保障金取整方式",
            "how the monthly amount is rounded (half up)",
            choices=("yuan", "jiao", "fen"),
        ),
        _P(
            "archive_years_enrolment",
            Kind.COUNT,
            "审核确认档案在救助终止后保存年数",
            "years a household's enrolment files are kept after its last case ended",
            minimum=0,
            maximum=100,
        ),
        _P(
            "archive_years_management",
            Kind.COUNT,
            "日常管理档案保存年数",
            "years daily-management files are kept after they were made",
            minimum=0,
            maximum=100,
        ),
        _P(
            "warning_follow_up_days",
            Kind.COUNT,
            "监测预警核实处置时限（日）",
            "days within which a monitoring warning is followed up",
            minimum=1,
            maximum=90,
        ),
        _P(
            "warning_hospital_bill_yuan",
            Kind.YUAN,
            "大额医疗费用预警线（元）",
            "a hospital bill from this amount raises a monitoring warning",
        ),
        _P(
            "phase_out_months",
            Kind.COUNT,
            "渐退期月数",
            "months of phase-out",
            minimum=0,
            maximum=36,
        ),
        _P(
            "phase_out_amount",
            Kind.CHOICE,
            "渐退期保障金额规则",
            "amount paid during phase-out",
            choices=("unchanged", "half"),
        ),
        _P(
            "marginal_factor",
            Kind.FACTOR,
            "低保边缘家庭收入倍数",
            "a marginal family's per-capita income is below this multiple of the standard",
        ),
        _P(
            "property_limit_deposits_per_capita_yuan",
            Kind.YUAN,
            "人均存款上限（元）",
            "per-capita deposits above this make a household ineligible",
            optional=True,
        ),
        _P(
            "property_limit_vehicles",
            Kind.COUNT,
            "机动车辆上限（辆）",
            "vehicles above this make a household ineligible",
            optional=True,
        ),
        _P(
            "property_limit_extra_housing_units",
            Kind.COUNT,
            "自住以外房产上限（套）",
            "housing units beyond the home above this make a household ineligible",
            optional=True,
        ),
        _P(
            "dibao_sampling_ratio",
            Kind.FRACTION,
            "低保县级抽查比例",
            "share of dibao files the county checks itself",
        ),
        _P(
            "tekun_sampling_ratio",
            Kind.FRACTION,
            "特困县级抽查比例",
            "share of tekun files the county checks itself",
        ),
        _P(
            "decision_delegated",
            Kind.FLAG,
            "是否委托乡镇审核确认",
            "the county delegated decisions to the townships (20 working days in all)",
        ),
        _P(
            "kinship_additions",
            Kind.CHOICES,
            "近亲属范围的地方扩展",
            "relations counted as close besides the national minimum (spouse, parents, "
            "children, siblings, grandparents, grandchildren)",
            choices=(
                "parent_in_law",
                "child_in_law",
                "sibling_in_law",
                "uncle_aunt",
                "nephew_niece",
                "step_parent",
                "step_child",
                "adoptive_parent",
                "adoptive_child",
            ),
        ),
        _P(
            "notice_name_display",
            Kind.CHOICE,
            "公示公布中申请人姓名显示方式",
            "how applicants' names are printed on public notices and publications",
            choices=("masked", "full"),
        ),
        _P(
            "excluded_income_types",
            Kind.CHOICES,
            "本县另行规定不计入的收入类型",
            "income types the county excludes beyond the national list (Art. 13(4))",
            choices=("property", "transfer", "pension", "other"),
        ),
        _P(
            "recheck_months_stable",
            Kind.COUNT,
            "收入稳定家庭核查间隔（月）",
            "months between rechecks of stable households and tekun",
            minimum=1,
            maximum=36,
        ),
        _P(
            "recheck_months_unstable",
            Kind.COUNT,
            "收入不稳定家庭核查间隔（月）",
            "months between rechecks when a member can work and income is unstable",
            minimum=1,
            maximum=36,
        ),
    )
}


@dataclass(frozen=True)
class ParameterVersion:
    """A parameter's value in force, and where it comes from."""

    name: str
    value: Value
    effective_from: dt.date
    source: str
    #: the database row of a county version; None for a national default
    id: int | None = None

    def as_payload(self) -> dict[str, object]:
        """Return the version for an audit receipt."""
        return {
            "value": canonical(self.value),
            "effective_from": self.effective_from,
            "id": self.id,
        }


@cache
def national_defaults() -> tuple[ParameterVersion, ...]:
    """Return the national default versions shipped with the engine."""
    text = resources.files("engine").joinpath("data/parameters.toml").read_text("utf-8")
    out = []
    for item in tomllib.loads(text)["parameter"]:
        spec = SPECS[item["name"]]
        out.append(
            ParameterVersion(
                name=spec.name,
                value=spec.parse(item["value"]),
                effective_from=dt.date.fromisoformat(item["effective_from"]),
                source=item["source"],
            )
        )
    return tuple(out)


def default_in_force(name: str, on: dt.date) -> ParameterVersion:
    """Return the national default of ``name`` in force on ``on``."""
    versions = sorted(
        (v for v in national_defaults() if v.name == name), key=lambda v: v.effective_from
    )
    in_force = [v for v in versions if v.effective_from <= on]
    return in_force[-1] if in_force else versions[0]


@dataclass(frozen=True)
class ParameterSet:
    """Every parameter's version in force for one county on one date."""

    versions: Mapping[str, ParameterVersion]

    def __getitem__(self, name: str) -> Value:
        return self.versions[name].value

    def decimal(self, name: str) -> Decimal:
        """Return a numeric parameter as a Decimal."""
        value = self.versions[name].value
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            raise TypeError(f"{name} is not numeric")
        return Decimal(value)

    def as_payload(self) -> dict[str, object]:
        """Return every version for an audit receipt."""
        return {name: v.as_payload() for name, v in sorted(self.versions.items())}
