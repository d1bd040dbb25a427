"""Inspectors' findings on a case: recorded in its trail, shown to the county, and, where the
inspector requires it, holding the next decision until the county has visited the household.

A finding is how an inspector acts on a favouritism indicator or a complaint
without deciding the case: the county stays the decider (Art. 20), but it
cannot decide again before it has looked for itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.access import ensure_role
from engine.errors import Conflict, raise_invalid
from engine.inputs import free_text_problem
from engine.models import InspectionFinding
from engine.ports import Actor
from engine.services.workflow_step import CaseRef, locked_case, record_case_event
from engine.states import FINAL_STATES, CaseState, Role
from engine.uow import UnitOfWork

MAX_NOTE = 5000


@dataclass(frozen=True)
class FindingRef:
    """The finding and the case's new version."""

    id: int
    case: CaseRef


def record_finding(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    note: str,
    requires_visit: bool,
    expected_version: int | None = None,
) -> FindingRef:
    """Record an inspector's finding on a case (in its trail); with ``requires_visit`` the
    county's next decision waits for its own home visit made after the finding."""
    ensure_role(actor, frozenset({Role.INSPECTOR}), "记录监督检查意见", "record findings")
    problem = free_text_problem(note, "note", MAX_NOTE, required=True)
    raise_invalid([problem] if problem is not None else [])
    with locked_case(uow, case_id, actor, "inspection_finding", expected_version) as case:
        if requires_visit and CaseState(case.state) in FINAL_STATES:
            raise Conflict(
                "案件已办结，没有待作出的决定，不能要求县级先行入户",
                "the case is closed: there is no next decision to hold",
                code="case_closed",
            )
        finding = InspectionFinding(
            case_id=case.id,
            note=note.strip(),
            requires_visit=requires_visit,
            recorded_by_id=actor.user_id,
            recorded_at=uow.clock.now(),
        )
        uow.session.add(finding)
        uow.session.flush()
        record_case_event(
            uow,
            case,
            actor,
            "inspection_finding",
            {"finding_id": finding.id, "requires_visit": requires_visit},
            reason=finding.note,
        )
        uow.commit()
        return FindingRef(finding.id, CaseRef(case.id, str(case.state), case.version))
