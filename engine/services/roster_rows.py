"""A county's existing roster as the provincial systems export it: columns, words, and each
row's cells read into typed values, every problem named by line and column.

One row per member; ``household_no`` groups a household's rows and the household's own
columns (``HOUSEHOLD_COLUMNS``) repeat on each of them. Headers may be the English column
names or the Chinese ones of ``HEADERS_ZH``; coded columns take the codes of the case API
or the words a provincial export prints (``CATEGORY_WORDS``, ``RELATION_WORDS``, ...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from engine.cells import CellReader, cell_problem
from engine.errors import Problem
from engine.inputs import ImportColumns
from engine.models import AreaType, Category, Relation

#: the columns of the contract, in order
COLUMNS = (
    "household_no",
    "village_code",
    "area_type",
    "category",
    "id_number",
    "name",
    "relation",
    "monthly_income",
    "disability_grade",
    "serious_illness",
    "able_to_work",
    "monthly_yuan",
    "approved_on",
    "next_recheck_on",
    "phase_out_started_on",
)
#: the household's own columns: the same on each of its rows
HOUSEHOLD_COLUMNS = (
    "village_code",
    "area_type",
    "category",
    "monthly_yuan",
    "approved_on",
    "next_recheck_on",
    "phase_out_started_on",
)
#: columns a row must fill (an empty area type is the village's)
REQUIRED = ("household_no", "village_code", "category", "id_number", "name", "relation")
REQUIRED_HOUSEHOLD = ("monthly_yuan", "approved_on")
#: each column's Chinese header (a file may use these or the names)
HEADERS_ZH = {
    "household_no": "户编号",
    "village_code": "村社区代码",
    "area_type": "城乡类别",
    "category": "救助类别",
    "id_number": "身份证号码",
    "name": "姓名",
    "relation": "与申请人关系",
    "monthly_income": "月收入",
    "disability_grade": "残疾等级",
    "serious_illness": "是否重病",
    "able_to_work": "是否有劳动能力",
    "monthly_yuan": "月保障金额",
    "approved_on": "批准日期",
    "next_recheck_on": "下次核查日期",
    "phase_out_started_on": "渐退开始日期",
}
#: other headers provincial exports give the same columns (each read as its column)
ALIASES_ZH = {
    "户号": "household_no",
    "家庭编号": "household_no",
    "村（社区）代码": "village_code",
    "村社区编码": "village_code",
    "城乡": "area_type",
    "保障类别": "category",
    "类别": "category",
    "公民身份号码": "id_number",
    "身份证号": "id_number",
    "与户主关系": "relation",
    "家庭关系": "relation",
    "个人月收入": "monthly_income",
    "是否重病患者": "serious_illness",
    "劳动能力": "able_to_work",
    "月保障金": "monthly_yuan",
    "保障金额": "monthly_yuan",
    "审批日期": "approved_on",
    "审核确认日期": "approved_on",
    "下次复核日期": "next_recheck_on",
    "渐退期开始日期": "phase_out_started_on",
}
_COLUMNS = ImportColumns(HEADERS_ZH, ALIASES_ZH)

#: words a provincial export prints for each code (the codes themselves are accepted too)
CATEGORY_WORDS = {
    "低保": Category.DIBAO,
    "最低生活保障": Category.DIBAO,
    "单人保": Category.SINGLE_PERSON,
    "单人户保": Category.SINGLE_PERSON,
    "特困": Category.TEKUN,
    "特困供养": Category.TEKUN,
    "特困人员": Category.TEKUN,
}
AREA_WORDS = {"城市": AreaType.URBAN, "城镇": AreaType.URBAN, "农村": AreaType.RURAL}
RELATION_WORDS = {
    "本人": Relation.SELF,
    "申请人": Relation.SELF,
    "户主": Relation.SELF,
    "配偶": Relation.SPOUSE,
    "子女": Relation.CHILD,
    "子": Relation.CHILD,
    "女": Relation.CHILD,
    "父母": Relation.PARENT,
    "父亲": Relation.PARENT,
    "母亲": Relation.PARENT,
    "兄弟姐妹": Relation.SIBLING,
    "祖父母": Relation.GRANDPARENT,
    "外祖父母": Relation.GRANDPARENT,
    "孙子女": Relation.GRANDCHILD,
    "外孙子女": Relation.GRANDCHILD,
    "其他": Relation.OTHER,
    "其他亲属": Relation.OTHER,
}
#: the longest household number kept (provincial numbers run to about 30 characters)
HOUSEHOLD_NO_LENGTH = 40
NAME_LENGTH = 50


@dataclass(frozen=True)
class RosterRow:
    """One member's row, its cells read (None where empty or unreadable), with its problems."""

    line: int
    household_no: str
    village_code: str
    area_type: str
    category: str
    id_number: str
    name: str
    relation: str
    monthly_income: Decimal
    disability_grade: int | None
    serious_illness: bool
    able_to_work: bool
    monthly_yuan: Decimal | None
    approved_on: dt.date | None
    next_recheck_on: dt.date | None
    phase_out_started_on: dt.date | None
    birth_date: dt.date | None = None
    sex: str = ""
    problems: tuple[Problem, ...] = field(default=())

    def household_key(self) -> tuple[object, ...]:
        """The household's own columns as this row gives them."""
        return tuple(getattr(self, c) for c in HOUSEHOLD_COLUMNS)


def row_problem(line: int, column: str, zh: str, en: str, code: str = "invalid") -> Problem:
    """A problem with one cell, named by line and column (as ``line 12.id_number``)."""
    return cell_problem(line, column, HEADERS_ZH.get(column, column), zh, en, code)


def _row(line: int, record: Mapping[str, str], today: dt.date) -> RosterRow:
    cells = CellReader(line, record, HEADERS_ZH, (*REQUIRED, *REQUIRED_HOUSEHOLD))
    resident = cells.resident("id_number", today)
    row = RosterRow(
        line=line,
        household_no=cells.text("household_no", HOUSEHOLD_NO_LENGTH),
        village_code=cells.text("village_code"),
        area_type=cells.word("area_type", AREA_WORDS, AreaType),
        category=cells.word("category", CATEGORY_WORDS, Category),
        id_number=resident.number if resident else record.get("id_number", "").upper(),
        name=cells.text("name", NAME_LENGTH),
        relation=cells.word("relation", RELATION_WORDS, Relation),
        monthly_income=cells.yuan("monthly_income") or Decimal("0.00"),
        disability_grade=cells.grade("disability_grade"),
        serious_illness=cells.boolean("serious_illness"),
        able_to_work=cells.boolean("able_to_work"),
        monthly_yuan=cells.yuan("monthly_yuan"),
        approved_on=cells.date("approved_on"),
        next_recheck_on=cells.date("next_recheck_on"),
        phase_out_started_on=cells.date("phase_out_started_on"),
        birth_date=resident.birth_date if resident else None,
        sex=str(resident.sex) if resident else "",
    )
    return RosterRow(**{**row.__dict__, "problems": tuple(cells.problems)})


def roster_rows(
    header: Sequence[str],
    records: Iterable[Mapping[str, object]],
    today: dt.date,
    first_line: int = 2,
) -> list[RosterRow]:
    """Read a roster's rows (CSV or XLSX records keyed by header); a missing column refuses
    the file at once, a bad cell is kept as a problem on its row for the import to report
    with every other."""
    _COLUMNS.require(header, COLUMNS)
    rows = []
    for line, raw in enumerate(records, first_line):
        record = _COLUMNS.record(raw)
        if not any(record.values()):
            continue  # a blank line
        rows.append(_row(line, record, today))
    return rows
