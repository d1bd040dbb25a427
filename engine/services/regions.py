"""Administrative regions: import from CSV, all rows or none."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from engine.access import county_of, ensure_role
from engine.errors import InvalidData, Problem
from engine.inputs import ImportColumns, code_of
from engine.models import AreaType, Region, RegionLevel
from engine.ports import OPERATOR, Actor, LedgerEvent
from engine.states import Role
from engine.uow import UnitOfWork

REGION_ADMINS = frozenset({Role.ADMIN})

COLUMNS = ("code", "name", "parent_code", "level", "area_type")
#: optional columns: the contacts printed on notices and letters (the appeal bodies on counties)
CONTACT_COLUMNS = ("authority", "office", "phone", "reconsideration_body", "court")
CONTACT_LENGTH = {
    "authority": 100,
    "office": 200,
    "phone": 40,
    "reconsideration_body": 100,
    "court": 100,
}
COUNTY_ONLY = ("reconsideration_body", "court")
#: telephone numbers as offices write them: digits, +, -, (), spaces, and 、 or / between numbers
PHONE = re.compile(r"[0-9+\-() /、]{3,40}")
#: statistical division codes: 6 digits for a county, 9 for a township, 12 for a village
CODE_LENGTH = {RegionLevel.COUNTY: 6, RegionLevel.TOWNSHIP: 9, RegionLevel.VILLAGE: 12}
PARENT_LEVEL = {RegionLevel.TOWNSHIP: RegionLevel.COUNTY, RegionLevel.VILLAGE: RegionLevel.TOWNSHIP}


@dataclass(frozen=True)
class RegionRow:
    """One row of a region file, with its line number for error reports."""

    line: int
    code: str
    name: str
    parent_code: str
    level: str
    area_type: str
    #: optional column: registered population, for coverage rates
    population: str = ""
    #: optional columns (CONTACT_COLUMNS): empty keeps what is stored
    authority: str = ""
    office: str = ""
    phone: str = ""
    reconsideration_body: str = ""
    court: str = ""

    def contacts(self) -> dict[str, str]:
        """The contact columns this row fills in."""
        return {c: getattr(self, c) for c in CONTACT_COLUMNS if getattr(self, c)}


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    created: int
    updated: int
    unchanged: int


#: each column's header as the import template prints it: a file may use these or the names
HEADERS_ZH = {
    "code": "区划代码",
    "name": "名称",
    "parent_code": "上级区划代码",
    "level": "层级",
    "area_type": "城乡类别",
    "population": "户籍人口",
    "authority": "民政部门",
    "office": "受理窗口及地址",
    "phone": "联系电话",
    "reconsideration_body": "行政复议机关",
    "court": "行政诉讼法院",
}
_COLUMNS = ImportColumns(HEADERS_ZH)
#: levels and area types in words (a file may give these or the codes)
LEVEL_WORDS = {"county": "县", "township": "乡镇", "village": "村"}
AREA_WORDS = {"urban": "城市", "rural": "农村"}


def region_rows(
    header: Sequence[str], records: Iterable[Mapping[str, object]], first_line: int = 2
) -> list[RegionRow]:
    """Rows from a header and header-keyed records (CSV or XLSX); headers, levels and area
    types may be given in Chinese as the template gives them."""
    columns = {_COLUMNS.name(h) for h in header if h}
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise InvalidData(
            f"缺少列：{'、'.join(HEADERS_ZH[c] for c in missing)}（可下载导入模板）",
            f"missing columns: {', '.join(missing)} (expected {','.join(COLUMNS)})",
            code="bad_header",
        )
    rows = []
    for line, raw in enumerate(records, first_line):
        clean = _COLUMNS.record(raw)
        if not any(clean.values()):
            continue  # a blank line
        clean["level"] = code_of(clean.get("level", ""), LEVEL_WORDS)
        clean["area_type"] = code_of(clean.get("area_type", ""), AREA_WORDS)
        rows.append(
            RegionRow(
                line=line,
                population=clean.get("population", ""),
                **{c: clean.get(c, "") for c in (*COLUMNS, *CONTACT_COLUMNS)},
            )
        )
    return rows


def parse_region_csv(text: str) -> list[RegionRow]:
    """Parse CSV text with the header ``code,name,parent_code,level,area_type`` (or the
    template's Chinese headers).

    Optional columns: ``population`` and the contacts of CONTACT_COLUMNS.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    records = list(reader)
    return region_rows(reader.fieldnames or (), records)


def _row_problem(row: RegionRow, column: str, zh: str, en: str) -> Problem:
    return Problem(
        code="invalid_row",
        message=f"第{row.line}行「{HEADERS_ZH.get(column, column)}」：{zh}",
        message_en=f"line {row.line}, {column}: {en}",
        field=f"line {row.line}.{column}",
    )


def _check_row(row: RegionRow, known: dict[str, tuple[RegionLevel, str | None]]) -> list[Problem]:
    problems = []
    if not row.name or len(row.name) > 100:
        problems.append(_row_problem(row, "name", "名称不能为空且不超过100字", "1-100 characters"))
    if row.area_type not in [a.value for a in AreaType]:
        problems.append(_row_problem(row, "area_type", "须为“城市”或“农村”", "urban or rural"))
    if row.population and (not row.population.isdigit() or len(row.population) > 9):
        problems.append(
            _row_problem(row, "population", "须为不小于0的整数", "a whole number of people")
        )
    problems.extend(_contact_problems(row))
    if row.level not in [lv.value for lv in RegionLevel]:
        problems.append(
            _row_problem(row, "level", "须为“县”“乡镇”或“村”", "county|township|village")
        )
        return problems
    level = RegionLevel(row.level)
    if not row.code.isdigit() or len(row.code) != CODE_LENGTH[level]:
        problems.append(
            _row_problem(
                row,
                "code",
                f"{LEVEL_WORDS[level.value]}级区划代码须为{CODE_LENGTH[level]}位数字",
                f"a {level.value} code has {CODE_LENGTH[level]} digits",
            )
        )
    if level == RegionLevel.COUNTY:
        if row.parent_code:
            problems.append(
                _row_problem(row, "parent_code", "区县不填上级代码", "a county has no parent")
            )
    else:
        parent = known.get(row.parent_code)
        if parent is None:
            problems.append(
                _row_problem(row, "parent_code", "上级代码不存在", "unknown parent region")
            )
        elif parent[0] != PARENT_LEVEL[level]:
            problems.append(
                _row_problem(
                    row,
                    "parent_code",
                    f"上级须为{LEVEL_WORDS[PARENT_LEVEL[level].value]}级区划",
                    f"the parent must be a {PARENT_LEVEL[level].value}",
                )
            )
        elif not row.code.startswith(row.parent_code):
            problems.append(
                _row_problem(
                    row, "code", "代码须以上级代码开头", "must start with its parent's code"
                )
            )
    existing = known.get(row.code)
    if existing is not None and existing[0].value != row.level:
        problems.append(
            _row_problem(row, "level", "不能改变已有地区的层级", "cannot change an existing level")
        )
    if existing is not None and (existing[1] or "") != row.parent_code:
        problems.append(
            _row_problem(
                row, "parent_code", "不能改变已有地区的上级", "cannot move an existing region"
            )
        )
    return problems


def _contact_problems(row: RegionRow) -> list[Problem]:
    problems = []
    for column, value in row.contacts().items():
        if len(value) > CONTACT_LENGTH[column]:
            problems.append(
                _row_problem(
                    row,
                    column,
                    f"不超过{CONTACT_LENGTH[column]}字",
                    f"at most {CONTACT_LENGTH[column]} characters",
                )
            )
        elif not value.isprintable():
            problems.append(_row_problem(row, column, "含有控制字符", "holds control characters"))
        if column in COUNTY_ONLY and row.level != RegionLevel.COUNTY.value:
            problems.append(
                _row_problem(
                    row, column, "复议机关和法院只填在区县一行", "only a county names appeal bodies"
                )
            )
    if row.phone and not PHONE.fullmatch(row.phone):
        problems.append(
            _row_problem(
                row, "phone", "电话号码只能含数字、+、-、括号和空格", "digits, +, -, () and spaces"
            )
        )
    return problems


def regions_ledger(county: str) -> str:
    """The ledger that records changes to a county's regions."""
    return f"regions:{county}"


def import_regions(
    uow: UnitOfWork, rows: Sequence[RegionRow], actor: Actor | None = None
) -> ImportReport:
    """Create or update regions; any invalid row refuses the whole file.

    ``actor`` is the administrator importing (None: the operator at the
    command line, who may import any county); an administrator may only touch
    regions within their own. Each county changed gets one ledger entry.
    """
    if actor is not None:
        ensure_role(actor, REGION_ADMINS, "维护行政区划", "maintain regions")
    order = {
        RegionLevel.COUNTY.value: 0,
        RegionLevel.TOWNSHIP.value: 1,
        RegionLevel.VILLAGE.value: 2,
    }
    with uow:
        session = uow.session
        stored = {r.code: r for r in session.scalars(select(Region)).all()}
        known: dict[str, tuple[RegionLevel, str | None]] = {
            code: (RegionLevel(r.level), r.parent_code) for code, r in stored.items()
        }
        found: list[tuple[int, Problem]] = []
        seen: dict[str, int] = {}
        # parents before children, so a file may list a village above its township
        for row in sorted(rows, key=lambda r: (order.get(r.level, 3), r.line)):
            if row.code in seen:
                found.append(
                    (
                        row.line,
                        _row_problem(row, "code", f"与第{seen[row.code]}行重复", "duplicate"),
                    )
                )
                continue
            seen[row.code] = row.line
            row_problems = _check_row(row, known)
            if actor is not None and not row.code.startswith(actor.region_code):
                row_problems.append(
                    _row_problem(
                        row,
                        "code",
                        f"不在您的辖区（{actor.region_code}）内",
                        f"outside your region {actor.region_code}",
                    )
                )
            found.extend((row.line, p) for p in row_problems)
            if not row_problems and row.code not in known:
                known[row.code] = (RegionLevel(row.level), row.parent_code or None)
        if found:
            problems = [p for _, p in sorted(found, key=lambda item: item[0])]
            raise InvalidData(
                f"{len(problems)}处错误，未导入任何地区",
                f"{len(problems)} problem(s); nothing was imported",
                code="invalid_rows",
                problems=problems,
            )
        created = updated = unchanged = 0
        changed: dict[str, list[str]] = {}
        for row in sorted(rows, key=lambda r: order[r.level]):
            region = stored.get(row.code)
            # an empty population column keeps what is stored
            population = (
                int(row.population) if row.population else (region.population if region else None)
            )
            if region is None:
                session.add(
                    Region(
                        code=row.code,
                        name=row.name,
                        parent_code=row.parent_code or None,
                        level=RegionLevel(row.level),
                        area_type=AreaType(row.area_type),
                        population=population,
                        **row.contacts(),
                    )
                )
                created += 1
                changed.setdefault(county_of(row.code), []).append(row.code)
            elif (region.name, region.area_type, region.population) != (
                row.name,
                row.area_type,
                population,
            ) or any(getattr(region, c) != v for c, v in row.contacts().items()):
                region.name = row.name
                region.area_type = AreaType(row.area_type)
                region.population = population
                for column, value in row.contacts().items():
                    setattr(region, column, value)
                updated += 1
                changed.setdefault(county_of(row.code), []).append(row.code)
            else:
                unchanged += 1
        session.flush()
        for county, codes in sorted(changed.items()):
            uow.audit.record(
                session,
                regions_ledger(county),
                LedgerEvent(
                    event="import_regions",
                    actor=actor or OPERATOR,
                    at=uow.clock.now(),
                    payload={"changed": codes},
                ),
            )
        uow.commit()
        return ImportReport(created, updated, unchanged)
