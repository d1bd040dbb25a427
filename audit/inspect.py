"""Inspector queries: kinship flags, the register of filed cases (近亲属备案登记) and the
enrolled flagged cases with their recheck status (近亲属享受低保复核)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from audit.kinship import POSITIONS
from audit.relations import LABELS
from engine.case_view import through_names
from engine.clock import as_utc
from engine.models import (
    Case,
    Investigation,
    InvestigationLevel,
    InvestigationMethod,
    KinshipFiling,
    KinshipFlag,
    Member,
    Official,
    Person,
    Region,
    Relation,
    User,
)
from engine.privacy import Disclosure
from engine.states import ENROLLED_STATES


@dataclass(frozen=True)
class FlagRow:
    """A kinship flag as inspectors list it."""

    flag_id: int
    case_id: int
    case_state: str
    village_code: str
    village_name: str
    member_name: str
    official_name: str
    official_id_number: str
    position: str
    relation: str
    strength: str
    path: str
    path_en: str
    raised_at: dt.datetime
    vanished_at: dt.datetime | None
    filed: bool


@dataclass(frozen=True)
class RegisterRow:
    """One filed case in the register."""

    filing_id: int
    filed_at: dt.datetime
    filed_by: str
    note: str
    case_id: int
    case_state: str
    category: str
    village_code: str
    village_name: str
    applicant: str
    officials: str
    relations: str


def list_flags(
    session: Session,
    region: str,
    show: Disclosure,
    *,
    active: bool | None = True,
    filed: bool | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[FlagRow], int]:
    """Kinship flags of the cases in the region (a county, township or village), newest first,
    with names and ID numbers as the reader may see them."""
    member = aliased(Person)
    official_person = aliased(Person)
    filed_cases = select(KinshipFiling.case_id).distinct().scalar_subquery()
    stmt = (
        select(
            KinshipFlag,
            Case,
            Region.name,
            member.name,
            official_person.name,
            official_person.id_number,
            Official.position,
            Case.id.in_(filed_cases).label("filed"),
        )
        .join(Case, Case.id == KinshipFlag.case_id)
        .join(Region, Region.code == Case.village_code)
        .join(member, member.id == KinshipFlag.member_person_id)
        .join(Official, Official.id == KinshipFlag.official_id)
        .join(official_person, official_person.id == Official.person_id)
        .where(Case.village_code.startswith(region, autoescape=True))
    )
    if active is not None:
        stmt = stmt.where(
            KinshipFlag.vanished_at.is_(None) if active else KinshipFlag.vanished_at.is_not(None)
        )
    if filed is not None:
        stmt = stmt.where(Case.id.in_(filed_cases) if filed else Case.id.not_in(filed_cases))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(KinshipFlag.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    through = through_names(session, [row[0] for row in rows])
    items = []
    for flag, case, village, member_name, name, number, position, is_filed in rows:
        official_name, official_number = show.official(name, number)
        named = [member_name, *through.get(flag.id, [])]
        items.append(
            FlagRow(
                flag_id=flag.id,
                case_id=case.id,
                case_state=str(case.state),
                village_code=case.village_code,
                village_name=village,
                member_name=show.flag_member(member_name),
                official_name=official_name,
                official_id_number=official_number,
                position=str(position),
                relation=flag.relation,
                strength=str(flag.strength),
                path=show.flag_path(flag.path, name, named),
                path_en=show.flag_path(flag.path_en, name, named),
                raised_at=flag.raised_at,
                vanished_at=flag.vanished_at,
                filed=bool(is_filed),
            )
        )
    return items, total


def kinship_register(
    session: Session, region: str, show: Disclosure, year: int | None = None
) -> list[RegisterRow]:
    """The separate register of the region's filed cases, oldest filing first, names and notes
    as the reader may see them."""
    stmt = (
        select(KinshipFiling, Case, Region.name, User.username)
        .join(Case, Case.id == KinshipFiling.case_id)
        .join(Region, Region.code == Case.village_code)
        .join(User, User.id == KinshipFiling.filed_by_id)
        .where(Case.village_code.startswith(region, autoescape=True))
        .order_by(KinshipFiling.filed_at, KinshipFiling.id)
    )
    if year is not None:
        stmt = stmt.where(
            KinshipFiling.filed_at >= dt.datetime(year, 1, 1, tzinfo=dt.UTC),
            KinshipFiling.filed_at < dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC),
        )
    rows = session.execute(stmt).all()
    case_ids = [case.id for _, case, _, _ in rows]
    applicants = dict(
        session.execute(
            select(Case.id, Person.name)
            .join(Member, Member.household_id == Case.household_id)
            .join(Person, Person.id == Member.person_id)
            .where(Case.id.in_(case_ids), Member.relation == Relation.SELF)
        ).all()
    )
    flags: dict[int, list[tuple[str, str, str]]] = {}
    for case_id, name, position, relation in session.execute(
        select(KinshipFlag.case_id, Person.name, Official.position, KinshipFlag.relation)
        .join(Official, Official.id == KinshipFlag.official_id)
        .join(Person, Person.id == Official.person_id)
        .where(KinshipFlag.case_id.in_(case_ids))
        .order_by(KinshipFlag.id)
    ):
        flags.setdefault(case_id, []).append((show.official_name(name), str(position), relation))
    out = []
    for filing, case, village, filed_by in rows:
        listed = flags.get(case.id, [])
        out.append(
            RegisterRow(
                filing_id=filing.id,
                filed_at=filing.filed_at,
                filed_by=filed_by,
                note=show.text(filing.note) or "",
                case_id=case.id,
                case_state=str(case.state),
                category=str(case.category),
                village_code=case.village_code,
                village_name=village,
                applicant=show.flag_member(applicants.get(case.id, "")),
                officials="；".join(f"{POSITIONS[p][0]} {n}" for n, p, _ in listed),
                relations="；".join(LABELS[r][0] for _, _, r in listed),
            )
        )
    return out


@dataclass(frozen=True)
class EnrolledFlagRow:
    """An enrolled case with active kinship flags, and where its review stands."""

    case_id: int
    case_state: str
    village_code: str
    village_name: str
    applicant: str
    officials: str
    relations: str
    #: when the latest active flag was raised
    flagged_at: dt.datetime
    #: whether that flag was raised after the decision in force (approval or last recheck):
    #: the next recheck must then file it and have the county visit (2022 notice)
    raised_while_enrolled: bool
    #: a filing made after the latest flag, and a county home visit recorded after it
    filed: bool
    county_visited: bool
    decided_at: dt.datetime | None
    rechecked_at: dt.datetime | None
    recheck_started_at: dt.datetime | None
    next_recheck_on: dt.date | None


def enrolled_flagged_cases(
    session: Session, region: str, show: Disclosure
) -> list[EnrolledFlagRow]:
    """The region's enrolled cases with active kinship flags, with their filing, county visit
    and recheck status, by case number (a county report: 近亲属享受低保复核)."""
    flags = (
        select(
            KinshipFlag.case_id.label("case_id"),
            func.max(KinshipFlag.raised_at).label("flagged_at"),
        )
        .where(KinshipFlag.vanished_at.is_(None))
        .group_by(KinshipFlag.case_id)
        .subquery()
    )
    filed = (
        select(KinshipFiling.case_id, func.max(KinshipFiling.filed_at).label("filed_at"))
        .group_by(KinshipFiling.case_id)
        .subquery()
    )
    visited = (
        select(Investigation.case_id, func.max(Investigation.recorded_at).label("visited_at"))
        .where(
            Investigation.level == InvestigationLevel.COUNTY,
            Investigation.method == InvestigationMethod.HOME_VISIT,
        )
        .group_by(Investigation.case_id)
        .subquery()
    )
    rows = session.execute(
        select(Case, Region.name, flags.c.flagged_at, filed.c.filed_at, visited.c.visited_at)
        .join(flags, flags.c.case_id == Case.id)
        .join(Region, Region.code == Case.village_code)
        .outerjoin(filed, filed.c.case_id == Case.id)
        .outerjoin(visited, visited.c.case_id == Case.id)
        .where(
            Case.village_code.startswith(region, autoescape=True),
            Case.state.in_(list(ENROLLED_STATES)),
        )
        .order_by(Case.id)
    ).all()
    case_ids = [case.id for case, *_ in rows]
    applicants = dict(
        session.execute(
            select(Case.id, Person.name)
            .join(Member, Member.household_id == Case.household_id)
            .join(Person, Person.id == Member.person_id)
            .where(
                Case.id.in_(case_ids), Member.relation == Relation.SELF, Member.left_at.is_(None)
            )
        ).all()
    )
    officials: dict[int, list[tuple[str, str, str]]] = {}
    for case_id, name, position, relation in session.execute(
        select(KinshipFlag.case_id, Person.name, Official.position, KinshipFlag.relation)
        .join(Official, Official.id == KinshipFlag.official_id)
        .join(Person, Person.id == Official.person_id)
        .where(KinshipFlag.case_id.in_(case_ids), KinshipFlag.vanished_at.is_(None))
        .order_by(KinshipFlag.id)
    ):
        officials.setdefault(case_id, []).append(
            (show.official_name(name), str(position), relation)
        )
    out = []
    for case, village, flagged_at, filed_at, visited_at in rows:
        decided = [as_utc(t) for t in (case.decided_at, case.rechecked_at) if t is not None]
        listed = officials.get(case.id, [])
        out.append(
            EnrolledFlagRow(
                case_id=case.id,
                case_state=str(case.state),
                village_code=case.village_code,
                village_name=village,
                applicant=show.flag_member(applicants.get(case.id, "")),
                officials="；".join(f"{POSITIONS[p][0]} {n}" for n, p, _ in listed),
                relations="；".join(LABELS[r][0] for _, _, r in listed),
                flagged_at=flagged_at,
                raised_while_enrolled=bool(decided) and as_utc(flagged_at) >= max(decided),
                filed=filed_at is not None and as_utc(filed_at) >= as_utc(flagged_at),
                county_visited=visited_at is not None and as_utc(visited_at) >= as_utc(flagged_at),
                decided_at=case.decided_at,
                rechecked_at=case.rechecked_at,
                recheck_started_at=case.recheck_started_at,
                next_recheck_on=case.next_recheck_on,
            )
        )
    return out
