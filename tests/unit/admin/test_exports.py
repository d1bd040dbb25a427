"""The one export writer: no cell a spreadsheet would run, no character a workbook refuses."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from admin.exports import safe_cell, table_bytes

HOSTILE = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "＝1+1",  # a full-width equals sign, which Excel in a Chinese locale also reads
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_formula_is_written_as_text(value: str) -> None:
    for fmt in ("xlsx", "csv"):
        data = table_bytes(fmt, "t", ["note"], [[value], ["-"], [-5]])
        if fmt == "xlsx":
            sheet = load_workbook(io.BytesIO(data)).worksheets[0]
            cell = sheet["A2"]
            assert cell.data_type == "s" and str(cell.value).startswith("'")
            assert sheet["A4"].value == -5  # numbers stay numbers
        else:
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
            assert rows[1][0].startswith("'") and rows[1][0][1:] == value.replace("\r", "\ufffd")


def test_control_characters_do_not_break_a_workbook() -> None:
    data = table_bytes("xlsx", "t", ["reason"], [["收入\x00超标\x1b"], ["正常"]])
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet["A2"].value == "收入\ufffd超标\ufffd" and sheet["A3"].value == "正常"


def test_plain_values_are_left_alone() -> None:
    assert safe_cell("王建国") == "王建国"
    assert safe_cell("028-0000 0121") == "028-0000 0121"
    assert safe_cell(12) == 12 and safe_cell(None) is None
