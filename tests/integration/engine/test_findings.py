"""Inspectors' findings: recorded in the case's trail, shown to the county, and, when the
inspector requires it, holding the next decision until the county has visited the household."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from audit.models import AuditEntry
from engine.case_view import case_detail
from engine.errors import Conflict, Forbidden, GuardFailed, InvalidData
from engine.services.findings import record_finding
from engine.states import CaseState
from tests.support import World


def find(world: World, case_id: int, requires_visit: bool, by: str = "inspector") -> int:
    return record_finding(
        world.uow(), world.actors[by], case_id, "该户长子在县城有商铺，请县级核实", requires_visit
    ).id


def test_a_finding_that_requires_it_holds_the_decision_until_the_county_visits(
    world: World,
) -> None:
    case_id = world.apply()
    world.to_state(case_id, CaseState.PENDING_CONFIRMATION)
    finding = find(world, case_id, requires_visit=True)
    with pytest.raises(GuardFailed) as held:
        world.fire(case_id, "approve", "approver")
    assert {p.code for p in held.value.problems} == {"inspection_visit_required"}
    with pytest.raises(GuardFailed):
        world.fire(case_id, "reject", "approver", "收入超标")
    world.pass_days(1)
    world.investigate(
        case_id, level="county", investigators=("approver", "approver2"), by="approver"
    )
    world.pass_days(0.1)
    assert world.fire(case_id, "approve", "approver2") == CaseState.ACTIVE
    with world.rt.reader() as uow:
        detail = case_detail(uow, world.actors["approver"], case_id)
        entry = uow.session.scalars(
            select(AuditEntry).where(
                AuditEntry.case_id == case_id, AuditEntry.trigger == "inspection_finding"
            )
        ).one()
    (seen,) = detail.findings
    assert (seen.id, seen.requires_visit, seen.visited, seen.recorded_by) == (
        finding,
        True,
        True,
        "inspector",
    )
    assert json.loads(entry.payload)["requires_visit"] is True and "商铺" in entry.reason


def test_a_finding_that_does_not_require_a_visit_holds_nothing(world: World) -> None:
    case_id = world.apply()
    world.to_state(case_id, CaseState.ACTIVE)
    world.fire(case_id, "start_recheck", "reviewer")
    find(world, case_id, requires_visit=False)
    assert world.fire(case_id, "confirm_unchanged", "reviewer") == CaseState.ACTIVE


def test_findings_are_the_inspectors_and_bad_ones_are_refused(world: World) -> None:
    case_id = world.apply()
    for role in ("clerk", "reviewer", "approver", "admin"):
        with pytest.raises(Forbidden):
            find(world, case_id, requires_visit=False, by=role)
    with pytest.raises(InvalidData):
        record_finding(world.uow(), world.actors["inspector"], case_id, "  ", False)
    world.fire(case_id, "withdraw", "clerk", "申请人撤回")
    with pytest.raises(Conflict) as closed:
        find(world, case_id, requires_visit=True)
    assert closed.value.code == "case_closed"
    find(world, case_id, requires_visit=False)  # a note on a closed case is still recorded
