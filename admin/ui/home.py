"""The landing page after sign-in: each role's work by deadline, what waits on others, and the
region's figures drawn as bar charts (no script: plain SVG the server writes)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import redirect, url_for
from flask_admin import AdminIndexView, expose
from flask_babel import gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from admin.extensions import runtime
from admin.ui.access import current_actor
from admin.ui.i18n import category_label, value_label
from engine.clock import local_date
from engine.dashboard import dashboard
from engine.models import Region, User

CATEGORIES = ("dibao", "single_person", "tekun")
AREAS = ("rural", "urban")


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, its value and the value as written."""

    label: str
    value: float
    text: str


@dataclass(frozen=True)
class Chart:
    """A titled bar chart; ``widest`` is the value a full-width bar stands for."""

    key: str
    title: str
    bars: list[Bar]

    @property
    def widest(self) -> float:
        """The largest value (at least 1, so that empty charts draw)."""
        return max([b.value for b in self.bars] + [1.0])


def _yuan(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def charts(figures: dict[str, Any]) -> list[Chart]:
    """The county report's figures as charts: people enrolled, coverage, average benefit,
    relatives filed and flagged, open and overdue cases."""
    enrolled = figures["enrolled"]
    people, average = [], []
    for category in CATEGORIES:
        for area in AREAS:
            cell = enrolled.get(category, {}).get(area)
            if cell is None:
                continue
            label = f"{category_label(category)} · {value_label('area_type', area)}"
            people.append(Bar(label, cell["people"], f"{cell['people']:,}"))
            avg = cell["average_per_person_yuan"]
            average.append(Bar(label, float(avg or 0), _yuan(avg)))
    coverage = []
    for area in AREAS:
        rate = figures["coverage"][area]["rate"]
        text = "—" if rate is None else f"{rate * 100:.2f}%"
        coverage.append(Bar(value_label("area_type", area), float(rate or 0) * 100, text))
    cases = [
        Bar(gettext("Open cases"), figures["open_cases"], f"{figures['open_cases']:,}"),
        Bar(gettext("Overdue"), figures["overdue_cases"], f"{figures['overdue_cases']:,}"),
        Bar(
            gettext("Relatives filed this year"),
            figures["kinship_filed"],
            f"{figures['kinship_filed']:,}",
        ),
        Bar(
            gettext("Cases with a kinship flag"),
            figures["kinship_flagged"],
            f"{figures['kinship_flagged']:,}",
        ),
    ]
    return [
        Chart("people", gettext("People enrolled"), people),
        Chart("coverage", gettext("Coverage of the registered population"), coverage),
        Chart("average", gettext("Average benefit per person (yuan a month)"), average),
        Chart("cases", gettext("Cases and relatives of officials"), cases),
    ]


class HomeView(AdminIndexView):  # type: ignore[misc]
    """The start page of the UI: each role's own dashboard."""

    def is_visible(self) -> bool:
        """The brand links here; no menu entry of its own."""
        return False

    @expose("/")
    def index(self) -> Response | str:
        """The signed-in user's dashboard (or the sign-in page)."""
        if not current_user.is_authenticated:
            return redirect(url_for("ui_auth.signin"))
        rt = runtime()
        actor = current_actor()
        today = local_date(rt.clock.now(), rt.clock.tz)
        with rt.reader() as uow:
            board = dashboard(uow.session, actor, today, rt.clock.tz)
            region = uow.session.get(Region, actor.region_code)
            user = uow.session.get(User, actor.user_id) if actor.user_id else None
        return self.render(
            "ui/home.html",
            board=board,
            charts=charts(board.figures) if board.figures else [],
            region_name=region.name if region is not None else actor.region_code,
            role=actor.role.value,
            user_name=(user.display_name if user is not None else "") or actor.username,
            today=today,
        )
