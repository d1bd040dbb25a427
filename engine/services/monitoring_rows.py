"""The monitoring register as a file: one row per person and tag, each cell checked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from engine.cells import CellReader, cell_problem
from engine.errors import Problem
from engine.inputs import ImportColumns

COLUMNS = ("id_number", "name", "village_code", "tag", "source", "tagged_on")
REQUIRED = ("id_number", "name", "village_code", "tag", "source")
HEADERS_ZH = {
    "id_number": "身份证号码",
    "name": "姓名",
    "village_code": "村社区代码",
    "tag": "监测类别",
    "source": "数据来源",
    "tagged_on": "纳入日期",
}
#: each tag as a register or a provincial system words it (the codes are accepted too)
TAG_WORDS = {
    "低保边缘家庭": "marginal",
    "刚性支出困难家庭": "rigid_expense",
    "防止返贫监测户": "poverty_return_watch",
    "监测户": "poverty_return_watch",
    "脱贫户": "lifted_from_poverty",
    "单亲家庭": "single_parent",
    "重病患者": "serious_illness",
    "残疾人": "disabled",
}
_COLUMNS = ImportColumns(HEADERS_ZH)


@dataclass(frozen=True)
class MonitoringRow:
    """One person and one tag, read, with its problems."""

    line: int
    id_number: str
    name: str
    village_code: str
    tag: str
    source: str
    tagged_on: dt.date | None
    birth_date: dt.date | None = None
    sex: str = ""
    problems: tuple[Problem, ...] = field(default=())

    def problem(self, column: str, zh: str, en: str, code: str = "invalid") -> Problem:
        """A problem with one of this row's cells."""
        return cell_problem(self.line, column, HEADERS_ZH.get(column, column), zh, en, code)


def monitoring_rows(
    header: Sequence[str],
    records: Iterable[Mapping[str, object]],
    today: dt.date,
    tags: Iterable[str],
    first_line: int = 2,
) -> list[MonitoringRow]:
    """Read a register file; a missing column refuses it at once, a bad cell is kept as a
    problem on its row."""
    _COLUMNS.require(header, REQUIRED, COLUMNS)
    rows = []
    for line, raw in enumerate(records, first_line):
        record = _COLUMNS.record(raw)
        if not any(record.values()):
            continue
        cells = CellReader(line, record, HEADERS_ZH, REQUIRED)
        resident = cells.resident("id_number", today)
        row = MonitoringRow(
            line=line,
            id_number=resident.number if resident else "",
            name=cells.text("name", 50),
            village_code=cells.text("village_code"),
            tag=cells.word("tag", TAG_WORDS, tags),
            source=cells.text("source", 100),
            tagged_on=cells.date("tagged_on", latest=today),
            birth_date=resident.birth_date if resident else None,
            sex=str(resident.sex) if resident else "",
        )
        rows.append(MonitoringRow(**{**row.__dict__, "problems": tuple(cells.problems)}))
    return rows
