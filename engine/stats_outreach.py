"""The county report's figures on outreach and monitoring (铁脚板 + 大数据): people monitored
by tag, 脱贫户 and 监测户 enrolled, warnings per township, visits per village and month,
new enrolments by how they were found, and the rural coverage at a period's two ends."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine.models import (
    BenefitDecision,
    BenefitKind,
    Case,
    CaseClaim,
    Category,
    HomeVisit,
    MonitoredPerson,
    MonitoringTag,
    MonitoringWarning,
    Region,
    RegionLevel,
)
from engine.states import ENROLLED_STATES

#: the tags whose enrolment the report counts (乐至: 脱贫户 and 防止返贫监测户 on dibao and tekun)
COUNTED_TAGS = ("lifted_from_poverty", "poverty_return_watch")
#: the decisions that enrol a case: approved here, or approved in the county's earlier system
#: and brought in with its roster
ENROLLING_TRIGGERS = ("approve", "imported")


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def people_by_tag(session: Session, county: str) -> dict[str, int]:
    """People on the register by current tag."""
    rows = session.execute(
        select(MonitoringTag.tag, func.count(func.distinct(MonitoringTag.monitored_id)))
        .join(MonitoredPerson, MonitoredPerson.id == MonitoringTag.monitored_id)
        .where(
            MonitoringTag.ended_on.is_(None),
            MonitoredPerson.village_code.startswith(county, autoescape=True),
        )
        .group_by(MonitoringTag.tag)
    ).all()
    return {row.tag: row[1] for row in rows}


def tagged_enrolled(session: Session, county: str) -> dict[str, dict[str, int]]:
    """People tagged 脱贫户 or 监测户 who are members of an enrolled case, by the case's
    category (single-person coverage counts as dibao)."""
    out = {tag: {"dibao": 0, "tekun": 0} for tag in COUNTED_TAGS}
    rows = session.execute(
        select(MonitoringTag.tag, Case.category, func.count(func.distinct(CaseClaim.person_id)))
        .join(MonitoredPerson, MonitoredPerson.id == MonitoringTag.monitored_id)
        .join(CaseClaim, CaseClaim.person_id == MonitoredPerson.person_id)
        .join(Case, Case.id == CaseClaim.case_id)
        .where(
            MonitoringTag.ended_on.is_(None),
            MonitoringTag.tag.in_(COUNTED_TAGS),
            CaseClaim.released_at.is_(None),
            Case.state.in_(list(ENROLLED_STATES)),
            Case.village_code.startswith(county, autoescape=True),
        )
        .group_by(MonitoringTag.tag, Case.category)
    )
    for tag, category, n in rows:
        key = "tekun" if category == Category.TEKUN else "dibao"
        out[str(tag)][key] += n
    return out


def warnings_by_township(
    session: Session, county: str, start: dt.datetime, end: dt.datetime, today: dt.date
) -> dict[str, dict[str, Any]]:
    """Per township: warnings raised and handled in the period, and those overdue today."""
    township = func.substr(MonitoringWarning.village_code, 1, 9)
    names = dict(
        session.execute(
            select(Region.code, Region.name).where(
                Region.level == RegionLevel.TOWNSHIP,
                Region.code.startswith(county, autoescape=True),
            )
        ).all()
    )
    out: dict[str, dict[str, Any]] = {}

    def count(label: str, *where: Any) -> None:
        for code, n in session.execute(
            select(township, func.count())
            .where(MonitoringWarning.village_code.startswith(county, autoescape=True), *where)
            .group_by(township)
        ):
            entry = out.setdefault(
                code, {"name": names.get(code, code), "opened": 0, "handled": 0, "overdue": 0}
            )
            entry[label] = n

    count("opened", MonitoringWarning.raised_at >= start, MonitoringWarning.raised_at < end)
    count("handled", MonitoringWarning.handled_at >= start, MonitoringWarning.handled_at < end)
    count("overdue", MonitoringWarning.status == "open", MonitoringWarning.due_on < today)
    return dict(sorted(out.items()))


def visits_by_village(
    session: Session, county: str, start: dt.date, end: dt.date
) -> dict[str, dict[str, int]]:
    """Home visits per village and month of the period (``YYYY-MM``)."""
    out: dict[str, dict[str, int]] = {}
    rows = session.execute(
        select(HomeVisit.village_code, HomeVisit.visited_on).where(
            HomeVisit.village_code.startswith(county, autoescape=True),
            HomeVisit.visited_on >= start,
            HomeVisit.visited_on < end,
        )
    )
    for village, day in rows:
        month = f"{day:%Y-%m}"
        out.setdefault(village, {})[month] = out.get(village, {}).get(month, 0) + 1
    return dict(sorted(out.items()))


def enrollments_by_origin(
    session: Session, county: str, start: dt.datetime, end: dt.datetime
) -> dict[str, dict[str, int]]:
    """Cases approved in the period, by how they came: the household's application, a
    coordinator's outreach, a referral (a monitoring warning or a hand-off), or the county's
    earlier system (``roster``: approved there in the period)."""
    return {
        str(origin): {"households": households, "people": int(people or 0)}
        for origin, households, people in session.execute(
            select(Case.origin, func.count(), func.sum(BenefitDecision.members))
            .join(Case, Case.id == BenefitDecision.case_id)
            .where(
                Case.village_code.startswith(county, autoescape=True),
                BenefitDecision.trigger.in_(ENROLLING_TRIGGERS),
                BenefitDecision.decided_at >= start,
                BenefitDecision.decided_at < end,
            )
            .group_by(Case.origin)
        )
    }


def assisted_on(session: Session, county: str, area_type: str, moment: dt.datetime) -> int:
    """People covered by dibao (and single-person coverage) in the county's villages of this
    area type at ``moment``: each case's latest decided amount by then, if it had not ended."""
    latest = (
        select(BenefitDecision.case_id, func.max(BenefitDecision.id).label("decision_id"))
        .join(Case, Case.id == BenefitDecision.case_id)
        .where(
            BenefitDecision.kind == BenefitKind.DECIDED,
            BenefitDecision.decided_at <= moment,
            Case.village_code.startswith(county, autoescape=True),
            Case.area_type == area_type,
            Case.category != Category.TEKUN,
            or_(Case.ended_at.is_(None), Case.ended_at > moment),
        )
        .group_by(BenefitDecision.case_id)
        .subquery()
    )
    total = session.scalar(
        select(func.coalesce(func.sum(BenefitDecision.members), 0)).join(
            latest,
            and_(
                latest.c.decision_id == BenefitDecision.id,
                latest.c.case_id == BenefitDecision.case_id,
            ),
        )
    )
    return int(total or 0)


def _at(moment: dt.datetime, assisted: int, population: int) -> dict[str, Any]:
    return {"on": moment.date(), "assisted_people": assisted, "rate": _rate(assisted, population)}


def coverage_change(
    session: Session, county: str, start: dt.datetime, end: dt.datetime
) -> dict[str, Any]:
    """The rural coverage rate at the period's start and end (乐至 2024: 2.8 % → 3.2 %)."""
    population = int(
        session.scalar(
            select(func.coalesce(func.sum(Region.population), 0)).where(
                Region.level == RegionLevel.VILLAGE,
                Region.area_type == "rural",
                Region.code.startswith(county, autoescape=True),
            )
        )
        or 0
    )
    before = assisted_on(session, county, "rural", start)
    after = assisted_on(session, county, "rural", end)
    return {
        "population": population or None,
        "before": {
            "on": start.date(),
            "assisted_people": before,
            "rate": _rate(before, population),
        },
        "after": {"on": end.date(), "assisted_people": after, "rate": _rate(after, population)},
    }


def outreach_stats(
    session: Session, county: str, start: dt.datetime, end: dt.datetime, today: dt.date
) -> dict[str, Any]:
    """Every outreach and monitoring figure of the period."""
    referrals = (
        session.scalar(
            select(func.count())
            .select_from(MonitoringWarning)
            .where(
                MonitoringWarning.village_code.startswith(county, autoescape=True),
                MonitoringWarning.status == "referred",
                MonitoringWarning.handled_at >= start,
                MonitoringWarning.handled_at < end,
            )
        )
        or 0
    )
    return {
        "monitoring": {
            "people_by_tag": people_by_tag(session, county),
            "tagged_enrolled": tagged_enrolled(session, county),
            "warnings_by_township": warnings_by_township(session, county, start, end, today),
        },
        "outreach": {
            "visits_by_village_month": visits_by_village(session, county, start.date(), end.date()),
            "referrals": referrals,
            "new_enrollments_by_origin": enrollments_by_origin(session, county, start, end),
        },
        "rural_coverage_change": coverage_change(session, county, start, end),
    }
