"""A trigger fired in bulk leaves the rows a single ``advance`` leaves (one side-effect path).

Twin cases go through the same steps at the same moments; one is then advanced alone and the
other by the bulk command, and every column of the case, its claims and its audit entry are
compared. Speed must never come from skipping a side effect.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from audit.models import AuditEntry
from engine.models import Case, CaseClaim
from engine.services import decisions
from engine.services.bulk import end_due_phase_outs, start_due_rechecks
from engine.services.data_checks import request_data_check
from engine.services.household_events import record_death
from engine.services.self_care import record_self_care_assessment, report_care_change
from engine.states import RULES, CaseState
from tests.support import World, application, path_to
from tests.support import _members as _member_numbers

S = CaseState

#: columns that differ between twins by construction (identity, and the chain's hash,
#: which covers the case's id)
OWN = {"id", "household_id", "chain_head"}

Step = Callable[[World, int], None]


def twins(world: World, steps: list[Step], category: str = "dibao") -> tuple[int, int]:
    """Two cases taken through the same steps, each step done to both at the same moment."""
    ids = (
        world.apply(application(members=2, category=category)),
        world.apply(application(members=2, category=category)),
    )
    for step in steps:
        clock = world.clock.now()
        for case_id in ids:
            world.clock.set(clock)
            step(world, case_id)
    return ids


def _death(world: World, case_id: int) -> None:
    second = _member_numbers(world, case_id)[1]
    record_death(world.uow(), world.actors["clerk"], case_id, second, world.today())


def _care_change(world: World, case_id: int) -> None:
    report_care_change(world.uow(), world.actors["clerk"], case_id, "中风后不能独立行走")


def _unstarted_check(world: World, case_id: int) -> None:
    """A check requested during a recheck that the county never started."""
    world.fire(case_id, "start_recheck", "reviewer", "复核")
    request_data_check(world.uow(), world.actors["reviewer"], case_id, ["tax"], "核对纳税")
    world.fire(case_id, "confirm_unchanged", "reviewer", "家庭情况无变化")


def _assess_and_approve_tekun(world: World, case_id: int) -> None:
    for number in _member_numbers(world, case_id):
        record_self_care_assessment(
            world.rt.uow(), world.actors["approver2"], case_id, number, world.today(), []
        )
    world.investigate(case_id, level="county", investigators=("approver", "approver2"))
    world.fire(case_id, "approve", "approver")


def _later(days: float) -> Step:
    def step(world: World, case_id: int) -> None:
        world.clock.set(world.clock.now() + dt.timedelta(days=days))

    return step


def _recheck(world: World, single: int) -> None:
    world.fire(single, "start_recheck", "reviewer", REASON["start_recheck"](world.today()))
    start_due_rechecks(world.rt.uow, world.actors["reviewer"], world.today() + YEAR)


def _end_phase_out(world: World, single: int) -> None:
    world.fire(single, "end_phase_out", "approver", REASON["end_phase_out"](world.today()))
    end_due_phase_outs(world.rt.uow, world.actors["approver"], world.today())


YEAR = dt.timedelta(days=400)
#: the reason the bulk command writes, given to the single step too
REASON: dict[str, Callable[[dt.date], str]] = {
    "start_recheck": lambda as_of: f"定期核查到期（截至{(as_of + YEAR).isoformat()}）",
    "end_phase_out": lambda as_of: f"渐退期满，停发保障金（截至{as_of.isoformat()}）",
}

ACTIVE = path_to(S.ACTIVE)
TEKUN_ACTIVE = [*path_to(S.PENDING_CONFIRMATION), _later(0.1), _assess_and_approve_tekun]
PHASING = path_to(S.PHASING_OUT)

#: (trigger, how the twins get there, category, how it is fired both ways)
CASES: dict[str, tuple[str, list[Step], str]] = {
    "recheck of a plain case": ("start_recheck", [*ACTIVE, _later(30)], "dibao"),
    "recheck after a death (Art. 31; 2022 notice)": (
        "start_recheck",
        [*ACTIVE, _later(20), _death, _later(10)],
        "dibao",
    ),
    "recheck with an unstarted data check (Art. 17)": (
        "start_recheck",
        [*ACTIVE, _later(20), _unstarted_check, _later(10)],
        "dibao",
    ),
    "recheck of a tekun case whose self-care changed (TK Art. 22)": (
        "start_recheck",
        [*TEKUN_ACTIVE, _later(20), _care_change, _later(1)],
        "tekun",
    ),
    "end of a phase-out (2022 notice)": ("end_phase_out", [*PHASING, _later(190)], "dibao"),
    "end of a phase-out after a death": (
        "end_phase_out",
        [*PHASING, _later(20), _death, _later(170)],
        "dibao",
    ),
}
FIRE = {"start_recheck": _recheck, "end_phase_out": _end_phase_out}


def case_row(world: World, case_id: int) -> dict[str, Any]:
    """Every column of the case but its identity."""
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        return {c.key: getattr(case, c.key) for c in Case.__table__.columns if c.key not in OWN}


def claims(world: World, case_id: int) -> list[Any]:
    """When each of the case's claims on its members was released (None: still held)."""
    with world.rt.reader() as uow:
        return list(
            uow.session.scalars(
                select(CaseClaim.released_at)
                .where(CaseClaim.case_id == case_id)
                .order_by(CaseClaim.id)
            )
        )


def last_entry(world: World, case_id: int) -> dict[str, Any]:
    """The case's last audit entry, but for what names the path (the payload's inputs)."""
    with world.rt.reader() as uow:
        entry = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq.desc())
        ).first()
        assert entry is not None
        return {
            "trigger": entry.trigger,
            "from_state": entry.from_state,
            "to_state": entry.to_state,
            "actor": entry.actor_id,
            "at": entry.at,
            "reason": entry.reason,
            "version": json.loads(entry.payload)["version"],
        }


@pytest.mark.parametrize("name", list(CASES))
def test_bulk_leaves_the_rows_a_single_step_leaves(
    world: World, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    trigger, steps, category = CASES[name]
    # the county's random check of a file (TK Art. 16) draws the same for both twins
    monkeypatch.setattr(decisions, "sampling_draw", lambda: Decimal("0.5"))
    assert not RULES[trigger].guards  # the rules the bulk commands may run
    single, bulk = twins(world, steps, category)
    assert case_row(world, single) == case_row(world, bulk)
    FIRE[trigger](world, single)
    assert str(case_row(world, bulk)["state"]) == str(RULES[trigger].dest)
    assert case_row(world, bulk) == case_row(world, single)
    assert claims(world, bulk) == claims(world, single)
    assert last_entry(world, bulk) == last_entry(world, single)
