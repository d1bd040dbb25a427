"""Paging the UI's lists: the page asked for, and how many there are."""

from __future__ import annotations

from flask import request

#: rows on one page of any list in the UI
PAGE_SIZE = 50


def page_arg() -> int:
    """The ``page`` query argument as a page number (the first page for anything else)."""
    raw = request.args.get("page", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


def page_count(total: int, per_page: int = PAGE_SIZE) -> int:
    """How many pages ``total`` rows fill (at least one, so an empty list has a page)."""
    return max(1, -(-total // per_page))
