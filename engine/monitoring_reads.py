"""What the monitoring workspace reads: the warnings of a region, a page at a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import MonitoredPerson, MonitoringWarning, Person, Region, fen_to_yuan
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
        )
        for w, name, number, village in rows
    ], total
