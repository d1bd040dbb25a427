"""Writing tables to XLSX (openpyxl) or CSV with a BOM, so Excel opens the Chinese right."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

FORMATS = ("xlsx", "csv")


def table_format(path: Path) -> str:
    """Return the format a file name asks for, or raise ValueError."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValueError(f"{path.name}: the file must end in .xlsx or .csv")
    return suffix


def write_table(
    path: Path, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]
) -> str:
    """Write the table to ``path`` (.xlsx or .csv) and return the file's SHA-256."""
    if table_format(path) == "xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = title[:31]
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            # Excel stores numbers as floats; whole yuan and fen survive that exactly
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        sheet.freeze_panes = "A2"
        book.save(path)
    else:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    return hashlib.sha256(path.read_bytes()).hexdigest()
