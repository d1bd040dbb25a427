"""Crash recovery: bulk commands killed with SIGKILL at random moments, then run again.

Each batch commits as a whole or not at all, so a killed run leaves some cases done and
the rest untouched; the rerun finishes the rest. No case gets two entries for one step,
and every chain verifies. The notices batch leaves no file that looks complete.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from audit.models import AuditEntry, IssuedDocument
from audit.verify import verify_all
from engine.models import Case, Household
from engine.states import CaseState
from tests.support import T0, VILLAGE_A1, World

DOUDI = Path(__file__).resolve().parents[4] / ".venv" / "bin" / "doudi"
CASES = 3000
#: the scan commits once: enough households that it is still running when struck
SCAN_CASES = 1500


def environ(world: World) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("DOUDI_")},
        "DOUDI_ENV": "test",
        "DOUDI_DATABASE_URL": world.rt.settings.database_url,
        "DOUDI_NOW": world.clock.now().isoformat(),
        "DOUDI_INSTANCE_PATH": str(world.rt.settings.instance_path),
    }


def due_cases(world: World, n: int, state: CaseState = CaseState.ACTIVE) -> None:
    """``n`` enrolled cases whose yearly recheck (or phase-out's end) is due."""
    now = world.clock.now()
    with world.rt.uow() as uow:
        first = (uow.session.scalar(select(func.max(Household.id))) or 0) + 1
        uow.session.execute(
            insert(Household),
            [
                {
                    "id": first + i,
                    "village_code": VILLAGE_A1,
                    "area_type": "rural",
                    "created_at": now,
                    "income_stable": True,
                    "rigid_expenses_fen": 0,
                }
                for i in range(n)
            ],
        )
        uow.session.execute(
            insert(Case),
            [
                {
                    "household_id": first + i,
                    "category": "dibao",
                    "state": state,
                    "version": 1,
                    "village_code": VILLAGE_A1,
                    "area_type": "rural",
                    "chain_seq": 0,
                    "created_at": now,
                    "updated_at": now,
                    "decided_at": now,
                    "next_recheck_on": T0.date() - dt.timedelta(days=1),
                    "recheck_interval_months": 12,
                    "phase_out_started_at": now - dt.timedelta(days=400),
                }
                for i in range(n)
            ],
        )
        uow.commit()


def entries_of(world: World, trigger: str) -> tuple[int, int]:
    """How many entries of the trigger there are, and on how many distinct cases."""
    with world.rt.reader() as uow:
        count, cases = uow.session.execute(
            select(func.count(), func.count(func.distinct(AuditEntry.case_id))).where(
                AuditEntry.trigger == trigger
            )
        ).one()
    return count, cases


def killed_midway(args: list[str], env: dict[str, str], world: World, trigger: str) -> bool:
    """Start the command, SIGKILL it at a random moment; whether it died with work half done."""
    rng = random.Random(len(args))
    for attempt in range(6):
        process = subprocess.Popen(
            [str(DOUDI), *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        # wait for the first committed batch, then strike at a random moment after it
        deadline = time.monotonic() + 60
        while entries_of(world, trigger)[0] == 0 and process.poll() is None:
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.05 * (attempt + 1)))
        process.send_signal(signal.SIGKILL)
        process.wait()
        done, _ = entries_of(world, trigger)
        if 0 < done < CASES:
            return True
    return False


BULK_RUNS = {
    "rechecks": (
        CaseState.ACTIVE,
        ["rechecks", "start-due", "--user", "reviewer", "--batch", "40"],
        "start_recheck",
        CaseState.UNDER_RECHECK,
    ),
    "phase-outs": (
        CaseState.PHASING_OUT,
        ["phase-out", "end-due", "--user", "approver", "--batch", "40"],
        "end_phase_out",
        CaseState.TERMINATED,
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("run", sorted(BULK_RUNS))
def test_a_killed_bulk_run_is_finished_by_the_next_without_doubles(
    world: World, tmp_path: Path, run: str
) -> None:
    before, args, trigger, after = BULK_RUNS[run]
    due_cases(world, CASES, before)
    env = environ(world)
    assert killed_midway(args, env, world, trigger), "no kill landed mid-run"
    finished = subprocess.run([str(DOUDI), *args], env=env, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert entries_of(world, trigger) == (CASES, CASES)  # one entry per case, no double
    with world.rt.reader() as uow:
        states = dict(
            uow.session.execute(
                select(Case.state, func.count())
                .where(Case.village_code == VILLAGE_A1)
                .group_by(Case.state)
            ).all()
        )
        assert states[after] == CASES
        report = verify_all(uow.session)
        assert report.ok, report.breaks


@pytest.mark.slow
def test_a_killed_notices_batch_leaves_no_file_that_looks_complete(
    world: World, tmp_path: Path
) -> None:
    for _ in range(2):
        case_id = world.apply()
        world.to_state(case_id, CaseState.IN_PUBLIC_NOTICE)
    other = world.apply(
        __import__("tests.support", fromlist=["application"]).application(village="512022101202")
    )
    world.to_state(other, CaseState.IN_PUBLIC_NOTICE)
    out = tmp_path / "notices"
    env = environ(world)
    args = [
        "notices",
        "build",
        "--county",
        "512022101",
        "--kind",
        "notice",
        "--out",
        str(out),
        "--user",
        "reviewer",
        "--workers",
        "1",
    ]
    process = subprocess.Popen(
        [str(DOUDI), *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(random.Random(7).uniform(1.0, 2.5))
    process.send_signal(signal.SIGKILL)
    process.wait()
    visible = [p.name for p in out.iterdir() if not p.name.startswith(".")] if out.exists() else []
    with world.rt.reader() as uow:
        recorded = uow.session.scalar(select(func.count()).select_from(IssuedDocument)) or 0
    # either nothing is visible, or the whole recorded batch is (the window between the
    # record and the renames is a few milliseconds)
    assert visible == [] or len(visible) == recorded == 2
    finished = subprocess.run([str(DOUDI), *args], env=env, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr[-2000:]
    names = sorted(p.name for p in out.iterdir())
    assert names == ["512022101201-notice.pdf", "512022101202-notice.pdf"]  # leftovers cleared


def relatives_of_officials(world: World, n: int) -> None:
    """``n`` enrolled households, each the sibling of its own village cadre, not yet flagged.

    The declarations go straight into the tables, as a restored backup or a bulk
    load would leave them, so that only a full scan finds the conflicts.
    """
    from engine.identity import with_check_digit
    from engine.models import Member, Official, Person, RelativeDeclaration

    due_cases(world, n)
    now = world.clock.now()

    def number(i: int, base: int) -> str:
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=base + i // 400)
        return with_check_digit(f"512022{birth:%Y%m%d}{(i % 400) * 2 + 1:03d}")

    with world.rt.uow() as uow:
        session = uow.session
        households = session.scalars(
            select(Case.household_id).where(Case.village_code == VILLAGE_A1).order_by(Case.id)
        ).all()[-n:]
        first = (session.scalar(select(func.max(Person.id))) or 0) + 1
        people = [
            {
                "id": first + 2 * i + k,
                "id_number": number(i, 20000 * k),
                "name": f"{'户主' if k == 0 else '村干部'}{i}",
                "birth_date": dt.date(1950, 1, 1) + dt.timedelta(days=20000 * k + i // 400),
                "sex": "male",
                "created_at": now,
            }
            for i in range(n)
            for k in (0, 1)
        ]
        session.execute(insert(Person), people)
        session.execute(
            insert(Member),
            [
                {
                    "household_id": household,
                    "person_id": first + 2 * i,
                    "relation": "self",
                    "joined_at": now,
                }
                for i, household in enumerate(households)
            ],
        )
        first_official = (session.scalar(select(func.max(Official.id))) or 0) + 1
        session.execute(
            insert(Official),
            [
                {
                    "id": first_official + i,
                    "person_id": first + 2 * i + 1,
                    "position": "village_member",
                    "region_code": VILLAGE_A1,
                    "created_at": now,
                }
                for i in range(n)
            ],
        )
        session.execute(
            insert(RelativeDeclaration),
            [
                {
                    "official_id": first_official + i,
                    "source": "official",
                    "relative_id_number": people[2 * i]["id_number"],
                    "relative_name": people[2 * i]["name"],
                    "relation": "sibling",
                    "declared_at": now,
                }
                for i in range(n)
            ],
        )
        uow.commit()


@pytest.mark.slow
def test_a_killed_kinship_scan_leaves_all_or_nothing_and_the_rerun_flags_each_case_once(
    world: World,
) -> None:
    relatives_of_officials(world, SCAN_CASES)
    env = environ(world)
    args = ["kinship", "scan", "--user", "admin"]
    rng = random.Random(11)
    killed_running = 0
    for _ in range(2):
        process = subprocess.Popen(
            [str(DOUDI), *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.5, 3.0))
        if process.poll() is None:
            killed_running += 1
        process.send_signal(signal.SIGKILL)
        process.wait()
        # the scan commits as one transaction: a kill leaves every case flagged or none
        assert entries_of(world, "kinship_flags")[0] in (0, SCAN_CASES)
    assert killed_running, "no kill landed while the scan was running"
    finished = subprocess.run([str(DOUDI), *args], env=env, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert entries_of(world, "kinship_flags") == (SCAN_CASES, SCAN_CASES)
    with world.rt.reader() as uow:
        from engine.models import KinshipFlag

        flags = uow.session.execute(
            select(func.count(), func.count(func.distinct(KinshipFlag.case_id))).where(
                KinshipFlag.vanished_at.is_(None)
            )
        ).one()
        assert tuple(flags) == (SCAN_CASES, SCAN_CASES)
        report = verify_all(uow.session)
        assert report.ok, report.breaks
