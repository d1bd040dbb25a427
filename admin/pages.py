"""Plain pages outside the API: the start page and a health check."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from admin.extensions import runtime
from admin.migrate import current_revision, head_revision
from engine.models import Region, RegionLevel

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """The start page: which county this is, where to sign in, where the API is.

    It shows no figures: even aggregate assistance figures of a small village are not for
    anyone on the network. Signed-in staff find them on their dashboard.
    """
    with runtime().reader() as uow:
        county = uow.session.scalar(
            select(Region).where(Region.level == RegionLevel.COUNTY).order_by(Region.code)
        )
    return render_template(
        "index.html", county=county, signed_in=bool(current_user.is_authenticated)
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
