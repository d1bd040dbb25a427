"""Signing in: every attempt recorded, failures limited per user name and per address."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from audit.models import SignInEvent
from audit.signin import SignInLimits, SignInRefused, record_sign_out, sign_in
from tests.support import PASSWORD, World

LIMITS = SignInLimits(per_user=3, per_address=5, window=dt.timedelta(minutes=15))
HOME = "10.0.0.1"


def attempt(w: World, username: str, password: str, address: str = HOME) -> str:
    """The outcome code: 'ok' or the refusal's code."""
    try:
        sign_in(w.uow(), username, password, address, "ui", LIMITS)
    except SignInRefused as err:
        return err.code
    return "ok"


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


def test_a_user_name_is_locked_after_too_many_failures_until_the_window_passes(
    world: World,
) -> None:
    for _ in range(LIMITS.per_user):
        assert attempt(world, "clerk", "wrong-password", address=f"10.0.1.{_}") == (
            "bad_credentials"
        )
    # even the right password is refused now, and the refusal is recorded
    assert attempt(world, "clerk", PASSWORD) == "too_many_attempts"
    assert outcomes(world)[-1] == ("clerk", HOME, "locked_user")
    assert attempt(world, "reviewer", PASSWORD) == "ok"  # others are not affected
    world.pass_days(LIMITS.window / dt.timedelta(days=1) + 0.001)
    assert attempt(world, "clerk", PASSWORD) == "ok"


def test_a_good_sign_in_starts_a_new_count_for_the_user(world: World) -> None:
    for _ in range(LIMITS.per_user - 1):
        attempt(world, "clerk", "wrong-password")
    assert attempt(world, "clerk", PASSWORD) == "ok"
    for _ in range(LIMITS.per_user - 1):
        assert attempt(world, "clerk", "wrong-password") == "bad_credentials"
    assert attempt(world, "clerk", PASSWORD) == "ok"


def test_an_address_is_locked_after_too_many_failures_on_any_names(world: World) -> None:
    for i in range(LIMITS.per_address):
        assert attempt(world, f"guess{i}", "x", address="203.0.113.9") == "bad_credentials"
    assert attempt(world, "clerk", PASSWORD, address="203.0.113.9") == "too_many_attempts"
    assert outcomes(world)[-1] == ("clerk", "203.0.113.9", "locked_address")
    assert attempt(world, "clerk", PASSWORD) == "ok"  # from elsewhere


def test_the_record_is_append_only(world: World) -> None:
    attempt(world, "clerk", PASSWORD)
    with world.rt.uow() as uow:
        event = uow.session.scalar(select(SignInEvent))
        assert event is not None
        event.outcome = "bad_credentials"
        with pytest.raises(Exception, match="append-only"):
            uow.session.flush()
