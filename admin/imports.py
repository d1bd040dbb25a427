"""Reading uploaded tables: CSV (UTF-8, header row) or XLSX (first sheet, header row)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

from openpyxl import load_workbook

from engine.errors import InvalidData

IMPORT_FORMATS = (".csv", ".xlsx")


def _cell(value: object) -> object:
    # a date cell comes back as a datetime at midnight: keep the date
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def read_records(filename: str, data: bytes) -> tuple[list[str], list[dict[str, object]]]:
    """The header and the header-keyed rows of a CSV or XLSX file; InvalidData if unreadable."""
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in IMPORT_FORMATS:
        raise InvalidData(
            f"{filename}：文件须为 .csv 或 .xlsx",
            f"{filename}: the file must end in .csv or .xlsx",
            code="bad_format",
        )
    if suffix == ".xlsx":
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except (zipfile.BadZipFile, KeyError, OSError, IndexError, ValueError):
            raise InvalidData(
                f"{filename}不是可读取的XLSX文件",
                f"{filename} is not a readable XLSX workbook",
                code="bad_format",
            ) from None
        rows = list(sheet.iter_rows(values_only=True))
        if not rows:
            return [], []
        header = [str(h or "").strip() for h in rows[0]]
        records = [
            dict(zip(header, [_cell(v) for v in values], strict=False)) for values in rows[1:]
        ]
        return header, records
    reader = csv.DictReader(io.StringIO(read_text(filename, data)))
    return list(reader.fieldnames or []), list(reader)


def read_text(filename: str, data: bytes) -> str:
    """A CSV upload as text; InvalidData if it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidData(
            f"{filename}不是UTF-8编码的文本",
            f"{filename} is not UTF-8 text",
            code="bad_encoding",
        ) from None
