"""Records other departments hold about the people doudi serves (信息核对, Art. 17)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime


class CrosscheckFlag(Base):
    """A department's record about a member of an open or enrolled case, raised on the case
    with the record as evidence until staff resolve it (explained, or a recheck)."""

    __tablename__ = "crosscheck_flag"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    #: which data (``engine.services.crosscheck_rows.KINDS``): vehicles, deaths, ...
    kind: Mapped[str] = mapped_column(String(24))
    #: the record as the department sent it: canonical JSON of the row's cells
    evidence: Mapped[str] = mapped_column(Text)
    #: SHA-256 of the kind, the case and the record: the same record raises nothing twice
    match_key: Mapped[str] = mapped_column(String(64), unique=True)
    #: the file the record came in, by name and SHA-256, and its line there
    file_name: Mapped[str] = mapped_column(String(200))
    file_sha256: Mapped[str] = mapped_column(String(64))
    line: Mapped[int] = mapped_column(Integer)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: explained | recheck, with the reason given (None while open)
    outcome: Mapped[str | None] = mapped_column(String(12))
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
