"""Benchmark: doudi's audited transitions against a Django team's, side by side.

Run: .venv/bin/python -m bench.peer_django [--cases 2000] [--workers 1 4]
     [--url postgresql://postgres@127.0.0.1:5432/test]

The peer is what a Python team would otherwise pick: Django with django-fsm-2 for the
lifecycle and django-fsm-log for the trail, each transition's StateLog row carrying the
same audit content as doudi's entry (actor, trigger, states, reason, payload, and a SHA-256
link to the previous entry), in a virtual environment of its own under the temporary
directory (never a doudi dependency; ``bench/peer/run_peer.py``). On the same PostgreSQL,
in the same run, with 1 and 4 worker processes, it measures ``start_recheck`` on N active
cases through ``engine.services.advance`` and through the peer, and prints both rates and
their ratio. Goal: doudi faster.
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

from bench.bulk_recheck import load, reset
from bench.support import DEFAULT_URL, scratch_database, throwaway_venv
from bench.transitions import _service_worker, timed

PEER = (
    "Django>=5.1,<6",
    "django-fsm-2>=4,<5",
    "django-fsm-log>=4,<6",
    "psycopg[binary]>=3.2,<4",
)
RUNNER = Path(__file__).resolve().parent / "peer" / "run_peer.py"


def peer_rates(python: Path, url: str, cases: int, workers: list[int]) -> dict[int, float]:
    """Transitions per second of the peer at each worker count (its own database)."""
    done = subprocess.run(  # noqa: S603 (the peer's own virtual environment)
        [str(python), str(RUNNER), "--url", url, "--cases", str(cases), "--workers"]
        + [str(w) for w in workers],
        cwd=RUNNER.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the peer failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    return {int(w): float(rate) for w, rate in (line.split() for line in done.stdout.splitlines())}


def main() -> None:
    """Set the peer up, run both at each worker count, print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=2_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args()
    python = throwaway_venv("django-fsm", PEER) / "python"
    with scratch_database(args.url) as ours, scratch_database(args.url) as theirs:
        load(ours, args.cases + max(args.workers))  # the last ones warm the workers up
        print(f"cases: {args.cases:,} active; the peer: {', '.join(PEER[:3])}")
        peer = peer_rates(python, theirs, args.cases, args.workers)
        for workers in args.workers:
            reset(ours)
            rate = args.cases / timed(_service_worker, ours, args.cases, workers).seconds
            print(
                f"{workers} worker(s): doudi {rate:,.0f} transitions/s; django-fsm-2 + "
                f"django-fsm-log {peer[workers]:,.0f}/s; doudi at {rate / peer[workers]:.2f}x "
                "the peer (goal > 1)"
            )


if __name__ == "__main__":
    main()
