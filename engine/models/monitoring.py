"""Low-income population monitoring (低收入人口动态监测) and the coordinators' home visits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base, UTCDateTime


class MonitoredPerson(Base):
    """A person under dynamic monitoring beyond the enrolled, in their village."""

    __tablename__ = "monitored_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), unique=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class MonitoringTag(Base):
    """Why a person is monitored (``engine.services.monitoring.TAGS``), and who said so."""

    __tablename__ = "monitoring_tag"
    __table_args__ = (
        Index(
            "uq_monitoring_tag_current",
            "monitored_id",
            "tag",
            unique=True,
            sqlite_where=text("ended_on IS NULL"),
            postgresql_where=text("ended_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    monitored_id: Mapped[int] = mapped_column(ForeignKey("monitored_person.id"), index=True)
    tag: Mapped[str] = mapped_column(String(24))
    #: the system or department the tag came from (e.g. 防返贫监测信息系统)
    source: Mapped[str] = mapped_column(String(100))
    tagged_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class MonitoringWarning(Base):
    """A risk signal about a monitored person that someone must follow up in time: visited,
    referred to an application, or closed with a reason."""

    __tablename__ = "monitoring_warning"

    id: Mapped[int] = mapped_column(primary_key=True)
    monitored_id: Mapped[int] = mapped_column(ForeignKey("monitored_person.id"), index=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    #: ``engine.services.monitoring.SIGNALS``: hospital_bill, disability, death, job_loss, ...
    signal: Mapped[str] = mapped_column(String(24))
    signal_on: Mapped[dt.date] = mapped_column(Date)
    detail: Mapped[str] = mapped_column(Text)
    #: the bill or the income lost, where the signal has an amount
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: the follow-up is due by this day (``warning_follow_up_days`` after the signal)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    #: open | visited | referred | closed
    status: Mapped[str] = mapped_column(String(12), index=True)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    handled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    outcome_note: Mapped[str | None] = mapped_column(Text)
    #: the application a referral opened
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))


class HomeVisit(Base):
    """A home visit (走访): outreach door to door, a warning followed up, or a visit to a
    case's household; the photos are named by their SHA-256."""

    __tablename__ = "home_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    visited_on: Mapped[dt.date] = mapped_column(Date, index=True)
    #: outreach | warning | case
    purpose: Mapped[str] = mapped_column(String(12))
    #: whom: the household's head as the visitor wrote it, and the person where known
    household: Mapped[str] = mapped_column(String(100))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    warning_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_warning.id"))
    findings: Mapped[str] = mapped_column(Text)
    #: the photos' SHA-256, comma-separated (the files stay with the visitor's device)
    photo_sha256: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
