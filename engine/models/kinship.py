"""The officials registry, declared relatives, kinship flags on cases and their filings (备案)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base, UTCDateTime, str_enum
from engine.models.enums import (
    DeclarationSource,
    KinRelation,
    MatchStrength,
    OfficialPosition,
)
from engine.models.people import Person


class Official(Base):
    """A case officer or village cadre in a position, linked to their person."""

    __tablename__ = "official"
    __table_args__ = (
        UniqueConstraint("person_id", "position", "region_code", name="uq_official_post"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    position: Mapped[OfficialPosition] = mapped_column(
        str_enum(OfficialPosition, "official_position")
    )
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    term_start: Mapped[dt.date | None] = mapped_column(Date)
    term_end: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: where the official lives and the account they are paid into, when the registry gives
    #: them: a household enrolled at the one or paid into the other is an indicator
    home_address: Mapped[str | None] = mapped_column(String(200))
    bank_account: Mapped[str | None] = mapped_column(String(40))

    person: Mapped[Person] = relationship()


class RelativeDeclaration(Base):
    """A declared relative of an official: "the relative is the official's <relation>".

    The relative is named by resident ID when known, else by name and birth
    date (a weaker match). Officials declare their own relatives; applicants
    declare a member's relation to an official.
    """

    __tablename__ = "relative_declaration"
    __table_args__ = (
        Index("ix_relative_declaration_name_birth", "relative_name", "relative_birth_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("official.id"), index=True)
    source: Mapped[DeclarationSource] = mapped_column(
        str_enum(DeclarationSource, "declaration_source")
    )
    relative_id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    relative_name: Mapped[str] = mapped_column(String(50))
    relative_birth_date: Mapped[dt.date | None] = mapped_column(Date)
    relation: Mapped[KinRelation] = mapped_column(str_enum(KinRelation, "kin_relation"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    declared_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class KinshipFlag(Base):
    """A member of a case's household found related to an official; it demands scrutiny."""

    __tablename__ = "kinship_flag"
    __table_args__ = (
        Index(
            "uq_kinship_flag_active",
            "case_id",
            "official_id",
            "member_person_id",
            unique=True,
            sqlite_where=text("vanished_at IS NULL"),
            postgresql_where=text("vanished_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("official.id"), index=True)
    member_person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    #: "the member is the official's <relation>"; "self" when the official is the member
    relation: Mapped[str] = mapped_column(String(20))
    strength: Mapped[MatchStrength] = mapped_column(str_enum(MatchStrength, "match_strength"))
    path: Mapped[str] = mapped_column(Text)
    path_en: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    vanished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class KinshipFiling(Base):
    """The separate filing (近亲属备案) of a flagged case."""

    __tablename__ = "kinship_filing"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    filed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text)
