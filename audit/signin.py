"""Signing in: credentials checked, guessing slowed down, every attempt recorded.

Every attempt through the UI or the API is a ``sign_in_event`` row (append-only).

The trade-off, stated: a hard lock after a few failures stops guessing but
lets anyone who knows a user name lock its owner out (and 20 failures behind
one office's address would lock the whole office). So failures are answered
with growing delays instead:

- after ``per_user`` failures on a user name (counted within the window, from
  its last good sign-in), each further attempt must wait 1, 2, 4, 8 … seconds
  after the latest failure, up to the window; an attempt made too early is
  refused without looking at the password (``throttled_user``) and does not
  count. The real user, with the right password, gets in once the delay has
  passed; a guesser gets a handful of tries an hour.
- the same per address after ``per_address`` failures (``throttled_address``):
  an office behind one address is slowed down, never shut out.
- after ``lock_after`` failures on an account since its last good sign-in
  (or unlock), whatever the window, the account is locked (``locked_user``):
  sustained guessing is stopped for good, and only an administrator
  unlocks it (or resets the password). A second factor would let the owner
  unlock it alone; doudi has none yet.
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

#: attempts that tried a password and failed (refusals before the check do not count)
FAILURE = "bad_credentials"
#: before any sign-in doudi has recorded
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class SignInRefused(DomainError):
    """Wrong credentials, a delay not yet over, or a locked account (401/429 in the API)."""

    code = "sign_in_refused"

    def __init__(self, *args: object, retry_after: int | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        #: seconds until another attempt may be made (None: not a matter of waiting)
        self.retry_after = retry_after


@dataclass(frozen=True)
class SignInLimits:
    """When failures start slowing a user name or an address, and when they lock an account."""

    per_user: int
    per_address: int
    window: dt.timedelta
    lock_after: int = 20

    def delay(self, failures: int, limit: int) -> dt.timedelta:
        """How long after the latest failure the next attempt must wait."""
        if failures < limit:
            return dt.timedelta(0)
        seconds = 2 ** min(failures - limit, 30)
        return min(self.window, dt.timedelta(seconds=seconds))


def _failures(
    session: Session, column: InstrumentedAttribute[str], value: str, since: dt.datetime
) -> tuple[int, dt.datetime | None]:
    """How many failures on this user name or address since ``since``, and the latest."""
    count, latest = session.execute(
        select(func.count(), func.max(SignInEvent.at)).where(
            column == value, SignInEvent.outcome == FAILURE, SignInEvent.at > since
        )
    ).one()
    return count or 0, latest


def _counted_from(session: Session, name: str, user: User | None) -> dt.datetime | None:
    """The user name's last good sign-in, or the account's unlock if later."""
    last_ok: dt.datetime | None = session.scalar(
        select(func.max(SignInEvent.at)).where(
            SignInEvent.username == name, SignInEvent.outcome == "ok"
        )
    )
    unlocked = user.unlocked_at if user is not None else None
    moments = [m for m in (last_ok, unlocked) if m is not None]
    return max(moments) if moments else None


def _outcome(
    session: Session,
    name: str,
    user: User | None,
    password: str,
    address: str,
    now: dt.datetime,
    limits: SignInLimits,
) -> tuple[str, dt.timedelta]:
    """What this attempt comes to, and how long to wait when it must wait."""
    if user is not None and user.locked_at is not None:
        return "locked_user", dt.timedelta(0)
    start = _counted_from(session, name, user)
    since = max(now - limits.window, start) if start else now - limits.window
    count, latest = _failures(session, SignInEvent.username, name, since)
    wait = (latest + limits.delay(count, limits.per_user) - now) if latest else dt.timedelta(0)
    if count >= limits.per_user and wait > dt.timedelta(0):
        return "throttled_user", wait
    count, latest = _failures(session, SignInEvent.address, address, now - limits.window)
    wait = (latest + limits.delay(count, limits.per_address) - now) if latest else dt.timedelta(0)
    if count >= limits.per_address and wait > dt.timedelta(0):
        return "throttled_address", wait
    if user is None or not user.active:
        dummy_password_check(password)  # as slow as a real check: names do not leak
        return FAILURE, dt.timedelta(0)
    if not verify_password(user.password_hash, password):
        total, _ = _failures(session, SignInEvent.username, name, start or EPOCH)
        if total + 1 >= limits.lock_after:
            user.locked_at = now
        return FAILURE, dt.timedelta(0)
    if user.pending_since is not None:
        return "awaiting_approval", dt.timedelta(0)
    return "ok", dt.timedelta(0)


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
        name = username.strip()[:64]
        user = session.scalar(select(User).where(User.username == name))
        outcome, wait = _outcome(session, name, user, password, address, now, limits)
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
    if outcome == FAILURE:
        raise SignInRefused(
            "用户名或密码错误", "wrong user name or password", code="bad_credentials"
        )
    if outcome == "awaiting_approval":
        raise SignInRefused(
            "该账户由管理员新建或重设了密码，须经另一名管理员批准后才能登录",
            "an administrator created this account or set its password; it signs in once a "
            "second administrator approves",
            code="awaiting_approval",
        )
    if outcome == "locked_user":
        raise SignInRefused(
            "该账户因登录失败次数过多已被锁定，请联系系统管理员解锁",
            "this account is locked after too many failed sign-ins; an administrator unlocks it",
            code="account_locked",
        )
    seconds = max(1, int(wait.total_seconds() + 0.999))
    raise SignInRefused(
        f"登录失败次数过多，请{seconds}秒后再试",
        f"too many failed sign-ins; try again in {seconds} seconds",
        code="too_many_attempts",
        retry_after=seconds,
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
