"""What the UI's lists share: read-only Flask-Admin model views and XLSX/CSV downloads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from flask import Response, flash, request
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.filters import DateBetweenFilter
from flask_admin.model import filters
from flask_babel import gettext
from flask_wtf import FlaskForm

from admin.exports import FORMATS, table_bytes
from admin.extensions import runtime
from admin.reads import record_reads
from admin.ui.access import Restricted, current_actor
from admin.ui.paging import PAGE_SIZE, whole_number
from engine.db import DB_BIGINT_MAX, DB_INT_MAX
from engine.inputs import EARLIEST_DAY, LATEST_DAY
from engine.queries import MAX_PAGE

#: the longest page a list may be asked for
MAX_PAGE_SIZE = 500
#: how many rows a download may carry (a county's whole trail fits)
EXPORT_MAX_ROWS = 200_000


#: the longest text a filter or the search box may hold (SQLite refuses long LIKE patterns)
MAX_FILTER_CHARS = 200


def _whole(text: str) -> bool:
    text = text.strip()
    digits = text[1:] if text[:1] in "+-" else text
    return digits.isascii() and digits.isdigit() and abs(int(text)) <= DB_INT_MAX


def storable_filter_value(flt: Any, value: str) -> bool:
    """Whether a filter's value is one a column can hold: numbers within a database integer,
    dates within the calendar, text of a bounded length."""
    if len(value) > MAX_FILTER_CHARS:
        return False
    if isinstance(flt, filters.BaseIntFilter):
        return _whole(value)
    if isinstance(flt, filters.BaseIntListFilter):
        return all(_whole(v) for v in value.split(",") if v.strip())
    if isinstance(flt, filters.BaseFloatFilter | filters.BaseFloatListFilter):
        try:
            return all(abs(float(v)) <= DB_INT_MAX for v in value.split(",") if v.strip())
        except ValueError:
            return False
    if isinstance(flt, filters.BaseDateFilter):
        return EARLIEST_DAY <= flt.clean(value) <= LATEST_DAY
    if isinstance(flt, filters.BaseDateTimeFilter):
        return EARLIEST_DAY <= flt.clean(value).date() <= LATEST_DAY
    if isinstance(flt, filters.BaseDateBetweenFilter):
        return all(EARLIEST_DAY <= day <= LATEST_DAY for day in flt.clean(value))
    if isinstance(flt, filters.BaseDateTimeBetweenFilter):
        return all(EARLIEST_DAY <= t.date() <= LATEST_DAY for t in flt.clean(value))
    return True


class ReadOnlyView(Restricted, ModelView):  # type: ignore[misc]
    """A list nobody can change from the UI: filters, sorting, paging, XLSX and CSV export."""

    can_create = False
    can_edit = False
    can_delete = False
    can_view_details = True
    can_export = True
    export_types = ["xlsx", "csv"]
    export_max_rows = EXPORT_MAX_ROWS
    page_size = PAGE_SIZE
    can_set_page_size = True
    form_base_class = FlaskForm
    #: lists of append-only logs grow without end: no total count on every page
    simple_list_pager = True
    #: what reading this list is logged as ("trail": search_trail, export_trail,
    #: view_trail_entry), for readers who see personal data; None: not logged
    read_action: str | None = None

    def read_cases(self, rows: Sequence[Any]) -> list[int | None]:
        """The cases whose data the rows show (the log names them)."""
        found = [getattr(r, "case_id", None) for r in rows]
        return found if any(c is not None for c in found) else [None]

    def get_list(self, *args: Any, **kwargs: Any) -> Any:
        """A page of the list (or a whole export), its read logged."""
        count, rows = super().get_list(*args, **kwargs)
        if self.read_action is not None and rows:
            exporting = (request.endpoint or "").endswith(".export")
            action = f"{'export' if exporting else 'search'}_{self.read_action}"
            record_reads(current_actor(), action, "ui", self.read_cases(rows))
        return count, rows

    def _export_csv(self, return_url: Any) -> Any:
        """The list as CSV, through the one export writer (a BOM, no live formulas)."""
        return self._export_table("csv")

    def _export_tablib(self, export_type: str, return_url: str) -> Any:
        """The list as XLSX, through the one export writer."""
        return self._export_table(export_type)

    def _export_table(self, fmt: str) -> Response:
        """The filtered list (up to ``export_max_rows``) written by ``admin.exports``."""
        _count, data = self._export_data()
        header = [str(title) for _name, title in self._export_columns]
        rows = [
            [self.get_export_value(row, name) for name, _title in self._export_columns]
            for row in data
        ]
        return download(fmt, self.endpoint, header, rows)

    def get_query(self) -> Any:
        """Only what lies in the signed-in user's region."""
        return self.scoped(super().get_query())

    def get_one(self, id: Any) -> Any:
        """One row for the details page, only when it lies in the user's region (else None)."""
        row_id = whole_number(str(id), DB_BIGINT_MAX)
        if row_id is None:
            return None
        row = self.get_query().filter(self.model.id == row_id).one_or_none()
        if row is not None and self.read_action is not None:
            action = f"view_{self.read_action}_entry"
            record_reads(current_actor(), action, "ui", self.read_cases([row]))
        return row

    def _get_list_extra_args(self) -> Any:
        """Flask-Admin's list arguments, the page kept within what a database can offset."""
        args = super()._get_list_extra_args()
        if args.page is not None and not 0 <= args.page < MAX_PAGE:
            args.page = 0
        if args.page_size is not None and not 0 <= args.page_size <= MAX_PAGE_SIZE:
            args.page_size = 0
        if args.search and len(args.search) > MAX_FILTER_CHARS:
            flash(gettext("The search term is too long."), "error")
            args.search = None
        return args

    def _get_list_filter_args(self) -> Any:
        """The list's filters, without values no column can hold (each refusal is shown)."""
        filters = super()._get_list_filter_args()
        if filters is None:
            return None
        kept = []
        for idx, name, value in filters:
            if storable_filter_value(self._filters[idx], value):
                kept.append((idx, name, value))
            else:
                flash(self.get_invalid_value_msg(value[:40], self._filters[idx]), "error")
        return kept

    def get_count_query(self) -> Any:
        """Counted in the same scope as the list."""
        return self.scoped(super().get_count_query())

    def scoped(self, query: Any) -> Any:
        """Narrow a query to the user's region (each view says how)."""
        raise NotImplementedError


class LocalDaysBetween(DateBetweenFilter):  # type: ignore[misc]
    """A stored UTC time falling on the given local days (both included)."""

    def validate(self, value: Any) -> bool:
        """Days a stored time can fall on (the calendar's first and last days cannot)."""
        if not super().validate(value):
            return False
        first, last = self.clean(value)
        return bool(EARLIEST_DAY <= first <= last <= LATEST_DAY)

    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        """Keep rows from the first day's midnight to the midnight after the last day."""
        first, last = value
        tz = runtime().clock.tz
        start = dt.datetime.combine(first, dt.time(), tz)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tz)
        column = self.get_column(alias)
        return query.filter(column >= start, column < end)


def local_time(value: dt.datetime | None) -> str:
    """A stored UTC time shown in the county's time zone."""
    if value is None:
        return ""
    return value.astimezone(runtime().clock.tz).strftime("%Y-%m-%d %H:%M:%S")


def wants_download() -> str | None:
    """The format asked for by ``?export=xlsx|csv``, if any."""
    fmt = request.args.get("export")
    return fmt if fmt in FORMATS else None


def download(fmt: str, name: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Response:
    """Send a table as an attachment (the file name carries the region and the day)."""
    rt = runtime()
    day = rt.clock.now().astimezone(rt.clock.tz).date().isoformat()
    filename = f"{name}-{current_actor().region_code}-{day}.{fmt}"
    mimetype = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if fmt == "xlsx"
        else "text/csv; charset=utf-8"
    )
    return Response(
        table_bytes(fmt, name, header, rows),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
