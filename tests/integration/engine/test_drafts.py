"""update_draft(): a draft's application corrected, and submitted when the clerk says so."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from sqlalchemy import select

from audit.models import AuditEntry
from engine.errors import Conflict, Forbidden, InvalidData
from engine.models import Case, CaseClaim, Household, Member, Person
from engine.services import PropertyInput, update_draft
from engine.states import CaseState
from tests.support import VILLAGE_A2, World, application, member

S = CaseState


def trail(w: World, case_id: int) -> list[str]:
    with w.rt.reader() as uow:
        return list(
            uow.session.scalars(
                select(AuditEntry.trigger)
                .where(AuditEntry.case_id == case_id)
                .order_by(AuditEntry.seq)
            )
        )


def current_numbers(w: World, case_id: int) -> set[str]:
    with w.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        return set(
            uow.session.scalars(
                select(Person.id_number)
                .join(Member, Member.person_id == Person.id)
                .where(Member.household_id == case.household_id, Member.left_at.is_(None))
            )
        )


def claimed_numbers(w: World, case_id: int) -> set[str]:
    with w.rt.reader() as uow:
        return set(
            uow.session.scalars(
                select(Person.id_number)
                .join(CaseClaim, CaseClaim.person_id == Person.id)
                .where(CaseClaim.case_id == case_id, CaseClaim.released_at.is_(None))
            )
        )


def test_a_draft_is_corrected_members_claims_and_means_follow(world: World) -> None:
    app = application(members=3, draft=True)
    case_id = world.apply(app)
    newborn = member("child", "0")
    corrected = dataclasses.replace(
        app,
        village_code=VILLAGE_A2,
        members=[app.members[0], app.members[1], newborn],
        rigid_expenses_yuan=Decimal("120"),
        property=PropertyInput(deposits_yuan=Decimal("3000"), vehicles=0),
    )
    ref = update_draft(world.uow(), world.actors["clerk"], case_id, corrected, expected_version=1)
    assert (ref.state, ref.version) == (S.DRAFT, 2)
    wanted = {m.id_number for m in corrected.members}
    assert current_numbers(world, case_id) == wanted
    assert claimed_numbers(world, case_id) == wanted  # the one removed is free again
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None and case.village_code == VILLAGE_A2
        household = uow.session.get(Household, case.household_id)
        assert household is not None
        assert (household.rigid_expenses, household.deposits_fen, household.vehicles) == (
            Decimal("120.00"),
            300000,
            0,
        )
        entry = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq.desc())
        ).first()
        assert entry is not None and entry.trigger == "update_draft"
    assert trail(world, case_id) == ["create", "update_draft"]
    # the member removed may now apply elsewhere
    removed = dataclasses.replace(app.members[2], relation="self")
    world.apply(dataclasses.replace(application(members=1), members=[removed]))


def test_saving_without_keeping_the_draft_submits_the_case(world: World) -> None:
    app = application(members=2, draft=True)
    case_id = world.apply(app)
    ref = update_draft(
        world.uow(), world.actors["clerk"], case_id, dataclasses.replace(app, draft=False)
    )
    assert ref.state == S.SUBMITTED
    assert trail(world, case_id) == ["create", "update_draft", "submit"]


def test_only_a_draft_is_corrected(world: World) -> None:
    app = application(members=2)
    case_id = world.apply(app)
    with pytest.raises(Conflict) as refused:
        update_draft(world.uow(), world.actors["clerk"], case_id, app)
    assert refused.value.code == "not_a_draft"
    assert trail(world, case_id) == ["create", "submit"]


def test_a_member_added_from_another_open_case_is_refused_and_nothing_written(
    world: World,
) -> None:
    other = application(members=2)
    world.apply(other)
    app = application(members=1, draft=True)
    case_id = world.apply(app)
    taken = dataclasses.replace(app, members=[app.members[0], other.members[1]])
    with pytest.raises(Conflict) as refused:
        update_draft(world.uow(), world.actors["clerk"], case_id, taken)
    assert refused.value.code == "person_in_open_case"
    assert current_numbers(world, case_id) == {app.members[0].id_number}
    assert trail(world, case_id) == ["create"]


def test_a_stale_or_invalid_correction_writes_nothing(world: World) -> None:
    app = application(members=2, draft=True)
    case_id = world.apply(app)
    update_draft(world.uow(), world.actors["clerk"], case_id, app)
    with pytest.raises(Conflict) as stale:
        update_draft(world.uow(), world.actors["clerk"], case_id, app, expected_version=1)
    assert stale.value.code == "version_conflict"
    two_applicants = dataclasses.replace(
        app, members=[app.members[0], dataclasses.replace(app.members[1], relation="self")]
    )
    with pytest.raises(InvalidData):
        update_draft(world.uow(), world.actors["clerk"], case_id, two_applicants)
    assert trail(world, case_id) == ["create", "update_draft"]


def test_only_clerks_of_the_village_correct_a_draft(world: World) -> None:
    app = application(members=1, draft=True)
    case_id = world.apply(app)
    for user in ("reviewer", "approver", "clerk_b"):
        with pytest.raises(Forbidden):
            update_draft(world.uow(), world.actors[user], case_id, app)
    assert trail(world, case_id) == ["create"]
