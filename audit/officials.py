"""The officials registry: case officers and village cadres, and the relatives they declare.

Imports check every row first and write nothing unless all are good; the
same file imported twice changes nothing. After any change, the cases it can
affect are scanned again, so flags appear (and vanish) at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audit.conflicts import FlagChanges
from audit.kinship import case_members, close_for
from audit.relations import LABELS as RELATION_LABELS
from audit.relations import close_relations
from audit.scan import affected_cases, scan
from engine.access import county_of, ensure_role
from engine.clock import local_date
from engine.errors import Conflict, InvalidData, NotFound, Problem, invalid_field, raise_invalid
from engine.identity import InvalidIdNumber, mask_id_number, parse_id_number
from engine.inputs import (
    EARLIEST_DAY,
    LATEST_DAY,
    ImportColumns,
    code_of,
    free_text_problem,
)
from engine.models import (
    DeclarationSource,
    KinRelation,
    Official,
    OfficialPosition,
    Person,
    Region,
    RegionLevel,
    RelativeDeclaration,
)
from engine.policy import parameters_in_force
from engine.ports import Actor, LedgerEvent
from engine.privacy import Disclosure
from engine.services.applications import ADDRESS_MAX_CHARS, BANK_ACCOUNT_RE
from engine.services.workflow_step import locked_case
from engine.states import Role
from engine.uow import UnitOfWork, db_conflicts

COLUMNS = (
    "official_id_number",
    "official_name",
    "position",
    "region_code",
    "relative_id_number",
    "relative_name",
    "relative_birth_date",
    "relation",
)
#: optional columns
TERM_COLUMNS = ("term_start", "term_end")
#: optional: where the official lives and the account they are paid into (an inspector's
#: indicator compares them with enrolled households')
CONTACT_COLUMNS = ("home_address", "bank_account")
#: a region level in words
LEVEL_WORDS = {
    RegionLevel.COUNTY: "县",
    RegionLevel.TOWNSHIP: "乡镇",
    RegionLevel.VILLAGE: "村（居）",
}
#: the region level each position works at
POSITION_LEVEL = {
    OfficialPosition.COUNTY_OFFICER: RegionLevel.COUNTY,
    OfficialPosition.TOWNSHIP_OFFICER: RegionLevel.TOWNSHIP,
    OfficialPosition.VILLAGE_DIRECTOR: RegionLevel.VILLAGE,
    OfficialPosition.VILLAGE_DEPUTY: RegionLevel.VILLAGE,
    OfficialPosition.VILLAGE_MEMBER: RegionLevel.VILLAGE,
}
REGISTRY_ROLES = frozenset({Role.ADMIN})
#: each column's header as the template prints it: a file may use these or the names above
HEADERS_ZH = {
    "official_id_number": "身份证号码",
    "official_name": "姓名",
    "position": "职务",
    "region_code": "所在地区代码",
    "relative_id_number": "亲属身份证号码",
    "relative_name": "亲属姓名",
    "relative_birth_date": "亲属出生日期",
    "relation": "亲属是本人的",
    "term_start": "任期开始",
    "term_end": "任期结束",
    "home_address": "家庭住址",
    "bank_account": "本人银行账号",
}
_COLUMNS = ImportColumns(HEADERS_ZH)
#: positions in words (a file may give these or the codes)
POSITION_LABELS = {
    OfficialPosition.COUNTY_OFFICER: ("县级经办人员", "county case officer"),
    OfficialPosition.TOWNSHIP_OFFICER: ("乡镇经办人员", "township case officer"),
    OfficialPosition.VILLAGE_DIRECTOR: ("村（居）委会主任", "village committee director"),
    OfficialPosition.VILLAGE_DEPUTY: ("村（居）委会副主任", "village committee deputy director"),
    OfficialPosition.VILLAGE_MEMBER: ("村（居）委会委员", "village committee member"),
}
_POSITION_WORDS = {code: zh for code, (zh, _) in POSITION_LABELS.items()}
_RELATION_WORDS = {code: zh for code, (zh, _) in RELATION_LABELS.items()}


@dataclass(frozen=True)
class OfficialRow:
    """One row of a registry file: an official and, optionally, one declared relative."""

    line: int
    official_id_number: str
    official_name: str
    position: str
    region_code: str
    relative_id_number: str = ""
    relative_name: str = ""
    relative_birth_date: str = ""
    relation: str = ""
    term_start: str = ""
    term_end: str = ""
    home_address: str = ""
    bank_account: str = ""

    @property
    def has_relative(self) -> bool:
        """Whether the row declares a relative (the relative columns are not all empty)."""
        return any(
            (self.relative_id_number, self.relative_name, self.relative_birth_date, self.relation)
        )


@dataclass
class RegistryReport:
    """What a registry change did."""

    officials_created: int = 0
    officials_unchanged: int = 0
    #: officials whose home address or bank account the file changed
    officials_updated: int = 0
    relatives_created: int = 0
    relatives_unchanged: int = 0
    flags: FlagChanges = field(default_factory=FlagChanges)
    #: every official the rows named, in row order
    official_ids: list[int] = field(default_factory=list)


def rows_from_records(
    records: Iterable[Mapping[str, object]], first_line: int = 2
) -> list[OfficialRow]:
    """Turn header-keyed records (from CSV or XLSX) into rows, keeping line numbers; headers,
    positions and relations may be given in Chinese as the template gives them."""
    out = []
    for line, record in enumerate(records, first_line):
        clean = _COLUMNS.record(record)
        clean["position"] = code_of(clean.get("position", ""), _POSITION_WORDS)
        clean["relation"] = code_of(clean.get("relation", ""), _RELATION_WORDS)
        if not any(clean.values()):
            continue  # a blank line
        columns = (*COLUMNS, *TERM_COLUMNS, *CONTACT_COLUMNS)
        out.append(OfficialRow(line=line, **{c: clean.get(c, "") for c in columns}))
    return out


def check_header(header: Sequence[str]) -> None:
    """Refuse a file without the registry columns (named in English or as the template)."""
    missing = [c for c in COLUMNS if c not in {_COLUMNS.name(h) for h in header}]
    if missing:
        raise InvalidData(
            f"缺少列：{'、'.join(HEADERS_ZH[c] for c in missing)}（可下载导入模板）",
            f"missing columns: {', '.join(missing)} (expected {','.join(COLUMNS)})",
            code="bad_header",
        )


def _problem(line: int, column: str, zh: str, en: str) -> Problem:
    return Problem(
        code="invalid_row",
        message=f"第{line}行「{HEADERS_ZH.get(column, column)}」：{zh}",
        message_en=f"line {line}, {column}: {en}",
        field=f"line {line}.{column}",
    )


def _date(text: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is None or EARLIEST_DAY <= day <= LATEST_DAY else None


@dataclass(frozen=True)
class _Checked:
    row: OfficialRow
    official_number: str
    position: OfficialPosition
    relative_number: str | None
    relative_birth: dt.date | None
    relation: KinRelation | None
    term_start: dt.date | None
    term_end: dt.date | None


def _contact_problems(row: OfficialRow) -> list[Problem]:
    problems = []
    if row.bank_account and not BANK_ACCOUNT_RE.match(row.bank_account):
        problems.append(
            _problem(row.line, "bank_account", "银行账号须为10-30位数字", "10-30 digits")
        )
    address = free_text_problem(row.home_address, "home_address", ADDRESS_MAX_CHARS, required=False)
    if address is not None:
        problems.append(_problem(row.line, "home_address", address.message, address.message_en))
    return problems


def _check(session: Session, rows: Sequence[OfficialRow], today: dt.date) -> list[_Checked]:
    """Check every row; raise InvalidData listing each problem by line."""
    problems: list[Problem] = []
    checked: list[_Checked] = []
    regions = {
        r.code: r
        for r in session.scalars(
            select(Region).where(Region.code.in_({r.region_code for r in rows}))
        )
    }
    closes: dict[str, frozenset[KinRelation]] = {}
    names = {
        p.id_number: p.name
        for p in session.scalars(
            select(Person).where(Person.id_number.in_({r.official_id_number.upper() for r in rows}))
        )
    }
    seen_relatives: dict[tuple[object, ...], int] = {}
    for row in rows:
        p = len(problems)
        number = ""
        if not row.official_id_number:
            problems.append(
                _problem(
                    row.line,
                    "official_id_number",
                    "官员须有身份证号码（对应人员）",
                    "an official needs an ID number",
                )
            )
        else:
            try:
                number = parse_id_number(row.official_id_number, today=today).number
            except InvalidIdNumber as err:
                problems.append(
                    _problem(
                        row.line, "official_id_number", err.problem.message, err.problem.message_en
                    )
                )
        if not row.official_name or len(row.official_name) > 50:
            problems.append(_problem(row.line, "official_name", "姓名不能为空", "name is required"))
        elif number and names.get(number, row.official_name) != row.official_name:
            problems.append(
                _problem(
                    row.line,
                    "official_name",
                    "与该身份证号码已登记的姓名不一致",
                    "differs from the name registered for this ID number",
                )
            )
        names.setdefault(number, row.official_name)
        position = None
        if row.position not in [v.value for v in OfficialPosition]:
            problems.append(
                _problem(
                    row.line,
                    "position",
                    "职务无效，可填：" + "、".join(zh for zh, _ in POSITION_LABELS.values()),
                    "one of: " + ", ".join(v.value for v in OfficialPosition),
                )
            )
        else:
            position = OfficialPosition(row.position)
        region = regions.get(row.region_code)
        if region is None:
            problems.append(_problem(row.line, "region_code", "地区代码不存在", "unknown region"))
        elif position is not None and region.level != POSITION_LEVEL[position]:
            problems.append(
                _problem(
                    row.line,
                    "region_code",
                    f"{POSITION_LABELS[position][0]}须对应"
                    f"{LEVEL_WORDS[POSITION_LEVEL[position]]}级地区",
                    f"a {row.position} works at {POSITION_LEVEL[position].value} level",
                )
            )
        term_start, term_end = _date(row.term_start), _date(row.term_end)
        for column, text, value in (
            ("term_start", row.term_start, term_start),
            ("term_end", row.term_end, term_end),
        ):
            if text and value is None:
                problems.append(
                    _problem(
                        row.line,
                        column,
                        f"日期格式为 YYYY-MM-DD，在{EARLIEST_DAY.year}至{LATEST_DAY.year}年之间",
                        f"YYYY-MM-DD, between {EARLIEST_DAY.year} and {LATEST_DAY.year}",
                    )
                )
        if term_start is not None and term_end is not None and term_end < term_start:
            problems.append(
                _problem(
                    row.line,
                    "term_end",
                    "任期结束日期早于开始日期",
                    "the term ends before it starts",
                )
            )
        problems += _contact_problems(row)
        relative_number: str | None = None
        relative_birth = _date(row.relative_birth_date)
        relation: KinRelation | None = None
        if row.has_relative:
            county = county_of(row.region_code)
            if county not in closes:
                additions = parameters_in_force(session, county, today)["kinship_additions"]
                assert isinstance(additions, frozenset)
                closes[county] = close_relations(additions)
            if row.relation not in [k.value for k in KinRelation]:
                problems.append(
                    _problem(
                        row.line,
                        "relation",
                        "亲属关系无效，可填："
                        + "、".join(RELATION_LABELS[k][0] for k in KinRelation),
                        "one of: " + ", ".join(k.value for k in KinRelation),
                    )
                )
            elif KinRelation(row.relation) not in closes[county]:
                problems.append(
                    _problem(
                        row.line,
                        "relation",
                        "该关系不在本县规定的近亲属范围内（见参数“近亲属范围的地方扩展”）",
                        "outside the county's configured close relations (kinship_additions)",
                    )
                )
            else:
                relation = KinRelation(row.relation)
            if row.relative_id_number:
                try:
                    relative_number = parse_id_number(row.relative_id_number, today=today).number
                except InvalidIdNumber as err:
                    problems.append(
                        _problem(
                            row.line,
                            "relative_id_number",
                            err.problem.message,
                            err.problem.message_en,
                        )
                    )
                if relative_number and relative_number == number:
                    problems.append(
                        _problem(
                            row.line,
                            "relative_id_number",
                            "不能申报本人为亲属",
                            "an official cannot be their own relative",
                        )
                    )
            elif not row.relative_name or relative_birth is None or relative_birth > today:
                problems.append(
                    _problem(
                        row.line,
                        "relative_birth_date",
                        "无身份证号码时须填写亲属姓名和出生日期（YYYY-MM-DD）",
                        "without an ID number, the relative's name and birth date are required",
                    )
                )
            if not row.relative_name:
                problems.append(
                    _problem(
                        row.line,
                        "relative_name",
                        "亲属姓名不能为空",
                        "the relative's name is required",
                    )
                )
            key = (
                number,
                row.position,
                row.region_code,
                relative_number or (row.relative_name, relative_birth),
            )
            if key in seen_relatives:
                problems.append(
                    _problem(
                        row.line,
                        "relative_id_number",
                        f"与第{seen_relatives[key]}行重复申报同一亲属",
                        f"the same relative as line {seen_relatives[key]}",
                    )
                )
            seen_relatives.setdefault(key, row.line)
        if len(problems) == p and position is not None:
            checked.append(
                _Checked(
                    row,
                    number,
                    position,
                    relative_number,
                    relative_birth,
                    relation,
                    term_start,
                    term_end,
                )
            )
    raise_invalid_rows(problems)
    return checked


def raise_invalid_rows(problems: Sequence[Problem]) -> None:
    """Refuse the whole file when any row is wrong."""
    if problems:
        raise InvalidData(
            f"{len(problems)}处错误，未导入任何数据",
            f"{len(problems)} problem(s); nothing was imported",
            code="invalid_rows",
            problems=problems,
        )


def _person(session: Session, number: str, name: str, now: dt.datetime, today: dt.date) -> Person:
    person = session.scalar(select(Person).where(Person.id_number == number))
    if person is None:
        rid = parse_id_number(number, today=today)
        person = Person(
            id_number=number, name=name, birth_date=rid.birth_date, sex=str(rid.sex), created_at=now
        )
        session.add(person)
        session.flush()
    return person


def import_officials(
    uow: UnitOfWork, actor: Actor, rows: Sequence[OfficialRow], file_sha256: str | None = None
) -> RegistryReport:
    """Add officials and their declared relatives; all rows or none. Rescans affected cases."""
    ensure_role(
        actor, REGISTRY_ROLES, "维护经办人员和村干部名册", "maintain the officials registry"
    )
    report = RegistryReport()
    with uow, db_conflicts():
        session = uow.session
        now = uow.clock.now()
        today = local_date(now, uow.clock.tz)
        checked = _check(session, rows, today)
        for c in checked:
            if not c.row.region_code.startswith(actor.region_code):
                raise_invalid(
                    [
                        invalid_field(
                            f"line {c.row.line}.region_code",
                            "不在您的辖区内",
                            "outside your region",
                        )
                    ]
                )
        officials: dict[tuple[str, str, str], Official] = {}
        for c in checked:
            key = (c.official_number, c.position.value, c.row.region_code)
            if key in officials:
                continue
            person = _person(session, c.official_number, c.row.official_name, now, today)
            official = session.scalar(
                select(Official).where(
                    Official.person_id == person.id,
                    Official.position == c.position,
                    Official.region_code == c.row.region_code,
                )
            )
            contact = {
                name: getattr(c.row, name) for name in CONTACT_COLUMNS if getattr(c.row, name)
            }
            if official is None:
                official = Official(
                    person_id=person.id,
                    position=c.position,
                    region_code=c.row.region_code,
                    term_start=c.term_start,
                    term_end=c.term_end,
                    created_at=now,
                    **contact,
                )
                session.add(official)
                session.flush()
                report.officials_created += 1
            elif any(getattr(official, k) != v for k, v in contact.items()):
                # people move and change banks: the file's values are the current ones
                for name, value in contact.items():
                    setattr(official, name, value)
                report.officials_updated += 1
            else:
                report.officials_unchanged += 1
            officials[key] = official
            report.official_ids.append(official.id)
        problems: list[Problem] = []
        new_ids: set[str] = set()
        new_pairs: set[tuple[str, dt.date]] = set()
        for c in checked:
            if c.relation is None:
                continue
            official = officials[(c.official_number, c.position.value, c.row.region_code)]
            existing = _existing_declaration(session, official.id, c)
            if existing is not None:
                if existing.relation != c.relation:
                    problems.append(
                        _problem(
                            c.row.line,
                            "relation",
                            f"该亲属已申报为 {existing.relation}",
                            f"this relative is already declared as {existing.relation}",
                        )
                    )
                else:
                    report.relatives_unchanged += 1
                continue
            session.add(
                RelativeDeclaration(
                    official_id=official.id,
                    source=DeclarationSource.OFFICIAL,
                    relative_id_number=c.relative_number,
                    relative_name=c.row.relative_name,
                    relative_birth_date=c.relative_birth,
                    relation=c.relation,
                    declared_at=now,
                    declared_by_id=actor.user_id,
                )
            )
            report.relatives_created += 1
            if c.relative_number:
                new_ids.add(c.relative_number)
            elif c.relative_birth is not None:
                new_pairs.add((c.row.relative_name, c.relative_birth))
        raise_invalid_rows(problems)
        session.flush()
        changed = report.officials_created + report.officials_updated + report.relatives_created
        # a repeated import changes nothing, so it adds nothing to the ledger either
        counties = {county_of(c.row.region_code) for c in checked} if changed else set()
        for county in sorted(counties):
            uow.audit.record(
                session,
                f"officials:{county}",
                LedgerEvent(
                    event="import_officials",
                    actor=actor,
                    at=now,
                    payload={
                        "rows": len(rows),
                        "file_sha256": file_sha256,
                        "officials_created": report.officials_created,
                        "officials_updated": report.officials_updated,
                        "relatives_created": report.relatives_created,
                    },
                ),
            )
        person_ids = {o.person_id for o in officials.values()}
        cases = affected_cases(session, new_ids, new_pairs, person_ids)
        if cases:
            report.flags = scan(uow, actor, cases)
        uow.commit()
    return report


def _existing_declaration(
    session: Session, official_id: int, c: _Checked
) -> RelativeDeclaration | None:
    stmt = select(RelativeDeclaration).where(
        RelativeDeclaration.official_id == official_id,
        RelativeDeclaration.source == DeclarationSource.OFFICIAL,
    )
    if c.relative_number:
        stmt = stmt.where(RelativeDeclaration.relative_id_number == c.relative_number)
    else:
        stmt = stmt.where(
            RelativeDeclaration.relative_id_number.is_(None),
            RelativeDeclaration.relative_name == c.row.relative_name,
            RelativeDeclaration.relative_birth_date == c.relative_birth,
        )
    return session.scalars(stmt.limit(1)).first()


def official_row(**values: str) -> OfficialRow:
    """A single row for the API: the same checks as a file."""
    return OfficialRow(line=1, **values)


def official_by_id(session: Session, official_id: int) -> Official:
    """Return the official or raise NotFound."""
    official = session.get(Official, official_id)
    if official is None:
        raise NotFound(
            f"官员{official_id}不存在",
            f"official {official_id} does not exist",
            code="official_not_found",
        )
    return official


def masked(number: str, full: bool) -> str:
    """An official's ID number as the caller's role may see it."""
    return number if full else mask_id_number(number)


def add_relative(
    uow: UnitOfWork,
    actor: Actor,
    official_id: int,
    relation: str,
    relative_name: str,
    relative_id_number: str = "",
    relative_birth_date: str = "",
) -> RegistryReport:
    """Declare one more relative of an official (the same checks as an import row)."""
    with uow:
        official = official_by_id(uow.session, official_id)
        person = uow.session.get(Person, official.person_id)
        assert person is not None
        row = OfficialRow(
            line=1,
            official_id_number=person.id_number,
            official_name=person.name,
            position=str(official.position),
            region_code=official.region_code,
            relative_id_number=relative_id_number,
            relative_name=relative_name,
            relative_birth_date=relative_birth_date,
            relation=relation,
        )
    report = import_officials(uow.again(), actor, [row])
    if not report.relatives_created:
        raise Conflict(
            "该亲属已申报", "this relative is already declared", code="relative_declared"
        )
    return report


def declare_for_member(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    official_id_number: str,
    member_id_number: str,
    relation: str,
) -> FlagChanges:
    """Record an applicant's declaration that a member is the official's relative."""
    ensure_role(actor, frozenset({Role.CLERK}), "登记申请人申报", "record applicants' declarations")
    with locked_case(uow, case_id, actor, "declare_relation") as case:
        session = uow.session
        today = local_date(uow.clock.now(), uow.clock.tz)
        problems: list[Problem] = []
        numbers = {}
        for field_name, raw in (
            ("official_id_number", official_id_number),
            ("member_id_number", member_id_number),
        ):
            try:
                numbers[field_name] = parse_id_number(raw, today=today, field=field_name).number
            except InvalidIdNumber as err:
                problems.append(err.problem)
        if relation not in close_for(session, county_of(case.village_code), today):
            problems.append(
                invalid_field(
                    "relation",
                    "该关系不在本县近亲属范围内",
                    "outside the county's configured close relations",
                )
            )
        raise_invalid(problems)
        official = session.scalar(
            select(Official)
            .join(Person, Person.id == Official.person_id)
            .where(Person.id_number == numbers["official_id_number"])
            .limit(1)
        )
        if official is None:
            raise_invalid(
                [
                    invalid_field(
                        "official_id_number",
                        "名册中没有该身份证号码的官员",
                        "no official with this ID number in the registry",
                    )
                ]
            )
        assert official is not None
        member = next(
            (
                m
                for m in case_members(session, case.household_id)
                if m.id_number == numbers["member_id_number"]
            ),
            None,
        )
        if member is None:
            raise_invalid(
                [
                    invalid_field(
                        "member_id_number",
                        "不是本户现有成员",
                        "not a current member of the household",
                    )
                ]
            )
        assert member is not None
        session.add(
            RelativeDeclaration(
                official_id=official.id,
                source=DeclarationSource.APPLICANT,
                relative_id_number=member.id_number,
                relative_name=member.name,
                relative_birth_date=member.birth_date,
                relation=KinRelation(relation),
                case_id=case.id,
                declared_at=uow.clock.now(),
                declared_by_id=actor.user_id,
            )
        )
        session.flush()
        changes = uow.kinship.refresh_case(uow, case, actor)
        uow.commit()
        assert isinstance(changes, FlagChanges)
        return changes


@dataclass(frozen=True)
class OfficialView:
    """An official with their declared relatives, for listing."""

    id: int
    id_number: str
    name: str
    position: str
    region_code: str
    term_start: dt.date | None
    term_end: dt.date | None
    relatives: list[dict[str, object]]


def list_officials(
    session: Session, region_prefix: str, show: Disclosure, page: int = 1, per_page: int = 50
) -> tuple[list[OfficialView], int]:
    """The officials in a region, with their relatives, one page at a time.

    The officials' own identities are the registry's matter and shown whole; the
    relatives they declared are private people (often applicants), shown as the
    reader may see them: masked for the administrator who keeps the registry.
    """
    where = Official.region_code.startswith(region_prefix, autoescape=True)
    total = session.scalar(select(func.count()).select_from(Official).where(where)) or 0
    rows = session.execute(
        select(Official, Person)
        .join(Person, Person.id == Official.person_id)
        .where(where)
        .order_by(Official.region_code, Official.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    relatives: dict[int, list[dict[str, object]]] = {}
    for d in session.scalars(
        select(RelativeDeclaration)
        .where(RelativeDeclaration.official_id.in_([o.id for o, _ in rows]))
        .order_by(RelativeDeclaration.id)
    ):
        relatives.setdefault(d.official_id, []).append(
            {
                "id": d.id,
                "relation": str(d.relation),
                "name": show.name(d.relative_name),
                "id_number": show.id_number(d.relative_id_number) if d.relative_id_number else None,
                "birth_date": d.relative_birth_date if show.full else None,
                "source": str(d.source),
            }
        )
    return [
        OfficialView(
            o.id,
            p.id_number,
            p.name,
            str(o.position),
            o.region_code,
            o.term_start,
            o.term_end,
            relatives.get(o.id, []),
        )
        for o, p in rows
    ], total
