"""Reading uploaded tables: CSV (UTF-8, header row) or XLSX (first sheet, header row).

An upload is untrusted: a workbook is a zip of XML parts, so before openpyxl
parses anything the parts' inflated sizes are bounded (a 93 KB file must not
take 39 s of CPU) and any DTD or entity declaration refuses the file
(openpyxl also parses through defusedxml). Rows are bounded, and every cell
is checked for hidden characters, named by line and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

from openpyxl import load_workbook

from engine.errors import InvalidData
from engine.inputs import text_problem

IMPORT_FORMATS = (".csv", ".xlsx")
#: rows an import may carry (a county's whole roster fits, a province's does not)
MAX_IMPORT_ROWS = 200_000
#: bytes the parts of a workbook may inflate to, altogether
MAX_INFLATED_BYTES = 100 * 1024 * 1024


def _unreadable(filename: str) -> InvalidData:
    return InvalidData(
        f"{filename}不是可读取的XLSX文件",
        f"{filename} is not a readable XLSX workbook",
        code="bad_format",
    )


def _check_workbook(filename: str, data: bytes) -> None:
    """Refuse a workbook that would inflate too far or declares entities, before parsing."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
        if sum(p.file_size for p in parts) > MAX_INFLATED_BYTES:
            raise InvalidData(
                f"{filename}解压后过大（超过{MAX_INFLATED_BYTES // 2**20} MB）",
                f"{filename} is too large once inflated (over {MAX_INFLATED_BYTES // 2**20} MB)",
                code="too_large",
            )
        for part in parts:
            if part.filename.endswith((".xml", ".rels")):
                with archive.open(part) as stream:
                    head = stream.read(64 * 1024)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise InvalidData(
                        f"{filename}含有XML实体声明，已拒绝",
                        f"{filename} declares XML entities: refused",
                        code="bad_format",
                    )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise _unreadable(filename) from None


def _too_many_rows(filename: str) -> InvalidData:
    return InvalidData(
        f"{filename}超过{MAX_IMPORT_ROWS}行",
        f"{filename} has more than {MAX_IMPORT_ROWS} rows",
        code="too_many_rows",
    )


def _hidden_characters(
    filename: str, header: list[str], records: list[tuple[int, dict[str, object]]]
) -> None:
    """Refuse the file when a cell hides characters, naming each by line and column."""
    problems = []
    for column in header:
        found = text_problem(column, "line 1")
        if found:
            problems.append(found)
    for line, record in records:
        for column, value in record.items():
            if isinstance(value, str):
                found = text_problem(value, f"line {line}.{column}")
                if found:
                    problems.append(found)
    if problems:
        raise InvalidData(
            f"{filename}：{len(problems)}处含有控制字符或不可见字符，未导入任何内容",
            f"{filename}: {len(problems)} cell(s) hold hidden characters; nothing was imported",
            code="invalid_rows",
            problems=problems,
        )


def _cell(value: object) -> object:
    # a date cell comes back as a datetime at midnight: keep the date
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def read_records(
    filename: str, data: bytes, encodings: tuple[str, ...] = ("utf-8",)
) -> tuple[list[str], list[dict[str, object]]]:
    """The header and the header-keyed rows of a CSV or XLSX file; InvalidData if unreadable.

    A CSV file is decoded with the first of ``encodings`` it is valid in (a county's
    roster may come as UTF-8 or, from older provincial systems, as GBK).
    """
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in IMPORT_FORMATS:
        raise InvalidData(
            f"{filename}：文件须为 .csv 或 .xlsx",
            f"{filename}: the file must end in .csv or .xlsx",
            code="bad_format",
        )
    if suffix == ".xlsx":
        header, records = _read_workbook(filename, data)
        lines = list(range(2, len(records) + 2))
    else:
        reader = csv.DictReader(io.StringIO(_decode(filename, data, encodings)))
        records, lines = [], []
        for record in reader:
            if len(records) >= MAX_IMPORT_ROWS:
                raise _too_many_rows(filename)
            records.append(dict(record))
            lines.append(reader.line_num)
        header = list(reader.fieldnames or [])
    _hidden_characters(filename, header, list(zip(lines, records, strict=True)))
    return header, records


def _read_workbook(filename: str, data: bytes) -> tuple[list[str], list[dict[str, object]]]:
    """The first sheet's header and rows, once the file has been checked."""
    _check_workbook(filename, data)
    rows: list[tuple[object, ...]] = []
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            if len(rows) > MAX_IMPORT_ROWS:
                raise _too_many_rows(filename)
            rows.append(values)
    except InvalidData:
        raise
    except Exception:  # a broken workbook may fail anywhere inside openpyxl
        raise _unreadable(filename) from None
    if not rows:
        return [], []
    header = [str(h or "").strip() for h in rows[0]]
    records = [dict(zip(header, [_cell(v) for v in values], strict=False)) for values in rows[1:]]
    return header, records


#: what each accepted encoding is called in a refusal
ENCODING_NAMES = {"utf-8": "UTF-8", "gb18030": "GBK"}


def _decode(filename: str, data: bytes, encodings: tuple[str, ...] = ("utf-8",)) -> str:
    """The upload as text in the first of ``encodings`` it is valid in (a UTF-8 BOM
    allowed; GBK read as its superset GB 18030); InvalidData if it is valid in none."""
    for encoding in encodings:
        try:
            return data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
        except UnicodeDecodeError:
            continue
    names = " / ".join(ENCODING_NAMES.get(e, e) for e in encodings)
    raise InvalidData(
        f"{filename}不是{names}编码的文本",
        f"{filename} is not {names} text",
        code="bad_encoding",
    )


def read_text(filename: str, data: bytes) -> str:
    """A CSV upload as text; InvalidData if it is not UTF-8 or a line hides characters."""
    text = _decode(filename, data)
    problems = []
    for line, content in enumerate(text.split("\n"), start=1):
        found = text_problem(content, f"line {line}")
        if found:
            problems.append(found)
    if problems:
        raise InvalidData(
            f"{filename}：{len(problems)}行含有控制字符或不可见字符，未导入任何内容",
            f"{filename}: {len(problems)} line(s) hold hidden characters (first: "
            f"{problems[0].message_en}); nothing was imported",
            code="invalid_rows",
            problems=problems,
        )
    return text
