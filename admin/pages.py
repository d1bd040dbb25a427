"""Plain pages outside the API: the start page and a health check."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from admin.extensions import runtime
from admin.migrate import current_revision, head_revision
from engine.models import Case, Region, RegionLevel
from engine.states import STATE_LABELS, CaseState

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """The start page: what this installation holds and where its API is."""
    rt = runtime()
    with rt.reader() as uow:
        counts = dict(
            uow.session.execute(select(Case.state, func.count()).group_by(Case.state)).all()
        )
        county = uow.session.scalar(
            select(Region).where(Region.level == RegionLevel.COUNTY).order_by(Region.code)
        )
    rows = [(STATE_LABELS[state][0], state.value, counts.get(state, 0)) for state in CaseState]
    return render_template("index.html", rows=rows, total=sum(counts.values()), county=county)


@bp.get("/healthz")
def health() -> ResponseReturnValue:
    """Answer 200 when the database is reachable and migrated to the code's schema."""
    rt = runtime()
    current = current_revision(rt.engine)
    head = head_revision(rt.engine)
    ok = current == head
    return jsonify({"ok": ok, "schema": current, "expected_schema": head}), 200 if ok else 503


def register_pages(app: Flask) -> None:
    """Register the start page and health check."""
    app.register_blueprint(bp)
