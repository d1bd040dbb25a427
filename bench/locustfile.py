"""The load of ``bench.http_load``: a township reviewer's day, run by locust (headless).

Run by ``bench.http_load`` in locust's own virtual environment (doudi does not depend on
locust); it reads ``DOUDI_BENCH_PASSWORD``, ``DOUDI_BENCH_CASES`` (a file of the case ids
the reviewer may open, one per line) and ``DOUDI_BENCH_ACTIVE`` (active cases whose
recheck may start, each started once) and ``DOUDI_BENCH_THINK`` (seconds between
clicks). Each simulated reviewer signs in to the UI and to
the API, then opens case pages, queue pages, and starts rechecks.
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, task

PASSWORD = os.environ["DOUDI_BENCH_PASSWORD"]
CASES = [int(n) for n in Path(os.environ["DOUDI_BENCH_CASES"]).read_text().split()]
ACTIVE = iter([int(n) for n in Path(os.environ["DOUDI_BENCH_ACTIVE"]).read_text().split()])
THINK = tuple(float(x) for x in os.environ.get("DOUDI_BENCH_THINK", "1-3").split("-"))
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Reviewer(HttpUser):  # type: ignore[misc]
    """A township reviewer working through the day's cases."""

    # a person reads a page before the next click (DOUDI_BENCH_THINK, seconds "low-high")
    wait_time = between(*THINK)

    def on_start(self) -> None:
        """Sign in to the UI (session cookie) and to the API (bearer token)."""
        page = self.client.get("/ui/signin", name="sign-in form").text
        # production marks the session cookie Secure; on loopback without TLS it is sent by
        # hand (the sign-in form's token is bound to the session it came with)
        with self.client.post(
            "/ui/signin",
            data={
                "csrf_token": TOKEN.search(page).group(1),  # type: ignore[union-attr]
                "username": "reviewer",
                "password": PASSWORD,
            },
            headers={"Cookie": self._cookies()},
            name="sign-in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code}: not signed in")
        self.cookie = self._cookies()
        token = self.client.post(
            "/api/v1/auth/token",
            json={"username": "reviewer", "password": PASSWORD},
            name="api token",
        ).json()["token"]
        self.bearer = {"Authorization": f"Bearer {token}"}

    def _cookies(self) -> str:
        """The cookies the server set, as a Cookie header."""
        return "; ".join(f"{c.name}={c.value}" for c in self.client.cookies)

    @task(5)
    def case_page(self) -> None:
        """Open a case of the township."""
        self._page(f"/admin/case/{random.choice(CASES)}", "case page", 'id="case-state"')

    @task(3)
    def queue_page(self) -> None:
        """Open the work queue (the first page, or one of the next few)."""
        page = random.choice(["", "", "?page=2", "?sort=newest", "?state=under_recheck"])
        self._page(f"/admin/queue/{page}", "queue", "data-case=")

    def _page(self, path: str, name: str, marker: str) -> None:
        """Open a UI page with the session cookie; count it failed unless it is the page
        itself (holding ``marker``), not a sign-in redirect."""
        with self.client.get(
            path,
            headers={"Cookie": self.cookie},
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200 or marker not in response.text:
                response.failure(f"{response.status_code}: not the page asked for")

    @task(1)
    def start_recheck(self) -> None:
        """Start the recheck of an active case (each case once)."""
        case_id = next(ACTIVE, None)
        if case_id is None:
            return
        self.client.post(
            f"/api/v1/cases/{case_id}/transitions",
            json={"trigger": "start_recheck", "reason": "定期核查"},
            headers=self.bearer,
            name="transition",
        )
