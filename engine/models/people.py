"""Regions, people, households and their members."""

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
    Integer,
    SmallInteger,
    String,
    column,
    false,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base, UTCDateTime, fen_to_yuan, str_enum
from engine.models.enums import AreaType, DisabilityType, IncomeType, RegionLevel, Relation


class Region(Base):
    """An administrative region: county, township or village, by its statistical code."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    level: Mapped[RegionLevel] = mapped_column(str_enum(RegionLevel, "region_level"))
    area_type: Mapped[AreaType] = mapped_column(str_enum(AreaType, "area_type"))
    #: registered population (户籍人口), for coverage rates; villages carry it
    population: Mapped[int | None] = mapped_column(Integer)
    # Contacts printed on notices and letters. A township's authority issues
    # its villages' public notices and takes objections at its office; the
    # county's issues publications and decisions and names the appeal bodies.
    #: the body that signs documents issued here (e.g. 童家镇人民政府, 乐至县民政局)
    authority: Mapped[str | None] = mapped_column(String(100))
    #: where objections and reports are taken (office and address)
    office: Mapped[str | None] = mapped_column(String(200))
    #: the office's telephone number
    phone: Mapped[str | None] = mapped_column(String(40))
    #: counties: where an administrative reconsideration is applied for (行政复议)
    reconsideration_body: Mapped[str | None] = mapped_column(String(100))
    #: counties: the court an administrative lawsuit goes to (行政诉讼)
    court: Mapped[str | None] = mapped_column(String(100))


class Person(Base):
    """A resident, identified by the resident ID number."""

    __tablename__ = "person"
    __table_args__ = (
        # finds a person by the tail of their ID number: "ends with" as a prefix of the
        # reversed number (PostgreSQL only; SQLite has no reverse() and scans the table)
        Index(
            "ix_person_id_number_reversed",
            func.reverse(column("id_number")).label("id_number_reversed"),
            postgresql_ops={"id_number_reversed": "text_pattern_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(6))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Household(Base):
    """The co-resident family that applies (Art. 7), with what the means test needs."""

    __tablename__ = "household"
    __table_args__ = (
        CheckConstraint("rigid_expenses_fen >= 0", name="rigid_expenses_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    area_type: Mapped[AreaType] = mapped_column(str_enum(AreaType, "area_type"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: false when a member able to work has irregular income: rechecked every 6 months (Art. 31)
    income_stable: Mapped[bool] = mapped_column(Boolean, default=True)
    #: rigid medical and disability expenses per month (刚性支出), partly deductible
    rigid_expenses_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    #: bank account the benefit is paid into (sensitive; shown masked)
    bank_account: Mapped[str | None] = mapped_column(String(40))
    #: where the household lives, as the application gives it
    address: Mapped[str | None] = mapped_column(String(200))
    #: property checked against the local limits (None: not yet assessed)
    deposits_fen: Mapped[int | None] = mapped_column(BigInteger)
    vehicles: Mapped[int | None] = mapped_column(SmallInteger)
    extra_housing_units: Mapped[int | None] = mapped_column(SmallInteger)
    #: tekun: the legal supporters' situation as declared and investigated (TK Arts. 7-8;
    #: ``engine.rules.SUPPORTER_GROUNDS`` or "able"; None: not declared)
    tekun_supporter: Mapped[str | None] = mapped_column(String(48))

    #: current members (those who have not left)
    members: Mapped[list[Member]] = relationship(
        primaryjoin="and_(Member.household_id == Household.id, Member.left_at.is_(None))",
        order_by="Member.id",
        viewonly=True,
    )

    @property
    def rigid_expenses(self) -> Decimal:
        """Rigid expenses in yuan per month."""
        return fen_to_yuan(self.rigid_expenses_fen)


class Member(Base):
    """A person living in a household, with what the means test needs to know."""

    __tablename__ = "member"
    __table_args__ = (
        CheckConstraint("disability_grade BETWEEN 1 AND 4", name="disability_grade"),
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
    disability_grade: Mapped[int | None] = mapped_column(SmallInteger)
    disability_type: Mapped[DisabilityType | None] = mapped_column(
        str_enum(DisabilityType, "disability_type")
    )
    serious_illness: Mapped[bool] = mapped_column(Boolean, default=False)
    able_to_work: Mapped[bool] = mapped_column(Boolean, default=False)
    #: at school (compulsory education, senior secondary, vocational or higher): a supported
    #: tekun minor stays supported past 18 while studying (TK Art. 24)
    in_school: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: the person a single-person case (单人保) covers
    covered: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    left_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    left_reason: Mapped[str | None] = mapped_column(String(200))
    died_on: Mapped[dt.date | None] = mapped_column(Date)
    #: when the county stopped this member's own share for refusing suitable work (Art. 34)
    work_sanctioned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()
    incomes: Mapped[list[MemberIncome]] = relationship(
        order_by="MemberIncome.id", cascade="all, delete-orphan"
    )

    @property
    def monthly_income(self) -> Decimal:
        """All income items in yuan per month, counted or not."""
        return fen_to_yuan(sum(i.monthly_fen for i in self.incomes))


class MemberIncome(Base):
    """One kind of monthly income of a member."""

    __tablename__ = "member_income"
    __table_args__ = (CheckConstraint("monthly_fen >= 0", name="income_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    type: Mapped[IncomeType] = mapped_column(str_enum(IncomeType, "income_type"))
    monthly_fen: Mapped[int] = mapped_column(BigInteger)

    @property
    def monthly_yuan(self) -> Decimal:
        """The amount in yuan."""
        return fen_to_yuan(self.monthly_fen)
