"""Signing in: every attempt recorded; failures slow guessing down, and sustained guessing locks.

Growing delays rather than a hard lock after a few failures, so that knowing
a user name is not enough to shut its owner out (see audit/signin.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from audit.models import SignInEvent
from audit.signin import SignInLimits, SignInRefused, record_sign_out, sign_in
from engine.models import User
from engine.services.users import approve_user, update_user
from tests.support import PASSWORD, World

LIMITS = SignInLimits(per_user=3, per_address=5, window=dt.timedelta(minutes=15), lock_after=8)
HOME = "10.0.0.1"


def attempt(w: World, username: str, password: str, address: str = HOME) -> str:
    """The outcome code: 'ok' or the refusal's code."""
    try:
        sign_in(w.uow(), username, password, address, "ui", LIMITS)
    except SignInRefused as err:
        return err.code
    return "ok"


def wait(w: World, seconds: float) -> None:
    w.clock.advance(dt.timedelta(seconds=seconds))


def outcomes(w: World) -> list[tuple[str, str, str]]:
    with w.rt.reader() as uow:
        return [
            (e.username, e.address, e.outcome)
            for e in uow.session.scalars(select(SignInEvent).order_by(SignInEvent.id))
        ]


def test_a_good_sign_in_returns_the_actor_and_is_recorded(world: World) -> None:
    actor = sign_in(world.uow(), "clerk", PASSWORD, HOME, "ui", LIMITS)
    assert (actor.username, actor.role) == ("clerk", "clerk")
    record_sign_out(world.uow(), actor, HOME, "ui")
    assert outcomes(world) == [("clerk", HOME, "ok"), ("clerk", HOME, "signed_out")]


def test_wrong_passwords_and_unknown_names_are_refused_alike(world: World) -> None:
    assert attempt(world, "clerk", "wrong-password") == "bad_credentials"
    assert attempt(world, "nobody", PASSWORD) == "bad_credentials"
    assert [o for _, _, o in outcomes(world)] == ["bad_credentials", "bad_credentials"]


def test_failures_on_a_name_slow_it_down_but_never_shut_its_owner_out(world: World) -> None:
    for i in range(LIMITS.per_user):
        assert attempt(world, "clerk", "wrong-password", address=f"10.0.1.{i}") == "bad_credentials"
    # too soon: refused without looking at the password, recorded, not counted
    with pytest.raises(SignInRefused) as slowed:
        sign_in(world.uow(), "clerk", PASSWORD, HOME, "ui", LIMITS)
    assert slowed.value.code == "too_many_attempts" and slowed.value.retry_after == 1
    assert outcomes(world)[-1] == ("clerk", HOME, "throttled_user")
    assert attempt(world, "reviewer", PASSWORD) == "ok"  # others are not affected
    wait(world, 1)
    assert attempt(world, "clerk", PASSWORD) == "ok"  # the owner, once the delay is over


def test_each_further_failure_doubles_the_delay_up_to_the_window(world: World) -> None:
    delays = []
    for failures in range(1, LIMITS.per_user + 5):
        assert attempt(world, "clerk", "wrong-password") == "bad_credentials"
        if failures < LIMITS.per_user:
            continue
        with pytest.raises(SignInRefused) as slowed:  # even the right password, while it runs
            sign_in(world.uow(), "clerk", PASSWORD, HOME, "ui", LIMITS)
        assert slowed.value.retry_after is not None
        delays.append(slowed.value.retry_after)
        wait(world, slowed.value.retry_after)
    assert delays == [1, 2, 4, 8, 16]
    assert LIMITS.delay(40, LIMITS.per_user) == LIMITS.window


def test_an_office_behind_one_address_is_slowed_not_shut_out(world: World) -> None:
    office = "203.0.113.9"
    for i in range(LIMITS.per_address):
        assert attempt(world, f"guess{i}", "x", address=office) == "bad_credentials"
    assert attempt(world, "clerk", PASSWORD, address=office) == "too_many_attempts"
    assert outcomes(world)[-1] == ("clerk", office, "throttled_address")
    assert attempt(world, "clerk", PASSWORD) == "ok"  # from elsewhere
    wait(world, 1)
    assert attempt(world, "reviewer", PASSWORD, address=office) == "ok"


def test_sustained_guessing_locks_the_account_until_an_administrator_unlocks_it(
    world: World,
) -> None:
    for _ in range(LIMITS.lock_after):
        attempt(world, "clerk", "wrong-password")
        wait(world, LIMITS.window.total_seconds())
    assert attempt(world, "clerk", PASSWORD) == "account_locked"
    world.pass_days(2)
    assert attempt(world, "clerk", PASSWORD) == "account_locked"  # time does not unlock it
    update_user(world.uow(), world.actors["admin"], world.actors["clerk"].user_id, unlock=True)
    assert attempt(world, "clerk", PASSWORD) == "ok"
    with world.rt.reader() as uow:
        user = uow.session.scalar(select(User).where(User.username == "clerk"))
        assert user is not None and user.locked_at is None and user.unlocked_at is not None


def test_a_new_password_unlocks_a_locked_account(world: World) -> None:
    for _ in range(LIMITS.lock_after):
        attempt(world, "clerk", "wrong-password")
        wait(world, LIMITS.window.total_seconds())
    update_user(
        world.uow(), world.actors["admin"], world.actors["clerk"].user_id, password="new-pass-9x"
    )
    # the administrator knows the new password: it works once a second pair of eyes approves
    assert attempt(world, "clerk", "new-pass-9x") == "awaiting_approval"
    approve_user(world.uow(), None, world.actors["clerk"].user_id)
    assert attempt(world, "clerk", "new-pass-9x") == "ok"


def test_a_good_sign_in_starts_a_new_count_for_the_user(world: World) -> None:
    for _ in range(LIMITS.per_user - 1):
        attempt(world, "clerk", "wrong-password")
    assert attempt(world, "clerk", PASSWORD) == "ok"
    for _ in range(LIMITS.per_user - 1):
        assert attempt(world, "clerk", "wrong-password") == "bad_credentials"
    assert attempt(world, "clerk", PASSWORD) == "ok"


def test_the_record_is_append_only(world: World) -> None:
    attempt(world, "clerk", PASSWORD)
    with world.rt.uow() as uow:
        event = uow.session.scalar(select(SignInEvent))
        assert event is not None
        event.outcome = "bad_credentials"
        with pytest.raises(Exception, match="append-only"):
            uow.session.flush()
