"""Run every benchmark and write ``bench/RESULTS.md``: the figures and ratios each printed,
with the machine, the date, the versions and the data sizes they were measured on.

Run: .venv/bin/python -m bench [--only NAME ...] [--out bench/RESULTS.md]
     [--url postgresql://postgres@127.0.0.1:5432/test]   (``make bench``)

Each benchmark runs in its own process, creates its own data and measures its figures side
by side with their references in that one run (these machines are shared and noisy: the
ratios are what compare). A benchmark that fails is recorded as failed with its output's
end, and the others still run; the command then exits 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.support import DEFAULT_URL
from engine.db import normalize_url

ROOT = Path(__file__).resolve().parents[1]
#: the hand-kept record of profiles and fixes, carried into every results file
PROFILES = ROOT / "bench" / "PROFILES.md"

#: the benchmarks in the order they run, each with the options of the committed results
SUITE: dict[str, tuple[str, ...]] = {
    "audit_verify": ("--cases", "100000", "--entries", "10"),
    "transitions": ("--cases", "2000", "--workers", "1", "4"),
    "peer_django": ("--cases", "2000", "--workers", "1", "4"),
    "bulk_recheck": ("--cases", "100000"),
    "kinship_scan": (),
    "queue_page": (),
    "stats": (),
    "http_load": ("--seconds", "60"),
    "search": (),
    "documents": (),
    "roster_import": ("--rows", "30000"),
}
#: how many lines of a failed benchmark's output the results keep
FAILED_TAIL = 20
#: the distributions whose versions the results name
VERSIONS = ("doudi", "SQLAlchemy", "psycopg", "Flask", "transitions", "WeasyPrint", "cryptography")


@dataclass(frozen=True)
class Run:
    """One benchmark's run: what it printed and whether it finished."""

    name: str
    options: tuple[str, ...]
    seconds: float
    output: str
    ok: bool


def run_one(name: str, options: tuple[str, ...], url: str) -> Run:
    """Run one benchmark module in its own process; its output as it printed it."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 (our own interpreter and modules)
        [sys.executable, "-m", f"bench.{name}", *options, "--url", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    output = done.stdout.strip()
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-FAILED_TAIL:]
        output = "\n".join([output, *tail]).strip()
    return Run(name, options, time.perf_counter() - started, output, done.returncode == 0)


def machine(url: str) -> list[str]:
    """The machine, the date and the versions the figures were measured on."""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor() or platform.machine()
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.0f} GiB"
    except (ValueError, OSError, AttributeError):
        memory = "unknown"
    engine = create_engine(normalize_url(url))
    try:
        with engine.connect() as conn:
            server = str(conn.execute(text("SHOW server_version")).scalar())
    finally:
        engine.dispose()
    versions = []
    for name in VERSIONS:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return [
        f"- Date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M')} UTC",
        f"- Machine: {os.cpu_count()} CPU(s), {cpu}, {memory}, {platform.system()} "
        f"{platform.release()}",
        f"- Python {platform.python_version()}, PostgreSQL {server}",
        f"- {', '.join(versions)}",
    ]


def render(header: list[str], runs: list[Run], profiles: str = "") -> str:
    """The results file: the header, then each benchmark's command and figures, then the
    record of the profiles taken where a figure missed its goal (``bench/PROFILES.md``,
    written by hand: what was slow, why, what was changed, before and after)."""
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m bench`); each figure was measured side by side "
        "with its reference in one run, and the ratios are what compare across machines.",
        "",
        *header,
        "",
    ]
    for run in runs:
        status = "" if run.ok else " — FAILED"
        command = " ".join(["python -m", f"bench.{run.name}", *run.options])
        lines += [
            f"## {run.name}{status}",
            "",
            f"`{command}` ({run.seconds:.0f} s with loading its data)",
            "",
            "```",
            run.output or "(no output)",
            "```",
            "",
        ]
    if profiles.strip():
        lines += [profiles.strip(), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the suite (or the benchmarks named) and write the results file."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(SUITE), help="just these")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args(argv)
    names = [name for name in SUITE if not args.only or name in args.only]
    header = machine(args.url)
    runs = []
    for number, name in enumerate(names, 1):
        print(f"[{number}/{len(names)}] bench.{name} …", file=sys.stderr, flush=True)
        run = run_one(name, SUITE[name], args.url)
        print(run.output, file=sys.stderr, flush=True)
        runs.append(run)
    profiles = PROFILES.read_text(encoding="utf-8") if PROFILES.exists() else ""
    args.out.write_text(render(header, runs, profiles), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0 if all(run.ok for run in runs) else 1
