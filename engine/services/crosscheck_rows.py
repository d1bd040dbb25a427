"""The records other departments send for information checks (信息核对, Art. 17): the kinds of
data, each kind's columns, and each row read with its problems named by line and column.

Every kind is keyed by the resident ID number. A file is of a kind when it carries that
kind's required columns (the English names or the Chinese headers of ``HEADERS_ZH``); the
other known columns are kept with the record as evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from engine.cells import CellReader
from engine.errors import InvalidData, Problem
from engine.inputs import ImportColumns


@dataclass(frozen=True)
class Kind:
    """A kind of data a department sends."""

    label_zh: str
    label_en: str
    #: the department that holds it
    source_zh: str
    #: the columns that make a file this kind (besides ``id_number``)
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    #: the amount columns, read as yuan
    amounts: tuple[str, ...] = ()
    #: the date columns, read as YYYY-MM-DD (not after today)
    dates: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column of the kind, in order."""
        return ("id_number", "name", *self.required, *self.optional)


KINDS: dict[str, Kind] = {
    "vehicles": Kind(
        "车辆登记",
        "vehicle registrations",
        "公安机关交通管理部门",
        ("plate_no",),
        ("vehicle_type", "registered_on"),
        dates=("registered_on",),
    ),
    "businesses": Kind(
        "市场主体登记",
        "business registrations",
        "市场监督管理部门",
        ("business_name",),
        ("credit_code", "role", "registered_on"),
        dates=("registered_on",),
    ),
    "real_estate": Kind(
        "不动产登记",
        "real estate",
        "自然资源（不动产登记）部门",
        ("certificate_no",),
        ("location", "floor_area"),
    ),
    "deaths": Kind(
        "死亡和火化",
        "deaths and cremations",
        "公安机关户籍管理部门、殡葬服务机构",
        ("died_on",),
        ("place",),
        dates=("died_on",),
    ),
    "public_employees": Kind(
        "机关事业单位工作人员及工资",
        "public employees and salaries",
        "组织人事和财政部门",
        ("employer",),
        ("position", "monthly_salary"),
        amounts=("monthly_salary",),
    ),
    "subsidies": Kind(
        "惠民惠农补贴（一卡通）发放",
        "other subsidies paid through 一卡通",
        "财政部门（一卡通）",
        ("subsidy",),
        ("monthly_yuan", "paid_month"),
        amounts=("monthly_yuan",),
    ),
}
HEADERS_ZH = {
    "id_number": "身份证号码",
    "name": "姓名",
    "plate_no": "号牌号码",
    "vehicle_type": "车辆类型",
    "registered_on": "登记日期",
    "business_name": "市场主体名称",
    "credit_code": "统一社会信用代码",
    "role": "身份",
    "certificate_no": "不动产权证号",
    "location": "坐落",
    "floor_area": "建筑面积",
    "died_on": "死亡日期",
    "place": "死亡地点",
    "employer": "工作单位",
    "position": "职务",
    "monthly_salary": "月工资",
    "subsidy": "补贴项目",
    "monthly_yuan": "月发放金额",
    "paid_month": "发放月份",
}
_COLUMNS = ImportColumns(HEADERS_ZH)
#: the longest cell kept (a business's name and an address fit)
CELL_LENGTH = 200


@dataclass(frozen=True)
class CrosscheckRow:
    """One department record: whose it is, the record's cells, and its problems."""

    line: int
    id_number: str
    birth_date: dt.date | None
    #: the kind's known columns that are filled, as text (the evidence)
    record: Mapping[str, str]
    died_on: dt.date | None = None
    problems: tuple[Problem, ...] = field(default=())


def kind_of(kind: str) -> Kind:
    """The kind by its code, or InvalidData naming the kinds there are."""
    found = KINDS.get(kind)
    if found is None:
        raise InvalidData(
            f"没有“{kind}”这类核对数据（可选：{'、'.join(KINDS)}）",
            f"no kind of data {kind!r} (one of {', '.join(KINDS)})",
            code="unknown_kind",
        )
    return found


def _row(line: int, raw: Mapping[str, str], kind: Kind, today: dt.date) -> CrosscheckRow:
    cells = CellReader(line, raw, HEADERS_ZH, ("id_number", *kind.required))
    resident = cells.resident("id_number", today)
    record: dict[str, str] = {}
    died_on = None
    for column in kind.columns[1:]:
        if column in kind.amounts:
            amount = cells.yuan(column)
            value = "" if amount is None else str(amount)
        elif column in kind.dates:
            day = cells.date(column, latest=today)
            value = "" if day is None else day.isoformat()
            if column == "died_on":
                died_on = day
        elif column == "paid_month":
            value = cells.month(column)
        else:
            value = cells.text(column, CELL_LENGTH)
        if value:
            record[column] = value
    if died_on is not None and resident is not None and died_on < resident.birth_date:
        cells.bad("died_on", "死亡日期早于出生日期", "died before being born")
        died_on = None
    return CrosscheckRow(
        line=line,
        id_number=resident.number if resident else "",
        birth_date=resident.birth_date if resident else None,
        record=record,
        died_on=died_on,
        problems=tuple(cells.problems),
    )


def crosscheck_rows(
    kind: str,
    header: Sequence[str],
    records: Iterable[Mapping[str, object]],
    today: dt.date,
    first_line: int = 2,
) -> list[CrosscheckRow]:
    """Read a department's file of ``kind``; a file without the kind's columns is refused at
    once as a file of another kind, a bad cell is kept as a problem on its row."""
    chosen = kind_of(kind)
    _COLUMNS.refuse_duplicates(header)
    columns = {_COLUMNS.name(h) for h in header if h}
    missing = [c for c in ("id_number", *chosen.required) if c not in columns]
    if missing:
        raise InvalidData(
            f"文件不是{chosen.label_zh}数据：缺少列 {'、'.join(HEADERS_ZH[c] for c in missing)}",
            f"the file is not {chosen.label_en} data: missing columns {', '.join(missing)}",
            code="wrong_kind",
        )
    rows = []
    for line, raw in enumerate(records, first_line):
        record = _COLUMNS.record(raw)
        if not any(record.values()):
            continue  # a blank line
        rows.append(_row(line, record, chosen, today))
    return rows
