"""Paging the UI's lists: the page asked for, and how many there are."""

from __future__ import annotations

import re

from flask import request

from engine.queries import MAX_PAGE

#: rows on one page of any list in the UI
PAGE_SIZE = 50
#: ASCII digits only: str.isdigit() also accepts "²", which int() refuses
_NUMBER = re.compile(r"[0-9]{1,18}")


def whole_number(raw: str | None, maximum: int) -> int | None:
    """``raw`` as a whole number from 0 to ``maximum``, else None."""
    if raw is None or not _NUMBER.fullmatch(raw):
        return None
    value = int(raw)
    return value if value <= maximum else None


def page_arg() -> int:
    """The ``page`` query argument as a page number (the first page for anything else)."""
    page = whole_number(request.args.get("page"), MAX_PAGE)
    return page if page else 1


def page_count(total: int, per_page: int = PAGE_SIZE) -> int:
    """How many pages ``total`` rows fill (at least one, so an empty list has a page)."""
    return max(1, -(-total // per_page))
