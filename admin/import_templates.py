"""The import templates staff download: XLSX workbooks with Chinese headers, drop-down lists
for coded columns and a sheet explaining each column.

The importers accept these headers and words as well as the English column
names and codes, so a file filled from a template imports as it is.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from audit.officials import COLUMNS as OFFICIAL_COLUMNS
from audit.officials import HEADERS_ZH as OFFICIAL_HEADERS
from audit.officials import POSITION_LABELS
from audit.relations import LABELS as RELATION_LABELS
from engine.models import KinRelation
from engine.services.regions import AREA_WORDS, LEVEL_WORDS
from engine.services.regions import COLUMNS as REGION_COLUMNS
from engine.services.regions import HEADERS_ZH as REGION_HEADERS
from engine.services.roster_rows import HEADERS_ZH as ROSTER_HEADERS
from engine.services.roster_rows import REQUIRED as ROSTER_COLUMNS_REQUIRED
from engine.services.roster_rows import REQUIRED_HOUSEHOLD as ROSTER_HOUSEHOLD_REQUIRED

#: the roster's columns a row must fill
ROSTER_REQUIRED = (*ROSTER_COLUMNS_REQUIRED, *ROSTER_HOUSEHOLD_REQUIRED)
#: the rows a template's drop-down lists cover
VALIDATED_ROWS = 5000


@dataclass(frozen=True)
class Column:
    """One column of a template."""

    name: str
    header: str
    required: bool
    note: str
    choices: tuple[str, ...] = ()


def _workbook(title: str, columns: Sequence[Column]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    bold, required = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = bold
        if column.required:
            cell.fill = required
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, 2 * len(column.header) + 4)
        # codes, ID numbers and dates stay text: Excel would turn them into numbers
        sheet.column_dimensions[letter].number_format = "@"
        if column.choices:
            check = DataValidation(
                type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True
            )
            check.error = "请从下拉列表中选择"
            check.add(f"{letter}2:{letter}{VALIDATED_ROWS + 1}")
            sheet.add_data_validation(check)
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    notes.append(["列名", "英文列名", "是否必填", "说明", "可填内容"])
    for cell in notes[1]:
        cell.font = bold
    for column in columns:
        notes.append(
            [
                column.header,
                column.name,
                "必填" if column.required else "选填",
                column.note,
                "、".join(column.choices),
            ]
        )
    for letter, width in zip("ABCDE", (18, 22, 10, 60, 60), strict=True):
        notes.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def officials_template() -> bytes:
    """The officials registry template (one row per declared relative, or one bare row)."""
    notes = {
        "official_id_number": "经办人员或村干部本人的18位身份证号码",
        "official_name": "与身份证一致的姓名",
        "position": "",
        "region_code": "县级人员填县代码（6位），乡镇人员填乡镇代码（9位），村干部填村代码（12位）",
        "relative_id_number": "有身份证号码时填写；无亲属时本行亲属各列留空",
        "relative_name": "申报近亲属时必填",
        "relative_birth_date": "无亲属身份证号码时必填，格式 2026-03-02",
        "relation": "亲属是本人的什么人；县里扩展的近亲属须先在参数中设定",
        "term_start": "格式 2026-03-02",
        "term_end": "格式 2026-03-02",
        "home_address": "用于发现与干部同址的保障家庭",
        "bank_account": "10-30位数字，用于发现与干部同账户的保障家庭",
    }
    choices = {
        "position": tuple(zh for zh, _ in POSITION_LABELS.values()),
        "relation": tuple(RELATION_LABELS[k][0] for k in KinRelation),
    }
    columns = [
        Column(name, header, name in OFFICIAL_COLUMNS[:4], notes[name], choices.get(name, ()))
        for name, header in OFFICIAL_HEADERS.items()
    ]
    return _workbook("经办人员和村干部名册", columns)


def regions_template() -> bytes:
    """The regions template (a county, its townships and villages, with contacts)."""
    notes = {
        "code": "统计用区划代码：县6位、乡镇9位、村12位",
        "name": "",
        "parent_code": "县一行不填；乡镇填县代码，村填乡镇代码",
        "level": "",
        "area_type": "决定适用城市或农村低保标准",
        "population": "用于计算保障覆盖率",
        "authority": "印在公示和决定书上",
        "office": "受理异议和举报的窗口及地址",
        "phone": "",
        "reconsideration_body": "只填在县一行",
        "court": "只填在县一行",
    }
    choices = {
        "level": tuple(LEVEL_WORDS.values()),
        "area_type": tuple(AREA_WORDS.values()),
    }
    columns = [
        Column(name, header, name in REGION_COLUMNS, notes[name], choices.get(name, ()))
        for name, header in REGION_HEADERS.items()
    ]
    return _workbook("行政区划", columns)


def roster_template() -> bytes:
    """The roster template: one row per member of each enrolled household."""
    notes = {
        "household_no": "原系统的户编号；同一户的各成员行填相同户编号",
        "village_code": "12位村（社区）代码，须在本县；同户各行相同",
        "area_type": "不填则按村（社区）的城乡类别；同户各行相同",
        "category": "同户各行相同",
        "id_number": "18位身份证号码；一人只能出现一次",
        "name": "与身份证一致的姓名",
        "relation": "每户有且只有一名“本人”（申请人）",
        "monthly_income": "该成员计入的月收入（元），不填为0",
        "disability_grade": "1至4级，无残疾不填",
        "serious_illness": "",
        "able_to_work": "",
        "monthly_yuan": "全户月保障金额（元）；同户各行相同",
        "approved_on": "审核确认日期，格式 2024-03-01；同户各行相同",
        "next_recheck_on": "不填则按批准日期和核查周期推算；同户各行相同",
        "phase_out_started_on": "处于渐退期的户填写，其余不填；同户各行相同",
    }
    choices = {
        "area_type": ("城市", "农村"),
        "category": ("低保", "单人保", "特困"),
        "relation": tuple(ROSTER_RELATIONS),
        "serious_illness": ("是", "否"),
        "able_to_work": ("是", "否"),
        "disability_grade": ("1", "2", "3", "4"),
    }
    columns = [
        Column(name, header, name in ROSTER_REQUIRED, notes[name], choices.get(name, ()))
        for name, header in ROSTER_HEADERS.items()
    ]
    return _workbook("存量保障对象", columns)


#: the relations the roster template offers (each a word the import reads)
ROSTER_RELATIONS = ("本人", "配偶", "子女", "父母", "兄弟姐妹", "祖父母", "孙子女", "其他")

#: the templates by the name their download carries
TEMPLATES = {
    "officials": officials_template,
    "regions": regions_template,
    "roster": roster_template,
}
#: what each template's Chinese file name says it is
TEMPLATE_NAMES = {
    "officials": "经办人员和村干部名册",
    "regions": "行政区划",
    "roster": "存量保障对象",
}
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
