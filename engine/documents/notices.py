"""The public notice (公示, Art. 19) and the standing publication (公布, Art. 24) of a village.

Both are built set-wise for any region, so that a county's 315 villages cost
a handful of queries: the cases, their amounts, their applicants' names.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from engine.access import county_of, covers, ensure_role
from engine.calendar import notice_period
from engine.clock import local_date
from engine.documents.contacts import issuer_of, region
from engine.documents.views import (
    DocumentKind,
    DocumentScope,
    NoticeRow,
    StandardLine,
    VillageDocument,
)
from engine.errors import Conflict, Forbidden, InvalidData, invalid_field
from engine.identity import mask_public_name
from engine.models import (
    BenefitDecision,
    BenefitKind,
    Case,
    Member,
    Person,
    Region,
    RegionLevel,
    Relation,
    fen_to_yuan,
)
from engine.policy import parameters_in_force, standard_category, standard_in_force
from engine.ports import Actor
from engine.rulebook import RuleBook
from engine.states import ENROLLED_STATES, CaseState, Role

ALL_ROLES = frozenset(Role)
#: which cases each village document lists, and which amount it shows
LISTED_STATES = {
    DocumentKind.NOTICE: frozenset({CaseState.IN_PUBLIC_NOTICE}),
    DocumentKind.PUBLICATION: ENROLLED_STATES,
}
AMOUNT_KIND = {
    DocumentKind.NOTICE: BenefitKind.PROPOSED,
    DocumentKind.PUBLICATION: BenefitKind.DECIDED,
}
KIND_NAMES = {
    DocumentKind.NOTICE: ("公示", "public notice"),
    DocumentKind.PUBLICATION: ("公布", "publication"),
}


@dataclass(frozen=True)
class _Listed:
    case_id: int
    village_code: str
    category: str
    household_id: int
    notice_started_at: dt.datetime | None


def village_kind(kind: str) -> DocumentKind:
    """The village document asked for, or a refusal."""
    if kind not in (DocumentKind.NOTICE, DocumentKind.PUBLICATION):
        raise InvalidData(
            f"文书类型须为 notice 或 publication，收到：{kind}",
            f"the kind must be notice or publication, got {kind!r}",
            problems=[invalid_field("kind", "须为 notice 或 publication", "notice|publication")],
        )
    return DocumentKind(kind)


def ensure_may_print(actor: Actor, region_code: str, roles: frozenset[Role] = ALL_ROLES) -> None:
    """Refuse a user whose role may not print the document or whose region does not cover it.

    Notices, publications and letters are printed by anyone who may see the
    cases they state; the dossier, with its full personal data, only by the
    roles that see it (staff and inspectors).
    """
    ensure_role(actor, roles, "印发该文书", "print this document")
    if not covers(actor.region_code, region_code):
        raise Forbidden(
            f"地区{region_code}不在您的辖区（{actor.region_code}）内",
            f"region {region_code} is outside your region {actor.region_code}",
            code="outside_region",
        )


def village_documents(
    session: Session,
    actor: Actor,
    region_code: str,
    kind: str,
    *,
    today: dt.date,
    rules: RuleBook,
    tz: dt.tzinfo,
) -> list[tuple[VillageDocument, DocumentScope]]:
    """One document per village of the region that has cases of this kind, by village code.

    Refuses an unknown region, one outside the actor's, a county with no
    standard in force, and townships or counties without the contacts a
    document must print. A region with no such cases gives an empty list.
    """
    wanted = village_kind(kind)
    area = region(session, region_code)
    ensure_may_print(actor, area.code)
    listed = _listed_cases(session, area.code, LISTED_STATES[wanted])
    if not listed:
        return []
    by_village: dict[str, list[_Listed]] = defaultdict(list)
    for item in listed:
        by_village[item.village_code].append(item)
    amounts = _amounts(session, area.code, LISTED_STATES[wanted], AMOUNT_KIND[wanted])
    names = _applicant_names(session, area.code, LISTED_STATES[wanted])
    # region codes nest by prefix (the import enforces it): a village's first 9 digits
    # are its township's code
    wanted_regions = {*by_village, *(code[:9] for code in by_village)}
    villages = {
        r.code: r for r in session.scalars(select(Region).where(Region.code.in_(wanted_regions)))
    }
    county = region(session, county_of(area.code))
    params = parameters_in_force(session, county.code, today)
    full_names = params["notice_name_display"] == "full"
    notice_days = rules.value("public_notice_days", today)
    supervisor = issuer_of(session, county.code)
    out = []
    for code in sorted(by_village):
        village = villages[code]
        township = villages[village.parent_code or ""]
        issuer = issuer_of(session, township.code) if wanted == DocumentKind.NOTICE else supervisor
        rows = []
        for item in by_village[code]:
            amount = amounts.get(item.case_id)
            if amount is None:
                which = "拟定" if wanted == DocumentKind.NOTICE else "核定"
                raise Conflict(
                    f"案件{item.case_id}没有{which}金额",
                    f"case {item.case_id} has no {AMOUNT_KIND[wanted]} amount",
                    code="amount_missing",
                )
            name = names.get(item.household_id, "")
            first = last = None
            if wanted == DocumentKind.NOTICE and item.notice_started_at is not None:
                published = local_date(item.notice_started_at, tz)
                days = rules.value("public_notice_days", published)
                first, last = notice_period(item.notice_started_at, days, tz)
            rows.append(
                NoticeRow(
                    name=name if full_names else mask_public_name(name),
                    members=amount[1],
                    category=item.category,
                    monthly_yuan=amount[0],
                    first_day=first,
                    last_day=last,
                )
            )
        document = VillageDocument(
            kind=wanted,
            county_name=county.name,
            township_name=township.name,
            village_code=village.code,
            village_name=village.name,
            rows=tuple(rows),
            standards=_standards(
                session, county.code, str(village.area_type), {i.category for i in listed}, today
            ),
            issuer=issuer,
            supervisor=supervisor,
            issued_on=today,
            notice_days=notice_days,
            full_names=full_names,
        )
        scope = DocumentScope(
            kind=wanted,
            county_code=county.code,
            region_code=village.code,
            subject=f"{township.name}{village.name}",
            issuing_body=issuer.authority,
            cases=tuple(i.case_id for i in by_village[code]),
        )
        out.append((document, scope))
    return out


def village_document(
    session: Session,
    actor: Actor,
    village_code: str,
    kind: str,
    *,
    today: dt.date,
    rules: RuleBook,
    tz: dt.tzinfo,
) -> tuple[VillageDocument, DocumentScope]:
    """The notice or publication of one village; a conflict when it lists no case."""
    place = region(session, village_code)
    if place.level != RegionLevel.VILLAGE:
        raise InvalidData(
            f"{place.name}（{place.code}）不是村（社区）",
            f"{place.code} is not a village",
            problems=[invalid_field("village_code", "须为村（社区）代码", "a village code")],
        )
    found = village_documents(session, actor, village_code, kind, today=today, rules=rules, tz=tz)
    if not found:
        zh, en = KIND_NAMES[DocumentKind(kind)]
        raise Conflict(
            f"{place.name}目前没有需要{zh}的案件",
            f"{place.name} has no case to list on a {en} now",
            code="no_cases",
        )
    return found[0]


def _in(prefix: str, states: Iterable[CaseState]) -> tuple[ColumnElement[bool], ...]:
    """The cases of the region in these states."""
    return (
        Case.village_code.startswith(prefix, autoescape=True),
        Case.state.in_([s.value for s in states]),
    )


def _listed_cases(session: Session, prefix: str, states: frozenset[CaseState]) -> list[_Listed]:
    rows = session.execute(
        select(Case.id, Case.village_code, Case.category, Case.household_id, Case.notice_started_at)
        .where(*_in(prefix, states))
        .order_by(Case.id)
    ).all()
    return [_Listed(i, v, str(c), h, n) for i, v, c, h, n in rows]


def _amounts(
    session: Session, prefix: str, states: frozenset[CaseState], kind: BenefitKind
) -> dict[int, tuple[Decimal, int]]:
    """Each case's latest amount of the kind, with the people it covers."""
    rows = session.execute(
        select(BenefitDecision.case_id, BenefitDecision.monthly_fen, BenefitDecision.members)
        .join(Case, Case.id == BenefitDecision.case_id)
        .where(*_in(prefix, states), BenefitDecision.kind == kind)
        .order_by(BenefitDecision.id)
    ).all()
    return {case_id: (fen_to_yuan(fen), members) for case_id, fen, members in rows}


def _applicant_names(session: Session, prefix: str, states: frozenset[CaseState]) -> dict[int, str]:
    """Household id -> the applicant's name (a current applicant over one who has left)."""
    rows = session.execute(
        select(Member.household_id, Person.name)
        .join(Person, Person.id == Member.person_id)
        .join(Case, Case.household_id == Member.household_id)
        .where(*_in(prefix, states), Member.relation == Relation.SELF)
        .order_by(Member.left_at.is_(None), Member.id)
    ).all()
    return dict(rows)


def _standards(
    session: Session, county: str, area_type: str, categories: set[str], on: dt.date
) -> tuple[StandardLine, ...]:
    """The standards in force for the categories listed; refused when one is missing."""
    out = []
    for wanted in sorted({standard_category(c) for c in categories}):
        ref = standard_in_force(session, county, area_type, wanted, on)
        if ref is None:
            raise Conflict(
                f"县（{county}）{on.isoformat()}没有有效的{area_type}/{wanted}保障标准："
                "请先用 doudi standards set 设定",
                f"county {county} has no {area_type} {wanted} standard in force on {on}; "
                "set one with `doudi standards set`",
                code="no_standard",
            )
        out.append(StandardLine(str(wanted), area_type, ref.monthly_yuan, ref.effective_from))
    return tuple(out)


def villages_with_cases(
    session: Session, region_code: str, kind: str
) -> list[tuple[str, str, int]]:
    """Code, name and number of cases of each village of the region a document would list."""
    wanted = village_kind(kind)
    rows = session.execute(
        select(Region.code, Region.name, func.count(Case.id))
        .join(Case, Case.village_code == Region.code)
        .where(*_in(region_code, LISTED_STATES[wanted]))
        .group_by(Region.code, Region.name)
        .order_by(Region.code)
    ).all()
    return [(code, name, count) for code, name, count in rows]
