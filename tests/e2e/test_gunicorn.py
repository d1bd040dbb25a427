"""Production serving: gunicorn with doudi's settings module (docs/operations.md).

It starts from the environment alone, serves the application, and its access
log keeps the path of each request but never the query string, where searches
and filters carry names and ID numbers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
DOUDI = ROOT / ".venv" / "bin" / "doudi"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_gunicorn_serves_doudi_and_logs_no_query_strings(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "access.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DOUDI_")},
        "DOUDI_ENV": "production",
        "DOUDI_SECRET_KEY": "3f9c1a7e5b2d8046e1c9a3b7d5f20e84c6a1b9d3e7f5028c4a6e1b3d9f7c5a20",
        "DOUDI_DATABASE_URL": f"sqlite:///{tmp_path / 'doudi.sqlite3'}",
        "DOUDI_INSTANCE_PATH": str(tmp_path / "instance"),
        "DOUDI_BIND": f"127.0.0.1:{port}",
        "DOUDI_WORKERS": "2",
        "DOUDI_ACCESS_LOG": str(log),
    }
    subprocess.run([str(DOUDI), "db", "upgrade"], env=env, check=True, capture_output=True)
    with (tmp_path / "gunicorn.out").open("wb") as output:
        server = subprocess.Popen(
            [str(GUNICORN), "-c", "python:admin.gunicorn_conf", "wsgi:app"],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}/ui/signin?next=/ui/cases&q=512022197005170011"
        page = None
        for _ in range(100):
            try:
                page = urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "gunicorn.out").read_text()
                time.sleep(0.1)
        assert page is not None and page.status == 200
        with page:
            assert "登录" in page.read().decode()
            assert page.headers["X-Frame-Options"] == "DENY"
        # stop only once both workers have booted: a worker forked while gunicorn shuts down
        # misses the signal and is killed only after the 30-second graceful timeout
        for _ in range(100):
            if (tmp_path / "gunicorn.out").read_text().count("Booting worker") >= 2:
                break
            time.sleep(0.1)
    finally:
        server.terminate()
        # longer than gunicorn's graceful timeout, so a late worker cannot fail the test
        server.wait(timeout=60)
    logged = log.read_text()
    assert '"GET /ui/signin HTTP/1.1" 200' in logged
    assert "512022197005170011" not in logged and "next=" not in logged


def test_a_bad_worker_count_stops_gunicorn_with_a_reason(tmp_path: Path) -> None:
    env = {**os.environ, "DOUDI_WORKERS": "many", "DOUDI_BIND": f"127.0.0.1:{free_port()}"}
    result = subprocess.run(
        [str(GUNICORN), "-c", "python:admin.gunicorn_conf", "--check-config", "wsgi:app"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DOUDI_WORKERS must be a whole number" in result.stdout + result.stderr
