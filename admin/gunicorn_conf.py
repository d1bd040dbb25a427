"""gunicorn's settings for production: ``gunicorn -c python:admin.gunicorn_conf wsgi:app``.

Read from the environment so the service unit carries no code:
``DOUDI_BIND`` (default 127.0.0.1:8000, behind the reverse proxy),
``DOUDI_WORKERS`` (default two per core plus one), ``DOUDI_ACCESS_LOG``
(a file, or ``-`` for standard output; default ``-``).

The access log keeps the path, never the query string: searches and filters
carry names and ID numbers, and logs are kept for at least six months.
"""

from __future__ import annotations

import os


def _whole(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise SystemExit(f"{name} must be a whole number of at least 1, got {raw!r}")
    return int(raw)


bind = os.environ.get("DOUDI_BIND", "127.0.0.1:8000")
workers = _whole("DOUDI_WORKERS", 2 * (os.cpu_count() or 1) + 1)
# a PDF batch or an export may take longer than gunicorn's 30 s default
timeout = 120
# load the application once, before forking, so a bad configuration stops the start
preload_app = True
accesslog = os.environ.get("DOUDI_ACCESS_LOG", "-")
errorlog = "-"
# address, time, method, path without the query string, status, bytes, milliseconds
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
proc_name = "doudi"
