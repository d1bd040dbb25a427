"""Signing in: credentials checked, failures limited per user and per address, all recorded.

Every attempt through the UI or the API is a ``sign_in_event`` row (append-only).
After too many failures within the window, a user name — or an address —
is refused even with the right password until the window has passed; the
refusal is recorded too. A successful sign-in does not wipe earlier failures
from the record; it only starts a new count for the user.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from audit.models import SignInEvent
from engine.errors import DomainError
from engine.models import User
from engine.ports import Actor
from engine.services.users import actor_of, dummy_password_check, end_sessions, verify_password
from engine.uow import UnitOfWork

FAILURES = ("bad_credentials", "locked_user", "locked_address")


class SignInRefused(DomainError):
    """Wrong credentials, or too many recent failures (401 in the API)."""

    code = "sign_in_refused"


@dataclass(frozen=True)
class SignInLimits:
    """How many failures a user name and an address may have within the window."""

    per_user: int
    per_address: int
    window: dt.timedelta


def _failures(
    session: Session, column: InstrumentedAttribute[str], value: str, since: dt.datetime
) -> int:
    """Failed attempts on this user name or address since ``since``."""
    return (
        session.scalar(
            select(func.count())
            .select_from(SignInEvent)
            .where(column == value, SignInEvent.outcome.in_(FAILURES), SignInEvent.at > since)
        )
        or 0
    )


def _user_failures(session: Session, name: str, since: dt.datetime) -> int:
    """Failures on the user name within the window, counted from its last good sign-in."""
    last_ok = session.scalar(
        select(func.max(SignInEvent.at)).where(
            SignInEvent.username == name, SignInEvent.outcome == "ok"
        )
    )
    start = max(since, last_ok) if last_ok is not None else since
    return _failures(session, SignInEvent.username, name, start)


def sign_in(
    uow: UnitOfWork,
    username: str,
    password: str,
    address: str,
    channel: str,
    limits: SignInLimits,
) -> Actor:
    """Return the actor for valid credentials; record the attempt whatever its outcome."""
    with uow:
        session = uow.session
        now = uow.clock.now()
        since = now - limits.window
        name = username.strip()[:64]
        user = session.scalar(select(User).where(User.username == name))
        if _user_failures(session, name, since) >= limits.per_user:
            outcome = "locked_user"
        elif _failures(session, SignInEvent.address, address, since) >= limits.per_address:
            outcome = "locked_address"
        elif user is None or not user.active:
            dummy_password_check(password)  # as slow as a real check: names do not leak
            outcome = "bad_credentials"
        elif not verify_password(user.password_hash, password):
            outcome = "bad_credentials"
        else:
            outcome = "ok"
        session.add(
            SignInEvent(
                at=now,
                username=name,
                user_id=user.id if user is not None else None,
                address=address[:64],
                channel=channel,
                outcome=outcome,
            )
        )
        uow.commit()
    if outcome == "ok":
        assert user is not None
        return actor_of(user)
    minutes = int(limits.window.total_seconds() // 60)
    if outcome == "bad_credentials":
        raise SignInRefused(
            "用户名或密码错误", "wrong user name or password", code="bad_credentials"
        )
    raise SignInRefused(
        f"登录失败次数过多，请{minutes}分钟后再试",
        f"too many failed sign-ins; try again in {minutes} minutes",
        code="too_many_attempts",
    )


def record_sign_out(uow: UnitOfWork, actor: Actor, address: str, channel: str) -> None:
    """Record a sign-out next to the sign-ins, and end every UI session of the user.

    Signing out anywhere signs out everywhere: a copied session cookie cannot
    outlive the sign-out of the session it was copied from.
    """
    with uow:
        end_sessions(uow.session, actor.user_id)
        uow.session.add(
            SignInEvent(
                at=uow.clock.now(),
                username=actor.username,
                user_id=actor.user_id,
                address=address[:64],
                channel=channel,
                outcome="signed_out",
            )
        )
        uow.commit()
