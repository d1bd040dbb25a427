"""Changing local policy: standards, parameters and calendar days, each dated and audited.

A new version never rewrites the past: it is refused when a decision already
taken in the county on or after its effective date would have used it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.access import county_of, ensure_role
from engine.errors import Conflict, Forbidden, Problem, invalid_field, raise_invalid
from engine.inputs import date_problem, number_problem
from engine.models import (
    AreaType,
    BenefitDecision,
    BenefitKind,
    CalendarDay,
    Case,
    Category,
    PolicyParameter,
    Region,
    RegionLevel,
    Standard,
    StandardCategory,
    yuan_to_fen,
)
from engine.parameters import SPECS, canonical
from engine.ports import Actor, LedgerEvent
from engine.rulebook import RuleBook
from engine.services.case_deadlines import DEADLINE_PARAMETERS, refresh_county_due_dates
from engine.states import Role
from engine.uow import UnitOfWork, db_conflicts

ADMINS = frozenset({Role.ADMIN})
MAX_SOURCE_CHARS = 1000
#: parameters whose change would alter amounts already decided
AMOUNT_PARAMETERS = frozenset(
    {
        "employment_cost_share",
        "employment_cost_fixed_yuan",
        "rigid_expense_share",
        "classified_supplement_rate",
        "rounding",
        "phase_out_amount",
        "marginal_factor",
    }
)


def policy_ledger(county: str) -> str:
    """The ledger that records a county's policy changes."""
    return f"policy:{county}"


@dataclass(frozen=True)
class NewStandard:
    """A standard as the administrator enters it."""

    county_code: str
    area_type: str
    category: str
    monthly_yuan: Decimal
    effective_from: dt.date
    source: str


@dataclass(frozen=True)
class NewParameter:
    """A parameter version as the administrator enters it."""

    county_code: str
    name: str
    value: str
    effective_from: dt.date
    source: str


@dataclass(frozen=True)
class NewCalendarDay:
    """A day off or working day that differs from the national calendar package."""

    day: dt.date
    working: bool
    note: str
    source: str
    county_code: str | None = None


def _county(session: Session, actor: Actor, code: str) -> Region:
    region = session.get(Region, code)
    if region is None or region.level != RegionLevel.COUNTY:
        raise_invalid(
            [invalid_field("county_code", f"区县代码{code}不存在", f"no county with code {code}")]
        )
    assert region is not None
    # county policy belongs to the county's own administrators (or the operator), not to a
    # township's: the actor's region must contain the whole county
    if not code.startswith(actor.region_code):
        raise Forbidden(
            f"{code}的保障标准和政策参数只能由县级管理员设置",
            f"only the county's administrators set the policy of county {code}",
            code="outside_region",
        )
    return region


def _source_problems(source: str) -> list[Problem]:
    if not source.strip() or len(source) > MAX_SOURCE_CHARS:
        return [
            invalid_field(
                "source",
                "须注明政策依据（文件名称、文号）",
                f"source: name the policy document (1-{MAX_SOURCE_CHARS} chars)",
            )
        ]
    return []


def _decisions_on_or_after(
    session: Session,
    county: str,
    effective_from: dt.date,
    tz: dt.tzinfo,
    categories: tuple[str, ...] | None = None,
    area_type: str | None = None,
) -> int:
    """Count decided amounts in the county dated on or after ``effective_from``."""
    start = dt.datetime.combine(effective_from, dt.time(), tzinfo=tz)
    stmt = (
        select(func.count())
        .select_from(BenefitDecision)
        .join(Case, Case.id == BenefitDecision.case_id)
        .where(
            Case.village_code.startswith(county, autoescape=True),
            BenefitDecision.kind == BenefitKind.DECIDED,
            BenefitDecision.decided_at >= start,
        )
    )
    if categories is not None:
        stmt = stmt.where(Case.category.in_(categories))
    if area_type is not None:
        stmt = stmt.where(Case.area_type == area_type)
    return session.scalar(stmt) or 0


def _refuse_rewriting_the_past(count: int, what_zh: str, what_en: str) -> None:
    if count:
        raise Conflict(
            f"生效日期早于或等于{count}项已作出的决定，{what_zh}将改写既往决定；请使用更晚的生效日期",
            f"{count} decision(s) were taken on or after that date: {what_en} would rewrite "
            "them; use a later effective date",
            code="rewrites_past",
            details={"decisions": count},
        )


def _date_problems(effective_from: object) -> list[Problem]:
    if not isinstance(effective_from, dt.date):
        return [invalid_field("effective_from", "须为日期", "effective_from must be a date")]
    problem = date_problem(effective_from, "effective_from")
    return [problem] if problem is not None else []


def set_standard(uow: UnitOfWork, actor: Actor, new: NewStandard) -> int:
    """Add a dated standard version for a county, area type and category."""
    ensure_role(actor, ADMINS, "设置保障标准", "set standards")
    problems: list[Problem] = _source_problems(new.source)
    if new.area_type not in [a.value for a in AreaType]:
        problems.append(invalid_field("area_type", "须为 rural 或 urban", "rural or urban"))
    if new.category not in [c.value for c in StandardCategory]:
        problems.append(invalid_field("category", "须为 dibao 或 tekun", "dibao or tekun"))
    amount = Decimal(-1)
    try:
        amount = Decimal(new.monthly_yuan)
        fen = yuan_to_fen(amount) if number_problem(amount, "monthly_yuan") is None else -1
    except (InvalidOperation, ValueError, TypeError):
        fen = -1
    if fen <= 0 or number_problem(amount, "monthly_yuan") is not None:
        problems.append(
            invalid_field(
                "monthly_yuan",
                "标准须为大于0的金额（最多两位小数）",
                "monthly_yuan must be a positive amount, at most 2 decimals",
            )
        )
    problems += _date_problems(new.effective_from)
    raise_invalid(problems)
    with uow, db_conflicts():
        session = uow.session
        _county(session, actor, new.county_code)
        categories = (
            (Category.TEKUN,)
            if new.category == StandardCategory.TEKUN
            else (Category.DIBAO, Category.SINGLE_PERSON)
        )
        _refuse_rewriting_the_past(
            _decisions_on_or_after(
                session,
                new.county_code,
                new.effective_from,
                uow.clock.tz,
                tuple(c.value for c in categories),
                new.area_type,
            ),
            "该标准",
            "the standard",
        )
        if (
            session.scalar(
                select(Standard.id).where(
                    Standard.county_code == new.county_code,
                    Standard.area_type == new.area_type,
                    Standard.category == new.category,
                    Standard.effective_from == new.effective_from,
                )
            )
            is not None
        ):
            raise Conflict(
                "该日期已有标准版本",
                "a standard with that effective date exists",
                code="version_exists",
            )
        now = uow.clock.now()
        row = Standard(
            county_code=new.county_code,
            area_type=AreaType(new.area_type),
            category=StandardCategory(new.category),
            monthly_fen=fen,
            effective_from=new.effective_from,
            source=new.source.strip(),
            created_at=now,
            created_by_id=actor.user_id,
        )
        session.add(row)
        session.flush()
        uow.audit.record(
            session,
            policy_ledger(new.county_code),
            LedgerEvent(
                event="set_standard",
                actor=actor,
                at=now,
                payload={
                    "standard_id": row.id,
                    "county_code": new.county_code,
                    "area_type": new.area_type,
                    "category": new.category,
                    "monthly_yuan": row.monthly_yuan,
                    "effective_from": new.effective_from,
                    "source": row.source,
                },
            ),
        )
        uow.commit()
        return row.id


#: parameters the law bounds: name -> (national rule, "min" or "max", the rule's unit in the
#: parameter's terms); a county may be stricter than the law, never looser
STATUTORY_LIMITS: dict[str, tuple[str, str, Decimal]] = {
    "tekun_sampling_ratio": ("tekun_sampling_min_percent", "min", Decimal("0.01")),
    "recheck_months_stable": ("recheck_max_months_stable", "max", Decimal(1)),
    "recheck_months_unstable": ("recheck_max_months_unstable", "max", Decimal(1)),
    "phase_out_months": ("phase_out_max_months", "max", Decimal(1)),
    "archive_years_enrolment": ("archive_min_years_enrolment", "min", Decimal(1)),
    "archive_years_management": ("archive_min_years_management", "min", Decimal(1)),
}


def statutory_problem(rules: RuleBook, name: str, value: str, on: dt.date) -> Problem | None:
    """A parameter value beyond what the law allows on ``on``, naming the article."""
    if name not in STATUTORY_LIMITS or value == "none":
        return None
    rule_name, side, scale = STATUTORY_LIMITS[name]
    rule = rules.rule(rule_name, on)
    limit = Decimal(rule.value) * scale
    number = Decimal(value)
    if (side == "min" and number >= limit) or (side == "max" and number <= limit):
        return None
    word_zh, word_en = ("不得低于", "at least") if side == "min" else ("不得超过", "at most")
    shown = format(limit.normalize(), "f")
    return invalid_field(
        "value",
        f"{name}{word_zh}法定的{shown}（{rule.source}）",
        f"{name} must be {word_en} {shown} by law ({rule.source})",
        code="below_statutory_floor" if side == "min" else "above_statutory_ceiling",
    )


def set_parameter(uow: UnitOfWork, actor: Actor, new: NewParameter) -> int:
    """Add a dated version of a county's local policy parameter."""
    ensure_role(actor, ADMINS, "设置政策参数", "set parameters")
    problems: list[Problem] = _source_problems(new.source)
    spec = SPECS.get(new.name)
    value = ""
    if spec is None:
        problems.append(
            invalid_field(
                "name",
                f"未知的参数：{new.name}",
                f"unknown parameter {new.name!r}; known: {', '.join(sorted(SPECS))}",
                code="unknown_parameter",
            )
        )
    else:
        try:
            value = canonical(spec.parse(new.value))
        except ValueError as err:
            problems.append(
                invalid_field("value", f"取值无效：须为{spec.expects_zh()}", f"value must be {err}")
            )
    problems += _date_problems(new.effective_from)
    if spec is not None and value and not problems:
        limit = statutory_problem(uow.rules, new.name, value, new.effective_from)
        problems += [limit] if limit is not None else []
    raise_invalid(problems)
    assert spec is not None
    with uow, db_conflicts():
        session = uow.session
        _county(session, actor, new.county_code)
        if new.name in AMOUNT_PARAMETERS:
            _refuse_rewriting_the_past(
                _decisions_on_or_after(session, new.county_code, new.effective_from, uow.clock.tz),
                "该参数",
                "the parameter",
            )
        if (
            session.scalar(
                select(PolicyParameter.id).where(
                    PolicyParameter.county_code == new.county_code,
                    PolicyParameter.name == new.name,
                    PolicyParameter.effective_from == new.effective_from,
                )
            )
            is not None
        ):
            raise Conflict(
                "该日期已有参数版本",
                "a version with that effective date exists",
                code="version_exists",
            )
        now = uow.clock.now()
        row = PolicyParameter(
            county_code=new.county_code,
            name=new.name,
            value=value,
            effective_from=new.effective_from,
            source=new.source.strip(),
            created_at=now,
            created_by_id=actor.user_id,
        )
        session.add(row)
        session.flush()
        uow.audit.record(
            session,
            policy_ledger(new.county_code),
            LedgerEvent(
                event="set_parameter",
                actor=actor,
                at=now,
                payload={
                    "parameter_id": row.id,
                    "county_code": new.county_code,
                    "name": new.name,
                    "value": value,
                    "effective_from": new.effective_from,
                    "source": row.source,
                },
            ),
        )
        # as for a calendar day: the cases' due dates are dated again with the new version,
        # and every later transition of this process reads it (forgotten again whatever
        # happens: what the refresh read is not kept if the commit fails)
        uow.parameters.forget()
        try:
            if new.name in DEADLINE_PARAMETERS:
                refresh_county_due_dates(uow, new.county_code)
            uow.commit()
        finally:
            uow.parameters.forget()
        return row.id


def set_calendar_day(uow: UnitOfWork, actor: Actor, new: NewCalendarDay) -> int:
    """Record a national adjustment or a county's own day off (or working day)."""
    ensure_role(actor, ADMINS, "维护工作日历", "maintain the calendar")
    problems = _source_problems(new.source)
    if not new.note.strip() or len(new.note) > 200:
        problems.append(invalid_field("note", "须说明事由", "note: say what the day is (1-200)"))
    raise_invalid(problems)
    with uow, db_conflicts():
        session = uow.session
        if new.county_code is not None:
            _county(session, actor, new.county_code)
        elif len(actor.region_code) > 6:
            raise Forbidden(
                "全国性调整须由县级管理员录入",
                "national adjustments are entered by a county administrator",
            )
        existing = session.scalar(
            select(CalendarDay).where(
                CalendarDay.day == new.day,
                CalendarDay.county_code.is_(None)
                if new.county_code is None
                else CalendarDay.county_code == new.county_code,
            )
        )
        if existing is not None:
            raise Conflict("该日期已有记录", "that day is already recorded", code="version_exists")
        now = uow.clock.now()
        row = CalendarDay(
            county_code=new.county_code,
            day=new.day,
            working=new.working,
            note=new.note.strip(),
            source=new.source.strip(),
            created_at=now,
        )
        session.add(row)
        session.flush()
        ledger_county = new.county_code or county_of(actor.region_code)
        uow.audit.record(
            session,
            policy_ledger(ledger_county),
            LedgerEvent(
                event="set_calendar_day",
                actor=actor,
                at=now,
                payload={
                    "calendar_day_id": row.id,
                    "county_code": new.county_code,
                    "day": new.day,
                    "working": new.working,
                    "note": row.note,
                    "source": row.source,
                },
            ),
        )
        # the due dates are recomputed with the new day, and every later transition of this
        # process reads it too (once more afterwards: a reader may have kept the old, and
        # what the refresh read is not kept if the commit fails)
        uow.calendars.forget()
        try:
            refresh_county_due_dates(uow, new.county_code)
            uow.commit()
        finally:
            uow.calendars.forget()
        return row.id
