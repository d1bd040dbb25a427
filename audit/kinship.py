"""Kinship conflicts: who in a household is a close relative of an official, and why.

Relations come from three sources: household membership (each member's
relation to the applicant gives the relation between any two members),
officials' declarations of their relatives, and applicants' declarations
about a member. A match by resident ID is strong; by name and birth date it
is weaker and shown as such. Paths are at most two links long: a declared
relative, or a declared relative's co-member in the household, or the
official's own household.

``detect`` is a pure function of loaded facts; the loaders around it serve the
per-case check (at submission, on a death, after a registry change) and the
full scan reads everything once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select, tuple_
from sqlalchemy.orm import Session

from audit.relations import LABELS, SELF, close_relations, compose, household_relation
from engine.access import county_of
from engine.identity import mask_id_number, mask_name
from engine.models import (
    Case,
    KinRelation,
    KinshipFlag,
    MatchStrength,
    Member,
    Official,
    Person,
    RelativeDeclaration,
)
from engine.policy import parameters_in_force

POSITIONS: dict[str, tuple[str, str]] = {
    "county_officer": ("县级经办人员", "county case officer"),
    "township_officer": ("乡镇（街道）经办人员", "township case officer"),
    "village_director": ("村（居）委会主任", "village committee director"),
    "village_deputy": ("村（居）委会副主任", "village committee deputy director"),
    "village_member": ("村（居）委会委员", "village committee member"),
}
SOURCES = {
    "official": ("经办人员/村干部申报", "the official's declaration"),
    "applicant": ("申请人申报", "the applicant's declaration"),
}


@dataclass(frozen=True)
class MemberNode:
    """A current member of a case's household."""

    person_id: int
    id_number: str
    name: str
    birth_date: dt.date
    relation: str  # to the applicant


@dataclass(frozen=True)
class OfficialNode:
    """An official in office, with their person."""

    official_id: int
    person_id: int
    id_number: str
    name: str
    position: str
    region_code: str


@dataclass(frozen=True)
class Declaration:
    """A declared relative of an official."""

    id: int
    official: OfficialNode
    relation: KinRelation
    source: str
    relative_id_number: str | None
    relative_name: str
    relative_birth_date: dt.date | None


@dataclass(frozen=True)
class Candidate:
    """A member found related to an official: "the member is the official's <relation>"."""

    official: OfficialNode
    member: MemberNode
    relation: str
    strength: MatchStrength
    hops: int
    path: str
    path_en: str
    evidence: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, int]:
        """One flag per official and member."""
        return (self.official.official_id, self.member.person_id)

    def rank(self) -> tuple[int, int, int]:
        """Prefer an ID match, a shorter path, then a national-minimum relation."""
        national = self.relation in (
            "self",
            "spouse",
            "parent",
            "child",
            "sibling",
            "grandparent",
            "grandchild",
        )
        return (0 if self.strength == MatchStrength.ID else 1, self.hops, 0 if national else 1)


def _who(official: OfficialNode) -> tuple[str, str]:
    zh, en = POSITIONS[official.position]
    name = mask_name(official.name)
    return f"{zh} {name}", f"{en} {name}"


def _rel(relation: str) -> tuple[str, str]:
    return LABELS[relation]


def _by_official_household(
    official: OfficialNode, members: Sequence[MemberNode], close: frozenset[KinRelation]
) -> list[Candidate]:
    """The official lives in the household: themself, and their close kin in it."""
    me = next((m for m in members if m.person_id == official.person_id), None)
    if me is None:
        return []
    who_zh, who_en = _who(official)
    out = [
        Candidate(
            official,
            me,
            SELF,
            MatchStrength.ID,
            0,
            f"成员 {mask_name(me.name)} 是 {who_zh} 本人",
            f"member {mask_name(me.name)} is {who_en} themself",
            {"via": "household", "official_id": official.official_id},
        )
    ]
    for member in members:
        if member is me:
            continue
        relation = household_relation(me.relation, member.relation)
        if relation is None or relation not in close:
            continue
        zh, en = _rel(relation)
        out.append(
            Candidate(
                official,
                member,
                relation,
                MatchStrength.ID,
                1,
                f"成员 {mask_name(member.name)} 是 {who_zh} 的 {zh}（同户：{who_zh} 是本户成员）",
                f"member {mask_name(member.name)} is the {en} of {who_en} (same household)",
                {"via": "household", "official_id": official.official_id},
            )
        )
    return out


def _matches(
    declaration: Declaration, members: Sequence[MemberNode]
) -> list[tuple[MemberNode, MatchStrength]]:
    if declaration.relative_id_number:
        return [
            (m, MatchStrength.ID) for m in members if m.id_number == declaration.relative_id_number
        ]
    return [
        (m, MatchStrength.NAME_BIRTH)
        for m in members
        if (m.name, m.birth_date) == (declaration.relative_name, declaration.relative_birth_date)
    ]


def _by_declaration(
    declaration: Declaration, members: Sequence[MemberNode], close: frozenset[KinRelation]
) -> list[Candidate]:
    """The declared relative is in the household: them, and their close kin in it."""
    out = []
    who_zh, who_en = _who(declaration.official)
    source_zh, source_en = SOURCES[declaration.source]
    matched_by = {
        MatchStrength.ID: ("身份证号码", "resident ID"),
        MatchStrength.NAME_BIRTH: ("姓名和出生日期", "name and birth date"),
    }
    for relative, strength in _matches(declaration, members):
        by_zh, by_en = matched_by[strength]
        evidence = {
            "via": "declaration",
            "declaration_id": declaration.id,
            "source": declaration.source,
            "matched_by": str(strength),
        }
        if declaration.relation in close:
            zh, en = _rel(declaration.relation)
            out.append(
                Candidate(
                    declaration.official,
                    relative,
                    declaration.relation,
                    strength,
                    1,
                    f"成员 {mask_name(relative.name)} 是 {who_zh} 的 {zh}"
                    f"（依据：{source_zh}第{declaration.id}号，按{by_zh}匹配）",
                    f"member {mask_name(relative.name)} is the {en} of {who_en} "
                    f"(per {source_en} no. {declaration.id}, matched by {by_en})",
                    evidence,
                )
            )
        for member in members:
            if member is relative:
                continue
            link = household_relation(relative.relation, member.relation)
            relation = compose(declaration.relation, link) if link else None
            if relation is None or relation not in close:
                continue
            zh, en = _rel(relation)
            declared_zh, declared_en = _rel(declaration.relation)
            link_zh, link_en = _rel(link)  # type: ignore[arg-type]
            out.append(
                Candidate(
                    declaration.official,
                    member,
                    relation,
                    strength,
                    2,
                    f"成员 {mask_name(member.name)} 是 {who_zh} 的 {zh}"
                    f"（{who_zh} 的{declared_zh} {mask_name(relative.name)} 与其同户，"
                    f"{mask_name(member.name)} 是其{link_zh}；"
                    f"依据：{source_zh}第{declaration.id}号，按{by_zh}匹配）",
                    f"member {mask_name(member.name)} is the {en} of {who_en} "
                    f"({who_en}'s {declared_en} {mask_name(relative.name)} lives in the household "
                    f"and the member is their {link_en}; per {source_en} no. {declaration.id}, "
                    f"matched by {by_en})",
                    {**evidence, "through_person_id": relative.person_id},
                )
            )
    return out


def detect(
    members: Sequence[MemberNode],
    declarations: Iterable[Declaration],
    officials_in_household: Iterable[OfficialNode],
    close: frozenset[KinRelation],
) -> dict[tuple[int, int], Candidate]:
    """Return the best candidate per (official, member) for one household."""
    found: list[Candidate] = []
    for official in officials_in_household:
        found += _by_official_household(official, members, close)
    for declaration in declarations:
        found += _by_declaration(declaration, members, close)
    best: dict[tuple[int, int], Candidate] = {}
    for candidate in sorted(found, key=lambda c: c.rank()):
        best.setdefault(candidate.key, candidate)
    return best


# --- loading facts ---------------------------------------------------------------------------


def close_for(session: Session, county: str, on: dt.date) -> frozenset[KinRelation]:
    """The relations counted as close in the county on ``on``."""
    additions = parameters_in_force(session, county, on)["kinship_additions"]
    assert isinstance(additions, frozenset)
    return close_relations(additions)


def case_members(session: Session, household_id: int) -> list[MemberNode]:
    """The household's current members."""
    rows = session.execute(
        select(Member.person_id, Person.id_number, Person.name, Person.birth_date, Member.relation)
        .join(Person, Person.id == Member.person_id)
        .where(Member.household_id == household_id, Member.left_at.is_(None))
        .order_by(Member.id)
    ).all()
    return [MemberNode(r[0], r[1], r[2], r[3], str(r[4])) for r in rows]


def _official_nodes(session: Session, where: Any) -> dict[int, OfficialNode]:
    rows = session.execute(
        select(
            Official.id,
            Official.person_id,
            Person.id_number,
            Person.name,
            Official.position,
            Official.region_code,
        )
        .join(Person, Person.id == Official.person_id)
        .where(where)
    ).all()
    return {r[0]: OfficialNode(r[0], r[1], r[2], r[3], str(r[4]), r[5]) for r in rows}


def in_office(county: str, on: dt.date) -> Any:
    """SQL condition: officials of the county whose term covers ``on``."""
    return and_(
        Official.region_code.startswith(county, autoescape=True),
        or_(Official.term_start.is_(None), Official.term_start <= on),
        or_(Official.term_end.is_(None), Official.term_end >= on),
    )


def declarations_for(
    session: Session, members: Sequence[MemberNode], officials_where: Any
) -> list[Declaration]:
    """Declarations naming any of the members, by ID or by name and birth date."""
    ids = [m.id_number for m in members]
    pairs = [(m.name, m.birth_date) for m in members]
    rows = session.scalars(
        select(RelativeDeclaration)
        .join(Official, Official.id == RelativeDeclaration.official_id)
        .where(
            officials_where,
            or_(
                RelativeDeclaration.relative_id_number.in_(ids),
                and_(
                    RelativeDeclaration.relative_id_number.is_(None),
                    tuple_(
                        RelativeDeclaration.relative_name, RelativeDeclaration.relative_birth_date
                    ).in_(pairs),
                ),
            ),
        )
    ).all()
    officials = _official_nodes(session, Official.id.in_({r.official_id for r in rows}))
    return [
        Declaration(
            r.id,
            officials[r.official_id],
            KinRelation(r.relation),
            str(r.source),
            r.relative_id_number,
            r.relative_name,
            r.relative_birth_date,
        )
        for r in rows
    ]


def case_candidates(session: Session, case: Case, on: dt.date) -> dict[tuple[int, int], Candidate]:
    """Every kinship conflict of the case's household with the county's officials in office."""
    county = county_of(case.village_code)
    members = case_members(session, case.household_id)
    if not members:
        return {}
    where = in_office(county, on)
    officials = _official_nodes(
        session, and_(where, Official.person_id.in_([m.person_id for m in members]))
    )
    return detect(
        members,
        declarations_for(session, members, where),
        officials.values(),
        close_for(session, county, on),
    )


def flag_payload(candidate: Candidate) -> dict[str, Any]:
    """A flag as recorded in the case's audit trail."""
    return {
        "official_id": candidate.official.official_id,
        "official_id_number": mask_id_number(candidate.official.id_number),
        "position": candidate.official.position,
        "member": mask_id_number(candidate.member.id_number),
        "relation": candidate.relation,
        "strength": str(candidate.strength),
        "path": candidate.path,
        "evidence": dict(candidate.evidence),
    }


def new_flag(case_id: int, candidate: Candidate, at: dt.datetime) -> KinshipFlag:
    """The stored flag for a candidate."""
    return KinshipFlag(
        case_id=case_id,
        official_id=candidate.official.official_id,
        member_person_id=candidate.member.person_id,
        relation=candidate.relation,
        strength=candidate.strength,
        path=candidate.path,
        path_en=candidate.path_en,
        evidence=json.dumps(dict(candidate.evidence), ensure_ascii=False, sort_keys=True),
        raised_at=at,
    )
