"""Local policy as dated data: standards, parameters and the working-day calendar."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime, fen_to_yuan, str_enum
from engine.models.enums import AreaType, StandardCategory


class Standard(Base):
    """保障标准: yuan per person per month for a county, area type and category, from a date."""

    __tablename__ = "standard"
    __table_args__ = (
        UniqueConstraint(
            "county_code", "area_type", "category", "effective_from", name="uq_standard_version"
        ),
        CheckConstraint("monthly_fen > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    area_type: Mapped[AreaType] = mapped_column(str_enum(AreaType, "area_type"))
    category: Mapped[StandardCategory] = mapped_column(
        str_enum(StandardCategory, "standard_category")
    )
    monthly_fen: Mapped[int] = mapped_column(BigInteger)
    effective_from: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    @property
    def monthly_yuan(self) -> Decimal:
        """The standard in yuan per person per month."""
        return fen_to_yuan(self.monthly_fen)


class PolicyParameter(Base):
    """One dated version of a county's local policy parameter (see engine.parameters)."""

    __tablename__ = "policy_parameter"
    __table_args__ = (
        UniqueConstraint(
            "county_code", "name", "effective_from", name="uq_policy_parameter_version"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    #: the value as canonical text (a decimal, a whole number or a choice)
    value: Mapped[str] = mapped_column(String(200))
    effective_from: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class CalendarDay(Base):
    """A day whose working status differs from the national calendar package.

    ``county_code`` None: a national adjustment (e.g. a year the package does
    not cover yet); a county code: a local extra day off or working day.
    """

    __tablename__ = "calendar_day"
    __table_args__ = (Index("uq_calendar_day", "county_code", "day", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
