"""Declarative base, column types and money helpers shared by every table.

Money is stored as integer fen (分) so that SQLite and PostgreSQL hold the
same exact value; properties give Decimal yuan. Times are stored in UTC.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    DateTime,
    Dialect,
    Enum,
    MetaData,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase

from engine.clock import as_utc

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        """Store aware values in UTC (naive UTC on SQLite)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        """Return values as aware UTC datetimes."""
        return None if value is None else as_utc(value)


def str_enum(enum_cls: type[StrEnum], name: str) -> Enum:
    """Store a StrEnum by value in a VARCHAR with a CHECK constraint (no native enum type)."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def fen_to_yuan(fen: int) -> Decimal:
    """Convert integer fen to Decimal yuan."""
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def yuan_to_fen(yuan: Decimal) -> int:
    """Convert Decimal yuan (at most 2 decimals) to integer fen."""
    fen = yuan * 100
    if fen != fen.to_integral_value():
        raise ValueError("amounts have at most two decimals (fen)")
    return int(fen)


class Base(DeclarativeBase):
    """Declarative base with constraint naming conventions for Alembic."""

    metadata = MetaData(naming_convention=NAMING)
