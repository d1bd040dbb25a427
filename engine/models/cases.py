"""Cases and what is recorded on them: claims, investigations, objections, amounts."""

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
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models.base import Base, UTCDateTime, fen_to_yuan, str_enum
from engine.models.enums import (
    AreaType,
    BenefitKind,
    Category,
    InvestigationLevel,
    InvestigationMethod,
    ObjectionStatus,
)
from engine.models.people import Household, Region
from engine.models.users import User
from engine.states import CaseState


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
    #: the first start of the investigation: the Art. 15 deadline is met by it, once
    investigating_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: the start of a re-investigation after an objection (Art. 19 ¶2); its own record
    reinvestigating_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    proposed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    notice_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    notice_closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: the township's new 初审意见 after an objection was reviewed (Art. 19 ¶2)
    opinion_revised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: when the file went to the county (the county's decision limit runs from it, Art. 20)
    referred_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    recheck_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    rechecked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    phase_out_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: tekun: when the intended termination was (last) noticed in the village (TK Art. 26)
    termination_noticed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: a change in a tekun person's ability to care for themself was reported: the county
    #: reassesses within 10 working days (TK Art. 22)
    care_change_reported_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: the latest information check's request and start (its ``data_check`` row is the
    #: record; these date its deadline, Art. 17, without a query per transition)
    data_check_requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    data_check_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: the day the decision letter (e.g. a refusal with reasons) was served (Art. 21, 38)
    decision_served_on: Mapped[dt.date | None] = mapped_column(Date)

    #: how the case came: application (the household applied), outreach (a coordinator
    #: registered it on the household's behalf, 代办), referral (a monitoring warning), or
    #: roster (brought in from the county's earlier system)
    origin: Mapped[str] = mapped_column(
        String(12), default="application", server_default="application"
    )
    #: the kind of the latest recorded change of means (phase-out needs "employment")
    last_change_kind: Mapped[str | None] = mapped_column(String(20))
    #: the recorded ground for the 45-working-day limit (Art. 22; 2022 notice)
    extension_ground: Mapped[str | None] = mapped_column(String(40))
    #: chosen for the county's own check when the file reached the county (TK Art. 16)
    sampled_for_county_check: Mapped[bool | None] = mapped_column(Boolean)
    #: when the next periodic recheck is due, and the months between rechecks (Art. 31)
    next_recheck_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    recheck_interval_months: Mapped[int | None] = mapped_column(SmallInteger)
    #: a member died on this date: the case is reassessed within 3 months (2022 notice)
    reassess_from: Mapped[dt.date | None] = mapped_column(Date)
    #: the earliest date on which an unmet deadline falls due (indexed, for overdue lists)
    due_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    #: which deadline ``due_on`` is (its name in ``engine.deadlines``), for the queue to say
    due_kind: Mapped[str | None] = mapped_column(String(40))

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
    "reinvestigating_since",
    "proposed_at",
    "notice_started_at",
    "notice_closed_at",
    "opinion_revised_at",
    "referred_at",
    "decided_at",
    "recheck_started_at",
    "rechecked_at",
    "phase_out_started_at",
    "termination_noticed_at",
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


class InvestigationPresence(Base):
    """A household member who was present at the investigation (at home, interviewed)."""

    __tablename__ = "investigation_presence"

    investigation_id: Mapped[int] = mapped_column(ForeignKey("investigation.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True, index=True)


class InvestigationAttachment(Base):
    """A photo or scan attached to an investigation (a signed form, a paper seen).

    The bytes are kept outside the database under their SHA-256; the row and the
    investigation's audit entry say which bytes were attached. Rows are evidence: only
    ever added.
    """

    __tablename__ = "investigation_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    investigation_id: Mapped[int] = mapped_column(ForeignKey("investigation.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    #: the file's place among the investigation's attachments, from 0
    position: Mapped[int] = mapped_column(SmallInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(40))
    #: the name the file was sent under (without any folder)
    file_name: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Objection(Base):
    """An objection (异议) raised during the public notice."""

    __tablename__ = "objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    #: objection: raised during the notice (Art. 19); complaint: a complaint or report
    #: received while the county confirms (Art. 20)
    kind: Mapped[str] = mapped_column(String(12), default="objection", server_default="objection")
    objector: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[ObjectionStatus] = mapped_column(str_enum(ObjectionStatus, "objection_status"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    resolution: Mapped[str | None] = mapped_column(Text)


class DemocraticReview(Base):
    """A democratic review (民主评议) of an objection, instead of a re-investigation (Art. 19)."""

    __tablename__ = "democratic_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    #: who took part, one name per line (village representatives, cadres, staff)
    participants: Mapped[str] = mapped_column(Text)
    #: founded | unfounded: whether the review upheld the objection
    outcome: Mapped[str] = mapped_column(String(12))
    minutes: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class InspectionFinding(Base):
    """A discipline inspector's finding on a case, shown to the county; one that requires it
    holds the next decision until the county has visited the household itself."""

    __tablename__ = "inspection_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    note: Mapped[str] = mapped_column(Text)
    requires_visit: Mapped[bool] = mapped_column(Boolean)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class DataCheck(Base):
    """An information check (信息核对, Art. 17): the township's request, the county's start
    within 3 working days of it, and the result."""

    __tablename__ = "data_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    #: which records are to be queried, comma-separated (``DATA_SOURCES``)
    sources: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: whether the records contradict what the household declared
    discrepancy: Mapped[bool | None] = mapped_column(Boolean)
    findings: Mapped[str] = mapped_column(Text, default="")


class WorkOffer(Base):
    """Suitable work offered to a member able to work, and the answer (Art. 34)."""

    __tablename__ = "work_offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    offered_on: Mapped[dt.date] = mapped_column(Date)
    #: the job and who offered it (e.g. the human-resources office)
    offer: Mapped[str] = mapped_column(Text)
    #: accepted | refused | refused_good_reason
    outcome: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Recovery(Base):
    """Money obtained by concealment or false statements, ordered back with the decision that
    ended or cut the benefit (2022 notice §5(五); 《社会救助暂行办法》 Art. 68)."""

    __tablename__ = "recovery"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    #: the decision it was ordered with (terminate or adjust)
    trigger: Mapped[str] = mapped_column(String(40))
    owed_fen: Mapped[int] = mapped_column(BigInteger)
    finding: Mapped[str] = mapped_column(Text)
    ordered_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    ordered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    @property
    def owed_yuan(self) -> Decimal:
        """The amount ordered back, in yuan."""
        return fen_to_yuan(self.owed_fen)


class Repayment(Base):
    """Money paid back against a recovery order."""

    __tablename__ = "repayment"

    id: Mapped[int] = mapped_column(primary_key=True)
    recovery_id: Mapped[int] = mapped_column(ForeignKey("recovery.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class SelfCareAssessment(Base):
    """The county's assessment of a tekun person's ability to care for themself (TK Arts. 20-23):
    the six indicators failed, and the level of care it sets."""

    __tablename__ = "self_care_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    #: the indicators the person cannot manage, comma-separated (``INDICATORS``; empty: none)
    failed: Mapped[str] = mapped_column(String(120))
    #: self_caring | partly_lost | fully_lost (全自理 / 部分丧失 / 完全丧失)
    result: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class DecisionSerial(Base):
    """The last number given to a decision of record in a county and year (文号 / 证号)."""

    __tablename__ = "decision_serial"

    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class BenefitDecision(Base):
    """An amount: proposed by the township or decided by the county, with its inputs' summary.

    The full inputs are in the audit entry of the same decision, so that
    ``doudi audit replay`` can recompute it.
    """

    __tablename__ = "benefit_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[BenefitKind] = mapped_column(str_enum(BenefitKind, "benefit_kind"))
    trigger: Mapped[str] = mapped_column(String(40))
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: first month paid at this amount (the month after the decision, Art. 21); None if proposed
    effective_month: Mapped[dt.date | None] = mapped_column(Date)
    monthly_fen: Mapped[int] = mapped_column(BigInteger)
    standard_id: Mapped[int | None] = mapped_column(ForeignKey("standard.id"))
    standard_fen: Mapped[int] = mapped_column(BigInteger)
    members: Mapped[int] = mapped_column(SmallInteger)
    counted_income_fen: Mapped[int] = mapped_column(BigInteger)
    base_fen: Mapped[int] = mapped_column(BigInteger)
    supplement_fen: Mapped[int] = mapped_column(BigInteger)
    #: canonical JSON of the breakdown lines shown to users
    breakdown: Mapped[str] = mapped_column(Text)

    @property
    def monthly_yuan(self) -> Decimal:
        """The monthly amount in yuan."""
        return fen_to_yuan(self.monthly_fen)
