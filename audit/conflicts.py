"""Kinship flags kept in step with the facts, and recusal of related users.

Implements ``engine.ports.KinshipGuard``: the engine asks it whether an actor
must recuse themself from a case, and to refresh a case's flags when its
household changes; registry changes and the full scan use the same pieces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select, tuple_
from sqlalchemy.orm import Session

from audit.kinship import (
    Candidate,
    case_candidates,
    case_members,
    close_for,
    declarations_for,
    detect,
    flag_payload,
    new_flag,
)
from engine.access import county_of
from engine.clock import local_date
from engine.errors import Problem
from engine.identity import mask_name
from engine.models import Case, KinshipFlag, Member, Official, Person, RelativeDeclaration
from engine.ports import Actor
from engine.services.workflow_step import record_case_event
from engine.uow import UnitOfWork


@dataclass
class FlagChanges:
    """What a refresh did to flags."""

    new: int = 0
    unchanged: int = 0
    vanished: int = 0

    def add(self, other: FlagChanges) -> None:
        """Accumulate another refresh's counts."""
        self.new += other.new
        self.unchanged += other.unchanged
        self.vanished += other.vanished


def reconcile(
    uow: UnitOfWork, case: Case, candidates: dict[tuple[int, int], Candidate], actor: Actor
) -> FlagChanges:
    """Make the case's active flags match the candidates; audit what changed (case locked)."""
    session = uow.session
    now = uow.clock.now()
    existing = {
        (f.official_id, f.member_person_id): f
        for f in session.scalars(
            select(KinshipFlag).where(
                KinshipFlag.case_id == case.id, KinshipFlag.vanished_at.is_(None)
            )
        )
    }
    changes = FlagChanges()
    vanished: list[dict[str, object]] = []
    for key, flag in existing.items():
        candidate = candidates.get(key)
        if candidate is not None and (candidate.relation, candidate.strength) == (
            flag.relation,
            flag.strength,
        ):
            changes.unchanged += 1
            continue
        flag.vanished_at = now
        vanished.append(
            {"flag_id": flag.id, "official_id": flag.official_id, "relation": flag.relation}
        )
        changes.vanished += 1
    session.flush()
    added = []
    for key, candidate in candidates.items():
        kept = existing.get(key)
        if kept is not None and kept.vanished_at is None:
            continue
        added.append((new_flag(case.id, candidate, now), candidate))
    session.add_all(flag for flag, _ in added)
    session.flush()  # one INSERT for every new flag, which gives them their ids
    raised = [{"flag_id": flag.id, **flag_payload(candidate)} for flag, candidate in added]
    changes.new += len(added)
    if raised or vanished:
        record_case_event(
            uow, case, actor, "kinship_flags", {"raised": raised, "vanished": vanished}
        )
    return changes


def own_household_problem(members: Iterable[int], person_id: int) -> Problem | None:
    """A user never acts on a case of their own household."""
    if person_id not in set(members):
        return None
    return Problem(
        code="own_household",
        message="您是本户家庭成员，不得办理本案件（回避）",
        message_en="you are a member of this household and may not act on its case (recusal)",
    )


class KinshipChecks:
    """The engine's kinship port: recusal and flag refresh."""

    def recusal(
        self, session: Session, case: Case, person_id: int | None, on: dt.date
    ) -> Problem | None:
        """Why a user (by their person) must recuse themself from the case, if they must."""
        if person_id is None:
            return None
        members = case_members(session, case.household_id)
        own = own_household_problem((m.person_id for m in members), person_id)
        if own is not None:
            return own
        mine = Official.person_id == person_id
        declarations = declarations_for(session, members, mine)
        if not declarations:
            return None
        found = detect(
            members, declarations, (), close_for(session, county_of(case.village_code), on)
        )
        if not found:
            return None
        best = min(found.values(), key=lambda c: c.rank())
        return Problem(
            code="recusal",
            message=f"您与本案家庭成员存在近亲属关系，须回避：{best.path}",
            message_en=f"you are a close relative of a member of this household: {best.path_en}",
            context={"member": mask_name(best.member.name), "relation": best.relation},
        )

    def recused_among(
        self, session: Session, person_id: int | None, case_ids: list[int], on: dt.date
    ) -> dict[int, Problem]:
        """Which of the cases the user must recuse themself from (for bulk runs)."""
        if person_id is None or not case_ids:
            return {}
        declared = session.execute(
            select(
                RelativeDeclaration.relative_id_number,
                RelativeDeclaration.relative_name,
                RelativeDeclaration.relative_birth_date,
            )
            .join(Official, Official.id == RelativeDeclaration.official_id)
            .where(Official.person_id == person_id)
        ).all()
        ids = [r[0] for r in declared if r[0]]
        pairs = [(r[1], r[2]) for r in declared if not r[0]]
        matches = [Member.person_id == person_id, Person.id_number.in_(ids)]
        if pairs:
            matches.append(tuple_(Person.name, Person.birth_date).in_(pairs))
        suspects = set(
            session.scalars(
                select(Case.id)
                .join(Member, Member.household_id == Case.household_id)
                .join(Person, Person.id == Member.person_id)
                .where(Case.id.in_(case_ids), Member.left_at.is_(None), or_(*matches))
                .distinct()
            )
        )
        out = {}
        for case in session.scalars(select(Case).where(Case.id.in_(suspects))):
            problem = self.recusal(session, case, person_id, on)
            if problem is not None:
                out[case.id] = problem
        return out

    def refresh_case(self, uow: UnitOfWork, case: Case, actor: Actor) -> FlagChanges:
        """Recompute the case's flags after its household changed (case locked)."""
        today = local_date(uow.clock.now(), uow.clock.tz)
        return reconcile(uow, case, case_candidates(uow.session, case, today), actor)
