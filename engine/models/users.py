"""Users and their API tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base, UTCDateTime, str_enum
from engine.models.people import Region
from engine.states import Role


class User(Base):
    """A person who signs in: staff, inspectors and administrators."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    display_name: Mapped[str] = mapped_column(String(50), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: bumped at sign-out, password reset and deactivation: every UI session issued under an
    #: older generation is refused, so a copied session cookie dies with them
    session_generation: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: set when too many failed sign-ins lock the account: only an administrator unlocks it
    locked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: when an administrator last unlocked it (failures before it no longer count)
    unlocked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: set while an account that sees personal data waits for a second administrator: an
    #: administrator who created it or set its password knows the password (four eyes)
    pending_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: the administrator whose change awaits approval (they cannot approve it themselves)
    pending_by_id: Mapped[int | None] = mapped_column(Integer)

    region: Mapped[Region] = relationship()


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
