"""Archives (一户一档): which files of a county have passed their retention period.

A household's enrolment files (application, investigations, notice, decision)
are kept ``archive_years_enrolment`` years after its last case ended; its
daily-management files (rechecks, changes of means and members, phase-outs)
``archive_years_management`` years after they were made. Both are the county's
dated parameters, never below the national floors. This module only lists
what has passed its period: the archivist decides, nothing is deleted, and the
audit trail is never deleted at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.models import AuditEntry
from engine.access import county_of
from engine.calendar import add_months
from engine.clock import local_date
from engine.models import Case, Member, Person, Relation
from engine.policy import parameters_in_force
from engine.privacy import Disclosure
from engine.states import FINAL_STATES

#: the trail entries that are daily management of an enrolled household (Art. 31-34)
MANAGEMENT_TRIGGERS = (
    "start_recheck",
    "confirm_unchanged",
    "adjust",
    "start_phase_out",
    "end_phase_out",
    "resume",
    "record_change",
    "member_joined",
    "member_left",
    "record_death",
)
MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class ArchiveItem:
    """A household's files of one kind whose retention period has passed."""

    household_id: int
    village_code: str
    applicant: str
    #: enrolment | management
    kind: str
    case_ids: tuple[int, ...]
    #: the enrolment files' exit day, or the day of the latest management file counted
    dated: dt.date
    kept_until: dt.date
    #: how many trail entries (management) the item covers; the whole file for enrolment
    entries: int


def _years_later(day: dt.date, years: int) -> dt.date:
    return add_months(day, years * MONTHS_PER_YEAR)


def past_retention(
    session: Session, county: str, today: dt.date, tz: dt.tzinfo, show: Disclosure
) -> list[ArchiveItem]:
    """Every household file of the county whose retention period has passed by ``today``."""
    rows = session.execute(
        select(Case.household_id, Case.id, Case.state, Case.ended_at, Case.village_code)
        .where(Case.village_code.startswith(county, autoescape=True))
        .order_by(Case.household_id, Case.id)
    ).all()
    households: dict[int, list[tuple[int, str, dt.datetime | None, str]]] = {}
    for household_id, case_id, state, ended_at, village in rows:
        households.setdefault(household_id, []).append((case_id, str(state), ended_at, village))
    names = dict(
        session.execute(
            select(Member.household_id, Person.name)
            .join(Person, Person.id == Member.person_id)
            .where(Member.household_id.in_(list(households)), Member.relation == Relation.SELF)
            .order_by(Member.id)
        ).all()
    )
    items: list[ArchiveItem] = []
    params = parameters_in_force(session, county_of(county), today)
    keep_management = int(params.decimal("archive_years_management"))
    # management files made before the cutoff have passed their period (one query for all)
    cutoff = _years_later(today, -keep_management)
    managed = {
        household_id: (counted, latest)
        for household_id, counted, latest in session.execute(
            select(Case.household_id, func.count(), func.max(AuditEntry.at))
            .join(Case, Case.id == AuditEntry.case_id)
            .where(
                Case.village_code.startswith(county, autoescape=True),
                AuditEntry.trigger.in_(MANAGEMENT_TRIGGERS),
                AuditEntry.at < dt.datetime.combine(cutoff, dt.time(), tz),
            )
            .group_by(Case.household_id)
        )
    }
    keeps: dict[dt.date, int] = {}
    for household_id, cases in households.items():
        village = cases[-1][3]
        applicant = show.name(names.get(household_id, ""))
        case_ids = tuple(c[0] for c in cases)
        ends = [local_date(end, tz) for _, _, end, _ in cases if end is not None]
        if ends and all(state in FINAL_STATES for _, state, _, _ in cases):
            exit_on = max(ends)
            if exit_on not in keeps:  # the period in force when the household left
                keeps[exit_on] = int(
                    parameters_in_force(session, county_of(county), exit_on).decimal(
                        "archive_years_enrolment"
                    )
                )
            until = _years_later(exit_on, keeps[exit_on])
            if until <= today:
                items.append(
                    ArchiveItem(
                        household_id=household_id,
                        village_code=village,
                        applicant=applicant,
                        kind="enrolment",
                        case_ids=case_ids,
                        dated=exit_on,
                        kept_until=until,
                        entries=0,
                    )
                )
        if household_id in managed:
            counted, latest = managed[household_id]
            made = local_date(latest, tz)
            items.append(
                ArchiveItem(
                    household_id=household_id,
                    village_code=village,
                    applicant=applicant,
                    kind="management",
                    case_ids=case_ids,
                    dated=made,
                    kept_until=_years_later(made, keep_management),
                    entries=counted,
                )
            )
    return items
