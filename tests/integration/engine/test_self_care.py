"""The self-care assessment of tekun persons (《特困人员认定办法》 Arts. 20-23): six indicators,
the result and care level they set, the assessment before confirmation, and the reassessment
within 10 working days of a reported change."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.case_view import case_detail
from engine.errors import Conflict, InvalidData
from engine.models import Case
from engine.rulebook import national_rules
from engine.services.case_deadlines import deadlines_of
from engine.services.self_care import (
    INDICATORS,
    record_self_care_assessment,
    report_care_change,
    self_care_result,
)
from engine.states import CaseState
from tests.support import World, application

ON = dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("failed", "result"),
    [
        (0, "self_caring"),
        (1, "partly_lost"),
        (2, "partly_lost"),
        (3, "partly_lost"),
        (4, "fully_lost"),
        (5, "fully_lost"),
        (6, "fully_lost"),
    ],
)
def test_the_six_indicators_set_the_result_art_21(failed: int, result: str) -> None:
    """TK Art. 21: all six managed, self-caring; 1-3 failed, partly lost; 4-6, fully lost."""
    assert self_care_result(failed, national_rules(), ON) == result


def tekun_case(world: World) -> tuple[int, str]:
    app = application(members=1, category="tekun")
    case_id = world.apply(app)
    world.to_state(case_id, CaseState.PENDING_CONFIRMATION)
    return case_id, app.members[0].id_number


def assess(world: World, case_id: int, person: str, failed: list[str]) -> str:
    return record_self_care_assessment(
        world.uow(), world.actors["approver2"], case_id, person, world.today(), failed
    ).result


def test_an_assessment_is_recorded_with_its_result_and_bad_indicators_are_refused(
    world: World,
) -> None:
    case_id, person = tekun_case(world)
    with pytest.raises(InvalidData) as unknown:
        assess(world, case_id, person, ["eating", "juggling"])
    assert unknown.value.problems[0].code == "unknown_indicator"
    assert "第二十一条" in unknown.value.problems[0].message
    with pytest.raises(InvalidData):
        assess(world, case_id, person, ["eating", "eating"])
    assert assess(world, case_id, person, list(INDICATORS[:4])) == "fully_lost"
    with world.rt.reader() as uow:
        trail = case_detail(uow, world.actors["approver"], case_id).audit_entries
    assert trail > 0


def test_only_tekun_cases_are_assessed(world: World) -> None:
    app = application(members=1)
    case_id = world.apply(app)
    with pytest.raises(Conflict) as refused:
        assess(world, case_id, app.members[0].id_number, [])
    assert refused.value.code == "not_tekun"


def test_a_reported_change_is_reassessed_within_ten_working_days_art_22(world: World) -> None:
    """TK Art. 22: a reported change in self-care is reassessed within 10 working days."""
    case_id, person = tekun_case(world)
    assess(world, case_id, person, [])
    world.investigate(
        case_id, level="county", investigators=("approver", "approver2"), by="approver"
    )
    world.fire(case_id, "approve", "approver")
    world.pass_days(1)
    report_care_change(world.uow(), world.actors["clerk"], case_id, "中风后不能独立行走")

    def deadline() -> tuple[str, bool]:
        with world.rt.reader() as uow:
            case = uow.session.get(Case, case_id)
            assert case is not None
            found = {d.name: d for d in deadlines_of(uow, case)}["self_care_reassessment"]
        return found.status, found.overdue

    assert deadline() == ("pending", False)
    world.pass_days(15)  # more than 10 working days
    assert deadline() == ("pending", True)
    assert assess(world, case_id, person, ["indoor_walking", "bathing"]) == "partly_lost"
    assert deadline()[0] == "met"
