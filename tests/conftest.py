"""Test fixtures: a fresh database per test on SQLite and, where it answers, PostgreSQL.

PostgreSQL tests use ``DOUDI_TEST_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``) to create one uniquely named
database per run, dropped at the end. Without a server they skip locally;
with ``CI`` set an unreachable server fails the run instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

import engine.services.users as users_service
from admin.config import load_settings
from admin.migrate import upgrade
from admin.runtime import Runtime
from engine.clock import FrozenClock
from engine.db import make_engine, normalize_url
from engine.models import Base
from tests.support import T0, World, load_actors, seed

POSTGRES_URL = os.environ.get(
    "DOUDI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing() -> Iterator[None]:
    """Use a cheap argon2 profile: production cost (~0.1 s a hash) would dominate the suite."""
    original = users_service._hasher
    users_service._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    users_service._hasher = original


@pytest.fixture(autouse=True)
def _test_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Never let a test read the developer's DOUDI_* settings or write to ./instance."""
    for key in list(os.environ):
        if key.startswith("DOUDI_") and key != "DOUDI_TEST_POSTGRES_URL":
            monkeypatch.delenv(key)
    monkeypatch.setenv("DOUDI_ENV", "test")
    monkeypatch.setenv("DOUDI_INSTANCE_PATH", str(tmp_path / "instance"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "doudi.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def seeded_sqlite_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The migrated SQLite database with the small county seeded at T0, copied for each test
    that asks for ``world`` (the seed is the same for every test: seeding it once saves the
    regions, users and standards of each test's setup)."""
    path = tmp_path_factory.mktemp("seeded") / "doudi.sqlite3"
    shutil.copyfile(sqlite_template, path)
    settings = load_settings(
        environ={},
        overrides={
            "DOUDI_ENV": "test",
            "DOUDI_DATABASE_URL": f"sqlite:///{path}",
            "DOUDI_INSTANCE_PATH": str(tmp_path_factory.mktemp("seed-instance")),
        },
    )
    runtime = Runtime(settings, clock=FrozenClock(T0))
    seed(runtime)
    runtime.close()
    return path


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL server URL, or skip (fail under CI) when none answers."""
    url = normalize_url(POSTGRES_URL)
    probe = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with probe.connect():
            pass
    except OperationalError as err:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but PostgreSQL at {POSTGRES_URL} does not answer: {err}")
        pytest.skip(f"no PostgreSQL at {POSTGRES_URL}")
    finally:
        probe.dispose()
    return url


@pytest.fixture(scope="session")
def postgres_database(postgres_server: str) -> Iterator[str]:
    """A migrated database of this run's own, dropped at the end."""
    name = f"doudi_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def empty_postgres(url: str) -> None:
    """Remove every row and restart every id sequence (the append-only audit triggers and the
    foreign keys are bypassed for the cleanup only). DELETE on these small tables takes a
    tenth of the time TRUNCATE does, which matters once per test."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
        conn.execute(
            text(
                "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'S' AND n.nspname = current_schema()"
            )
        )
    engine.dispose()


Snapshot = list[tuple[str, list[dict[str, object]]]]


@pytest.fixture(scope="session")
def postgres_seed(postgres_database: str, tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    """The rows the small county's seed writes at T0, read once; each test that asks for
    ``world`` gets them restored into its emptied database instead of seeding again."""
    empty_postgres(postgres_database)
    settings = load_settings(
        environ={},
        overrides={
            "DOUDI_ENV": "test",
            "DOUDI_DATABASE_URL": postgres_database,
            "DOUDI_INSTANCE_PATH": str(tmp_path_factory.mktemp("seed-instance")),
        },
    )
    runtime = Runtime(settings, clock=FrozenClock(T0))
    seed(runtime)
    runtime.close()
    engine = make_engine(postgres_database)
    with engine.connect() as conn:
        snapshot = [
            (table.name, [dict(row._mapping) for row in conn.execute(table.select())])
            for table in Base.metadata.sorted_tables
        ]
    engine.dispose()
    return [(name, rows) for name, rows in snapshot if rows]


def restore_seed(url: str, snapshot: Snapshot) -> None:
    """Write the seed's rows back and move each id sequence past them."""
    if not snapshot:
        return
    engine = make_engine(url)
    tables = Base.metadata.tables
    with engine.begin() as conn:
        for name, rows in snapshot:
            conn.execute(tables[name].insert(), rows)
            if "id" in tables[name].c:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                        f'(SELECT max(id) FROM "{name}"))'
                    )
                )
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend under test."""
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """An empty, migrated database for this test."""
    if backend == "sqlite":
        seeded = "world" in request.fixturenames
        name = "seeded_sqlite_template" if seeded else "sqlite_template"
        template = request.getfixturevalue(name)
        path = tmp_path / "doudi.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url = str(request.getfixturevalue("postgres_database"))
    # the snapshot is taken (once) before this test's database is emptied
    snapshot = request.getfixturevalue("postgres_seed") if "world" in request.fixturenames else []
    empty_postgres(url)
    restore_seed(url, snapshot)
    return url


@pytest.fixture
def clock() -> FrozenClock:
    """A clock frozen at T0 (Monday 2 March 2026, 10:00 China time)."""
    return FrozenClock(T0)


@pytest.fixture
def rt(db_url: str, clock: FrozenClock, tmp_path: Path) -> Iterator[Runtime]:
    """A runtime on the test's database and frozen clock."""
    settings = load_settings(
        environ={},
        overrides={
            "DOUDI_ENV": "test",
            "DOUDI_DATABASE_URL": db_url,
            "DOUDI_INSTANCE_PATH": str(tmp_path / "instance"),
        },
    )
    runtime = Runtime(settings, clock=clock)
    yield runtime
    runtime.close()


@pytest.fixture
def world(rt: Runtime, clock: FrozenClock) -> World:
    """A seeded county with staff, on the test's database (restored from the seeded snapshot)."""
    return World(rt=rt, clock=clock, actors=load_actors(rt))
