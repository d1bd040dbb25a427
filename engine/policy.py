"""Reading local policy in force: standards, parameters and the working-day calendar."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.calendar import WorkCalendar
from engine.models import CalendarDay, Category, PolicyParameter, Standard, StandardCategory
from engine.parameters import SPECS, ParameterSet, ParameterVersion, default_in_force
from engine.rulebook import RuleBook, national_rules
from engine.rules import EXCLUDED_INCOME, Policy, TekunTest

T = TypeVar("T")

#: seconds a process keeps a calendar or parameter versions it read (``CountyCache``)
CALENDAR_TTL_SECONDS = 60.0


@dataclass(frozen=True)
class StandardRef:
    """The standard a computation used."""

    id: int
    monthly_yuan: Decimal
    effective_from: dt.date
    source: str

    def as_payload(self) -> dict[str, object]:
        """Return the reference for an audit receipt."""
        return {
            "id": self.id,
            "monthly_yuan": self.monthly_yuan,
            "effective_from": self.effective_from,
            "source": self.source,
        }


def standard_category(category: str) -> StandardCategory:
    """Single-person coverage uses the dibao standard; tekun has its own."""
    return StandardCategory.TEKUN if category == Category.TEKUN else StandardCategory.DIBAO


def standard_in_force(
    session: Session, county: str, area_type: str, category: str, on: dt.date
) -> StandardRef | None:
    """Return the standard in force on ``on`` for the case's county, area and category."""
    row = session.scalar(
        select(Standard)
        .where(
            Standard.county_code == county,
            Standard.area_type == area_type,
            Standard.category == standard_category(category),
            Standard.effective_from <= on,
        )
        .order_by(Standard.effective_from.desc())
        .limit(1)
    )
    if row is None:
        return None
    return StandardRef(row.id, row.monthly_yuan, row.effective_from, row.source)


def parameters_in_force(session: Session, county: str, on: dt.date) -> ParameterSet:
    """Return every parameter's version in force for the county on ``on``."""
    return parameter_history(session, county).on(on)


def _version(row: PolicyParameter) -> ParameterVersion:
    return ParameterVersion(
        name=row.name,
        value=SPECS[row.name].parse(row.value),
        effective_from=row.effective_from,
        source=row.source,
        id=row.id,
    )


def _in_force(history: Sequence[ParameterVersion], on: dt.date) -> ParameterSet:
    """The versions in force on ``on`` given the county's versions in date order."""
    versions = {name: default_in_force(name, on) for name in SPECS}
    for version in history:  # later versions overwrite earlier ones
        if version.effective_from > on:
            break
        versions[version.name] = version
    return ParameterSet(versions)


class ParameterHistory:
    """Every version of one county's parameters, for looking up what was in force on many
    dates (a batch of cases accepted on different days) with one query."""

    def __init__(self, versions: Sequence[ParameterVersion]) -> None:
        self._versions = versions
        self._sets: dict[dt.date, ParameterSet] = {}

    def on(self, on: dt.date) -> ParameterSet:
        """Every parameter's version in force on ``on`` (as ``parameters_in_force``)."""
        found = self._sets.get(on)
        if found is None:
            found = self._sets[on] = _in_force(self._versions, on)
        return found


def parameter_history(session: Session, county: str) -> ParameterHistory:
    """Read every version of the county's parameters."""
    rows = session.scalars(
        select(PolicyParameter)
        .where(PolicyParameter.county_code == county)
        .order_by(PolicyParameter.effective_from, PolicyParameter.id)
    ).all()
    return ParameterHistory([_version(row) for row in rows])


def calendar_for(session: Session, county: str) -> WorkCalendar:
    """Return the working-day calendar with national adjustments and the county's own days."""
    rows = session.scalars(
        select(CalendarDay).where(
            or_(CalendarDay.county_code.is_(None), CalendarDay.county_code == county)
        )
    ).all()
    overrides = {r.day: r.working for r in rows if r.county_code is None}
    overrides.update({r.day: r.working for r in rows if r.county_code is not None})
    return WorkCalendar(overrides)


class CountyCache(Generic[T]):
    """What a process read of each county's rarely changing policy, kept for ``ttl`` seconds.

    Reading it costs a query each time it is needed, and it changes a few times a year. A
    change recorded through this process is seen at once (``forget``); one recorded by
    another process within ``ttl`` seconds.
    """

    def __init__(self, load: Callable[[Session, str], T], ttl: float) -> None:
        self.ttl = ttl
        self._load = load
        self._kept: dict[str, tuple[float, T]] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, county: str) -> T:
        """The county's policy, read again when older than ``ttl`` seconds."""
        now = time.monotonic()
        kept = self._kept.get(county)
        if kept is not None and now - kept[0] < self.ttl:
            return kept[1]
        value = self._load(session, county)
        with self._lock:
            self._kept[county] = (now, value)
        return value

    def forget(self) -> None:
        """Read every county's policy again at its next use (a change was just recorded)."""
        with self._lock:
            self._kept.clear()


class CalendarCache(CountyCache[WorkCalendar]):
    """The working-day calendars of a process, by county: transitions compute deadlines in
    working days."""

    def __init__(self, ttl: float = CALENDAR_TTL_SECONDS) -> None:
        super().__init__(calendar_for, ttl)


class ParameterCache(CountyCache[ParameterHistory]):
    """The parameter versions of a process, by county, for the deadlines a transition dates
    (whether decisions are delegated, the months of a phase-out). Amounts and guards read the
    parameters afresh: a decision is never taken on a version another process replaced."""

    def __init__(self, ttl: float = CALENDAR_TTL_SECONDS) -> None:
        super().__init__(parameter_history, ttl)


def excluded_income(params: ParameterSet, on: dt.date, rules: RuleBook) -> frozenset[str]:
    """The income types not counted on ``on``: the national list (the basic resident pension
    only within its dated window, Art. 13(3)) and the county's own (Art. 13(4))."""
    national = set(EXCLUDED_INCOME)
    if not rules.value("basic_pension_excluded", on):
        national.discard("pension_basic")
    county = params["excluded_income_types"]
    assert isinstance(county, frozenset)
    return frozenset(national | county)


#: the disability types whose grades TK Art. 5(3) names, and the rule holding each limit
TEKUN_GRADE_RULES = {
    "intellectual": "tekun_max_grade_intellectual",
    "mental": "tekun_max_grade_mental",
    "physical": "tekun_max_grade_physical",
    "visual": "tekun_max_grade_visual",
}


def tekun_test(
    dibao: StandardRef, on: dt.date, rules: RuleBook, continuing: bool = False
) -> TekunTest:
    """What tekun eligibility is measured against on ``on`` (TK Arts. 5-6; with
    ``continuing``, for a person already supported, Art. 24's continuation too)."""
    return TekunTest(
        dibao_standard_yuan=dibao.monthly_yuan,
        elderly_age=rules.value("tekun_elderly_age", on),
        minor_age=rules.value("tekun_minor_age", on),
        max_grades={kind: rules.value(name, on) for kind, name in TEKUN_GRADE_RULES.items()},
        support_age=rules.value("tekun_minor_support_age", on),
        continuing=continuing,
    )


def rules_policy(
    standard: StandardRef,
    params: ParameterSet,
    on: dt.date,
    rules: RuleBook | None = None,
    dibao: StandardRef | None = None,
    continuing: bool = False,
) -> Policy:
    """Combine a standard and the parameters in force on ``on`` into the benefit rules' inputs
    (with ``dibao``, the local dibao standard, for a tekun case's eligibility; ``continuing``
    for a person already supported)."""
    book = rules or national_rules()
    return Policy(
        tekun_test=tekun_test(dibao, on, book, continuing) if dibao is not None else None,
        excluded_income=excluded_income(params, on, book),
        standard_yuan=standard.monthly_yuan,
        employment_cost_share=params.decimal("employment_cost_share"),
        employment_cost_fixed_yuan=params.decimal("employment_cost_fixed_yuan"),
        rigid_expense_share=params.decimal("rigid_expense_share"),
        classified_supplement_rate=params.decimal("classified_supplement_rate"),
        marginal_factor=params.decimal("marginal_factor"),
        rounding=str(params["rounding"]),
    )
