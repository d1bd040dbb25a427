"""Users, passwords and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.access import county_of, covers, ensure_in_region, ensure_role
from engine.clock import today as local_today
from engine.errors import Conflict, NotFound, Problem, invalid_field, raise_invalid
from engine.identity import InvalidIdNumber, parse_id_number
from engine.models import ApiToken, Person, Region, RegionLevel, User
from engine.ports import OPERATOR, Actor, LedgerEvent
from engine.privacy import PERSONAL_DATA_ROLES
from engine.states import Role
from engine.uow import UnitOfWork

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,64}$")
MIN_PASSWORD_CHARS = 8

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash to verify against for unknown users, so timing does not reveal who exists."""
    return _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class NewUser:
    """A user account as the administrator enters it."""

    username: str
    role: str
    region_code: str
    password: str
    display_name: str = ""
    id_number: str | None = None


def actor_of(user: User) -> Actor:
    """Return the actor a user acts as."""
    return Actor(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        region_code=user.region_code,
        person_id=user.person_id,
    )


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def dummy_password_check(password: str) -> None:
    """Spend the time of a real check, for a user who does not exist."""
    verify_password(_dummy_hash(), password)


def verify_password(password_hash: str, password: str) -> bool:
    """Return whether ``password`` matches ``password_hash``."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


USER_ADMINS = frozenset({Role.ADMIN})


def _users_ledger(region_code: str) -> str:
    return f"users:{county_of(region_code)}"


def _needs_second_admin(actor: Actor | None, role: Role) -> bool:
    """Whether an account change by ``actor`` waits for a second administrator.

    An administrator sees personal data masked; one who creates an account that
    sees it unmasked, or sets its password, knows a way around the mask. The
    operator at the command line (``actor`` None) already holds the database.
    """
    return actor is not None and role in PERSONAL_DATA_ROLES


def _await_approval(user: User, actor: Actor | None, now: dt.datetime) -> None:
    user.pending_since = now
    user.pending_by_id = actor.user_id if actor is not None else None


def approve_user(uow: UnitOfWork, actor: Actor | None, user_id: int) -> None:
    """Approve an account's pending change as the second administrator (or the operator).

    Refuses the administrator whose change it is: approval needs other eyes.
    """
    if actor is not None:
        ensure_role(actor, USER_ADMINS, "管理用户", "manage users")
    with uow:
        session = uow.session
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"用户{user_id}不存在", f"user {user_id} does not exist")
        if actor is not None:
            ensure_in_region(actor, user.region_code)
        if user.pending_since is None:
            raise Conflict(
                f"账户{user.username}没有待批准的变更",
                f"account {user.username!r} has no change awaiting approval",
                code="not_pending",
            )
        if actor is not None and actor.user_id == user.pending_by_id:
            raise Conflict(
                "创建账户或重设密码的管理员不能批准自己的变更，须由另一名管理员批准",
                "the administrator who created the account or set its password cannot approve "
                "it; a second administrator must",
                code="four_eyes",
            )
        waited_since = user.pending_since
        user.pending_since = None
        user.pending_by_id = None
        uow.audit.record(
            session,
            _users_ledger(user.region_code),
            LedgerEvent(
                event="approve_user",
                actor=actor or OPERATOR,
                at=uow.clock.now(),
                payload={
                    "user_id": user.id,
                    "username": user.username,
                    "role": str(user.role),
                    "pending_since": waited_since.isoformat(),
                },
            ),
        )
        uow.commit()


def create_user(uow: UnitOfWork, new: NewUser, actor: Actor | None = None) -> int:
    """Create a user account; refuses a taken username or an unknown region.

    ``actor`` is the administrator doing it (None: the operator at the command
    line); they may only create accounts within their own region. The account
    (never its password) goes into the county's ``users:`` ledger.
    """
    problems: list[Problem] = []
    if actor is not None:
        ensure_role(actor, USER_ADMINS, "管理用户", "manage users")
        if not covers(actor.region_code, new.region_code):
            problems.append(
                invalid_field(
                    "region",
                    f"地区{new.region_code}不在您的辖区（{actor.region_code}）内",
                    f"region {new.region_code} is outside your region {actor.region_code}",
                )
            )
    if not USERNAME_RE.match(new.username):
        problems.append(
            invalid_field(
                "username",
                "用户名为3-64位字母、数字或 _ . -",
                "username: 3-64 letters, digits, '_', '.' or '-'",
            )
        )
    if new.role not in [r.value for r in Role]:
        problems.append(
            invalid_field(
                "role",
                f"角色无效，可选：{'、'.join(r.value for r in Role)}",
                f"role must be one of: {', '.join(r.value for r in Role)}",
            )
        )
    if len(new.password) < MIN_PASSWORD_CHARS:
        problems.append(
            invalid_field(
                "password",
                f"密码至少{MIN_PASSWORD_CHARS}位",
                f"password needs at least {MIN_PASSWORD_CHARS} characters",
            )
        )
    with uow:
        session = uow.session
        today = local_today(uow.clock)
        region = session.get(Region, new.region_code)
        if region is None:
            problems.append(
                invalid_field("region", f"地区代码{new.region_code}不存在", "no such region")
            )
        elif new.role == Role.COORDINATOR and region.level != RegionLevel.VILLAGE:
            # a coordinator serves one village (乐至: one in each of its 315 villages)
            problems.append(
                invalid_field(
                    "region",
                    "救助协理员的地区须为一个村（社区）",
                    "a village coordinator's region is one village",
                )
            )
        person_id = None
        if new.id_number:
            try:
                number = parse_id_number(new.id_number, today=today, field="id_number").number
            except InvalidIdNumber as err:
                problems.append(err.problem)
            else:
                person = session.scalar(select(Person).where(Person.id_number == number))
                if person is None:
                    problems.append(
                        invalid_field(
                            "id_number",
                            "该身份证号码尚未登记为人员",
                            "no person is registered with this ID number",
                        )
                    )
                else:
                    person_id = person.id
        raise_invalid(problems)
        if session.scalar(select(User.id).where(User.username == new.username)) is not None:
            raise Conflict(
                f"用户名{new.username}已存在",
                f"username {new.username!r} is taken",
                code="username_taken",
            )
        user = User(
            username=new.username,
            password_hash=hash_password(new.password),
            role=Role(new.role),
            region_code=new.region_code,
            display_name=new.display_name or new.username,
            active=True,
            person_id=person_id,
            created_at=uow.clock.now(),
        )
        pending = _needs_second_admin(actor, user.role)
        if pending:
            _await_approval(user, actor, uow.clock.now())
        session.add(user)
        session.flush()
        uow.audit.record(
            session,
            _users_ledger(new.region_code),
            LedgerEvent(
                event="create_user",
                actor=actor or OPERATOR,
                at=uow.clock.now(),
                payload={
                    "user_id": user.id,
                    "username": user.username,
                    "role": new.role,
                    "region_code": new.region_code,
                    "linked_to_person": person_id is not None,
                    "awaiting_approval": pending,
                },
            ),
        )
        uow.commit()
        return user.id


def update_user(
    uow: UnitOfWork,
    actor: Actor,
    user_id: int,
    *,
    display_name: str | None = None,
    active: bool | None = None,
    password: str | None = None,
    unlock: bool = False,
) -> None:
    """Rename, (de)activate, reset the password of or unlock an account; recorded in the ledger.

    A new password or a deactivation also revokes the account's API tokens and
    ends its UI sessions. A new password also unlocks an account that failed
    sign-ins had locked. Administrators cannot deactivate themselves.
    """
    ensure_role(actor, USER_ADMINS, "管理用户", "manage users")
    if password is not None and len(password) < MIN_PASSWORD_CHARS:
        raise_invalid(
            [
                invalid_field(
                    "password",
                    f"密码至少{MIN_PASSWORD_CHARS}位",
                    f"password needs at least {MIN_PASSWORD_CHARS} characters",
                )
            ]
        )
    with uow:
        session = uow.session
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"用户{user_id}不存在", f"user {user_id} does not exist")
        ensure_in_region(actor, user.region_code)
        if active is False and user.id == actor.user_id:
            raise Conflict(
                "不能停用自己的账户", "you cannot deactivate your own account", code="self"
            )
        changed: dict[str, object] = {}
        if display_name is not None and display_name.strip() != user.display_name:
            user.display_name = display_name.strip()[:50]
            changed["display_name"] = user.display_name
        if active is not None and active != user.active:
            user.active = active
            changed["active"] = active
        if password is not None:
            user.password_hash = hash_password(password)
            changed["password_reset"] = True
            if _needs_second_admin(actor, user.role):
                _await_approval(user, actor, uow.clock.now())
                changed["awaiting_approval"] = True
        if (unlock or password is not None) and user.locked_at is not None:
            user.locked_at = None
            user.unlocked_at = uow.clock.now()
            changed["unlocked"] = True
        if not changed:
            return
        if password is not None or active is False:
            session.execute(
                update(ApiToken)
                .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                .values(revoked_at=uow.clock.now())
            )
            user.session_generation += 1  # and every UI session it had
        uow.audit.record(
            session,
            _users_ledger(user.region_code),
            LedgerEvent(
                event="update_user",
                actor=actor,
                at=uow.clock.now(),
                payload={"user_id": user.id, "username": user.username, **changed},
            ),
        )
        uow.commit()


def end_sessions(session: Session, user_id: int | None) -> None:
    """Invalidate every UI session of the user (in the caller's transaction)."""
    if user_id is not None:
        session.execute(
            update(User)
            .where(User.id == user_id)
            .values(session_generation=User.session_generation + 1)
        )


def session_generation(uow: UnitOfWork, user_id: int | None) -> int:
    """The user's current session generation (a new UI session carries it)."""
    with uow:
        return uow.session.scalar(select(User.session_generation).where(User.id == user_id)) or 0


def session_user(uow: UnitOfWork, user_id: int, generation: int) -> tuple[Actor, str] | None:
    """The actor and display name of a UI session, if the user is active and it is current."""
    with uow:
        user = uow.session.get(User, user_id)
        if (
            user is None
            or not user.active
            or user.pending_since is not None
            or user.session_generation != generation
        ):
            return None
        return actor_of(user), user.display_name


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(uow: UnitOfWork, actor: Actor, ttl: dt.timedelta) -> str:
    """Issue a bearer token for ``actor``; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    with uow:
        now = uow.clock.now()
        uow.session.add(
            ApiToken(
                user_id=actor.user_id,
                token_hash=_token_digest(token),
                created_at=now,
                expires_at=now + ttl,
            )
        )
        uow.commit()
    return token


def actor_for_token(uow: UnitOfWork, token: str) -> Actor | None:
    """Return the actor of a valid, unexpired, unrevoked token of an active user."""
    with uow:
        row = uow.session.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == _token_digest(token))
        ).first()
        if row is None:
            return None
        api_token, user = row
        if api_token.revoked_at is not None or not user.active or user.pending_since is not None:
            return None
        if api_token.expires_at <= uow.clock.now():
            return None
        return actor_of(user)


def revoke_token(uow: UnitOfWork, token: str) -> None:
    """Revoke a bearer token."""
    with uow:
        uow.session.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == _token_digest(token), ApiToken.revoked_at.is_(None))
            .values(revoked_at=uow.clock.now())
        )
        uow.commit()
