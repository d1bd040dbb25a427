"""The application factory: settings, runtime, then each part registered in turn."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map, ValidationError

from admin.api import register_api
from admin.api.errors import register_error_handlers
from admin.assets import asset_dir
from admin.config import load_settings
from admin.extensions import init_runtime
from admin.files import register_uploads
from admin.pages import register_pages
from admin.runtime import Runtime
from admin.security import register_security_headers
from admin.ui import register_ui
from admin.verification import register_verification
from engine.db import DB_INT_MAX


class IdConverter(IntegerConverter):
    """``<int:name>``: a whole number no larger than a database id can be."""

    def __init__(
        self,
        map: Map,  # Werkzeug's names for them
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        bound = DB_INT_MAX if max is None else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bound, signed=signed)

    def to_python(self, value: str) -> Any:
        """The number; one beyond any database id is 0, which no row has, so the view
        answers 404. (Refusing it here instead would make Werkzeug answer 405 when another
        method's rule has the same path.)"""
        try:
            return super().to_python(value)
        except ValidationError:
            if self.max is not None and int(value) > self.max:
                return 0
            raise


def create_app(config: Mapping[str, Any] | None = None, rt: Runtime | None = None) -> Flask:
    """Build the app. ``config`` overrides DOUDI_* variables; tests may pass a runtime.

    Raises ConfigError when the configuration cannot work (e.g. DOUDI_NOW
    outside DOUDI_ENV=test, or no DOUDI_SECRET_KEY in production).
    """
    settings = rt.settings if rt is not None else load_settings(overrides=config)
    app = Flask(
        "admin",
        template_folder=str(asset_dir("templates")),
        static_folder=str(asset_dir("static")),
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
    # <int:...> in every route (API, pages, Flask-Admin) is a database id: a path with a
    # larger number matches no route (404) instead of overflowing the query (500)
    app.url_map.converters["int"] = IdConverter
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  (Chinese stays readable)
    if settings.trusted_proxies:
        # behind the county's reverse proxy: the client's address (sign-in throttling,
        # the trail's sign-in events) and the scheme come from its forwarded headers
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    init_runtime(app, rt or Runtime(settings))
    register_uploads(app)
    register_security_headers(app, production=settings.env == "production")
    register_error_handlers(app)
    register_api(app)
    register_pages(app)
    register_verification(app)
    register_ui(app)
    return app
