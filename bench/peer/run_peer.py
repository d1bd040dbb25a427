"""The peer of ``bench.transitions``: ``start_recheck`` with django-fsm-2 + django-fsm-log.

Run by ``bench.peer_django`` with the Python of a virtual environment holding Django,
django-fsm-2, django-fsm-log and psycopg (never doudi's own):
    python run_peer.py --url postgresql://... --cases 2000 --workers 1 4
Each case's transaction: SELECT … FOR UPDATE of the case, the transition (state, stamps,
version, next deadline), its StateLog row carrying the same audit content as doudi's entry
(actor, trigger, from and to state, reason, payload, and the SHA-256 chain link with the
previous entry's hash), the case's chain head, COMMIT. Prints transitions per second.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import django
from django.conf import settings

REASON = "定期核查到期"


def configure(url: str) -> None:
    """Django settings for the scratch database, then set-up."""
    parts = urlsplit(url.replace("postgresql+psycopg", "postgresql"))
    settings.configure(
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": parts.path.lstrip("/"),
                "USER": parts.username or "postgres",
                "PASSWORD": parts.password or "",
                "HOST": parts.hostname or "127.0.0.1",
                "PORT": str(parts.port or 5432),
            }
        },
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django_fsm_log",
            "peerapp",
        ],
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    django.setup()


def load(cases: int) -> None:
    """The tables, the reviewer, and the cases, all active."""
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from peerapp.models import Case

    call_command("migrate", run_syncdb=True, verbosity=0)
    User.objects.create(username="reviewer")
    Case.objects.bulk_create([Case(state="active") for _ in range(cases)])


def reset() -> None:
    """Every case active again with an empty trail."""
    from django_fsm_log.models import StateLog
    from peerapp.models import Case

    StateLog.objects.all().delete()
    Case.objects.update(state="active", version=1, chain_seq=0, chain_head=None)


def worker(ids: list[int], ready: Callable[[], object]) -> None:
    """Fire ``start_recheck`` on each case, one transaction each, after the first (the
    warm-up, outside the timed window as on doudi's side)."""
    from django.contrib.auth.models import User
    from django.db import connection

    connection.close()  # a connection of this process's own
    by = User.objects.get(username="reviewer")
    warm_up, *ids = ids
    transition(warm_up, by)
    ready()
    for case_id in ids:
        transition(case_id, by)


def transition(case_id: int, by: Any) -> None:
    """One case's transition and its hash-chained log entry, in one transaction."""
    from django.db import transaction
    from peerapp.models import Case

    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case_id)
        prev = case.chain_head or "0" * 64
        payload = {"as_of": "2026-01-01", "version": case.version + 1}
        entry = {
            "case_id": case_id,
            "seq": case.chain_seq + 1,
            "trigger": "start_recheck",
            "from_state": case.state,
            "to_state": "under_recheck",
            "actor": by.username,
            "reason": REASON,
            "payload": payload,
        }
        text = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256((prev + text).encode()).hexdigest()
        case.start_recheck(
            by=by, description=json.dumps({**entry, "prev_hash": prev, "hash": digest})
        )
        case.chain_seq += 1
        case.chain_head = digest
        case.save()


def timed(cases: int, workers: int) -> float:
    """Seconds for ``workers`` processes to fire the transition on cases 1..N, each warmed up
    first on a case of its own after the N."""
    from django.db import connection

    connection.close()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(workers + 1)
    processes = [
        context.Process(
            target=worker,
            args=([cases + 1 + n, *range(1 + n, cases + 1, workers)], barrier.wait),
        )
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    for process in processes:
        process.join()
        if process.exitcode != 0:
            sys.exit(f"a peer worker failed (exit {process.exitcode})")
    return time.perf_counter() - started


def main() -> None:
    """Load, then time each worker count; print one line per count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()
    configure(args.url)
    load(args.cases + max(args.workers))  # the last ones warm the workers up
    for workers in args.workers:
        reset()
        seconds = timed(args.cases, workers)
        print(f"{workers} {args.cases / seconds:.1f}", flush=True)


if __name__ == "__main__":
    main()
