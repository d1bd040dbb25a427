"""What text and JSON the system accepts: nothing hidden, nothing unbounded.

Checked at every edge (API bodies and query strings, UI forms, imported
files) and again by the services before anything is written append-only:

- no control characters (C0 but tab and line breaks, DEL, C1), no NUL
  (PostgreSQL refuses it and its error message would carry the whole row,
  personal data included, into the log), no lone surrogates (not UTF-8);
- no bidirectional overrides or isolates (U+202A-E, U+2066-9), which make a
  name or a reason read differently from what is stored ("Trojan Source");
- no text made only of zero-width characters (a name that looks empty);
- JSON no deeper and no larger than a bound, so that a stored payload can
  always be read, encoded and exported again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from engine.errors import InvalidData, Problem

#: line breaks and tabs belong in findings, notes and reasons
ALLOWED_CONTROLS = frozenset("\t\n\r")
#: bidirectional embeddings, overrides and isolates
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: characters that take no room: a text of only these looks empty
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
#: request bodies: an application nests four levels; twice that leaves room for growth
MAX_BODY_DEPTH = 8
#: what a trigger's ``data`` may hold (a ground, a change kind): small and shallow
MAX_DATA_DEPTH = 4
MAX_DATA_BYTES = 4096
#: the days a date may name: the calendar's own ends would overflow once a time zone shifts
#: them, and nothing the system records lies outside these
EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2199, 12, 31)
#: numbers typed for amounts, rates and factors: 12 digits before the point, 6 after
MAX_WHOLE_DIGITS = 12
MAX_DECIMALS = 6


def _problem(field: str, code: str, zh: str, en: str) -> Problem:
    return Problem(code=code, message=f"{field}：{zh}", message_en=f"{field}: {en}", field=field)


def text_problem(value: str, field: str) -> Problem | None:
    """What is wrong with one piece of text, if anything."""
    visible = False
    for char in value:
        point = ord(char)
        if (point < 0x20 and char not in ALLOWED_CONTROLS) or 0x7F <= point <= 0x9F:
            return _problem(
                field,
                "control_character",
                f"含有控制字符（U+{point:04X}）",
                f"holds a control character (U+{point:04X})",
            )
        if 0xD800 <= point <= 0xDFFF:
            return _problem(
                field,
                "control_character",
                f"含有无效字符（U+{point:04X}）",
                f"holds an invalid character (U+{point:04X})",
            )
        if char in BIDI_CONTROLS:
            return _problem(
                field,
                "bidi_control",
                f"含有改变文字方向的控制符（U+{point:04X}）",
                f"holds a bidirectional control (U+{point:04X})",
            )
        if char not in INVISIBLE and not char.isspace():
            visible = True
    if value and not visible and any(c in INVISIBLE for c in value):
        return _problem(
            field, "invisible_text", "只含不可见字符", "holds only invisible characters"
        )
    return None


def free_text_problem(value: object, field: str, max_chars: int, required: bool) -> Problem | None:
    """What is wrong with a free-text field: hidden characters, or empty when required, or
    longer than ``max_chars``."""
    text = value if isinstance(value, str) else ""
    hidden = text_problem(text, field)
    if hidden is not None:
        return hidden
    least = 1 if required else 0
    if (required and not text.strip()) or len(text) > max_chars:
        return _problem(
            field, "invalid", f"须为{least}至{max_chars}字", f"{least}-{max_chars} characters"
        )
    return None


def json_problems(value: Any, field: str, max_depth: int, depth: int = 0) -> list[Problem]:
    """Every string of a JSON value checked, and its nesting bounded (first problem each)."""
    if depth > max_depth:
        return [
            _problem(
                field,
                "too_deep",
                f"嵌套层数超过{max_depth}层",
                f"is nested deeper than {max_depth} levels",
            )
        ]
    if isinstance(value, str):
        found = text_problem(value, field)
        return [found] if found else []
    problems: list[Problem] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = f"{field}.{key}" if field else str(key)
            key_problem = text_problem(str(key), name)
            if key_problem:
                problems.append(key_problem)
            problems += json_problems(item, name, max_depth, depth + 1)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            name = f"{field}.{index}" if field else str(index)
            problems += json_problems(item, name, max_depth, depth + 1)
    return problems


def data_problems(data: Mapping[str, Any]) -> list[Problem]:
    """A trigger's ``data`` before it goes into the append-only trail: clean, shallow, small."""
    if not data:  # most triggers carry none
        return []
    problems = json_problems(data, "data", MAX_DATA_DEPTH)
    if problems:
        return problems[:1]
    size = len(json.dumps(data, ensure_ascii=False, default=str).encode("utf-8"))
    if size > MAX_DATA_BYTES:
        return [
            _problem(
                "data",
                "too_large",
                f"超过{MAX_DATA_BYTES}字节",
                f"is larger than {MAX_DATA_BYTES} bytes",
            )
        ]
    return []


def date_problem(value: dt.date, field: str) -> Problem | None:
    """A date outside the days the system can record (1900-2199)."""
    if EARLIEST_DAY <= value <= LATEST_DAY:
        return None
    return _problem(
        field,
        "date_out_of_range",
        f"日期须在{EARLIEST_DAY.year}年至{LATEST_DAY.year}年之间",
        f"the date must lie between {EARLIEST_DAY.year} and {LATEST_DAY.year}",
    )


def number_problem(value: Decimal, field: str) -> Problem | None:
    """A number too large or too finely divided to be an amount, rate or factor."""
    if value.is_finite():
        exponent = value.as_tuple().exponent
        if (
            isinstance(exponent, int)
            and (value == 0 or value.adjusted() < MAX_WHOLE_DIGITS)
            and -exponent <= MAX_DECIMALS
        ):
            return None
    return _problem(
        field,
        "number_out_of_range",
        f"数值须为不超过{MAX_WHOLE_DIGITS}位整数、{MAX_DECIMALS}位小数的有限数",
        f"a finite number of at most {MAX_WHOLE_DIGITS} digits and {MAX_DECIMALS} decimals",
    )


class ImportColumns:
    """An import file's columns, each named by its English name or by the Chinese header the
    import template prints (``headers_zh``: name -> header)."""

    def __init__(
        self, headers_zh: Mapping[str, str], aliases: Mapping[str, str] | None = None
    ) -> None:
        self.headers_zh = dict(headers_zh)
        self._name_of = {
            **{c: c for c in headers_zh},
            **{zh: c for c, zh in headers_zh.items()},
            # other headers the same column goes by in the systems files come from
            **dict(aliases or {}),
        }

    def name(self, header: object) -> str:
        """The column a header names (unknown headers as they are, stripped)."""
        text = str(header).strip()
        return self._name_of.get(text, text)

    def refuse_duplicates(self, header: Sequence[object]) -> None:
        """Refuse a header that names a column twice (by its name or its Chinese header):
        which of the two a file meant cannot be known."""
        names = [self.name(h) for h in header if h is not None and str(h).strip()]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            shown = "、".join(self.headers_zh.get(n, n) for n in twice)
            raise InvalidData(
                f"列重复：{shown}",
                f"columns given twice: {', '.join(twice)}",
                code="duplicate_columns",
            )

    def require(
        self,
        header: Sequence[object],
        required: Sequence[str],
        expected: Sequence[str] | None = None,
    ) -> None:
        """Refuse a header that names a column twice or lacks a required one (named in both
        languages, with the columns ``expected``: the required ones unless given)."""
        self.refuse_duplicates(header)
        columns = {self.name(h) for h in header if h}
        missing = [c for c in required if c not in columns]
        if missing:
            raise InvalidData(
                f"缺少列：{'、'.join(self.headers_zh.get(c, c) for c in missing)}",
                f"missing columns: {', '.join(missing)} "
                f"(expected {','.join(expected or required)})",
                code="bad_header",
            )

    def record(self, raw: Mapping[Any, object]) -> dict[str, str]:
        """A header-keyed record with its columns named and its cells as stripped text."""
        return {
            self.name(k): ("" if v is None else str(v).strip())
            for k, v in raw.items()
            if k is not None
        }


def code_of(text: str, words: Mapping[Any, str]) -> str:
    """A value given as its word (``words``: code -> word) as its code; anything else as it
    is, for the checks to refuse."""
    for code, word in words.items():
        if text == word:
            return str(code)
    return text
