"""Access to the per-app runtime (database, clock, audit log) from requests and commands."""

from __future__ import annotations

from flask import Flask, current_app, request

from admin.runtime import Runtime

KEY = "doudi"


def init_runtime(app: Flask, rt: Runtime) -> None:
    """Attach the runtime to the app and release it when the app is torn down."""
    app.extensions[KEY] = rt


def runtime() -> Runtime:
    """Return the current app's runtime."""
    rt: Runtime = current_app.extensions[KEY]
    return rt


def client_address() -> str:
    """The address the request came from (the proxy's, unless one is configured in front)."""
    return request.remote_addr or "unknown"
