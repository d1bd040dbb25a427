"""Finding people's cases: by resident ID number or its tail, by name, by village.

Staff look people up all day by the number on an ID card, its last digits, or a
name. One search answers the API and the UI's lookup box alike: the cases of the
reader's region with a member (present or past) whose ID number equals the term
or ends with it (6 characters or more), or whose name contains it; a term that
names a village finds its cases by their applicant (the household head). There
is no telephone number on a person or household to search.

A tail is found as a prefix of the reversed number on PostgreSQL, where an
expression index holds ``reverse(id_number)``; SQLite has no ``reverse()`` and
scans with ``LIKE '%tail'``. Measured by ``bench.search`` at 100,000 people
(50,000 cases): a whole number or a tail is found in 2-3 ms (the bare lookup
0.3 ms through the index, 12-20 ms for ``LIKE '%tail'``; the whole search took
215-240 ms without the index). A name is searched by ``LIKE '%part%'``, which no
B-tree index helps: 18 ms; a village of 5,000 cases 52 ms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, select, union
from sqlalchemy.orm import Session

from engine.errors import InvalidData, invalid_field
from engine.models import Case, Member, Person, Region, Relation
from engine.ports import Actor
from engine.privacy import Disclosure
from engine.queries import MAX_PAGE

#: the shortest tail of an ID number searched for (a shorter one matches too many people)
MIN_TAIL = 6
#: a resident ID number's length (GB 11643)
ID_LENGTH = 18
#: the longest term: longer than any name or village name staff type
MAX_TERM = 50
#: results on one page, and the most a page may hold
PER_PAGE = 20
MAX_PER_PAGE = 100
#: digits, the last of which may be the check character X: a whole ID number or its tail
_ID_LIKE = re.compile(r"[0-9]*[0-9X]")
_SPACES = re.compile(r"\s+")
#: full-width digits and X, as Chinese input methods may type them
_FULL_WIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789xX")


class TermKind(StrEnum):
    """How a term is searched for."""

    ID_NUMBER = "id_number"  # a whole resident ID number
    ID_TAIL = "id_tail"  # the last 6 to 17 characters of one
    NAME = "name"  # part of a person's or a village's name


@dataclass(frozen=True)
class Term:
    """A search term as it is searched for."""

    kind: TermKind
    text: str


def _refuse(code: str, zh: str, en: str, field: str = "q") -> InvalidData:
    return InvalidData(
        f"搜索条件有误：{zh}",
        f"invalid search: {en}",
        problems=[invalid_field(field, zh, en, code)],
    )


def parse_term(raw: str | None) -> Term:
    """The term to search for, or InvalidData naming what is wrong with ``raw``.

    An ID number may be typed with spaces or full-width digits, and a lower-case x.
    """
    text = (raw or "").strip()
    if not text:
        raise _refuse(
            "search_term_empty",
            "请输入身份证号码（或其后至少6位）、姓名或村名",
            "enter an ID number (or at least its last 6 characters), a name or a village",
        )
    if len(text) > MAX_TERM:
        raise _refuse(
            "search_term_too_long",
            f"搜索词最多{MAX_TERM}个字符，实际为{len(text)}个",
            f"a search term has at most {MAX_TERM} characters, got {len(text)}",
        )
    compact = _SPACES.sub("", text.translate(_FULL_WIDTH)).upper()
    if not _ID_LIKE.fullmatch(compact):
        return Term(TermKind.NAME, text)
    if len(compact) > ID_LENGTH:
        raise _refuse(
            "search_id_too_long",
            f"身份证号码为{ID_LENGTH}位，输入了{len(compact)}位",
            f"an ID number has {ID_LENGTH} characters, got {len(compact)}",
        )
    if len(compact) < MIN_TAIL:
        raise _refuse(
            "search_tail_too_short",
            f"按身份证号码查找须输入其后至少{MIN_TAIL}位，输入了{len(compact)}位",
            f"give at least the last {MIN_TAIL} characters of an ID number, got {len(compact)}",
        )
    kind = TermKind.ID_NUMBER if len(compact) == ID_LENGTH else TermKind.ID_TAIL
    return Term(kind, compact)


@dataclass(frozen=True)
class SearchHit:
    """A case found, and the member of it the term matched, as the reader may see them."""

    case_id: int
    state: str
    category: str
    village_code: str
    village_name: str
    name: str
    id_number: str
    #: the member's relation to the applicant ("self": the household head)
    relation: str
    #: False for a member who has left the household (moved out or died)
    current: bool


@dataclass(frozen=True)
class SearchPage:
    """One page of what a search found, and how much it found in all."""

    term: Term
    items: list[SearchHit]
    total: int
    page: int
    per_page: int


def _columns() -> Select[*tuple[Any, ...]]:
    return (
        select(
            Case.id.label("case_id"),
            Member.id.label("member_id"),
            Case.state,
            Case.category,
            Case.village_code,
            Region.name.label("village_name"),
            Person.name,
            Person.id_number,
            Member.relation,
            Member.left_at,
        )
        .join(Member, Member.household_id == Case.household_id)
        .join(Person, Person.id == Member.person_id)
        .join(Region, Region.code == Case.village_code)
    )


def _matches(session: Session, term: Term, region: str) -> Select[*tuple[Any, ...]]:
    """Every (case, member) the term matches in the region, as one select."""
    base = _columns().where(Case.village_code.startswith(region, autoescape=True))
    if term.kind == TermKind.ID_NUMBER:
        return base.where(Person.id_number == term.text)
    if term.kind == TermKind.ID_TAIL:
        if session.get_bind().dialect.name == "postgresql":
            # the term is digits and X only: nothing in it to escape
            return base.where(func.reverse(Person.id_number).startswith(term.text[::-1]))
        return base.where(Person.id_number.endswith(term.text))
    # LIKE, not ILIKE: Chinese names have no case, and PostgreSQL's ILIKE scans 4 times slower
    by_name = base.where(Person.name.contains(term.text, autoescape=True))
    heads_in_village = base.where(
        Region.name.contains(term.text, autoescape=True),
        Member.relation == Relation.SELF,
        Member.left_at.is_(None),
    )
    return select(union(by_name, heads_in_village).subquery())


def search_cases(
    session: Session,
    actor: Actor,
    raw: str | None,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> SearchPage:
    """One page of the cases of the actor's region that ``raw`` finds, newest case first,
    with names and ID numbers as the actor's role may see them."""
    term = parse_term(raw)
    if not 1 <= page <= MAX_PAGE:
        raise _refuse(
            "invalid", f"页码须为1-{MAX_PAGE}", f"page must be from 1 to {MAX_PAGE}", "page"
        )
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise _refuse(
            "invalid",
            f"每页1-{MAX_PER_PAGE}条",
            f"per_page must be from 1 to {MAX_PER_PAGE}",
            "per_page",
        )
    found = _matches(session, term, actor.region_code).subquery()
    # the page and the count in one pass over the matches
    rows = session.execute(
        select(found, func.count().over().label("total"))
        .order_by(found.c.case_id.desc(), found.c.member_id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    total = rows[0].total if rows else 0
    if not rows and page > 1:  # past the last page: count apart
        total = session.scalar(select(func.count()).select_from(found)) or 0
    show = Disclosure(actor)
    items = [
        SearchHit(
            case_id=r.case_id,
            state=str(r.state),
            category=str(r.category),
            village_code=r.village_code,
            village_name=r.village_name,
            name=show.name(r.name),
            id_number=show.id_number(r.id_number),
            relation=str(r.relation),
            current=r.left_at is None,
        )
        for r in rows
    ]
    return SearchPage(term, items, total, page, per_page)


def case_ids(found: SearchPage) -> list[int]:
    """The cases a page of results shows (whose reading is logged)."""
    return sorted({hit.case_id for hit in found.items})
