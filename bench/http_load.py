"""Benchmark: doudi under load, served by gunicorn with 2 workers over 100,000 cases.

Run: .venv/bin/python -m bench.http_load [--cases 100000] [--seconds 60] [--users 40]
     [--think 1-3]
     [--url postgresql://postgres@127.0.0.1:5432/test]

It creates a database of its own (the queue benchmark's county: 100,000 cases over every
state), starts the production server as docs/operations.md does (``gunicorn -c
python:admin.gunicorn_conf wsgi:app``, ``DOUDI_ENV=production``, 2 workers) on loopback,
and runs locust headless from a second process for the given time (``bench/locustfile.py``:
township reviewers opening case pages and queue pages and starting rechecks through the
API, each waiting a person's 1-3 s between clicks; ``--think 0-0`` finds the ceiling).
It prints, per request kind, the count, failures, median, 95th percentile and
requests per second, and, as the reference measured in the same run, ``/healthz`` through
the same server (what any request costs before doudi's work). Goals: no failures; p95 at
most 100 ms for the case page and 200 ms for the queue.

locust is installed in a virtual environment of its own under the temporary directory
(doudi never depends on it).
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import text

from bench.queue_page import PASSWORD, TOWNSHIPS, load
from bench.support import DEFAULT_URL, scratch_database, throwaway_venv
from engine.db import make_engine

ROOT = Path(__file__).resolve().parents[1]
LOCUST = ("locust>=2.30,<3",)
#: the production server's command line (docs/operations.md)
GUNICORN_ARGS = ("-c", "python:admin.gunicorn_conf", "wsgi:app")
#: seconds over which the simulated staff sign in, before the figures are counted
SPAWN_SECONDS = 10
#: p95 goals in milliseconds, by request kind
GOALS = {"case page": 100, "queue": 200}


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def case_lists(url: str, work: Path) -> tuple[Path, Path]:
    """Files of the reviewer's township's case ids, and of its active cases (shuffled)."""
    engine = make_engine(url)
    with engine.connect() as conn:
        mine = [
            row[0]
            for row in conn.execute(
                text("SELECT id FROM case_file WHERE village_code LIKE :t ORDER BY random()"),
                {"t": f"{TOWNSHIPS[0]}%"},
            )
        ]
        active = [
            row[0]
            for row in conn.execute(
                text(
                    "SELECT id FROM case_file WHERE village_code LIKE :t AND state = 'active' "
                    "ORDER BY random()"
                ),
                {"t": f"{TOWNSHIPS[0]}%"},
            )
        ]
    engine.dispose()
    cases, actives = work / "cases.txt", work / "active.txt"
    cases.write_text("\n".join(map(str, mine)))
    actives.write_text("\n".join(map(str, active)))
    return cases, actives


def serve(url: str, port: int, work: Path) -> subprocess.Popen[bytes]:
    """Start gunicorn as in production and wait until it answers."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DOUDI_")},
        "DOUDI_ENV": "production",
        "DOUDI_SECRET_KEY": secrets.token_hex(32),
        "DOUDI_DATABASE_URL": url,
        "DOUDI_INSTANCE_PATH": str(work / "instance"),
        "DOUDI_BIND": f"127.0.0.1:{port}",
        "DOUDI_WORKERS": "2",
        "DOUDI_ACCESS_LOG": str(work / "access.log"),
    }
    server = subprocess.Popen(  # noqa: S603 (our own virtual environment's gunicorn)
        [str(Path(sys.executable).parent / "gunicorn"), *GUNICORN_ARGS],
        env=env,
        cwd=ROOT,
        stdout=(work / "gunicorn.out").open("wb"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not answer: " + (work / "gunicorn.out").read_text()[-2000:])


def healthz_p95(port: int, seconds: float) -> tuple[float, float]:
    """Median and 95th percentile of ``/healthz`` in ms, asked in a loop while the load runs."""
    times = []
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        started = time.perf_counter()
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()
        times.append((time.perf_counter() - started) * 1000)
        time.sleep(0.05)
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.95)]


def main() -> None:
    """Load, serve, put the server under locust's load, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=40, help="staff signed in at once")
    parser.add_argument(
        "--think", default="1-3", help="seconds each waits between clicks (low-high)"
    )
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args()

    locust_bin = throwaway_venv("locust", LOCUST)
    with scratch_database(args.url) as url, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        load(url, args.cases)
        cases, active = case_lists(url, work)
        port = free_port()
        server = serve(url, port, work)
        try:
            load_run = subprocess.Popen(  # noqa: S603 (locust of our throwaway environment)
                [
                    str(locust_bin / "locust"),
                    *("-f", str(ROOT / "bench" / "locustfile.py"), "--headless"),
                    # staff sign in over the first SPAWN_SECONDS (a password hash each);
                    # the figures count from when the last has started working
                    *("-u", str(args.users), "-r", str(args.users / SPAWN_SECONDS)),
                    "--reset-stats",
                    *("-t", f"{args.seconds + SPAWN_SECONDS}s"),
                    *("--host", f"http://127.0.0.1:{port}"),
                    *("--csv", str(work / "load"), "--only-summary", "--loglevel", "WARNING"),
                ],
                env={
                    **os.environ,
                    "DOUDI_BENCH_PASSWORD": PASSWORD,
                    "DOUDI_BENCH_CASES": str(cases),
                    "DOUDI_BENCH_ACTIVE": str(active),
                    "DOUDI_BENCH_THINK": args.think,
                },
                stdout=subprocess.DEVNULL,
                stderr=(work / "locust.err").open("wb"),
            )
            time.sleep(SPAWN_SECONDS + 2)  # everyone signed in and working
            floor = healthz_p95(port, args.seconds / 2)
            load_run.wait(timeout=args.seconds + SPAWN_SECONDS + 120)
        finally:
            server.terminate()
            server.wait(timeout=30)
        report(work / "load_stats.csv", args, floor)


def report(stats: Path, args: argparse.Namespace, floor: tuple[float, float]) -> None:
    """Print locust's figures per request kind against the goals and the floor."""
    if not stats.exists():
        raise SystemExit("locust wrote no statistics")
    print(
        f"cases: {args.cases:,}; gunicorn, 2 workers; locust, {args.users} users on loopback "
        f"for {args.seconds} s, {args.think} s between clicks"
    )
    failed = 0
    with stats.open() as f:
        for row in csv.DictReader(f):
            name = row["Name"]
            if name == "Aggregated":
                continue
            count, failures = int(row["Request Count"]), int(row["Failure Count"])
            failed += failures if name != "sign-in" else 0
            p50, p95 = float(row["50%"]), float(row["95%"])
            goal = f" (goal p95 <= {GOALS[name]} ms)" if name in GOALS else ""
            print(
                f"{name:10} {count:6,} requests, {failures} failed; p50 {p50:5.0f} ms, "
                f"p95 {p95:5.0f} ms, {float(row['Requests/s']):6.1f}/s{goal}"
            )
    print(f"/healthz under the same load (the floor): p50 {floor[0]:.0f} ms, p95 {floor[1]:.0f} ms")
    print(f"failures: {failed} (goal: none)")


if __name__ == "__main__":
    main()
