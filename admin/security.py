"""What every response tells the browser: where content may come from, and what not to keep.

- Content-Security-Policy: everything from this site only; scripts also only
  from this site, except the inline ones Flask-Admin marks with this
  request's nonce; no plugins, no framing, forms post only here. Inline
  styles stay allowed (Flask-Admin and the lifecycle diagram use them; a
  style cannot run code).
- X-Frame-Options DENY (older browsers), X-Content-Type-Options nosniff,
  Referrer-Policy same-origin (the UI returns to the page a form came from).
- Cache-Control no-store on everything but static assets: pages, JSON and
  PDFs may carry personal data, and a shared office computer must not keep
  them in its cache.
- Strict-Transport-Security in production (TLS ends at the reverse proxy).
"""

from __future__ import annotations

import secrets

from flask import Flask, g, request
from werkzeug.wrappers import Response

STATIC_PREFIXES = ("/static/", "/admin/static/")
#: a year, as browsers' preload lists ask
HSTS_SECONDS = 31_536_000


def csp_nonce() -> str:
    """This request's nonce for inline scripts (the same for every script of the page)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    nonce: str = g.csp_nonce
    return nonce


def policy(nonce: str) -> str:
    """The Content-Security-Policy of a response."""
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def register_security_headers(app: Flask, production: bool) -> None:
    """Add the headers to every response of the app."""

    @app.after_request
    def secure(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = policy(csp_nonce())
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        if not request.path.startswith(STATIC_PREFIXES):
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        if production:
            headers["Strict-Transport-Security"] = f"max-age={HSTS_SECONDS}"
        return response
