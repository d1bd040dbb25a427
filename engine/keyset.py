"""Keyset paging of the work queue: the next page starts after the last row shown.

``OFFSET`` makes the database produce and drop every row before the page, so a deep page
costs more than the first; a keyset page asks for the rows after (or before) the edge row of
the page the user came from, whatever its depth. The edge is passed as a short opaque
cursor: ``d2026-03-05.123`` (deadline and id), ``n123`` (no deadline), ``i123`` (id only).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, or_

from engine.errors import InvalidData, invalid_field
from engine.models import Case

Sort = Literal["due", "newest", "oldest"]
Direction = Literal["after", "before"]

_CURSOR = re.compile(r"(?:d(\d{4}-\d{2}-\d{2})\.|n|i)([0-9]{1,12})")


@dataclass(frozen=True)
class Edge:
    """The sort key of a row on the edge of a page."""

    due_on: dt.date | None
    id: int

    def cursor(self, sort: Sort) -> str:
        """The row's key as a cursor for a page link."""
        if sort != "due":
            return f"i{self.id}"
        return f"d{self.due_on.isoformat()}.{self.id}" if self.due_on else f"n{self.id}"


def edge_of(case: Case) -> Edge:
    """The sort key of a case shown on a page."""
    return Edge(case.due_on, case.id)


def parse_cursor(raw: str, sort: Sort, field: str) -> Edge:
    """Read a cursor made by ``Edge.cursor`` for the same sort; refuse anything else."""
    match = _CURSOR.fullmatch(raw)
    due_on = None
    if match is not None and match.group(1) is not None:
        try:
            due_on = dt.date.fromisoformat(match.group(1))
        except ValueError:
            match = None
    if match is None or (sort == "due") == raw.startswith("i"):
        raise InvalidData(
            "分页位置有误，请从第一页重新翻页",
            f"{field}: not a page position of this list; start again from the first page",
            problems=[invalid_field(field, "分页位置有误", f"{field}: not a page position")],
        )
    return Edge(due_on, int(match.group(2)))


def _beyond(sort: Sort, edge: Edge) -> ColumnElement[bool]:
    """SQL condition: the row comes after ``edge`` in the sort's order."""
    if sort == "newest":
        return Case.id < edge.id
    if sort == "oldest":
        return Case.id > edge.id
    # soonest deadline first, cases without one last, ties by id
    if edge.due_on is None:
        return and_(Case.due_on.is_(None), Case.id > edge.id)
    return or_(
        Case.due_on.is_(None),
        Case.due_on > edge.due_on,
        and_(Case.due_on == edge.due_on, Case.id > edge.id),
    )


def _before(sort: Sort, edge: Edge) -> ColumnElement[bool]:
    """SQL condition: the row comes before ``edge`` in the sort's order."""
    if sort == "newest":
        return Case.id > edge.id
    if sort == "oldest":
        return Case.id < edge.id
    if edge.due_on is None:
        return or_(Case.due_on.is_not(None), and_(Case.due_on.is_(None), Case.id < edge.id))
    return and_(
        Case.due_on.is_not(None),
        or_(Case.due_on < edge.due_on, and_(Case.due_on == edge.due_on, Case.id < edge.id)),
    )


def order(sort: Sort, reverse: bool = False) -> tuple[Any, ...]:
    """The ORDER BY of the sort (``reverse``: backwards, for the page before a row)."""
    if sort == "newest":
        return (Case.id,) if reverse else (Case.id.desc(),)
    if sort == "oldest":
        return (Case.id.desc(),) if reverse else (Case.id,)
    if reverse:
        return (Case.due_on.is_(None).desc(), Case.due_on.desc(), Case.id.desc())
    return (Case.due_on.is_(None), Case.due_on, Case.id)


def beyond(sort: Sort, edge: Edge, direction: Direction) -> ColumnElement[bool]:
    """SQL condition: the rows of the page after (or before) the row ``edge``."""
    return _beyond(sort, edge) if direction == "after" else _before(sort, edge)
