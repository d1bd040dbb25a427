"""Plain pages outside the API: the start page and a health check."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from admin.extensions import runtime
from admin.migrate import current_revision, head_revision
from engine.models import Case, Region, RegionLevel
from engine.states import STATE_LABELS, CaseState

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """The start page: which county this is, where to sign in, where the API is.

    Counts of cases by state are shown to signed-in users only: even aggregate
    assistance figures of a small village are not for anyone on the network.
    """
    rt = runtime()
    signed_in = bool(current_user.is_authenticated)
    with rt.reader() as uow:
        counts = (
            dict(uow.session.execute(select(Case.state, func.count()).group_by(Case.state)).all())
            if signed_in
            else {}
        )
        county = uow.session.scalar(
            select(Region).where(Region.level == RegionLevel.COUNTY).order_by(Region.code)
        )
    rows = [(STATE_LABELS[state][0], state.value, counts.get(state, 0)) for state in CaseState]
    return render_template(
        "index.html", rows=rows if signed_in else [], total=sum(counts.values()), county=county
    )


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
