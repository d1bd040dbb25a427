"""The one export writer: tables to XLSX (openpyxl) or CSV with a BOM (Excel reads the Chinese).

Every download and every file a command writes goes through ``table_bytes``,
which makes each cell safe to open: a text that starts like a formula
(=, +, -, @, a tab or a carriage return, and their full-width forms) is
written with a leading apostrophe, so that no spreadsheet runs it (CSV
injection; openpyxl would even store a leading = as a live formula), and the
control characters a workbook cannot hold become U+FFFD instead of failing
the whole export.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

FORMATS = ("xlsx", "csv")
#: how a cell a spreadsheet would evaluate begins (OWASP "CSV injection"), full-width forms too
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: characters an XLSX cell cannot hold (XML 1.0 forbids them)
UNSAFE_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def safe_cell(value: Any) -> Any:
    """The value as an export may write it: text that starts like a formula becomes inert."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START):
        value = "'" + value
    return UNSAFE_CHARACTERS.sub("\ufffd", value.replace("\r", "\ufffd"))


def table_format(path: Path) -> str:
    """Return the format a file name asks for, or raise ValueError."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValueError(f"{path.name}: the file must end in .xlsx or .csv")
    return suffix


def table_bytes(
    fmt: str, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]
) -> bytes:
    """The table as an .xlsx workbook or a CSV with a BOM (``fmt``: "xlsx" or "csv")."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown table format {fmt!r}")
    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = title[:31]
        sheet.append([safe_cell(h) for h in header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            # Excel stores numbers as floats; whole yuan and fen survive that exactly
            sheet.append([_cell(safe_cell(v)) for v in row])
        sheet.freeze_panes = "A2"
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return text.getvalue().encode("utf-8-sig")


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # openpyxl stores naive times only
    return value


def write_table(
    path: Path, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]
) -> str:
    """Write the table to ``path`` (.xlsx or .csv), readable by its owner only (registers and
    rolls carry personal data), and return the file's SHA-256."""
    data = table_bytes(table_format(path), title, header, rows)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    path.chmod(0o600)  # an existing file keeps its mode through O_TRUNC
    return hashlib.sha256(data).hexdigest()
