"""Home visits (走访): coordinators' door-to-door outreach (走访摸排) and warnings followed up.

A visit records the day, whom, what was found and the photos taken, named by their SHA-256
(the files stay on the visitor's device or the county's store; the hash proves which).
Every visit is written in the county's outreach ledger.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from engine.access import county_of, covers, ensure_role
from engine.clock import local_date
from engine.errors import Forbidden, Problem, invalid_field, raise_invalid
from engine.inputs import free_text_problem
from engine.models import HomeVisit, Region, RegionLevel
from engine.ports import Actor, LedgerEvent
from engine.states import Role
from engine.uow import UnitOfWork, db_conflicts

#: who visits: the village's coordinator and the township and county staff
VISITORS = frozenset({Role.COORDINATOR, Role.CLERK, Role.REVIEWER, Role.APPROVER})
SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_PHOTOS = 20
MAX_FINDINGS = 4000
#: how far back a visit may be recorded (a visit is written up within weeks, not years)
MAX_AGE_DAYS = 90


def check_visit(
    visited_on: dt.date, findings: str, photos: Sequence[str], today: dt.date
) -> list[Problem]:
    """What is wrong with a visit's day, findings and photos' hashes."""
    problems = []
    if not today - dt.timedelta(days=MAX_AGE_DAYS) <= visited_on <= today:
        problems.append(
            invalid_field(
                "visited_on",
                f"走访日期须在今天及之前{MAX_AGE_DAYS}日内",
                f"the visit's day must be today or within the {MAX_AGE_DAYS} days before",
            )
        )
    found = free_text_problem(findings, "findings", MAX_FINDINGS, required=True)
    if found is not None:
        problems.append(found)
    if len(photos) > MAX_PHOTOS:
        problems.append(
            invalid_field("photo_sha256", f"照片最多{MAX_PHOTOS}张", f"at most {MAX_PHOTOS} photos")
        )
    for i, digest in enumerate(photos):
        if not SHA256.fullmatch(digest.lower()):
            problems.append(
                invalid_field(
                    f"photo_sha256.{i}",
                    f"第{i + 1}张照片的SHA-256须为64位十六进制数字",
                    f"photo {i + 1}: its SHA-256 must be 64 hex digits",
                )
            )
    return problems


def new_visit(
    uow: UnitOfWork,
    actor: Actor,
    *,
    village_code: str,
    visited_on: dt.date,
    purpose: str,
    household: str,
    findings: str,
    photo_sha256: Sequence[str],
    person_id: int | None = None,
    warning_id: int | None = None,
) -> HomeVisit:
    """Store a checked visit in the caller's transaction."""
    row = HomeVisit(
        village_code=village_code,
        visited_on=visited_on,
        purpose=purpose,
        household=household.strip()[:100],
        person_id=person_id,
        warning_id=warning_id,
        findings=findings.strip(),
        photo_sha256=",".join(d.lower() for d in photo_sha256),
        recorded_by_id=actor.user_id,
        recorded_at=uow.clock.now(),
    )
    uow.session.add(row)
    uow.session.flush()
    return row


def visit_payload(row: HomeVisit) -> dict[str, Any]:
    """The visit as the ledger records it."""
    return {
        "visit_id": row.id,
        "village_code": row.village_code,
        "visited_on": row.visited_on,
        "purpose": row.purpose,
        "photo_sha256": [d for d in row.photo_sha256.split(",") if d],
    }


def record_outreach_visit(
    uow: UnitOfWork,
    actor: Actor,
    village_code: str,
    visited_on: dt.date,
    household: str,
    findings: str,
    photo_sha256: Sequence[str] = (),
) -> int:
    """Record a door-to-door visit (走访摸排) in a village of the actor's region; return its
    id. Written in the county's outreach ledger."""
    ensure_role(actor, VISITORS, "登记走访", "record home visits")
    with uow, db_conflicts():
        session = uow.session
        today = local_date(uow.clock.now(), uow.clock.tz)
        problems = check_visit(visited_on, findings, photo_sha256, today)
        found = free_text_problem(household, "household", 100, required=True)
        if found is not None:
            problems.append(found)
        region = session.get(Region, village_code)
        if region is None or region.level != RegionLevel.VILLAGE:
            problems.append(
                invalid_field("village_code", f"没有代码为{village_code}的村", "no such village")
            )
        raise_invalid(problems)
        assert region is not None
        if not covers(actor.region_code, village_code):
            raise Forbidden(
                f"村（社区）{region.name}不在您的辖区内",
                f"village {village_code} is outside your region",
                code="outside_region",
            )
        row = new_visit(
            uow,
            actor,
            village_code=village_code,
            visited_on=visited_on,
            purpose="outreach",
            household=household,
            findings=findings,
            photo_sha256=photo_sha256,
        )
        uow.audit.record(
            session,
            f"outreach:{county_of(village_code)}",
            LedgerEvent(
                event="home_visit",
                actor=actor,
                at=uow.clock.now(),
                reason=row.findings,
                payload={**visit_payload(row), "household": row.household},
            ),
        )
        uow.commit()
        return row.id
