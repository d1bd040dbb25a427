"""The full kinship scan: every open and enrolled case against the whole registry, at once.

Everything is read once (officials in office, declarations, the members of
every case in scope), matched in memory with the same ``detect`` as the
per-case check, and only the cases whose flags change are locked and written.
Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import and_, or_, select, tuple_, union
from sqlalchemy.orm import Session

from audit.conflicts import FlagChanges, KinshipChecks, reconcile
from audit.kinship import (
    Candidate,
    Declaration,
    MemberNode,
    OfficialNode,
    close_for,
    detect,
    in_office,
)
from engine.access import county_of
from engine.clock import local_date
from engine.models import (
    Case,
    KinRelation,
    KinshipFlag,
    Member,
    Official,
    Person,
    Region,
    RegionLevel,
    RelativeDeclaration,
)
from engine.ports import Actor
from engine.services.workflow_step import lock_cases
from engine.states import ENROLLED_STATES, OPEN_STATES
from engine.uow import UnitOfWork

IN_SCOPE = [*OPEN_STATES, *ENROLLED_STATES]
#: cases read or locked per statement (well under SQLite's bound-parameter limit)
CHUNK = 5000


def affected_cases(
    session: Session,
    id_numbers: Collection[str],
    name_births: Collection[tuple[str, dt.date]],
    person_ids: Collection[int],
) -> list[int]:
    """Open and enrolled cases whose household holds any of these people."""
    if not (id_numbers or name_births or person_ids):
        return []
    matches = [Person.id_number.in_(list(id_numbers)), Member.person_id.in_(list(person_ids))]
    if name_births:
        matches.append(tuple_(Person.name, Person.birth_date).in_(list(name_births)))
    return sorted(
        set(
            session.scalars(
                select(Case.id)
                .join(Member, Member.household_id == Case.household_id)
                .join(Person, Person.id == Member.person_id)
                .where(Case.state.in_(IN_SCOPE), Member.left_at.is_(None), or_(*matches))
            )
        )
    )


class Registry:
    """The county's officials in office and their declarations, indexed for matching."""

    def __init__(self, session: Session, county: str, on: dt.date) -> None:
        where = in_office(county, on)
        self.officials: dict[int, OfficialNode] = {
            r[0]: OfficialNode(r[0], r[1], r[2], r[3], str(r[4]), r[5])
            for r in session.execute(
                select(
                    Official.id,
                    Official.person_id,
                    Person.id_number,
                    Person.name,
                    Official.position,
                    Official.region_code,
                )
                .join(Person, Person.id == Official.person_id)
                .where(where)
            )
        }
        self.by_person: dict[int, list[OfficialNode]] = defaultdict(list)
        for node in self.officials.values():
            self.by_person[node.person_id].append(node)
        self.by_id: dict[str, list[Declaration]] = defaultdict(list)
        self.by_name_birth: dict[tuple[str, dt.date], list[Declaration]] = defaultdict(list)
        for r in session.execute(
            select(
                RelativeDeclaration.id,
                RelativeDeclaration.official_id,
                RelativeDeclaration.relation,
                RelativeDeclaration.source,
                RelativeDeclaration.relative_id_number,
                RelativeDeclaration.relative_name,
                RelativeDeclaration.relative_birth_date,
            )
            .join(Official, Official.id == RelativeDeclaration.official_id)
            .where(where)
        ):
            declaration = Declaration(
                r[0], self.officials[r[1]], KinRelation(r[2]), str(r[3]), r[4], r[5], r[6]
            )
            if r[4]:
                self.by_id[r[4]].append(declaration)
            elif r[6] is not None:
                self.by_name_birth[(r[5], r[6])].append(declaration)
        self.close = close_for(session, county, on)

    def candidates(self, members: list[MemberNode]) -> dict[tuple[int, int], Candidate]:
        """Detect conflicts for one household (a fast miss when nobody matches)."""
        declarations: list[Declaration] = []
        officials: list[OfficialNode] = []
        for m in members:
            declarations += self.by_id.get(m.id_number, ())
            declarations += self.by_name_birth.get((m.name, m.birth_date), ())
            officials += self.by_person.get(m.person_id, ())
        if not declarations and not officials:
            return {}
        return detect(members, declarations, officials, self.close)


def _members_by_case(
    session: Session, county: str, case_ids: Collection[int] | None
) -> Iterable[tuple[int, list[MemberNode]]]:
    stmt = (
        select(
            Case.id,
            Member.person_id,
            Person.id_number,
            Person.name,
            Person.birth_date,
            Member.relation,
        )
        .join(Member, Member.household_id == Case.household_id)
        .join(Person, Person.id == Member.person_id)
        .where(
            Case.state.in_(IN_SCOPE),
            Member.left_at.is_(None),
            Case.village_code.startswith(county, autoescape=True),
        )
        .order_by(Case.id, Member.id)
    )
    if case_ids is not None:
        stmt = stmt.where(Case.id.in_(list(case_ids)))
    rows = session.execute(stmt.execution_options(yield_per=5000))
    for case_id, group in groupby(rows, key=lambda r: r[0]):
        yield case_id, [MemberNode(r[1], r[2], r[3], r[4], str(r[5])) for r in group]


def _active_flags(
    session: Session, county: str, case_ids: Collection[int] | None
) -> dict[int, set[tuple[int, int, str, str]]]:
    stmt = (
        select(
            KinshipFlag.case_id,
            KinshipFlag.official_id,
            KinshipFlag.member_person_id,
            KinshipFlag.relation,
            KinshipFlag.strength,
        )
        .join(Case, Case.id == KinshipFlag.case_id)
        .where(
            KinshipFlag.vanished_at.is_(None),
            Case.state.in_(IN_SCOPE),
            Case.village_code.startswith(county, autoescape=True),
        )
    )
    if case_ids is not None:
        stmt = stmt.where(KinshipFlag.case_id.in_(list(case_ids)))
    out: dict[int, set[tuple[int, int, str, str]]] = defaultdict(set)
    for case_id, official_id, person_id, relation, strength in session.execute(stmt):
        out[case_id].add((official_id, person_id, relation, str(strength)))
    return out


def _suspects(session: Session, county: str, on: dt.date) -> set[int]:
    """Cases in scope where some member is named by a declaration or is an official in office.

    Only these can hold a conflict (household-derived relations start from a
    direct match), so the rest of the county is never read into memory.
    """
    in_scope = and_(
        Case.state.in_(IN_SCOPE),
        Member.left_at.is_(None),
        Case.village_code.startswith(county, autoescape=True),
    )
    members = (
        select(Case.id)
        .join(Member, Member.household_id == Case.household_id)
        .join(Person, Person.id == Member.person_id)
    )
    declared_by_officials_in_office = RelativeDeclaration.official_id.in_(
        select(Official.id).where(in_office(county, on))
    )
    by_id = members.join(
        RelativeDeclaration, RelativeDeclaration.relative_id_number == Person.id_number
    ).where(in_scope, declared_by_officials_in_office)
    by_name_birth = members.join(
        RelativeDeclaration,
        and_(
            RelativeDeclaration.relative_id_number.is_(None),
            RelativeDeclaration.relative_name == Person.name,
            RelativeDeclaration.relative_birth_date == Person.birth_date,
        ),
    ).where(in_scope, declared_by_officials_in_office)
    officials = members.join(Official, Official.person_id == Person.id).where(
        in_scope, in_office(county, on)
    )
    flagged = (
        select(KinshipFlag.case_id)
        .join(Case, Case.id == KinshipFlag.case_id)
        .where(
            KinshipFlag.vanished_at.is_(None),
            Case.state.in_(IN_SCOPE),
            Case.village_code.startswith(county, autoescape=True),
        )
    )
    return set(session.scalars(union(by_id, by_name_birth, officials, flagged)))


def _chunks(ids: Collection[int], size: int = CHUNK) -> Iterable[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def plan(
    session: Session, county: str, on: dt.date, case_ids: Collection[int] | None = None
) -> tuple[dict[int, dict[tuple[int, int], Candidate]], int]:
    """Which cases' flags must change (with their new candidates), and how many stay as they are."""
    suspects = _suspects(session, county, on)
    if case_ids is not None:
        suspects &= set(case_ids)
    if not suspects:
        return {}, 0
    registry = Registry(session, county, on)
    changes: dict[int, dict[tuple[int, int], Candidate]] = {}
    unchanged = 0
    for chunk in _chunks(suspects):
        existing = _active_flags(session, county, chunk)
        seen: set[int] = set()
        for case_id, members in _members_by_case(session, county, chunk):
            seen.add(case_id)
            wanted = registry.candidates(members)
            have = existing.get(case_id, set())
            now = {
                (c.official.official_id, c.member.person_id, c.relation, str(c.strength))
                for c in wanted.values()
            }
            if now == have:
                unchanged += len(have)
            else:
                changes[case_id] = wanted
        for case_id in existing:  # flags on cases whose household emptied
            if case_id not in seen:
                changes[case_id] = {}
    return changes, unchanged


@dataclass
class ScanPlan:
    """What a scan will change: the new candidates of each case whose flags differ."""

    changes: dict[int, dict[tuple[int, int], Candidate]] = field(default_factory=dict)
    unchanged: int = 0


def plan_scan(uow: UnitOfWork, actor: Actor, case_ids: Collection[int] | None = None) -> ScanPlan:
    """Read the registry and the cases in the actor's region; decide which flags change."""
    session = uow.session
    today = local_date(uow.clock.now(), uow.clock.tz)
    out = ScanPlan()
    for county in counties_of(session, actor.region_code):
        changes, unchanged = plan(session, county, today, case_ids)
        out.changes.update(changes)
        out.unchanged += unchanged
    return out


def apply_scan(
    uow: UnitOfWork,
    actor: Actor,
    planned: ScanPlan,
    progress: Callable[[int], None] | None = None,
) -> FlagChanges:
    """Lock the planned cases and bring their flags in line, each change audited."""
    total = FlagChanges(unchanged=planned.unchanged)
    for chunk in _chunks(planned.changes):
        # one locking read per chunk, in id order like every other writer
        for case in lock_cases(uow.session, chunk):
            total.add(reconcile(uow, case, planned.changes[case.id], actor))
            if progress is not None:
                progress(1)
    return total


def scan(uow: UnitOfWork, actor: Actor, case_ids: Collection[int] | None = None) -> FlagChanges:
    """Bring the flags of every open and enrolled case (or the given ones) in line; audited."""
    return apply_scan(uow, actor, plan_scan(uow, actor, case_ids))


class KinshipScans(KinshipChecks):
    """The kinship port: per-case checks, and the scan for many cases arriving at once (a
    county's roster) that reads the registry once instead of once per case."""

    def scan_cases(self, uow: UnitOfWork, actor: Actor, case_ids: Collection[int]) -> int:
        """Bring the given cases' flags in line with the registry; return the flags raised."""
        if not case_ids:
            return 0
        return scan(uow, actor, case_ids).new


def counties_of(session: Session, region_code: str) -> list[str]:
    """The counties a region is or lies in (all counties for an empty code)."""
    if region_code:
        return [county_of(region_code)]
    return sorted(session.scalars(select(Region.code).where(Region.level == RegionLevel.COUNTY)))
