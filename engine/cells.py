"""Reading an imported file's cells into typed values, each bad cell a problem named by line
and column (``line 12.id_number``), in the file's own words as well as the column's name."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from engine.errors import Problem
from engine.identity import InvalidIdNumber, ResidentId, parse_id_number

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MONTH = re.compile(r"(\d{4})-(\d{2})")
GRADE = re.compile(r"([1-4])(?:\.0+)?级?")
CENT = Decimal("0.01")
#: the whole digits an amount may have (a household's month, a salary, a bill: far below)
MAX_YUAN_DIGITS = 10
#: 1234, 1234.5, 1,234.56 (a comma only between groups of three digits)
YUAN = re.compile(r"(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?")
BOOLEAN_WORDS = {"是": True, "否": False, "true": True, "false": False}


def parse_yuan(text: str) -> Decimal | None:
    """An amount as people write it (533, 533.5, 1,234.00: commas only between groups of
    three digits), not negative, at most two decimals and ``MAX_YUAN_DIGITS`` whole digits;
    None when it is not one."""
    found = YUAN.fullmatch(text.strip())
    if found is None:
        return None
    whole = found.group(1).replace(",", "")
    if len(whole.lstrip("0")) > MAX_YUAN_DIGITS:
        return None
    return Decimal(whole + (found.group(3) or "")).quantize(CENT)


def yuan_problem(amount: Decimal, field: str) -> Problem | None:
    """What is wrong with an amount given as a number (a command's option, a service's input)."""
    if (
        amount.is_finite()
        and amount >= 0
        # the size first: quantizing a huge number overflows the context
        and amount < Decimal(10) ** MAX_YUAN_DIGITS
        and amount == amount.quantize(CENT)
    ):
        return None
    return Problem(
        code="invalid",
        message=f"{field}：须为不小于0、最多{MAX_YUAN_DIGITS}位整数和两位小数的金额（元）",
        message_en=f"{field}: an amount in yuan, not negative, at most {MAX_YUAN_DIGITS} digits "
        "and 2 decimals",
        field=field,
    )


def by_line(problem: Problem) -> tuple[int, str]:
    """A sort key: a file's problems in the order of its lines (``line 12.column``)."""
    field = problem.field or ""
    number = field.removeprefix("line ").partition(".")[0]
    return (int(number) if number.isdigit() else 0, field)


def cell_problem(
    line: int, column: str, header: str, zh: str, en: str, code: str = "invalid"
) -> Problem:
    """A problem with one cell: 第12行「身份证号码」 / line 12, column id_number."""
    return Problem(
        code=code,
        message=f"第{line}行「{header}」：{zh}",
        message_en=f"line {line}, column {column}: {en}",
        field=f"line {line}.{column}",
    )


class CellReader:
    """Reads one record's cells, collecting a problem for each it cannot read.

    ``headers_zh`` names each column in the problems; ``required`` columns must be filled.
    """

    def __init__(
        self,
        line: int,
        record: Mapping[str, str],
        headers_zh: Mapping[str, str],
        required: Iterable[str] = (),
    ) -> None:
        self.line = line
        self.record = record
        self.headers_zh = headers_zh
        self.required = frozenset(required)
        self.problems: list[Problem] = []

    def bad(self, column: str, zh: str, en: str, code: str = "invalid") -> None:
        """Record a problem with a cell."""
        header = self.headers_zh.get(column, column)
        self.problems.append(cell_problem(self.line, column, header, zh, en, code))

    def text(self, column: str, limit: int | None = None) -> str:
        """The cell as text (a required one must be filled; ``limit`` bounds its length)."""
        value = self.record.get(column, "")
        if not value and column in self.required:
            self.bad(column, "必填", "required", "required")
        elif limit is not None and len(value) > limit:
            self.bad(column, f"超过{limit}个字符", f"longer than {limit} characters")
        return value

    def word(self, column: str, words: Mapping[str, str], codes: Iterable[str]) -> str:
        """A coded cell, given as its code or one of ``words`` (word -> code)."""
        value = self.text(column)
        if not value:
            return ""
        code = words.get(value, value.lower())
        allowed = [str(c) for c in codes]
        if code not in allowed:
            self.bad(
                column,
                f"“{value}”不是可用的取值（可填：{'、'.join(dict.fromkeys(words))}）",
                f"{value!r} is not one of {', '.join(allowed)}",
            )
            return ""
        return str(code)

    def yuan(self, column: str) -> Decimal | None:
        """An amount in yuan, at most two decimals, not negative (None when empty)."""
        value = self.text(column)
        if not value:
            return None
        amount = parse_yuan(value)
        if amount is None:
            self.bad(
                column,
                f"“{value}”不是金额（元，最多{MAX_YUAN_DIGITS}位整数、两位小数）",
                f"{value!r} is not an amount in yuan (at most {MAX_YUAN_DIGITS} digits and "
                "2 decimals)",
            )
        return amount

    def boolean(self, column: str) -> bool:
        """是/否 or true/false (empty: false)."""
        value = self.text(column)
        if not value:
            return False
        found = BOOLEAN_WORDS.get(value.lower())
        if found is None:
            self.bad(
                column,
                f"“{value}”须为 是/否 或 true/false",
                f"{value!r} is not 是/否 or true/false",
            )
            return False
        return found

    def date(self, column: str, latest: dt.date | None = None) -> dt.date | None:
        """A date written YYYY-MM-DD (None when empty), no later than ``latest``."""
        value = self.text(column)
        if not value:
            return None
        day = None
        if DATE.fullmatch(value):
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                day = None
        if day is None:
            self.bad(
                column, f"“{value}”不是日期（YYYY-MM-DD）", f"{value!r} is not a date YYYY-MM-DD"
            )
        elif latest is not None and day > latest:
            self.bad(column, "日期晚于今天", "the date is in the future")
            day = None
        return day

    def month(self, column: str) -> str:
        """A month written YYYY-MM (empty when empty)."""
        value = self.text(column)
        found = MONTH.fullmatch(value) if value else None
        if value and (found is None or not 1 <= int(found.group(2)) <= 12):
            self.bad(column, f"“{value}”不是月份（YYYY-MM）", f"{value!r} is not a month YYYY-MM")
            return ""
        return value

    def grade(self, column: str) -> int | None:
        """A disability grade 1 to 4, as a sheet may write it (2, 2级, 2.0)."""
        value = self.text(column)
        if not value:
            return None
        match = GRADE.fullmatch(value)
        if match is None:
            self.bad(column, f"“{value}”须为1至4级", f"{value!r} is not a grade 1 to 4")
            return None
        return int(match.group(1))

    def resident(self, column: str, today: dt.date) -> ResidentId | None:
        """A resident ID number, its check digit and birth date checked (None if bad)."""
        number = self.text(column).upper()
        if not number:
            return None
        try:
            return parse_id_number(number, today=today, field=None)
        except InvalidIdNumber as err:
            wrong = err.problem
            self.bad(column, wrong.message, wrong.message_en, wrong.code)
            return None


@dataclass(frozen=True)
class SourceFile:
    """The file imported rows came from, by name and SHA-256 (kept with what they became)."""

    file_name: str
    sha256: str
