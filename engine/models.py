"""The domain model as typed SQLAlchemy 2 tables.

Money is stored as integer fen (分) so that SQLite and PostgreSQL hold the
same exact value; properties give Decimal yuan. Times are stored in UTC.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from engine.clock import as_utc
from engine.states import CaseState, Role

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


class RegionLevel(StrEnum):
    """County (区县), township (乡镇/街道) or village (村/社区)."""

    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


class AreaType(StrEnum):
    """Urban or rural: standards differ."""

    URBAN = "urban"
    RURAL = "rural"


class Category(StrEnum):
    """Assistance category of a case."""

    DIBAO = "dibao"
    SINGLE_PERSON = "single_person"
    TEKUN = "tekun"


class Relation(StrEnum):
    """A member's relation to the applicant."""

    SELF = "self"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    GRANDPARENT = "grandparent"
    GRANDCHILD = "grandchild"
    OTHER = "other"


class DisabilityType(StrEnum):
    """Disability type per GB/T 26341-2010."""

    VISUAL = "visual"
    HEARING = "hearing"
    SPEECH = "speech"
    PHYSICAL = "physical"
    INTELLECTUAL = "intellectual"
    MENTAL = "mental"
    MULTIPLE = "multiple"


class InvestigationLevel(StrEnum):
    """Who carried out the investigation."""

    TOWNSHIP = "township"
    COUNTY = "county"


class InvestigationMethod(StrEnum):
    """How the household's situation was checked (Art. 16-17)."""

    HOME_VISIT = "home_visit"  # 入户调查
    NEIGHBOUR_INTERVIEW = "neighbour_interview"  # 邻里访问
    LETTER = "letter"  # 信函索证
    DATA_CHECK = "data_check"  # 信息核对


class ObjectionStatus(StrEnum):
    """An objection is open until re-investigated or dismissed after democratic review."""

    OPEN = "open"
    REINVESTIGATED = "reinvestigated"
    DISMISSED = "dismissed"


class Region(Base):
    """An administrative region: county, township or village, by its statistical code."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    level: Mapped[RegionLevel] = mapped_column(str_enum(RegionLevel, "region_level"))
    area_type: Mapped[AreaType] = mapped_column(str_enum(AreaType, "area_type"))


class Person(Base):
    """A resident, identified by the resident ID number."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(6))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Household(Base):
    """The co-resident family that applies (Art. 7)."""

    __tablename__ = "household"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    area_type: Mapped[AreaType] = mapped_column(str_enum(AreaType, "area_type"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    #: current members (those who have not left)
    members: Mapped[list[Member]] = relationship(
        primaryjoin="and_(Member.household_id == Household.id, Member.left_at.is_(None))",
        order_by="Member.id",
        viewonly=True,
    )


class Member(Base):
    """A person living in a household, with what the means test needs to know."""

    __tablename__ = "member"
    __table_args__ = (
        CheckConstraint("disability_grade BETWEEN 1 AND 4", name="disability_grade"),
        CheckConstraint("monthly_income_fen >= 0", name="income_not_negative"),
        Index(
            "uq_member_current",
            "household_id",
            "person_id",
            unique=True,
            sqlite_where=text("left_at IS NULL"),
            postgresql_where=text("left_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    relation: Mapped[Relation] = mapped_column(str_enum(Relation, "relation"))
    monthly_income_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    disability_grade: Mapped[int | None] = mapped_column(SmallInteger)
    disability_type: Mapped[DisabilityType | None] = mapped_column(
        str_enum(DisabilityType, "disability_type")
    )
    serious_illness: Mapped[bool] = mapped_column(Boolean, default=False)
    able_to_work: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    left_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    left_reason: Mapped[str | None] = mapped_column(String(200))

    household: Mapped[Household] = relationship()
    person: Mapped[Person] = relationship()

    @property
    def monthly_income(self) -> Decimal:
        """Monthly income in yuan."""
        return fen_to_yuan(self.monthly_income_fen)


class Case(Base):
    """One application and everything that follows it, until it ends."""

    __tablename__ = "case_file"
    __table_args__ = (CheckConstraint("version >= 1", name="version_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"))
    state: Mapped[CaseState] = mapped_column(str_enum(CaseState, "case_state"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    village_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    area_type: Mapped[AreaType] = mapped_column(str_enum(AreaType, "area_type"))
    previous_case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # head of this case's audit chain, advanced under the case's row lock
    chain_seq: Mapped[int] = mapped_column(Integer, default=0)
    chain_head: Mapped[str | None] = mapped_column(String(64))

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # key dates, stamped by the triggers named in engine.states
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    materials_requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    investigating_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    proposed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    notice_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    notice_closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    recheck_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    rechecked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    phase_out_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    household: Mapped[Household] = relationship()
    village: Mapped[Region] = relationship()

    # the services bump the version once per change (not once per flush) and the
    # UPDATE still checks the version it read: optimistic locking everywhere
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012


#: the date columns a trigger may stamp (checked against engine.states in tests)
CASE_DATE_COLUMNS: tuple[str, ...] = (
    "submitted_at",
    "materials_requested_at",
    "accepted_at",
    "investigating_since",
    "proposed_at",
    "notice_started_at",
    "notice_closed_at",
    "decided_at",
    "recheck_started_at",
    "rechecked_at",
    "phase_out_started_at",
    "ended_at",
)


class CaseClaim(Base):
    """A person's place in an open or enrolled case: at most one unreleased claim per person."""

    __tablename__ = "case_claim"
    __table_args__ = (
        Index(
            "uq_case_claim_open_person",
            "person_id",
            unique=True,
            sqlite_where=text("released_at IS NULL"),
            postgresql_where=text("released_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    claimed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


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


class Investigation(Base):
    """A household economic-situation investigation (家庭经济状况调查)."""

    __tablename__ = "investigation"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    level: Mapped[InvestigationLevel] = mapped_column(
        str_enum(InvestigationLevel, "investigation_level")
    )
    date: Mapped[dt.date] = mapped_column(Date)
    method: Mapped[InvestigationMethod] = mapped_column(
        str_enum(InvestigationMethod, "investigation_method")
    )
    findings: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    investigators: Mapped[list[User]] = relationship(
        secondary="investigation_investigator", order_by="User.username"
    )


class InvestigationInvestigator(Base):
    """Who took part in an investigation."""

    __tablename__ = "investigation_investigator"

    investigation_id: Mapped[int] = mapped_column(ForeignKey("investigation.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True, index=True)


class Objection(Base):
    """An objection (异议) raised during the public notice."""

    __tablename__ = "objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    objector: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[ObjectionStatus] = mapped_column(str_enum(ObjectionStatus, "objection_status"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    resolution: Mapped[str | None] = mapped_column(Text)
