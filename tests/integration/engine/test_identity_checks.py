"""Names checked against people registered in other regions: recorded and rationed, so a
clerk cannot learn whose ID number carries which name by guessing (PIPL Art. 28)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from sqlalchemy import select

from audit.models import LedgerEntry
from engine.errors import Forbidden, InvalidData
from engine.services import Application, record_member_joined
from engine.services.identity_checks import NAME_TRIES_PER_DAY
from engine.states import CaseState
from tests.support import VILLAGE_A1, VILLAGE_B1, World, application


def identity_entries(w: World) -> list[tuple[str, str, dict[str, Any]]]:
    with w.rt.reader() as uow:
        rows = uow.session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.ledger.startswith("identity:"))
            .order_by(LedgerEntry.id)
        ).all()
        return [(r.actor, r.event, json.loads(r.payload)) for r in rows]


def registered_in_township_b(w: World) -> Application:
    """A household registered by township B, whose case was then withdrawn."""
    app = application(members=1, village=VILLAGE_B1)
    case_id = w.apply(app, by="clerk_b")
    w.fire(case_id, "withdraw", "clerk_b", "撤回")
    return app


def guess(w: World, app: Application, name: str) -> None:
    person = dataclasses.replace(app.members[0], name=name)
    w.apply(Application("dibao", VILLAGE_A1, [person]))


def test_a_wrong_name_for_a_person_of_another_township_is_recorded_for_inspectors(
    world: World,
) -> None:
    app = registered_in_township_b(world)
    with pytest.raises(InvalidData) as refused:
        guess(world, app, "张三")
    assert refused.value.problems[0].code == "name_mismatch"
    ((actor, event, payload),) = identity_entries(world)
    assert (actor, event) == ("clerk", "name_mismatch_elsewhere")
    assert payload["attempted"] == "submit_application"
    assert app.members[0].id_number not in str(payload)  # masked in the ledger


def test_after_the_days_tries_no_answer_is_given_about_people_registered_elsewhere(
    world: World,
) -> None:
    app = registered_in_township_b(world)
    for i in range(NAME_TRIES_PER_DAY):
        with pytest.raises(InvalidData):
            guess(world, app, f"猜测{i}")
    with pytest.raises(Forbidden) as stopped:
        guess(world, app, app.members[0].name)  # even the right name gets no answer now
    assert stopped.value.code == "name_tries_exhausted"
    world.pass_days(1.01)
    guess(world, app, app.members[0].name)  # the window passed: the right name is accepted


def test_a_mistyped_name_of_someone_the_township_handled_is_neither_recorded_nor_counted(
    world: World,
) -> None:
    app = application(members=1)
    case_id = world.apply(app)
    world.fire(case_id, "withdraw", "clerk", "撤回")
    for i in range(NAME_TRIES_PER_DAY + 1):
        with pytest.raises(InvalidData) as refused:
            guess(world, app, f"错字{i}")
        assert refused.value.problems[0].code == "name_mismatch"
    assert identity_entries(world) == []


def test_a_new_member_with_a_wrong_name_for_a_person_elsewhere_is_recorded_too(
    world: World,
) -> None:
    app = registered_in_township_b(world)
    case_id = world.apply(application(members=1))
    world.to_state(case_id, CaseState.ACTIVE)
    newcomer = dataclasses.replace(app.members[0], name="张三", relation="child")
    with pytest.raises(InvalidData):
        record_member_joined(
            world.uow(), world.actors["clerk"], case_id, newcomer, world.today(), "moved_in"
        )
    assert [e[2]["attempted"] for e in identity_entries(world)] == ["record_member_joined"]


def test_a_person_registered_elsewhere_with_the_right_name_applies_as_before(
    world: World,
) -> None:
    app = registered_in_township_b(world)
    guess(world, app, app.members[0].name)
    assert identity_entries(world) == []
