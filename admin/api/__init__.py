"""JSON API v1 (blueprint ``api``), documented at ``/api/v1/openapi.json``."""

from __future__ import annotations

from flask import Blueprint, Flask

from admin.api.spec import ApiSpec

bp = Blueprint("api", __name__, url_prefix="/api/v1")
spec = ApiSpec(
    title="doudi API",
    version="1",
    description=(
        "Case workflow and audit engine for 低保, 特困供养 and 单人保. Authenticate with "
        "POST /api/v1/auth/token, then send `Authorization: Bearer <token>`. Errors are "
        '`{"error": code, "message": text, "details": ...}`; messages are Chinese unless '
        "`Accept-Language` prefers English."
    ),
)


def register_api(app: Flask) -> None:
    """Register the API blueprint (views are imported here so that they attach to it)."""
    from admin.api import (  # noqa: F401  (importing them registers the routes)
        auth_views,
        batch_views,
        case_views,
        crosscheck_views,
        document_views,
        indicator_views,
        kinship_views,
        monitoring_views,
        policy_views,
        search_views,
    )

    app.register_blueprint(bp)
