"""County statistics: the figures a county's annual report quotes (乐至 2024 is the model)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.clock import local_date
from engine.deadlines import DECISION_LIMITS, DeadlineFacts, case_deadlines
from engine.models import (
    BenefitDecision,
    BenefitKind,
    Case,
    KinshipFiling,
    KinshipFlag,
    Member,
    Region,
    RegionLevel,
    fen_to_yuan,
)
from engine.policy import calendar_for, parameter_history
from engine.rulebook import national_rules
from engine.services.case_deadlines import dated_columns
from engine.states import ENROLLED_STATES, OPEN_STATES, CaseState
from engine.stats_outreach import ENROLLING_TRIGGERS, outreach_stats


def _ratio(part: Decimal | int, whole: Decimal | int, places: str = "0.0001") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _latest_decided(county: str) -> Any:
    """Subquery: each case's latest decided amount."""
    return (
        select(BenefitDecision.case_id, func.max(BenefitDecision.id).label("decision_id"))
        .join(Case, Case.id == BenefitDecision.case_id)
        .where(
            BenefitDecision.kind == BenefitKind.DECIDED,
            Case.village_code.startswith(county, autoescape=True),
        )
        .group_by(BenefitDecision.case_id)
        .subquery()
    )


def late_decisions(
    session: Session, county: str, start: dt.datetime, end: dt.datetime, tz: dt.tzinfo
) -> dict[str, int]:
    """Decisions (approve or reject) taken in the period after a limit had passed: they count
    as late in the period they were taken in, not only while they were pending (Art. 20, 22).

    Each decided case's limits are dated from the facts they read (``DECISION_LIMIT_FACTS``),
    selected as stored: a busy county decides tens of thousands of cases a year.
    """
    calendar = calendar_for(session, county)
    rules = national_rules()
    history = parameter_history(session, county)
    late = {"decided": 0, "late": 0}
    stored = {c.key: c for c in dated_columns()}
    rows = session.execute(
        select(
            Case.category,
            Case.state,
            Case.extension_ground,
            stored["accepted_at"],
            stored["decided_at"],
            stored["referred_at"],
            stored["notice_closed_at"],
        ).where(
            Case.village_code.startswith(county, autoescape=True),
            Case.decided_at >= start,
            Case.decided_at < end,
            Case.accepted_at.is_not(None),
            Case.state.in_([*ENROLLED_STATES, CaseState.REJECTED, CaseState.TERMINATED]),
        )
    )
    for category, state, ground, accepted_at, decided_at, referred_at, closed_at in rows:
        accepted_on = local_date(accepted_at, tz)
        decided_on = local_date(decided_at, tz)
        facts = DeadlineFacts(
            category=str(category),
            state=str(state),
            tz=tz,
            accepted_on=accepted_on,
            decided_on=decided_on,
            extension_ground=ground,
            delegated=bool(history.on(accepted_on)["decision_delegated"]),
            referred_on=local_date(referred_at, tz) if referred_at else None,
            notice_closed_on=local_date(closed_at, tz) if closed_at else None,
        )
        limits = case_deadlines(facts, calendar, rules, decided_on, only=DECISION_LIMITS)
        late["decided"] += 1
        if any(d.overdue for d in limits):
            late["late"] += 1
    return late


def sampling_by_month(
    session: Session, county: str, start: dt.datetime, end: dt.datetime, tz: dt.tzinfo
) -> dict[str, list[dict[str, Any]]]:
    """The share of files reaching the county in each month that it drew for its own check,
    by category, against the law's floor where there is one (tekun: TK Art. 16).

    Each file is drawn on its own, so a month's achieved share can fall short of the ratio
    by chance: a month below the floor is marked, for the county to add visits by hand.
    """
    rules = national_rules()
    months: dict[tuple[str, str], list[bool]] = {}
    for kind, referred_at, sampled in session.execute(
        select(Case.category, Case.referred_at, Case.sampled_for_county_check).where(
            Case.village_code.startswith(county, autoescape=True),
            Case.referred_at >= start,
            Case.referred_at < end,
            Case.sampled_for_county_check.is_not(None),
        )
    ):
        month = local_date(referred_at, tz).strftime("%Y-%m")  # type: ignore[arg-type]
        months.setdefault((str(kind), month), []).append(bool(sampled))
    out: dict[str, list[dict[str, Any]]] = {}
    for (category, month), draws in sorted(months.items()):
        floor = None
        if category == "tekun":
            first = dt.date.fromisoformat(f"{month}-01")
            floor = Decimal(rules.value("tekun_sampling_min_percent", first)) / 100
        share = _ratio(sum(draws), len(draws))
        out.setdefault(category, []).append(
            {
                "month": month,
                "files": len(draws),
                "sampled": sum(draws),
                "share": share,
                "floor": floor,
                "below_floor": floor is not None and share is not None and share < floor,
            }
        )
    return out


def county_stats(
    session: Session, county: str, year: int, today: dt.date, tz: dt.tzinfo
) -> dict[str, Any]:
    """Return households and people by category and state, enrolments, coverage and amounts.

    The year runs from 1 January to 31 December in the county's time zone (``tz``).
    """
    in_county = Case.village_code.startswith(county, autoescape=True)
    members = (
        select(Member.household_id, func.count().label("people"))
        .where(Member.left_at.is_(None))
        .group_by(Member.household_id)
        .subquery()
    )
    by_state: dict[str, dict[str, dict[str, int]]] = {}
    rows = session.execute(
        select(
            Case.category, Case.state, func.count(), func.coalesce(func.sum(members.c.people), 0)
        )
        .outerjoin(members, members.c.household_id == Case.household_id)
        .where(in_county)
        .group_by(Case.category, Case.state)
    ).all()
    for category, state, households, people in rows:
        by_state.setdefault(str(category), {})[str(state)] = {
            "households": households,
            "people": int(people),
        }

    latest = _latest_decided(county)
    enrolled = session.execute(
        select(
            Case.category,
            Case.area_type,
            func.count(),
            func.sum(BenefitDecision.members),
            func.sum(BenefitDecision.monthly_fen),
        )
        .join(latest, latest.c.case_id == Case.id)
        .join(BenefitDecision, BenefitDecision.id == latest.c.decision_id)
        .where(in_county, Case.state.in_(list(ENROLLED_STATES)))
        .group_by(Case.category, Case.area_type)
    ).all()
    enrolment: dict[str, dict[str, Any]] = {}
    assisted_people = {"rural": 0, "urban": 0}
    for category, area, households, people, fen in enrolled:
        entry = enrolment.setdefault(str(category), {})
        entry[str(area)] = {
            "households": households,
            "people": int(people or 0),
            "monthly_total_yuan": fen_to_yuan(int(fen or 0)),
            "average_per_person_yuan": _ratio(fen_to_yuan(int(fen or 0)), int(people or 0), "0.01"),
        }
        if category != "tekun":
            assisted_people[str(area)] += int(people or 0)

    start = dt.datetime(year, 1, 1, tzinfo=tz)
    end = dt.datetime(year + 1, 1, 1, tzinfo=tz)
    new = session.execute(
        select(Case.category, func.count(), func.sum(BenefitDecision.members))
        .join(Case, Case.id == BenefitDecision.case_id)
        .where(
            in_county,
            # approved in the year here, or in the county's earlier system (its roster)
            BenefitDecision.trigger.in_(ENROLLING_TRIGGERS),
            BenefitDecision.decided_at >= start,
            BenefitDecision.decided_at < end,
        )
        .group_by(Case.category)
    ).all()

    population: dict[str, int | None] = {
        str(area): total
        for area, total in session.execute(
            select(Region.area_type, func.sum(Region.population))
            .where(
                Region.level == RegionLevel.VILLAGE, Region.code.startswith(county, autoescape=True)
            )
            .group_by(Region.area_type)
        ).all()
    }
    coverage = {
        area: {
            "assisted_people": assisted_people[area],
            "population": int(population.get(area) or 0) or None,
            "rate": _ratio(assisted_people[area], int(population.get(area) or 0)),
        }
        for area in ("rural", "urban")
    }
    overdue = (
        session.scalar(select(func.count()).select_from(Case).where(in_county, Case.due_on < today))
        or 0
    )
    return {
        **outreach_stats(session, county, start, end, today),
        "by_category_and_state": by_state,
        "enrolled": enrolment,
        "new_enrollments": {
            str(category): {"households": households, "people": int(people or 0)}
            for category, households, people in new
        },
        "coverage": coverage,
        # 近亲属备案: cases filed in the year (乐至 filed 159 in 2024)
        "kinship_filed": session.scalar(
            select(func.count(func.distinct(KinshipFiling.case_id)))
            .join(Case, Case.id == KinshipFiling.case_id)
            .where(in_county, KinshipFiling.filed_at >= start, KinshipFiling.filed_at < end)
        )
        or 0,
        # open and enrolled cases holding an active kinship flag today
        "kinship_flagged": session.scalar(
            select(func.count(func.distinct(KinshipFlag.case_id)))
            .join(Case, Case.id == KinshipFlag.case_id)
            .where(
                in_county,
                KinshipFlag.vanished_at.is_(None),
                Case.state.in_([*OPEN_STATES, *ENROLLED_STATES]),
            )
        )
        or 0,
        "overdue_cases": overdue,
        # decided in the year after the whole-case or the county's limit had passed
        "decisions_in_year": late_decisions(session, county, start, end, tz),
        # files drawn for the county's own check, month by month (TK Art. 16: tekun ≥ 30 %)
        "county_sampling": sampling_by_month(session, county, start, end, tz),
        "open_cases": session.scalar(
            select(func.count())
            .select_from(Case)
            .where(
                in_county,
                Case.state.not_in(
                    [
                        *ENROLLED_STATES,
                        CaseState.REJECTED,
                        CaseState.TERMINATED,
                        CaseState.WITHDRAWN,
                        CaseState.PROCEDURE_ENDED,
                    ]
                ),
            )
        )
        or 0,
    }
