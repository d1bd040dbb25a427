"""End-to-end fixtures: the app served on a local port, and headless Chromium driving it.

The tests use Debian's ``chromium`` and ``chromium-driver`` (``make test``
installs them). Without them the tests skip locally; with ``CI`` set they fail.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from werkzeug.serving import BaseWSGIServer, make_server

from admin.app import create_app
from tests.support import World

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = os.environ.get("DOUDI_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("DOUDI_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--window-size=1400,1000",
    "--lang=zh-CN",
)


@pytest.fixture
def backend() -> str:
    """The browser tests run on SQLite: what they check is the UI, not the database."""
    return "sqlite"


@pytest.fixture
def server(world: World) -> Iterator[str]:
    """The app on a free local port, served from a thread for the test's duration."""
    app = create_app(rt=world.rt)
    httpd: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def chrome() -> Iterator[webdriver.Chrome]:
    """Headless Chromium with a fresh profile."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if missing:
        message = (
            f"headless browser tests need {', '.join(missing)} "
            "(apt-get install chromium chromium-driver)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    profile = tempfile.mkdtemp(prefix="doudi-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go for a person to look at (ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
