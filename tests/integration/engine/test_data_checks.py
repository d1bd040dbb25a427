"""Information checks (信息核对, 《最低生活保障审核确认办法》Art. 17): requested by the township,
started by the county within 3 working days of the request, answered with a result."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from audit.models import AuditEntry
from engine.errors import Conflict, Forbidden, InvalidData
from engine.models import Case, DataCheck
from engine.services.case_deadlines import deadlines_of
from engine.services.data_checks import (
    record_data_check_result,
    request_data_check,
    start_data_check,
)
from engine.states import CaseState
from tests.support import World

SOURCES = ["household_registration", "tax", "real_estate", "vehicles"]


def investigating(world: World) -> int:
    case_id = world.apply()
    world.to_state(case_id, CaseState.INVESTIGATING)
    return case_id


def check_deadline(world: World, case_id: int) -> tuple[str, bool] | None:
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        found = {d.name: d for d in deadlines_of(uow, case)}.get("data_check")
    return None if found is None else (found.status, found.overdue)


def trail(world: World, case_id: int) -> list[str]:
    with world.rt.reader() as uow:
        return list(
            uow.session.scalars(
                select(AuditEntry.trigger)
                .where(AuditEntry.case_id == case_id)
                .order_by(AuditEntry.seq)
            )
        )


def test_a_check_is_requested_started_and_answered_with_each_step_in_the_trail(
    world: World,
) -> None:
    """Art. 17: the township requests (who, when, which records), the county starts the check
    and records the result."""
    case_id = investigating(world)
    assert check_deadline(world, case_id) is None  # nothing requested: nothing to miss
    ref = request_data_check(world.uow(), world.actors["reviewer"], case_id, SOURCES, "核对房产")
    assert check_deadline(world, case_id) == ("pending", False)
    world.pass_days(1)
    start_data_check(world.uow(), world.actors["approver"], case_id, ref.id)
    assert check_deadline(world, case_id) == ("met", False)
    record_data_check_result(
        world.uow(), world.actors["approver"], case_id, ref.id, True, "名下有商品房一套"
    )
    with world.rt.reader() as uow:
        row = uow.session.get(DataCheck, ref.id)
        assert row is not None
        assert row.sources.split(",") == SOURCES and row.discrepancy is True
        assert row.started_at is not None and row.completed_at is not None
    assert trail(world, case_id)[-3:] == [
        "request_data_check",
        "start_data_check",
        "record_data_check_result",
    ]


def test_a_check_not_started_within_three_working_days_of_the_request_is_overdue(
    world: World,
) -> None:
    """Art. 17: 3 working days from the request to the start of the check."""
    case_id = investigating(world)
    request_data_check(world.uow(), world.actors["clerk"], case_id, ["tax"])
    world.pass_days(7)  # Monday + 7 calendar days: past the third working day
    assert check_deadline(world, case_id) == ("pending", True)


def test_only_the_county_starts_a_check_or_records_its_result(world: World) -> None:
    case_id = investigating(world)
    ref = request_data_check(world.uow(), world.actors["clerk"], case_id, ["tax"])
    with pytest.raises(Forbidden) as township:
        start_data_check(world.uow(), world.actors["clerk2"], case_id, ref.id)
    assert township.value.code == "county_only"
    with pytest.raises(Forbidden):
        start_data_check(world.uow(), world.actors["reviewer"], case_id, ref.id)
    # a result for a check not marked started starts it at the same moment
    record_data_check_result(world.uow(), world.actors["approver"], case_id, ref.id, False, "无")
    with world.rt.reader() as uow:
        row = uow.session.get(DataCheck, ref.id)
        assert row is not None and row.started_at == row.completed_at


def test_bad_requests_are_refused_and_nothing_is_written(world: World) -> None:
    case_id = investigating(world)
    before = trail(world, case_id)
    for sources in ([], ["horoscope"], ["tax", "tax"]):
        with pytest.raises(InvalidData) as bad:
            request_data_check(world.uow(), world.actors["clerk"], case_id, sources)
        assert bad.value.problems[0].field == "sources"
    ref = request_data_check(world.uow(), world.actors["clerk"], case_id, ["tax"])
    with pytest.raises(Conflict) as twice:
        request_data_check(world.uow(), world.actors["clerk"], case_id, ["vehicles"])
    assert twice.value.code == "check_open"
    with pytest.raises(InvalidData):
        record_data_check_result(world.uow(), world.actors["approver"], case_id, ref.id, False, " ")
    assert trail(world, case_id) == [*before, "request_data_check"]
    record_data_check_result(world.uow(), world.actors["approver"], case_id, ref.id, False, "无")
    with pytest.raises(Conflict) as done:
        start_data_check(world.uow(), world.actors["approver"], case_id, ref.id)
    assert done.value.code == "check_done"


def test_no_check_is_requested_once_the_case_is_decided(world: World) -> None:
    case_id = world.apply()
    world.to_state(case_id, CaseState.ACTIVE)
    with pytest.raises(Conflict) as refused:
        request_data_check(world.uow(), world.actors["clerk"], case_id, ["tax"])
    assert refused.value.code == "invalid_state"
