"""The application factory: settings, runtime, then each part registered in turn."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from admin.api import register_api
from admin.api.errors import register_error_handlers
from admin.config import load_settings
from admin.extensions import init_runtime
from admin.pages import register_pages
from admin.runtime import Runtime
from admin.ui import register_ui
from admin.verification import register_verification

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None, rt: Runtime | None = None) -> Flask:
    """Build the app. ``config`` overrides DOUDI_* variables; tests may pass a runtime.

    Raises ConfigError when the configuration cannot work (e.g. DOUDI_NOW
    outside DOUDI_ENV=test, or no DOUDI_SECRET_KEY in production).
    """
    settings = rt.settings if rt is not None else load_settings(overrides=config)
    app = Flask(
        "admin",
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(settings.instance_path),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        TESTING=settings.env == "test",
        JSON_SORT_KEYS=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.env == "production",
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  (Chinese stays readable)
    init_runtime(app, rt or Runtime(settings))
    register_error_handlers(app)
    register_api(app)
    register_pages(app)
    register_verification(app)
    register_ui(app)
    return app
