"""Households brought in from a county's existing roster (存量数据迁移)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime


class RosterHousehold(Base):
    """A household of a county's roster and the case it became, with the file and lines it
    came from: importing the file again finds it here and changes nothing."""

    __tablename__ = "roster_household"
    __table_args__ = (UniqueConstraint("county_code", "household_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6))
    #: the household's number in the provincial system the roster was exported from
    household_no: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    #: SHA-256 of the household's rows as read: the same rows again are the same household
    rows_sha256: Mapped[str] = mapped_column(String(64))
    #: SHA-256 of the file imported, and the line of the household's first row in it
    source_sha256: Mapped[str] = mapped_column(String(64))
    first_line: Mapped[int] = mapped_column(Integer)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
