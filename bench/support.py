"""What the benchmarks share: a scratch PostgreSQL database and a runtime on it."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from admin.config import load_settings
from admin.migrate import upgrade
from admin.runtime import Runtime
from engine.clock import Clock
from engine.db import make_engine, normalize_url

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
#: the kernel's CPU time counters, where the machine has them (Linux)
PROC_STAT = Path("/proc/stat")


def machine_busy_seconds() -> float | None:
    """CPU seconds every core of this machine has spent working so far (user, system and
    interrupts: not idle, not waiting for the disk, not taken by the host as steal); None
    where the kernel does not say (not Linux)."""
    try:
        fields = PROC_STAT.read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = map(int, fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """A new, migrated database on the server, dropped afterwards; yields its URL."""
    server = normalize_url(server_url)
    name = f"doudi_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def runtime(url: str, clock: Clock | None = None) -> Runtime:
    """The application's runtime (engine, audit, kinship wiring) on the given database."""
    settings = load_settings(
        environ={},
        overrides={
            "DOUDI_ENV": "test",
            "DOUDI_DATABASE_URL": url,
            "DOUDI_INSTANCE_PATH": tempfile.gettempdir(),
        },
    )
    return Runtime(settings, clock=clock)


def village_with_households(conn: Connection, village: str, households: int) -> None:
    """A county, a township and ``village`` in it, and households 1 to ``households`` there."""
    conn.execute(
        text(
            "INSERT INTO region (code, name, parent_code, level, area_type) VALUES "
            "('512022', '乐至县', NULL, 'county', 'rural'), "
            "('512022101', '童家镇', '512022', 'township', 'rural'), "
            "(:v, '白塔村', '512022101', 'village', 'rural')"
        ),
        {"v": village},
    )
    conn.execute(
        text(
            "INSERT INTO household (id, village_code, area_type, created_at, income_stable, "
            "rigid_expenses_fen) SELECT g, :v, 'rural', now(), true, 0 "
            "FROM generate_series(1, :n) g"
        ),
        {"v": village, "n": households},
    )


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    """The median wall time of ``run`` over ``repeat`` calls (after one warm-up)."""
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def throwaway_venv(name: str, requirements: tuple[str, ...]) -> Path:
    """A virtual environment of its own for a tool doudi never depends on (a load generator,
    a peer framework), made once under the temporary directory; returns its ``bin``."""
    home = Path(tempfile.gettempdir()) / "doudi-bench" / name
    python = home / "bin" / "python"
    stamp = home / ".installed"
    wanted = "\n".join(requirements)
    if not (stamp.exists() and stamp.read_text() == wanted):
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(home)], check=True)  # noqa: S603
        subprocess.run(  # noqa: S603 (pip of the environment just made)
            [str(python), "-m", "pip", "install", "--quiet", *requirements], check=True
        )
        stamp.write_text(wanted)
    return home / "bin"
