"""Accounts managed by administrators: region limits, token revocation, the users ledger."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from audit.models import LedgerEntry
from engine.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.models import ApiToken, User
from engine.services.users import (
    NewUser,
    actor_for_token,
    actor_of,
    approve_user,
    create_user,
    issue_token,
    update_user,
)
from tests.support import COUNTY, PASSWORD, TOWNSHIP_A, TOWNSHIP_B, World


def events(world: World) -> list[tuple[str, str]]:
    with world.rt.reader() as uow:
        return [
            (e.event, e.actor)
            for e in uow.session.scalars(
                select(LedgerEntry)
                .where(LedgerEntry.ledger == f"users:{COUNTY}")
                .order_by(LedgerEntry.seq)
            )
        ]


def test_an_administrator_creates_accounts_in_their_region_only(world: World) -> None:
    admin = world.actors["admin"]
    create_user(world.uow(), NewUser("clerk_c", "clerk", TOWNSHIP_B, PASSWORD), admin)
    assert events(world)[-1] == ("create_user", "admin")
    township_admin = NewUser("admin_a", "admin", TOWNSHIP_A, PASSWORD)
    create_user(world.uow(), township_admin, admin)
    with world.rt.reader() as uow:
        user = uow.session.scalar(select(User).where(User.username == "admin_a"))
        assert user is not None
        narrow = actor_of(user)
    with pytest.raises(InvalidData) as err:
        create_user(world.uow(), NewUser("clerk_d", "clerk", TOWNSHIP_B, PASSWORD), narrow)
    assert [p.field for p in err.value.problems] == ["region"]


def test_only_administrators_manage_accounts(world: World) -> None:
    with pytest.raises(Forbidden):
        create_user(
            world.uow(), NewUser("x_user", "clerk", TOWNSHIP_A, PASSWORD), world.actors["approver"]
        )
    with pytest.raises(Forbidden):
        update_user(world.uow(), world.actors["inspector"], world.actors["clerk"].user_id or 0)


def test_a_reset_password_or_deactivation_revokes_the_tokens(world: World) -> None:
    clerk = world.actors["clerk"]
    issue_token(world.uow(), clerk, dt.timedelta(hours=1))
    update_user(world.uow(), world.actors["admin"], clerk.user_id or 0, password="another-pass")
    with world.rt.reader() as uow:
        tokens = uow.session.scalars(
            select(ApiToken).where(ApiToken.user_id == clerk.user_id)
        ).all()
        assert tokens and all(t.revoked_at is not None for t in tokens)
    assert events(world)[-1] == ("update_user", "admin")


def test_nothing_changed_writes_nothing(world: World) -> None:
    before = events(world)
    clerk = world.actors["clerk"]
    update_user(world.uow(), world.actors["admin"], clerk.user_id or 0, active=True)
    assert events(world) == before


def test_refusals_name_the_reason(world: World) -> None:
    admin = world.actors["admin"]
    with pytest.raises(Conflict):
        update_user(world.uow(), admin, admin.user_id or 0, active=False)
    with pytest.raises(NotFound):
        update_user(world.uow(), admin, 999_999, display_name="x")
    with pytest.raises(InvalidData):
        update_user(world.uow(), admin, world.actors["clerk"].user_id or 0, password="short")


def pending(world: World, username: str) -> bool:
    with world.rt.reader() as uow:
        user = uow.session.scalar(select(User).where(User.username == username))
        assert user is not None
        return user.pending_since is not None


def test_an_account_that_sees_personal_data_waits_for_a_second_administrator(
    world: World,
) -> None:
    admin = world.actors["admin"]
    user_id = create_user(world.uow(), NewUser("inspector_c", "inspector", COUNTY, PASSWORD), admin)
    assert pending(world, "inspector_c")
    with pytest.raises(Conflict) as refused:
        approve_user(world.uow(), admin, user_id)
    assert refused.value.code == "four_eyes"
    create_user(world.uow(), NewUser("admin2", "admin", COUNTY, PASSWORD))
    with world.rt.reader() as uow:
        second = actor_of(uow.session.scalar(select(User).where(User.username == "admin2")))  # type: ignore[arg-type]
    approve_user(world.uow(), second, user_id)
    assert not pending(world, "inspector_c")
    assert events(world)[-1] == ("approve_user", "admin2")
    with pytest.raises(Conflict) as again:
        approve_user(world.uow(), second, user_id)
    assert again.value.code == "not_pending"


def test_accounts_the_operator_creates_and_masked_accounts_need_no_second_approval(
    world: World,
) -> None:
    create_user(world.uow(), NewUser("clerk_op", "clerk", TOWNSHIP_A, PASSWORD))
    create_user(
        world.uow(), NewUser("admin_a", "admin", TOWNSHIP_A, PASSWORD), world.actors["admin"]
    )
    assert not pending(world, "clerk_op") and not pending(world, "admin_a")


def test_a_new_password_set_by_an_administrator_waits_and_its_tokens_do_not_work(
    world: World,
) -> None:
    clerk = world.actors["clerk2"]
    assert clerk.user_id is not None
    token = issue_token(world.uow(), clerk, dt.timedelta(hours=1))
    update_user(world.uow(), world.actors["admin"], clerk.user_id, password="another-secret")
    assert pending(world, "clerk2")
    assert actor_for_token(world.uow(), token) is None
    approve_user(world.uow(), None, clerk.user_id)
    fresh = issue_token(world.uow(), clerk, dt.timedelta(hours=1))
    assert actor_for_token(world.uow(), fresh) is not None
