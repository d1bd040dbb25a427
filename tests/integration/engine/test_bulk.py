"""Bulk rechecks and phase-out ends: one entry per case, in batches, resumable, never twice."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from audit.models import AuditEntry
from audit.verify import verify_all
from engine.errors import Forbidden
from engine.models import Case
from engine.services.bulk import end_due_phase_outs, start_due_rechecks
from engine.states import CaseState
from tests.support import World, application, found_work

S = CaseState


def active_cases(w: World, n: int) -> list[int]:
    ids = []
    for _ in range(n):
        case_id = w.apply(application(members=1))
        w.to_state(case_id, S.ACTIVE)
        ids.append(case_id)
    return ids


def states(w: World, ids: list[int]) -> list[str]:
    with w.rt.reader() as uow:
        return [str(uow.session.get(Case, i).state) for i in ids]  # type: ignore[union-attr]


def entries(w: World, trigger: str) -> dict[int, int]:
    with w.rt.reader() as uow:
        return dict(
            uow.session.execute(
                select(AuditEntry.case_id, func.count())
                .where(AuditEntry.trigger == trigger)
                .group_by(AuditEntry.case_id)
            ).all()
        )


def test_due_rechecks_start_in_batches_with_one_entry_each(world: World) -> None:
    ids = active_cases(world, 5)
    year_later = world.clock.now().astimezone(world.clock.tz).date() + dt.timedelta(days=366)
    report = start_due_rechecks(world.rt.uow, world.actors["reviewer"], year_later, batch=2)
    assert (report.done, report.batches) == (5, 3)
    assert states(world, ids) == ["under_recheck"] * 5
    assert entries(world, "start_recheck") == dict.fromkeys(ids, 1)
    with world.rt.reader() as uow:
        assert verify_all(uow.session).ok


def test_nothing_is_due_before_its_date(world: World) -> None:
    ids = active_cases(world, 2)
    today = world.clock.now().astimezone(world.clock.tz).date()
    assert start_due_rechecks(world.rt.uow, world.actors["reviewer"], today).done == 0
    assert states(world, ids) == ["active", "active"]


def test_a_second_run_does_nothing_twice(world: World) -> None:
    ids = active_cases(world, 3)
    later = dt.date(2028, 1, 1)
    start_due_rechecks(world.rt.uow, world.actors["reviewer"], later)
    again = start_due_rechecks(world.rt.uow, world.actors["reviewer"], later)
    assert again.done == 0
    assert entries(world, "start_recheck") == dict.fromkeys(ids, 1)


def test_an_interrupted_run_loses_one_batch_and_the_rerun_does_the_rest(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = active_cases(world, 5)
    later = dt.date(2028, 1, 1)
    calls = {"n": 0}
    append_many = world.rt.audit.append_many

    def crash_on_second_batch(*args: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return append_many(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(world.rt.audit, "append_many", crash_on_second_batch)
    with pytest.raises(RuntimeError):
        start_due_rechecks(world.rt.uow, world.actors["reviewer"], later, batch=2)
    monkeypatch.undo()
    assert states(world, ids) == ["under_recheck"] * 2 + ["active"] * 3
    report = start_due_rechecks(world.rt.uow, world.actors["reviewer"], later, batch=2)
    assert report.done == 3
    assert entries(world, "start_recheck") == dict.fromkeys(ids, 1)
    with world.rt.reader() as uow:
        assert verify_all(uow.session).ok


def test_bulk_runs_keep_to_the_users_region_and_role(world: World) -> None:
    ids = active_cases(world, 2)
    later = dt.date(2028, 1, 1)
    assert start_due_rechecks(world.rt.uow, world.actors["reviewer_b"], later).done == 0
    with pytest.raises(Forbidden):
        start_due_rechecks(world.rt.uow, world.actors["clerk"], later)
    assert states(world, ids) == ["active", "active"]


def phasing_out(world: World) -> tuple[int, object]:
    """A case in phase-out after a member found work (2022 notice)."""
    app = application(members=2)
    case_id = world.apply(app)
    world.to_state(case_id, S.UNDER_RECHECK)
    found_work(world, case_id, {app.members[1].id_number: 2000})
    world.fire(case_id, "start_phase_out", "approver", "就业")
    return case_id, app


def test_phase_outs_end_after_their_months(world: World) -> None:
    """2022 notice: at most 6 months (the national default here)."""
    case_id, _app = phasing_out(world)
    started = world.clock.now().astimezone(world.clock.tz).date()
    early = end_due_phase_outs(
        world.rt.uow, world.actors["approver"], started + dt.timedelta(days=150)
    )
    assert early.done == 0
    done = end_due_phase_outs(
        world.rt.uow, world.actors["approver"], started + dt.timedelta(days=185)
    )
    assert done.case_ids == [case_id]
    assert states(world, [case_id]) == ["terminated"]
    assert entries(world, "end_phase_out") == {case_id: 1}


@pytest.mark.parametrize("way", ["bulk", "single"])
def test_a_phase_out_ended_in_bulk_frees_its_members_as_a_single_end_does(
    world: World, way: str
) -> None:
    """One code path for a transition's side effects (issue: the bulk end left the members'
    claims open, so they got 409 on applying again)."""
    from engine.models import CaseClaim
    from engine.services import Application

    case_id, app = phasing_out(world)
    started = world.today()
    world.pass_days(190)
    if way == "bulk":
        end_due_phase_outs(world.rt.uow, world.actors["approver"], started + dt.timedelta(days=190))
    else:
        world.fire(case_id, "end_phase_out", "approver", "渐退期满")
    with world.rt.reader() as uow:
        open_claims = uow.session.scalar(
            select(func.count())
            .select_from(CaseClaim)
            .where(CaseClaim.case_id == case_id, CaseClaim.released_at.is_(None))
        )
        case = uow.session.get(Case, case_id)
        assert case is not None
        assert (open_claims, case.next_recheck_on, str(case.state)) == (0, None, "terminated")
    again = world.apply(Application("dibao", app.village_code, app.members))  # type: ignore[attr-defined]
    assert again != case_id


def test_a_recheck_started_in_bulk_clears_the_deadline_it_met(world: World) -> None:
    (case_id,) = active_cases(world, 1)
    with world.rt.reader() as uow:
        assert uow.session.get(Case, case_id).due_kind == "recheck"  # type: ignore[union-attr]
    start_due_rechecks(world.rt.uow, world.actors["reviewer"], dt.date(2028, 1, 1))
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None and (case.due_on, case.due_kind) == (None, None)
