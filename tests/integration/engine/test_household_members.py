"""Household composition changes: members joining and leaving an open or enrolled case."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from audit.models import AuditEntry
from engine.errors import Conflict, Forbidden, InvalidData
from engine.models import Case, CaseClaim, Member
from engine.services import (
    Application,
    record_member_joined,
    record_member_left,
    submit_application,
)
from engine.states import CaseState
from tests.support import VILLAGE_A1, World, application, id_number, member

S = CaseState
TODAY = dt.date(2026, 3, 2)


def current(w: World, case_id: int) -> list[str]:
    """The relations of the case household's current members."""
    with w.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        return sorted(
            str(r)
            for r in uow.session.scalars(
                select(Member.relation).where(
                    Member.household_id == case.household_id, Member.left_at.is_(None)
                )
            )
        )


def last_entry(w: World, case_id: int) -> AuditEntry:
    with w.rt.reader() as uow:
        entry = uow.session.scalar(
            select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq.desc())
        )
        assert entry is not None
        return entry


def version(w: World, case_id: int) -> int:
    with w.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        return case.version


def test_a_newborn_joins_an_enrolled_household(world: World) -> None:
    case_id = world.apply(application(members=2))
    world.to_state(case_id, S.ACTIVE)
    before = version(world, case_id)
    baby = replace(member("child", name="王小宝"), id_number=id_number(dt.date(2026, 2, 1)))
    ref = record_member_joined(
        world.uow(), world.actors["clerk"], case_id, baby, dt.date(2026, 2, 1), "birth"
    )
    assert (ref.state, ref.version) == ("active", before + 1)
    assert current(world, case_id) == ["child", "self", "spouse"]
    entry = last_entry(world, case_id)
    payload = json.loads(entry.payload)
    assert entry.trigger == "member_joined"
    assert (payload["relation"], payload["reason"], payload["joined_on"]) == (
        "child",
        "birth",
        "2026-02-01",
    )
    assert payload["member"] != baby.id_number  # masked in the trail


def test_a_person_in_another_open_case_cannot_join(world: World) -> None:
    other = application(members=1)
    world.apply(other)
    case_id = world.apply(application(members=1))
    with pytest.raises(Conflict) as refused:
        record_member_joined(
            world.uow(),
            world.actors["clerk"],
            case_id,
            replace(other.members[0], relation="spouse"),
            TODAY,
            "marriage",
        )
    assert refused.value.code == "person_in_open_case"
    assert current(world, case_id) == ["self"]


@pytest.mark.parametrize(
    ("changes", "joined_on", "field"),
    [
        ({"relation": "self"}, TODAY, "member.relation"),
        ({"id_number": "5120221970"}, TODAY, "member.id_number"),
        ({"name": " "}, TODAY, "member.name"),
        ({}, TODAY + dt.timedelta(days=1), "joined_on"),
    ],
)
def test_bad_joins_name_the_field_and_write_nothing(
    world: World, changes: dict[str, object], joined_on: dt.date, field: str
) -> None:
    case_id = world.apply(application(members=1))
    newcomer = replace(member("spouse"), **changes)  # type: ignore[arg-type]
    with pytest.raises(InvalidData) as refused:
        record_member_joined(
            world.uow(), world.actors["clerk"], case_id, newcomer, joined_on, "marriage"
        )
    assert refused.value.problems[0].field == field
    assert current(world, case_id) == ["self"]
    assert version(world, case_id) == 2


def test_a_member_who_moves_out_is_free_to_apply_elsewhere(world: World) -> None:
    app = application(members=3)
    case_id = world.apply(app)
    world.to_state(case_id, S.ACTIVE)
    leaving = app.members[2]
    record_member_left(
        world.uow(), world.actors["clerk"], case_id, leaving.id_number, TODAY, "moved_out", "外出"
    )
    assert current(world, case_id) == ["self", "spouse"]
    entry = last_entry(world, case_id)
    assert (entry.trigger, entry.reason) == ("member_left", "外出")
    with world.rt.reader() as uow:
        open_claims = uow.session.scalar(
            select(func.count())
            .select_from(CaseClaim)
            .where(CaseClaim.case_id == case_id, CaseClaim.released_at.is_(None))
        )
    assert open_claims == 2
    own = Application("dibao", VILLAGE_A1, [replace(leaving, relation="self")])
    assert submit_application(world.uow(), world.actors["clerk"], own).state == "submitted"


def test_the_applicant_cannot_leave_and_strangers_are_refused(world: World) -> None:
    app = application(members=2)
    case_id = world.apply(app)
    with pytest.raises(Conflict) as applicant:
        record_member_left(
            world.uow(), world.actors["clerk"], case_id, app.members[0].id_number, TODAY, "other"
        )
    assert applicant.value.code == "applicant_cannot_leave"
    with pytest.raises(InvalidData) as stranger:
        record_member_left(
            world.uow(), world.actors["clerk"], case_id, id_number(), TODAY, "moved_out"
        )
    assert stranger.value.problems[0].field == "id_number"
    assert current(world, case_id) == ["self", "spouse"]


def test_household_changes_need_staff_and_an_open_case(world: World) -> None:
    app = application(members=2)
    case_id = world.apply(app)
    with pytest.raises(Forbidden):
        record_member_left(
            world.uow(),
            world.actors["inspector"],
            case_id,
            app.members[1].id_number,
            TODAY,
            "moved_out",
        )
    world.fire(case_id, "withdraw", "clerk", "申请人撤回")
    with pytest.raises(Conflict) as ended:
        record_member_joined(
            world.uow(), world.actors["clerk"], case_id, member("child"), TODAY, "birth"
        )
    assert ended.value.code == "invalid_state"
