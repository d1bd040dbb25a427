"""Uploaded tables: unreadable, hostile or oversized files are refused quickly and by name."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from admin.imports import MAX_IMPORT_ROWS, read_records, read_text
from engine.errors import InvalidData


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewritten(data: bytes, name: str, content: bytes) -> bytes:
    """The workbook with one of its parts replaced."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, content if item.filename == name else source.read(item))
    return out.getvalue()


def test_a_good_workbook_reads_like_csv() -> None:
    header, records = read_records("r.xlsx", workbook([["code", "name"], ["1", "王"]]))
    assert header == ["code", "name"] and records == [{"code": "1", "name": "王"}]


def test_a_truncated_workbook_is_refused() -> None:
    data = workbook([["code"], ["1"]])
    with pytest.raises(InvalidData, match="not a readable XLSX"):
        read_records("r.xlsx", data[: len(data) // 2])


def test_a_workbook_with_an_entity_declaration_is_refused() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 9))
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol8;</t></is></c></row>'
        + b"</sheetData></worksheet>"
    )
    data = rewritten(workbook([["code"]]), "xl/worksheets/sheet1.xml", laughs)
    with pytest.raises(InvalidData, match="declares XML entities"):
        read_records("r.xlsx", data)


def test_a_small_file_that_inflates_enormously_is_refused_before_parsing() -> None:
    bomb = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + b" " * 200_000_000
        + b"</sheetData></worksheet>"
    )
    data = rewritten(workbook([["code"]]), "xl/worksheets/sheet1.xml", bomb)
    assert len(data) < 1_000_000
    with pytest.raises(InvalidData, match="too large once inflated"):  # refused unparsed
        read_records("r.xlsx", data)


def test_too_many_rows_are_refused() -> None:
    text = "code\n" + "1\n" * (MAX_IMPORT_ROWS + 1)
    with pytest.raises(InvalidData, match="rows"):
        read_records("r.csv", text.encode())


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_hidden_character_is_named_by_line_and_column(suffix: str) -> None:
    rows = [["code", "name"], ["1", "王"], ["2", "李\x00四"]]
    data = (
        "\n".join(",".join(r) for r in rows).encode()
        if suffix == ".csv"
        else workbook([*rows[:2], ["2", "李\u202e四"]])
    )
    with pytest.raises(InvalidData) as refused:
        read_records(f"r{suffix}", data)
    assert refused.value.problems[0].field == "line 3.name"


def test_csv_text_with_a_nul_is_refused_by_line() -> None:
    with pytest.raises(InvalidData) as refused:
        read_text("r.csv", "code,name\n1,王\n2,李\x00四\n".encode())
    assert "line 3" in refused.value.message_en
