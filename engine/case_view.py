"""Everything a user may see of one case: household, amounts, deadlines, what they may do."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from engine.access import county_of
from engine.amounts import explain_amount
from engine.clock import CHINA_TZ, as_utc, local_date
from engine.deadlines import Deadline, NextDeadline, next_deadline
from engine.errors import Forbidden, NotFound
from engine.identity import mask_account
from engine.means import load_household, recheck_plan
from engine.models import (
    CASE_DATE_COLUMNS,
    BenefitDecision,
    BenefitKind,
    Case,
    CrosscheckFlag,
    DataCheck,
    DemocraticReview,
    Household,
    InspectionFinding,
    InvestigationAttachment,
    InvestigationPresence,
    KinshipFlag,
    Member,
    MonitoringWarning,
    Objection,
    Official,
    Person,
    Recovery,
    Region,
    Relation,
    Repayment,
    SelfCareAssessment,
    User,
    WorkOffer,
    fen_to_yuan,
)
from engine.next_step import NextStep, case_next_step
from engine.policy import parameters_in_force
from engine.ports import Actor
from engine.privacy import Disclosure, show_masked_names
from engine.queries import (
    CaseSummary,
    TriggerOption,
    summary_of,
    trigger_options,
    visible_case,
)
from engine.services.case_deadlines import deadlines_of
from engine.services.crosscheck_rows import KINDS
from engine.services.workflow_step import case_investigations
from engine.states import ENROLLED_STATES
from engine.uow import UnitOfWork


@dataclass(frozen=True)
class MemberView:
    """A household member as shown to a user (masked unless the role needs the data)."""

    #: the member's id (an investigation names who was present by it)
    id: int
    id_number: str
    name: str
    relation: str
    sex: str
    birth_date: dt.date | None
    monthly_income: Decimal | None
    disability_grade: int | None
    disability_type: str | None
    serious_illness: bool | None
    able_to_work: bool | None
    incomes: list[dict[str, Any]] | None = None
    in_school: bool | None = None
    covered: bool = False


@dataclass(frozen=True)
class AttachmentView:
    """A photo or scan attached to an investigation (its name withheld from masked readers)."""

    id: int
    sha256: str
    size_bytes: int
    media_type: str
    file_name: str


@dataclass(frozen=True)
class InvestigationView:
    """A recorded investigation."""

    id: int
    level: str
    date: dt.date
    method: str
    investigators: list[str]
    findings: str
    recorded_by: str
    recorded_at: dt.datetime
    #: the household members present, as the reader may see their names
    present: list[str] = field(default_factory=list)
    attachments: list[AttachmentView] = field(default_factory=list)


@dataclass(frozen=True)
class ObjectionView:
    """An objection and what became of it."""

    id: int
    objector: str
    content: str
    status: str
    kind: str
    raised_at: dt.datetime
    resolved_at: dt.datetime | None
    resolution: str | None
    #: the user name of the officer who recorded it
    recorded_by: str = ""


@dataclass(frozen=True)
class DemocraticReviewView:
    """A democratic review (民主评议) held on the notice's objections."""

    id: int
    held_on: dt.date
    participants: list[str]
    outcome: str
    minutes: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class DataCheckView:
    """An information check (信息核对): requested, started and answered (Art. 17)."""

    id: int
    sources: list[str]
    note: str
    requested_by: str
    requested_at: dt.datetime
    started_by: str | None
    started_at: dt.datetime | None
    completed_by: str | None
    completed_at: dt.datetime | None
    #: whether other departments' records contradict the declaration (withheld when masked)
    discrepancy: bool | None
    findings: str


@dataclass(frozen=True)
class WorkOfferView:
    """Work offered to a member able to work, and the answer (Art. 34)."""

    id: int
    member: str
    offered_on: dt.date
    offer: str
    outcome: str
    note: str


@dataclass(frozen=True)
class RecoveryView:
    """Money ordered back after concealment, and what is repaid (withheld when masked)."""

    id: int
    trigger: str
    ordered_at: dt.datetime
    owed_yuan: Decimal | None
    repaid_yuan: Decimal | None
    outstanding_yuan: Decimal | None
    finding: str


@dataclass(frozen=True)
class SelfCareView:
    """A tekun person's self-care assessment (withheld from masked readers: health data)."""

    id: int
    member: str
    assessed_on: dt.date
    failed: list[str] | None
    result: str | None


@dataclass(frozen=True)
class FindingView:
    """An inspector's finding on the case, and whether the county has visited since."""

    id: int
    note: str
    requires_visit: bool
    recorded_by: str
    recorded_at: dt.datetime
    visited: bool


@dataclass(frozen=True)
class CaseDetail:
    """Everything a user may see of one case."""

    summary: CaseSummary
    village_name: str
    household_id: int
    previous_case_id: int | None
    members: list[MemberView]
    dates: dict[str, dt.datetime | None]
    investigations: list[InvestigationView]
    objections: list[ObjectionView]
    triggers: list[TriggerOption]
    audit_entries: int
    personal_data_shown: bool
    flags: list[dict[str, Any]] = field(default_factory=list)
    deadlines: dict[str, Any] = field(default_factory=dict)
    #: the earliest pending deadline, worded as the queue words it
    next_deadline: NextDeadline | None = None
    benefit: dict[str, Any] | None = None
    recheck: dict[str, Any] | None = None
    household: dict[str, Any] = field(default_factory=dict)
    democratic_reviews: list[DemocraticReviewView] = field(default_factory=list)
    data_checks: list[DataCheckView] = field(default_factory=list)
    work_offers: list[WorkOfferView] = field(default_factory=list)
    recoveries: list[RecoveryView] = field(default_factory=list)
    self_care: list[SelfCareView] = field(default_factory=list)
    findings: list[FindingView] = field(default_factory=list)
    #: what happens next, who does it and by when
    next_step: NextStep | None = None
    #: how the case came (``Case.origin``), and the monitoring warning a referral followed up
    origin: str = "application"
    referral: dict[str, Any] | None = None

    @property
    def allowed_triggers(self) -> list[str]:
        """Triggers the user may fire now."""
        return [t.trigger for t in self.triggers if t.allowed]


def _member_view(member: Member, show: Disclosure) -> MemberView:
    person = member.person
    full = show.full
    return MemberView(
        id=member.id,
        id_number=show.id_number(person.id_number),
        name=show.name(person.name),
        relation=str(member.relation),
        sex=person.sex,
        birth_date=person.birth_date if full else None,
        monthly_income=member.monthly_income if full else None,
        incomes=[{"type": str(i.type), "monthly_yuan": i.monthly_yuan} for i in member.incomes]
        if full
        else None,
        covered=member.covered,
        disability_grade=member.disability_grade if full else None,
        disability_type=(str(member.disability_type) if member.disability_type else None)
        if full
        else None,
        serious_illness=member.serious_illness if full else None,
        able_to_work=member.able_to_work if full else None,
        in_school=member.in_school if full else None,
    )


def case_detail(uow: UnitOfWork, actor: Actor, case_id: int) -> CaseDetail:
    """Return everything the actor may see of the case."""
    session = uow.session
    case = visible_case(session, actor, case_id)
    household = load_household(session, case.household_id)
    show = Disclosure(actor)
    full = show.full
    deadlines = deadlines_of(uow, case)
    members = [_member_view(m, show) for m in household.members]
    applicant = next((m.name for m in members if m.relation == Relation.SELF), "")
    investigations = case_investigations(session, case.id)
    objections = session.scalars(
        select(Objection).where(Objection.case_id == case.id).order_by(Objection.id)
    ).all()
    reviews = session.scalars(
        select(DemocraticReview)
        .where(DemocraticReview.case_id == case.id)
        .order_by(DemocraticReview.id)
    ).all()
    checks = session.scalars(
        select(DataCheck).where(DataCheck.case_id == case.id).order_by(DataCheck.id)
    ).all()
    findings = session.scalars(
        select(InspectionFinding)
        .where(InspectionFinding.case_id == case.id)
        .order_by(InspectionFinding.id)
    ).all()
    visits = [
        i.recorded_at
        for i in investigations
        if str(i.level) == "county" and str(i.method) == "home_visit"
    ]
    staff_ids = {i.recorded_by_id for i in investigations}
    staff_ids.update(f.recorded_by_id for f in findings)
    staff_ids.update(o.recorded_by_id for o in objections)
    for c in checks:
        staff_ids.update(x for x in (c.requested_by_id, c.started_by_id, c.completed_by_id) if x)
    staff = dict(
        session.execute(select(User.id, User.username).where(User.id.in_(staff_ids))).all()
    )
    offers = session.execute(
        select(WorkOffer, Person.name)
        .join(Person, Person.id == WorkOffer.person_id)
        .where(WorkOffer.case_id == case.id)
        .order_by(WorkOffer.offered_on, WorkOffer.id)
    ).all()
    repaid = dict(
        session.execute(
            select(Repayment.recovery_id, func.sum(Repayment.amount_fen))
            .join(Recovery, Recovery.id == Repayment.recovery_id)
            .where(Recovery.case_id == case.id)
            .group_by(Repayment.recovery_id)
        ).all()
    )
    orders = session.scalars(
        select(Recovery).where(Recovery.case_id == case.id).order_by(Recovery.id)
    ).all()
    assessments = session.execute(
        select(SelfCareAssessment, Person.name)
        .join(Person, Person.id == SelfCareAssessment.person_id)
        .where(SelfCareAssessment.case_id == case.id)
        .order_by(SelfCareAssessment.id)
    ).all()
    village = session.get(Region, case.village_code)
    present, attached = _investigation_records(session, [i.id for i in investigations], show)
    return CaseDetail(
        summary=summary_of(case, (len(members), applicant), actor),
        village_name=village.name if village else "",
        household_id=case.household_id,
        previous_case_id=case.previous_case_id,
        members=members,
        dates={name: getattr(case, name) for name in CASE_DATE_COLUMNS},
        investigations=[
            InvestigationView(
                id=i.id,
                level=str(i.level),
                date=i.date,
                method=str(i.method),
                investigators=[u.username for u in i.investigators],
                findings=show.text(i.findings) or "",
                recorded_by=staff.get(i.recorded_by_id, ""),
                recorded_at=i.recorded_at,
                present=present.get(i.id, []),
                attachments=attached.get(i.id, []),
            )
            for i in investigations
        ],
        objections=[
            ObjectionView(
                id=o.id,
                objector=show.name(o.objector),
                kind=o.kind,
                content=show.text(o.content) or "",
                status=str(o.status),
                raised_at=o.raised_at,
                resolved_at=o.resolved_at,
                resolution=show.text(o.resolution),
                recorded_by=staff.get(o.recorded_by_id, ""),
            )
            for o in objections
        ],
        triggers=trigger_options(uow, case, actor),
        audit_entries=case.chain_seq,
        personal_data_shown=full,
        deadlines={d.name: d.as_dict() for d in deadlines},
        next_deadline=next_deadline(deadlines, local_date(uow.clock.now(), uow.clock.tz)),
        flags=kinship_flags(session, case.id, actor)
        + crosscheck_flags(session, case.id, actor)
        + overdue_flags(deadlines),
        origin=case.origin,
        referral=referral_view(session, case.id, show),
        benefit=benefit_view(
            session, case.id, show, [m.person.name for m in household.members], uow.clock.tz
        ),
        recheck=_recheck_view(uow, case, household),
        household=_household_view(household, full),
        democratic_reviews=[
            DemocraticReviewView(
                id=r.id,
                held_on=r.held_on,
                participants=[show.name(name) for name in r.participants.split("\n")],
                outcome=r.outcome,
                minutes=show.text(r.minutes) or "",
                recorded_at=r.recorded_at,
            )
            for r in reviews
        ],
        data_checks=[
            DataCheckView(
                id=c.id,
                sources=c.sources.split(","),
                note=show.text(c.note) or "",
                requested_by=staff.get(c.requested_by_id, ""),
                requested_at=c.requested_at,
                started_by=staff.get(c.started_by_id) if c.started_by_id else None,
                started_at=c.started_at,
                completed_by=staff.get(c.completed_by_id) if c.completed_by_id else None,
                completed_at=c.completed_at,
                discrepancy=c.discrepancy if full else None,
                findings=show.text(c.findings) or "",
            )
            for c in checks
        ],
        work_offers=[
            WorkOfferView(
                id=o.id,
                member=show.name(name),
                offered_on=o.offered_on,
                offer=show.text(o.offer) or "",
                outcome=o.outcome,
                note=show.text(o.note) or "",
            )
            for o, name in offers
        ],
        recoveries=[
            RecoveryView(
                id=r.id,
                trigger=r.trigger,
                ordered_at=r.ordered_at,
                owed_yuan=r.owed_yuan if full else None,
                repaid_yuan=fen_to_yuan(int(repaid.get(r.id) or 0)) if full else None,
                outstanding_yuan=r.owed_yuan - fen_to_yuan(int(repaid.get(r.id) or 0))
                if full
                else None,
                finding=show.text(r.finding) or "",
            )
            for r in orders
        ],
        self_care=[
            SelfCareView(
                id=a.id,
                member=show.name(name),
                assessed_on=a.assessed_on,
                failed=[f for f in a.failed.split(",") if f] if full else None,
                result=a.result if full else None,
            )
            for a, name in assessments
        ],
        findings=[
            FindingView(
                id=f.id,
                note=show.text(f.note) or "",
                requires_visit=f.requires_visit,
                recorded_by=staff.get(f.recorded_by_id, ""),
                recorded_at=f.recorded_at,
                visited=any(as_utc(v) >= as_utc(f.recorded_at) for v in visits),
            )
            for f in findings
        ],
        next_step=case_next_step(uow, case, actor, deadlines),
    )


def _investigation_records(
    session: Session, investigation_ids: list[int], show: Disclosure
) -> tuple[dict[int, list[str]], dict[int, list[AttachmentView]]]:
    """Who was present at each investigation, and the files attached to it."""
    present: dict[int, list[str]] = {}
    attached: dict[int, list[AttachmentView]] = {}
    if not investigation_ids:
        return present, attached
    rows = session.execute(
        select(InvestigationPresence.investigation_id, Person.name)
        .join(Member, Member.id == InvestigationPresence.member_id)
        .join(Person, Person.id == Member.person_id)
        .where(InvestigationPresence.investigation_id.in_(investigation_ids))
        .order_by(InvestigationPresence.investigation_id, Member.id)
    ).all()
    for investigation_id, name in rows:
        present.setdefault(investigation_id, []).append(show.name(name))
    files = session.scalars(
        select(InvestigationAttachment)
        .where(InvestigationAttachment.investigation_id.in_(investigation_ids))
        .order_by(InvestigationAttachment.investigation_id, InvestigationAttachment.position)
    ).all()
    for f in files:
        attached.setdefault(f.investigation_id, []).append(
            AttachmentView(
                id=f.id,
                sha256=f.sha256,
                size_bytes=f.size_bytes,
                media_type=f.media_type,
                file_name=show.text(f.file_name) or "",
            )
        )
    return present, attached


def attachment_of(
    session: Session, actor: Actor, case_id: int, attachment_id: int
) -> tuple[InvestigationAttachment, int]:
    """A file attached to an investigation of a case the actor may see, and the case's
    household; its bytes hold personal data, so only readers who see personal data may have
    it."""
    case = visible_case(session, actor, case_id)
    if not Disclosure(actor).full:
        raise Forbidden(
            "附件含个人信息，您的角色不能查看",
            "attachments hold personal data that your role does not see",
        )
    row = session.scalars(
        select(InvestigationAttachment).where(
            InvestigationAttachment.id == attachment_id,
            InvestigationAttachment.case_id == case_id,
        )
    ).first()
    if row is None:
        raise NotFound("附件不存在", f"no attachment {attachment_id} on case {case_id}")
    return row, case.household_id


def through_names(session: Session, flags: list[KinshipFlag]) -> dict[int, list[str]]:
    """Flag id -> the name of the declared relative a two-step path goes through (the member
    it names besides the flagged one)."""
    through: dict[int, int] = {}
    for flag in flags:
        evidence = json.loads(flag.evidence or "{}")
        person_id = evidence.get("through_person_id") if isinstance(evidence, dict) else None
        if isinstance(person_id, int):
            through[flag.id] = person_id
    if not through:
        return {}
    names = dict(
        session.execute(
            select(Person.id, Person.name).where(Person.id.in_(set(through.values())))
        ).all()
    )
    return {flag_id: [names[p]] for flag_id, p in through.items() if p in names}


def kinship_flags(session: Session, case_id: int, actor: Actor) -> list[dict[str, Any]]:
    """The case's active kinship flags, masked or withheld as the caller's role requires."""
    member = aliased(Person)
    official_person = aliased(Person)
    rows = session.execute(
        select(
            KinshipFlag,
            member.name,
            official_person.name,
            official_person.id_number,
            Official.position,
        )
        .join(member, member.id == KinshipFlag.member_person_id)
        .join(Official, Official.id == KinshipFlag.official_id)
        .join(official_person, official_person.id == Official.person_id)
        .where(KinshipFlag.case_id == case_id, KinshipFlag.vanished_at.is_(None))
        .order_by(KinshipFlag.id)
    ).all()
    show = Disclosure(actor)
    through = through_names(session, [flag for flag, *_ in rows])
    out = []
    for flag, member_name, name, number, position in rows:
        official_name, official_number = show.official(name, number)
        named = [member_name, *through.get(flag.id, [])]
        out.append(
            {
                "kind": "kinship",
                "flag_id": flag.id,
                "official_id_number": official_number,
                "official_name": official_name,
                "position": str(position),
                "relation": flag.relation,
                "member_name": show.flag_member(member_name),
                "strength": str(flag.strength),
                "path": show.flag_path(flag.path, name, named),
                "path_en": show.flag_path(flag.path_en, name, named),
                "raised_at": flag.raised_at,
            }
        )
    return out


def crosscheck_flags(session: Session, case_id: int, actor: Actor) -> list[dict[str, Any]]:
    """The case's open information-check flags: the department's record as evidence, masked
    or withheld as the caller's role requires."""
    rows = session.execute(
        select(CrosscheckFlag, Person.name, Person.id_number)
        .join(Person, Person.id == CrosscheckFlag.person_id)
        .where(CrosscheckFlag.case_id == case_id, CrosscheckFlag.resolved_at.is_(None))
        .order_by(CrosscheckFlag.id)
    ).all()
    show = Disclosure(actor)
    out = []
    for flag, name, number in rows:
        kind = KINDS.get(flag.kind)
        out.append(
            {
                "kind": "crosscheck",
                "flag_id": flag.id,
                "source": flag.kind,
                "source_label": kind.label_zh if kind else flag.kind,
                "source_label_en": kind.label_en if kind else flag.kind,
                "department": kind.source_zh if kind else "",
                "member_name": show.flag_member(name),
                "member_id_number": show.id_number(number),
                "evidence": show.payload(json.loads(flag.evidence)),
                "file": flag.file_name,
                "file_sha256": flag.file_sha256,
                "line": flag.line,
                "raised_at": flag.raised_at,
            }
        )
    return out


def referral_view(session: Session, case_id: int, show: Disclosure) -> dict[str, Any] | None:
    """The monitoring warning the case was referred from: the signal, what it said, and why
    the referral (None for a case not referred from a warning)."""
    warning = session.scalar(select(MonitoringWarning).where(MonitoringWarning.case_id == case_id))
    if warning is None:
        return None
    return {
        "warning_id": warning.id,
        "signal": warning.signal,
        "signal_on": warning.signal_on,
        "detail": show.text(warning.detail) or "",
        "note": show.text(warning.outcome_note) or "",
        "referred_at": warning.handled_at,
    }


def overdue_flags(deadlines: list[Deadline]) -> list[dict[str, Any]]:
    """One flag naming the deadlines the case has let pass."""
    late = [d for d in deadlines if d.overdue and d.status == "pending"]
    if not late:
        return []
    return [
        {
            "kind": "overdue",
            "deadlines": [d.name for d in late],
            "since": min(d.due_on for d in late),
        }
    ]


def benefit_view(
    session: Session,
    case_id: int,
    show: Disclosure | None = None,
    names: Iterable[str] = (),
    tz: dt.tzinfo = CHINA_TZ,
) -> dict[str, Any] | None:
    """The case's current amount: the latest decision, else the township's proposal, with
    its breakdown explained as a sum (``explanation``) under the rounding rule then in force.

    A reader who sees masked data gets the amount (which the village notice publishes)
    but not the household's incomes, health and their breakdown (PIPL Art. 28). The
    breakdown's lines name members masked, as the decision recorded them; a reader who
    sees the members' ``names`` in full sees them in full there too.
    """
    rows = session.scalars(
        select(BenefitDecision)
        .where(BenefitDecision.case_id == case_id)
        .order_by(BenefitDecision.id.desc())
    ).all()
    row = next((r for r in rows if r.kind == BenefitKind.DECIDED), rows[0] if rows else None)
    if row is None:
        return None
    shown = {name: name for name in names} if show is not None and show.full else {}
    breakdown = [
        {
            **line,
            "amount_yuan": Decimal(line["amount_yuan"]),
            "member": line.get("member") and show_masked_names(line["member"], shown),
        }
        for line in json.loads(row.breakdown)
    ]
    case = session.get(Case, case_id)
    rounding = None
    if case is not None:
        on = local_date(row.decided_at, tz)
        rounding = str(parameters_in_force(session, county_of(case.village_code), on)["rounding"])
    return {
        "kind": str(row.kind),
        "trigger": row.trigger,
        "decision_id": row.id,
        "decided_at": row.decided_at,
        "effective_month": row.effective_month,
        "monthly_yuan": row.monthly_yuan,
        "standard_yuan": fen_to_yuan(row.standard_fen),
        "members": row.members,
        "counted_income_yuan": fen_to_yuan(row.counted_income_fen),
        "base_yuan": fen_to_yuan(row.base_fen),
        "supplement_yuan": fen_to_yuan(row.supplement_fen),
        "breakdown": breakdown,
        "explanation": explain_amount(breakdown, row.monthly_yuan, rounding),
    } | ({} if show is None or show.full else WITHHELD_MEANS)


#: what a masked reader sees in place of the household's means
WITHHELD_MEANS: dict[str, Any] = {
    "counted_income_yuan": None,
    "base_yuan": None,
    "supplement_yuan": None,
    "breakdown": [],
    "explanation": None,
}


def _recheck_view(uow: UnitOfWork, case: Case, household: Household) -> dict[str, Any] | None:
    """When the case is next rechecked, and why at that interval (Art. 31)."""
    if case.state not in ENROLLED_STATES:
        return None
    today = local_date(uow.clock.now(), uow.clock.tz)
    params = parameters_in_force(uow.session, county_of(case.village_code), today)
    plan = recheck_plan(household, str(case.category), params)
    return {
        "next_recheck_on": case.next_recheck_on,
        "interval_months": case.recheck_interval_months or plan.months,
        "unstable": plan.unstable,
        "reason": plan.reason_zh,
        "reason_en": plan.reason_en,
    }


def _household_view(household: Household, full: bool) -> dict[str, Any]:
    """The household profile the means test reads (sensitive parts only for staff)."""
    out: dict[str, Any] = {"income_stable": household.income_stable}
    if full:
        out.update(
            rigid_expenses_yuan=household.rigid_expenses,
            bank_account=mask_account(household.bank_account) if household.bank_account else None,
            address=household.address,
            deposits_yuan=None
            if household.deposits_fen is None
            else fen_to_yuan(household.deposits_fen),
            vehicles=household.vehicles,
            extra_housing_units=household.extra_housing_units,
            tekun_supporter=household.tekun_supporter,
        )
    return out
