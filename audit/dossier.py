"""A case's whole file (案卷) for inspectors: everything recorded, and its chain verified.

Not a public document: it carries full personal data and is printed only by
inspectors and the staff of the case's region; each print is logged as a
read of personal data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from audit.chain import verify_chain
from audit.models import IssuedDocument
from audit.recorder import case_entries, stored_entry
from engine.access import county_of
from engine.case_view import through_names
from engine.clock import local_date
from engine.documents.contacts import region
from engine.documents.notices import ensure_may_print
from engine.documents.views import DocumentKind, DocumentScope
from engine.identity import mask_account, mask_public_name
from engine.models import (
    BenefitDecision,
    Household,
    Investigation,
    KinshipFiling,
    KinshipFlag,
    Member,
    Objection,
    Official,
    Person,
    User,
    fen_to_yuan,
)
from engine.ports import Actor
from engine.privacy import PERSONAL_DATA_ROLES, Disclosure
from engine.queries import visible_case
from engine.services.workflow_step import case_investigations


@dataclass(frozen=True)
class DossierMember:
    """A member as the file records them (left members too)."""

    name: str
    id_number: str
    relation: str
    sex: str
    birth_date: dt.date
    disability_grade: int | None
    disability_type: str | None
    serious_illness: bool
    able_to_work: bool
    covered: bool
    incomes: tuple[tuple[str, Decimal], ...]
    left_on: dt.date | None
    left_reason: str | None
    died_on: dt.date | None


@dataclass(frozen=True)
class DossierInvestigation:
    """An investigation and who took part."""

    date: dt.date
    level: str
    method: str
    investigators: tuple[str, ...]
    findings: str
    recorded_by: str


@dataclass(frozen=True)
class DossierObjection:
    """An objection raised during the notice and what became of it."""

    raised_at: dt.datetime
    objector: str
    content: str
    status: str
    resolved_at: dt.datetime | None
    resolution: str | None


@dataclass(frozen=True)
class DossierFlag:
    """A kinship flag: the official, the member, how they are related."""

    official_name: str
    official_id_number: str
    position: str
    member_name: str
    relation: str
    strength: str
    path: str
    raised_at: dt.datetime
    vanished_at: dt.datetime | None


@dataclass(frozen=True)
class DossierFiling:
    """A kinship filing (备案)."""

    filed_at: dt.datetime
    filed_by: str
    note: str


@dataclass(frozen=True)
class DossierDecision:
    """An amount proposed or decided, with its inputs' summary."""

    kind: str
    trigger: str
    decided_at: dt.datetime
    effective_month: dt.date | None
    monthly_yuan: Decimal
    standard_yuan: Decimal
    members: int
    counted_income_yuan: Decimal
    base_yuan: Decimal
    supplement_yuan: Decimal


@dataclass(frozen=True)
class DossierDocument:
    """A document issued for the case before this one."""

    code: str
    kind: str
    issued_at: dt.datetime
    issued_by: str
    sha256: str


@dataclass(frozen=True)
class DossierEntry:
    """One entry of the case's chain, as stored."""

    seq: int
    at: dt.datetime
    trigger: str
    from_state: str | None
    to_state: str | None
    actor: str
    role: str
    reason: str
    payload: str
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Dossier:
    """Everything recorded about one case, and whether its chain verifies."""

    case_id: int
    category: str
    state: str
    area_type: str
    county_name: str
    township_name: str
    village_name: str
    previous_case_id: int | None
    dates: tuple[tuple[str, dt.datetime], ...]
    household: tuple[tuple[str, str], ...]
    members: tuple[DossierMember, ...]
    investigations: tuple[DossierInvestigation, ...]
    objections: tuple[DossierObjection, ...]
    flags: tuple[DossierFlag, ...]
    filings: tuple[DossierFiling, ...]
    decisions: tuple[DossierDecision, ...]
    documents: tuple[DossierDocument, ...]
    entries: tuple[DossierEntry, ...]
    chain_ok: bool
    chain_problem: str | None
    chain_head: str | None
    printed_by: str
    printed_at: dt.datetime


#: the case's dates, in the order of the procedure
DATE_COLUMNS = (
    "created_at",
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


def case_dossier(
    session: Session, actor: Actor, case_id: int, now: dt.datetime, tz: dt.tzinfo
) -> tuple[Dossier, DocumentScope]:
    """The case's whole file as the actor may print it (inspectors and staff of its region)."""
    case = visible_case(session, actor, case_id)
    ensure_may_print(actor, case.village_code, PERSONAL_DATA_ROLES)
    village = region(session, case.village_code)
    township = region(session, village.parent_code or "")
    county = region(session, county_of(case.village_code))
    household = session.get(Household, case.household_id)
    assert household is not None  # a case always has its household
    rows = case_entries(session, case.id)
    stored = [stored_entry(r) for r in rows]
    problem = verify_chain(f"case {case.id}", stored, case.chain_seq, case.chain_head)
    members = _members(session, case.household_id, tz)
    applicant = next((m.name for m in members if m.relation == "self"), "")
    dossier = Dossier(
        case_id=case.id,
        category=str(case.category),
        state=str(case.state),
        area_type=str(case.area_type),
        county_name=county.name,
        township_name=township.name,
        village_name=village.name,
        previous_case_id=case.previous_case_id,
        dates=tuple(
            (name, value) for name in DATE_COLUMNS if (value := getattr(case, name)) is not None
        ),
        household=_household(household),
        members=members,
        investigations=_investigations(session, case.id),
        objections=tuple(
            DossierObjection(
                o.raised_at, o.objector, o.content, str(o.status), o.resolved_at, o.resolution
            )
            for o in session.scalars(
                select(Objection).where(Objection.case_id == case.id).order_by(Objection.id)
            )
        ),
        flags=_flags(session, case.id, Disclosure(actor)),
        filings=tuple(
            DossierFiling(at, name, note)
            for at, name, note in session.execute(
                select(KinshipFiling.filed_at, _user_name(), KinshipFiling.note)
                .join(User, User.id == KinshipFiling.filed_by_id)
                .where(KinshipFiling.case_id == case.id)
                .order_by(KinshipFiling.id)
            )
        ),
        decisions=tuple(
            DossierDecision(
                kind=str(d.kind),
                trigger=d.trigger,
                decided_at=d.decided_at,
                effective_month=d.effective_month,
                monthly_yuan=d.monthly_yuan,
                standard_yuan=fen_to_yuan(d.standard_fen),
                members=d.members,
                counted_income_yuan=fen_to_yuan(d.counted_income_fen),
                base_yuan=fen_to_yuan(d.base_fen),
                supplement_yuan=fen_to_yuan(d.supplement_fen),
            )
            for d in session.scalars(
                select(BenefitDecision)
                .where(BenefitDecision.case_id == case.id)
                .order_by(BenefitDecision.id)
            )
        ),
        documents=tuple(
            DossierDocument(d.code, d.kind, d.issued_at, d.issued_by, d.sha256)
            for d in session.scalars(
                select(IssuedDocument)
                .where(IssuedDocument.case_id == case.id)
                .order_by(IssuedDocument.id)
            )
        ),
        entries=tuple(
            DossierEntry(
                seq=row.seq,
                at=row.at,
                trigger=row.trigger,
                from_state=row.from_state,
                to_state=row.to_state,
                actor=row.actor,
                role=row.role,
                reason=row.reason,
                payload=row.payload,
                prev_hash=row.prev_hash,
                hash=row.hash,
            )
            for row in rows
        ),
        chain_ok=problem is None,
        chain_problem=problem.message if problem else None,
        chain_head=case.chain_head,
        printed_by=actor.username,
        printed_at=now,
    )
    scope = DocumentScope(
        kind=DocumentKind.DOSSIER,
        county_code=county.code,
        region_code=case.village_code,
        subject=mask_public_name(applicant),
        issuing_body=county.authority or county.name,
        cases=(case.id,),
        case_id=case.id,
    )
    return dossier, scope


def _user_name() -> ColumnElement[str]:
    """A user's display name, or their username where they have none."""
    return func.coalesce(func.nullif(User.display_name, ""), User.username)


def _household(household: Household) -> tuple[tuple[str, str], ...]:
    """The household's profile as label codes and printed values."""
    out = [("income_stable", "yes" if household.income_stable else "no")]
    out.append(("rigid_expenses_yuan", str(household.rigid_expenses)))
    if household.bank_account:
        out.append(("bank_account", mask_account(household.bank_account)))
    if household.deposits_fen is not None:
        out.append(("deposits_yuan", str(fen_to_yuan(household.deposits_fen))))
    if household.vehicles is not None:
        out.append(("vehicles", str(household.vehicles)))
    if household.extra_housing_units is not None:
        out.append(("extra_housing_units", str(household.extra_housing_units)))
    return tuple(out)


def _members(session: Session, household_id: int, tz: dt.tzinfo) -> tuple[DossierMember, ...]:
    rows = session.scalars(
        select(Member).where(Member.household_id == household_id).order_by(Member.id)
    ).all()
    people = {
        p.id: p
        for p in session.scalars(select(Person).where(Person.id.in_([m.person_id for m in rows])))
    }
    return tuple(
        DossierMember(
            name=people[m.person_id].name,
            id_number=people[m.person_id].id_number,
            relation=str(m.relation),
            sex=people[m.person_id].sex,
            birth_date=people[m.person_id].birth_date,
            disability_grade=m.disability_grade,
            disability_type=str(m.disability_type) if m.disability_type else None,
            serious_illness=m.serious_illness,
            able_to_work=m.able_to_work,
            covered=m.covered,
            incomes=tuple((str(i.type), i.monthly_yuan) for i in m.incomes),
            left_on=local_date(m.left_at, tz) if m.left_at else None,
            left_reason=m.left_reason,
            died_on=m.died_on,
        )
        for m in rows
    )


def _investigations(session: Session, case_id: int) -> tuple[DossierInvestigation, ...]:
    found: list[Investigation] = list(case_investigations(session, case_id))
    recorders = dict(
        session.execute(
            select(User.id, _user_name()).where(User.id.in_([i.recorded_by_id for i in found]))
        ).all()
    )
    return tuple(
        DossierInvestigation(
            date=i.date,
            level=str(i.level),
            method=str(i.method),
            investigators=tuple(u.display_name or u.username for u in i.investigators),
            findings=i.findings,
            recorded_by=recorders.get(i.recorded_by_id, ""),
        )
        for i in found
    )


def _flags(session: Session, case_id: int, show: Disclosure) -> tuple[DossierFlag, ...]:
    """The case's flags, their officials as the reader's role shows them (``Disclosure``)."""
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
        .where(KinshipFlag.case_id == case_id)
        .order_by(KinshipFlag.id)
    ).all()
    through = through_names(session, [flag for flag, *_ in rows])
    return tuple(
        DossierFlag(
            official_name=show.official_name(name),
            official_id_number=show.official(name, number)[1],
            position=str(position),
            member_name=show.flag_member(member_name),
            relation=flag.relation,
            strength=str(flag.strength),
            path=show.flag_path(flag.path, name, [member_name, *through.get(flag.id, [])]),
            raised_at=flag.raised_at,
            vanished_at=flag.vanished_at,
        )
        for flag, member_name, name, number, position in rows
    )
