"""Two processes fire on the same case at once: exactly one wins, the other gets a conflict."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from admin.config import load_settings
from admin.runtime import Runtime
from audit.models import AuditEntry
from engine.errors import Conflict
from engine.models import Case
from engine.ports import Actor
from engine.services import advance
from tests.support import World

#: how long each process holds its transaction open before committing
HOLD_SECONDS = 0.3


def _fire(
    url: str,
    instance: str,
    case_id: int,
    actor: Actor,
    expected_version: int | None,
    barrier: Any,
    results: Any,
) -> None:
    """Run in a child process: fire ``accept`` while holding the transaction open a while."""
    settings = load_settings(
        environ={},
        overrides={"DOUDI_ENV": "test", "DOUDI_DATABASE_URL": url, "DOUDI_INSTANCE_PATH": instance},
    )
    rt = Runtime(settings)
    append = rt.audit.append

    def slow_append(*args: Any, **kwargs: Any) -> None:
        time.sleep(HOLD_SECONDS)  # widen the window in which the other process arrives
        append(*args, **kwargs)

    rt.audit.append = slow_append  # type: ignore[method-assign]
    barrier.wait()
    try:
        advance(rt.uow(), case_id, "accept", actor, expected_version=expected_version)
        results.put("won")
    except Conflict as err:
        results.put(f"conflict:{err.code}")
    except Exception as err:  # reported to the parent as a failure
        results.put(f"error:{type(err).__name__}:{err}")
    finally:
        rt.close()


@pytest.mark.slow
@pytest.mark.parametrize("with_version", [False, True], ids=["row-lock", "expected-version"])
def test_two_processes_one_winner_one_conflict_one_entry(
    world: World, tmp_path: Path, with_version: bool
) -> None:
    case_id = world.apply()
    with world.rt.reader() as uow:
        version = uow.session.get(Case, case_id).version  # type: ignore[union-attr]
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [
        ctx.Process(
            target=_fire,
            args=(
                world.rt.settings.database_url,
                str(tmp_path),
                case_id,
                world.actors["clerk"],
                version if with_version else None,
                barrier,
                results,
            ),
        )
        for _ in range(2)
    ]
    for p in procs:
        p.start()
    outcomes = sorted(results.get(timeout=60) for _ in procs)
    for p in procs:
        p.join(timeout=30)
    expected_conflict = "version_conflict" if with_version else "invalid_state"
    assert outcomes == [f"conflict:{expected_conflict}", "won"]
    with world.rt.reader() as uow:
        accepts = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case_id, AuditEntry.trigger == "accept")
        ).all()
        case = uow.session.get(Case, case_id)
    assert len(accepts) == 1
    assert case is not None and (case.state, case.version) == ("accepted", version + 1)


def test_database_errors_carry_no_parameters(db_url: str) -> None:
    """A failed statement's message must not put personal data into the log."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from engine.db import make_engine

    engine = make_engine(db_url)
    with pytest.raises(DBAPIError) as failed, engine.connect() as conn:
        conn.execute(text("SELECT * FROM no_such_table WHERE x = :secret"), {"secret": "张秘密"})
    assert "张秘密" not in str(failed.value)
    engine.dispose()
