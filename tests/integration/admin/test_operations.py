"""Operations (docs/operations.md): upgrades from earlier releases, database grants, backups.

Each test works on a scratch database of its own, as an operator would on a
copy of the county's: a database at an earlier release's revision, holding
cases and their trails, upgrades to this release keeping every row and every
chain; the application's PostgreSQL role cannot change or remove evidence; a
nightly dump restores into a scratch database whose chains verify.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from admin.config import load_settings
from admin.grants import GrantError, apply_grants, grant_statements
from admin.migrate import current_revision, downgrade, head_revision, upgrade
from admin.runtime import Runtime
from audit.models import EVIDENCE_TABLES
from audit.verify import verify_all
from engine.clock import FrozenClock
from engine.db import make_engine
from engine.models import Base
from engine.services.data_checks import (
    record_data_check_result,
    request_data_check,
    start_data_check,
)
from engine.states import CaseState
from tests.support import T0, VILLAGE_A2, World, application, flagged_case, seed

ROOT = Path(__file__).resolve().parents[3]
DOUDI = ROOT / ".venv" / "bin" / "doudi"

#: the schema revisions of earlier releases a county may still run (newest last);
#: add the head revision of each release here when it ships
EARLIER_RELEASES = ("0005", "0007", "0008", "0011", "0015", "0016", "0019")


def world_on(url: str, tmp_path: Path, *, seeded: bool = True) -> World:
    """A runtime on ``url`` at T0, seeded with the small county unless told otherwise."""
    settings = load_settings(
        environ={},
        overrides={
            "DOUDI_ENV": "test",
            "DOUDI_DATABASE_URL": url,
            "DOUDI_INSTANCE_PATH": str(tmp_path / "instance"),
        },
    )
    clock = FrozenClock(T0)
    rt = Runtime(settings, clock=clock)
    return World(rt=rt, clock=clock, actors=seed(rt) if seeded else {})


def county_at_work(world: World) -> None:
    """Cases in several states, with trails, a kinship flag and its filing."""
    enrolled = world.apply()
    world.to_state(enrolled, CaseState.ACTIVE)
    in_notice = world.apply(application(village=VILLAGE_A2))
    world.to_state(in_notice, CaseState.IN_PUBLIC_NOTICE)
    world.apply()
    flagged_case(world, VILLAGE_A2, "张秀英")
    # two information checks, the latest started (its dates are kept on the case from 0016)
    checked = world.apply()
    world.to_state(checked, CaseState.INVESTIGATING)
    reviewer, approver = world.actors["reviewer"], world.actors["approver"]
    first = request_data_check(world.uow(), reviewer, checked, ["tax"], "核对")
    record_data_check_result(world.uow(), approver, checked, first.id, False, "无异常")
    world.pass_days(1)
    second = request_data_check(world.uow(), reviewer, checked, ["tax"], "再核")
    world.pass_days(1)
    start_data_check(world.uow(), approver, checked, second.id)


def latest_checks_on_their_cases(url: str) -> bool:
    """Whether every case with checks holds its latest check's request and start."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if "data_check" not in inspect(conn).get_table_names():
                return True
            rows = conn.execute(
                text(
                    "SELECT c.data_check_requested_at, d.requested_at, "
                    "c.data_check_started_at, d.started_at FROM case_file c "
                    "JOIN data_check d ON d.id = "
                    "(SELECT max(id) FROM data_check WHERE case_id = c.id)"
                )
            ).all()
    finally:
        engine.dispose()
    return all(kept == latest and start == started for kept, latest, start, started in rows)


def row_counts(url: str) -> dict[str, int]:
    """Rows in every table of the database."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: conn.scalar(select(func.count()).select_from(text(f'"{name}"'))) or 0
                for name in inspect(conn).get_table_names()
            }
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("release", EARLIER_RELEASES)
def test_a_database_of_an_earlier_release_upgrades_keeping_every_row_and_chain(
    empty_url: str, tmp_path: Path, release: str
) -> None:
    engine = make_engine(empty_url)
    upgrade(engine, release)
    assert current_revision(engine) == release
    upgrade(engine)
    world = world_on(empty_url, tmp_path)
    county_at_work(world)
    world.rt.close()
    # the county's data as the earlier release held it
    downgrade(engine, release)
    before = row_counts(empty_url)
    assert before["audit_entry"] > 0 and before["kinship_flag"] == 1

    upgrade(engine)

    assert current_revision(engine) == head_revision(engine)
    after = row_counts(empty_url)
    assert {name: after[name] for name in before} == before
    assert latest_checks_on_their_cases(empty_url)
    engine.dispose()
    world = world_on(empty_url, tmp_path, seeded=False)
    try:
        with world.rt.reader() as uow:
            report = verify_all(uow.session)
        assert report.ok, report.breaks
        # and the upgraded county goes on working
        from tests.support import load_actors

        world.actors = load_actors(world.rt)
        world.to_state(world.apply(), CaseState.INVESTIGATING)
    finally:
        world.rt.close()


@pytest.fixture
def app_role(empty_url: str, backend: str) -> Iterator[str]:
    """A login role for the application on PostgreSQL, removed afterwards."""
    role = f"doudi_app_{uuid.uuid4().hex[:10]}"
    if backend != "postgresql":
        yield role
        return
    owner = create_engine(empty_url, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    try:
        yield role
    finally:
        with owner.connect() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))
        owner.dispose()


def test_the_application_role_may_only_add_and_read_evidence(
    empty_url: str, backend: str, app_role: str, tmp_path: Path
) -> None:
    engine = make_engine(empty_url)
    upgrade(engine)
    if backend == "sqlite":
        with pytest.raises(GrantError, match="only on PostgreSQL"):
            apply_grants(engine, Base.metadata, app_role)
        engine.dispose()
        return
    applied = apply_grants(engine, Base.metadata, app_role)
    engine.dispose()
    for table in EVIDENCE_TABLES:
        assert f'GRANT SELECT, INSERT ON "{table}" TO "{app_role}"' in applied
    as_app = make_url(empty_url).set(username=app_role).render_as_string(hide_password=False)
    world = world_on(as_app, tmp_path)
    try:
        county_at_work(world)  # the whole procedure works under the application's role
    finally:
        world.rt.close()
    refused = [
        "UPDATE audit_entry SET reason = 'rewritten'",
        "DELETE FROM audit_entry",
        "TRUNCATE audit_entry CASCADE",
        "DELETE FROM ledger_entry",
        "UPDATE access_log SET username = 'nobody'",
        "DELETE FROM sign_in_event",
        "DELETE FROM issued_document",
        "DROP TRIGGER audit_entry_no_update_delete ON audit_entry",
    ]
    app = make_engine(as_app)
    try:
        for statement in refused:
            with app.connect() as conn, pytest.raises(ProgrammingError) as err:
                conn.execute(text(statement))
            assert "permission denied" in str(err.value) or "must be owner" in str(err.value)
    finally:
        app.dispose()


@pytest.mark.parametrize("role", ["Robert'); DROP TABLE case_file;--", "", "1abc", "a" * 64])
def test_a_role_name_that_would_need_quoting_is_refused(role: str) -> None:
    with pytest.raises(GrantError, match="role name"):
        grant_statements(Base.metadata, role)


def environ(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("DOUDI_")},
        "DOUDI_ENV": "test",
        "DOUDI_DATABASE_URL": url,
        "DOUDI_INSTANCE_PATH": str(tmp_path / "instance"),
        "DOUDI_COMMAND": str(DOUDI),
    }


def drill(dump: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "scripts" / "restore-drill.sh"), str(dump)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def drill_databases(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(
                conn.scalars(
                    text("SELECT datname FROM pg_database WHERE datname LIKE 'doudi_drill_%'")
                )
            )
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_nightly_dump_restores_into_a_scratch_database_whose_chains_verify(
    empty_url: str, tmp_path: Path
) -> None:
    engine = make_engine(empty_url)
    upgrade(engine)
    engine.dispose()
    world = world_on(empty_url, tmp_path)
    county_at_work(world)
    world.rt.close()
    counts = row_counts(empty_url)
    env = environ(empty_url, tmp_path)
    backups = tmp_path / "backups"

    backup = subprocess.run(
        [str(ROOT / "scripts" / "pg-backup.sh"), str(backups)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip())
    assert dump.parent == backups and dump.name.startswith("doudi-")
    assert sorted(p.name for p in backups.iterdir()) == [dump.name, f"{dump.name}.sha256"]
    assert dump.stat().st_mode & 0o077 == 0  # readable by its owner only
    restored = drill(dump, env)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "checksum: ok" in restored.stdout
    assert "all chains intact" in restored.stdout
    assert "restore drill passed" in restored.stdout
    printed = dict(
        line.split() for line in restored.stdout.split("row counts:\n")[1].splitlines()[:-1]
    )
    assert {name: int(n) for name, n in printed.items()} == counts
    assert drill_databases(empty_url) == []  # the scratch database is gone

    # a damaged backup fails the drill, and leaves nothing behind either
    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    failed = drill(damaged, env)
    assert failed.returncode != 0
    assert "restore drill passed" not in failed.stdout
    assert drill_databases(empty_url) == []
    # and one whose checksum does not match is refused before restoring
    (tmp_path / "damaged.dump.sha256").write_text(
        (backups / f"{dump.name}.sha256").read_text().replace(dump.name, "damaged.dump")
    )
    refused = drill(damaged, env)
    assert refused.returncode != 0 and "restored into" not in refused.stdout
