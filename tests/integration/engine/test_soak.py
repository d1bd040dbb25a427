"""Concurrency soak: processes fire random triggers, valid and not, on shared cases for a while.

Afterwards every case's state is the replay of its chain (each entry leaves from where the
one before arrived, and the last arrives where the case is), no entry is missing or
doubled, and every chain verifies. On PostgreSQL the processes really overlap (row locks);
on SQLite they take turns at the write lock.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from admin.config import load_settings
from admin.runtime import Runtime
from audit.models import AuditEntry
from audit.verify import verify_all
from engine.errors import DomainError
from engine.models import Case
from engine.ports import Actor
from engine.services import InvestigationInput, advance, record_investigation
from engine.states import TRANSITIONS, CaseState
from tests.support import World

WORKERS = 4
SECONDS = 4.0
TRIGGERS = [r.trigger for r in TRANSITIONS]


def _soak(
    url: str, instance: str, case_ids: list[int], actors: list[Actor], seed: int, out: Any
) -> None:
    """Run in a child process: random triggers on random cases until the time is up."""
    settings = load_settings(
        environ={},
        overrides={"DOUDI_ENV": "test", "DOUDI_DATABASE_URL": url, "DOUDI_INSTANCE_PATH": instance},
    )
    rt = Runtime(settings)
    rng = random.Random(seed)
    counts = {"fired": 0, "refused": 0, "errors": 0}
    deadline = time.monotonic() + SECONDS
    try:
        while time.monotonic() < deadline:
            case_id = rng.choice(case_ids)
            actor = rng.choice(actors)
            try:
                if rng.random() < 0.15:
                    record_investigation(
                        rt.uow(),
                        actor,
                        case_id,
                        InvestigationInput(
                            date=rt.clock.now().date(),
                            method="home_visit",
                            investigators=["clerk", "clerk2"],
                            findings="入户核实",
                            level="township",
                        ),
                    )
                else:
                    advance(
                        rt.uow(),
                        case_id,
                        rng.choice(TRIGGERS),
                        actor,
                        reason=rng.choice(["", "理由"]),
                        expected_version=rng.choice([None, None, 1]),
                    )
                counts["fired"] += 1
            except DomainError:
                counts["refused"] += 1
            except Exception as err:  # anything else is a defect the parent reports
                counts["errors"] += 1
                out.put(f"error: {type(err).__name__}: {err}")
    finally:
        out.put(counts)
        rt.close()


@pytest.mark.slow
def test_random_triggers_from_several_processes_leave_every_chain_whole(
    world: World, tmp_path: Path
) -> None:
    case_ids = [world.apply() for _ in range(6)]
    world.to_state(case_ids[0], CaseState.INVESTIGATING)
    world.to_state(case_ids[1], CaseState.IN_PUBLIC_NOTICE)
    actors = [world.actors[n] for n in ("clerk", "clerk2", "reviewer", "approver", "approver2")]
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [
        ctx.Process(
            target=_soak,
            args=(world.rt.settings.database_url, str(tmp_path), case_ids, actors, seed, out),
        )
        for seed in range(WORKERS)
    ]
    for p in procs:
        p.start()
    reports = [out.get(timeout=120) for _ in range(WORKERS)]
    for p in procs:
        p.join(timeout=60)
    errors = [r for r in reports if isinstance(r, str)]
    assert errors == []
    assert sum(r["fired"] for r in reports if isinstance(r, dict)) > 0

    with world.rt.reader() as uow:
        report = verify_all(uow.session)
        assert report.ok, report.breaks
        for case in uow.session.scalars(select(Case).where(Case.id.in_(case_ids))):
            entries = uow.session.scalars(
                select(AuditEntry).where(AuditEntry.case_id == case.id).order_by(AuditEntry.seq)
            ).all()
            assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
            state = None
            for entry in entries:
                if entry.from_state is not None and state is not None:
                    assert entry.from_state == state, (case.id, entry.seq)
                state = entry.to_state or state
            assert state == case.state, case.id
            assert case.chain_seq == len(entries) and case.chain_head == entries[-1].hash
