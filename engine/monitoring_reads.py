"""What the monitoring workspace reads: the warnings of a region, a page at a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import (
    HomeVisit,
    MonitoredPerson,
    MonitoringWarning,
    Person,
    Region,
    User,
    fen_to_yuan,
)
from engine.ports import Actor
from engine.privacy import Disclosure

#: warning statuses a list may ask for ("open" also lists the overdue ones)
STATUSES = ("open", "overdue", "visited", "referred", "closed", "all")


@dataclass(frozen=True)
class WarningView:
    """A warning as a list shows it."""

    id: int
    village_code: str
    village_name: str
    name: str
    id_number: str
    signal: str
    signal_on: dt.date
    detail: str
    amount_yuan: Decimal | None
    due_on: dt.date
    status: str
    overdue: bool
    case_id: int | None
    #: how it was followed up (the visit's findings, the referral's or the close's reason)
    outcome_note: str = ""


def list_warnings(
    session: Session,
    actor: Actor,
    today: dt.date,
    status: str = "open",
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[WarningView], int]:
    """The warnings of the actor's region (soonest due first), masked as the role requires."""
    where = [MonitoringWarning.village_code.startswith(actor.region_code, autoescape=True)]
    if status == "overdue":
        where += [MonitoringWarning.status == "open", MonitoringWarning.due_on < today]
    elif status != "all":
        where.append(MonitoringWarning.status == status)
    total = session.scalar(select(func.count()).select_from(MonitoringWarning).where(*where)) or 0
    rows = session.execute(
        select(MonitoringWarning, Person.name, Person.id_number, Region.name)
        .join(MonitoredPerson, MonitoredPerson.id == MonitoringWarning.monitored_id)
        .join(Person, Person.id == MonitoredPerson.person_id)
        .join(Region, Region.code == MonitoringWarning.village_code)
        .where(*where)
        .order_by(MonitoringWarning.due_on, MonitoringWarning.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    show = Disclosure(actor)
    return [
        WarningView(
            id=w.id,
            village_code=w.village_code,
            village_name=village,
            name=show.name(name),
            id_number=show.id_number(number),
            signal=w.signal,
            signal_on=w.signal_on,
            detail=show.text(w.detail) or "",
            amount_yuan=None if w.amount_fen is None else fen_to_yuan(w.amount_fen),
            due_on=w.due_on,
            status=w.status,
            overdue=w.status == "open" and w.due_on < today,
            case_id=w.case_id,
            outcome_note=show.text(w.outcome_note) or "",
        )
        for w, name, number, village in rows
    ], total


@dataclass(frozen=True)
class VisitView:
    """A home visit as the list shows it."""

    id: int
    visited_on: dt.date
    village_name: str
    household: str
    purpose: str
    findings: str
    photos: int
    visitor: str


def recent_visits(session: Session, actor: Actor, limit: int = 20) -> list[VisitView]:
    """The latest home visits in the actor's region, newest first (findings masked as the
    role requires)."""
    show = Disclosure(actor)
    rows = session.execute(
        select(HomeVisit, Region.name, User.display_name)
        .join(Region, Region.code == HomeVisit.village_code)
        .outerjoin(User, User.id == HomeVisit.recorded_by_id)
        .where(HomeVisit.village_code.startswith(actor.region_code, autoescape=True))
        .order_by(HomeVisit.visited_on.desc(), HomeVisit.id.desc())
        .limit(limit)
    ).all()
    return [
        VisitView(
            id=v.id,
            visited_on=v.visited_on,
            village_name=village,
            household=show.text(v.household) or "",
            purpose=v.purpose,
            findings=show.text(v.findings) or "",
            photos=len([d for d in v.photo_sha256.split(",") if d]),
            visitor=visitor or "",
        )
        for v, village, visitor in rows
    ]
