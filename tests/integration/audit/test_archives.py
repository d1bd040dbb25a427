"""Retention (一户一档): enrolment files kept 3 years after the household's last case ended,
daily-management files 5 years after they were made, longer where the county says so; the
listing deletes nothing (DOMAIN.md "Retention"; the national floors are dated rules)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from audit.archives import past_retention
from audit.models import AuditEntry
from engine.errors import InvalidData
from engine.privacy import Disclosure
from engine.services.policy import NewParameter, set_parameter
from engine.states import CaseState
from tests.support import COUNTY, World

D = dt.date


def due(world: World, on: dt.date, reader: str = "inspector") -> list[tuple[str, int]]:
    with world.rt.reader() as uow:
        items = past_retention(
            uow.session, COUNTY, on, world.clock.tz, Disclosure(world.actors[reader])
        )
    return [(i.kind, i.case_ids[0]) for i in items]


def test_enrolment_files_pass_their_period_three_years_after_the_last_case_ended(
    world: World,
) -> None:
    """Enrolment files: at least 3 years after the household's last case ended."""
    case_id = world.apply()
    world.fire(case_id, "withdraw", "clerk", "申请人撤回")  # ended on 2 March 2026
    enrolled = world.apply()
    world.to_state(enrolled, CaseState.ACTIVE)  # still receiving: its files are kept
    assert due(world, D(2029, 3, 1)) == []
    assert due(world, D(2029, 3, 2)) == [("enrolment", case_id)]


def test_management_files_pass_their_period_five_years_after_they_were_made(
    world: World,
) -> None:
    """Daily-management files (rechecks, changes): at least 5 years after they were made."""
    case_id = world.apply()
    world.to_state(case_id, CaseState.ACTIVE)
    world.fire(case_id, "start_recheck", "reviewer")
    world.fire(case_id, "confirm_unchanged", "reviewer")
    made = world.today()
    assert due(world, D(made.year + 5, made.month, made.day)) == []
    assert due(world, D(made.year + 5, made.month, made.day + 1)) == [("management", case_id)]


def test_a_county_keeps_files_longer_never_shorter_and_nothing_is_deleted(
    world: World,
) -> None:
    case_id = world.apply()
    world.fire(case_id, "withdraw", "clerk", "申请人撤回")
    admin = world.actors["admin"]
    with pytest.raises(InvalidData) as refused:
        set_parameter(
            world.uow(),
            admin,
            NewParameter(COUNTY, "archive_years_enrolment", "2", D(2026, 1, 1), "县档案规定"),
        )
    assert refused.value.problems[0].code == "below_statutory_floor"
    set_parameter(
        world.uow(),
        admin,
        NewParameter(COUNTY, "archive_years_enrolment", "10", D(2026, 1, 1), "县档案规定"),
    )
    with world.rt.reader() as uow:
        before = uow.session.scalar(select(func.count()).select_from(AuditEntry))
    assert due(world, D(2030, 1, 1)) == []
    assert due(world, D(2036, 3, 3)) == [("enrolment", case_id)]
    with world.rt.reader() as uow:
        assert uow.session.scalar(select(func.count()).select_from(AuditEntry)) == before
