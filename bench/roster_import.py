"""Benchmark: `doudi roster import` of a county's roster on PostgreSQL, against COPY.

Run: .venv/bin/python -m bench.roster_import [--rows 30000] [--officials 300]
     [--url postgresql://postgres@127.0.0.1:5432/test]

It creates a database of its own with a county of 30 villages, its standards and a registry
of village cadres (each with one relative somewhere in the roster), writes a generated
roster of at least N member rows as a CSV file, then in one run measures
  1. reading and checking the file's cells (``read_records`` + ``roster_rows``);
  2. the import itself (``import_roster``: the checks against the county, the people,
     households, members, cases, claims, amounts, one audit entry per case, deadlines,
     and the kinship scan over the new cases), in one transaction;
  3. the same file imported again (every household found unchanged);
  4. the reference: PostgreSQL's COPY of the same CSV into a flat table of text columns,
     the least the database can do to take the rows in;
and prints the times, the rows per second and the ratio to COPY. Goal: 30,000 rows in at
most 60 s (issue 15).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from admin.demo.roster import roster_csv, roster_rows
from admin.imports import read_records
from audit.officials import import_officials, official_row
from bench.support import DEFAULT_URL, runtime, scratch_database
from engine.cells import SourceFile
from engine.clock import FrozenClock
from engine.identity import with_check_digit
from engine.ports import Actor
from engine.services.policy import NewStandard, set_standard
from engine.services.regions import import_regions, parse_region_csv
from engine.services.roster import import_roster
from engine.services.roster_rows import COLUMNS
from engine.services.roster_rows import roster_rows as read_roster
from engine.states import Role

COUNTY = "512022"
TOWNSHIPS = [f"{COUNTY}{n:03d}" for n in range(101, 106)]
VILLAGES = [f"{t}{n:03d}" for t in TOWNSHIPS for n in range(201, 207)]
STANDARDS = {"dibao": Decimal(533), "tekun": Decimal(693)}
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
ADMIN = Actor(user_id=None, username="system", role=Role.ADMIN, region_code=COUNTY)
#: members per household the generator gives on average (tekun households have one)
MEMBERS_PER_HOUSEHOLD = 2.3


def county_csv() -> str:
    """The county, its townships and villages."""
    lines = ["code,name,parent_code,level,area_type", f"{COUNTY},乐至县,,county,rural"]
    lines += [f"{t},镇{t[-3:]},{COUNTY},township,rural" for t in TOWNSHIPS]
    lines += [f"{v},村{v[-6:]},{v[:9]},village,rural" for v in VILLAGES]
    return "\n".join(lines) + "\n"


def prepare(url: str, rows: list[dict[str, str]], officials: int) -> None:
    """Regions, standards and a registry of cadres with relatives among the roster's people."""
    rt = runtime(url, FrozenClock(NOW))
    import_regions(rt.uow(), parse_region_csv(county_csv()))
    for category, yuan in STANDARDS.items():
        set_standard(
            rt.uow(),
            ADMIN,
            NewStandard(COUNTY, "rural", category, yuan, dt.date(2024, 1, 1), "基准测试"),
        )
    step = max(1, len(rows) // max(1, officials))
    import_officials(
        rt.uow(),
        ADMIN,
        [
            official_row(
                official_id_number=with_check_digit(f"510100{1950 + k // 1000}0101{k % 1000:03d}"),
                official_name=f"干部{k}",
                position="village_member",
                region_code=relative["village_code"],
                relative_id_number=relative["id_number"],
                relative_name=relative["name"],
                relation="sibling",
            )
            for k, relative in enumerate(rows[::step][:officials])
        ],
    )
    rt.close()


def copy_reference(url: str, data: bytes) -> float:
    """Seconds for PostgreSQL to COPY the CSV into a flat table of text columns."""
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    columns = ", ".join(f"{c} text" for c in COLUMNS)
    with psycopg.connect(conninfo) as conn:
        conn.execute(f"CREATE TABLE roster_flat ({columns})")
        started = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy("COPY roster_flat FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            copy.write(data)
        conn.commit()
        return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30000, help="member rows (at least)")
    parser.add_argument("--officials", type=int, default=300, help="cadres in the registry")
    parser.add_argument("--url", default=DEFAULT_URL, help="PostgreSQL server")
    args = parser.parse_args(argv)
    households = int(args.rows / MEMBERS_PER_HOUSEHOLD) + 1
    rows = roster_rows(COUNTY, VILLAGES, households, STANDARDS, dt.date(2025, 4, 1))
    while len(rows) < args.rows:
        households += 100
        rows = roster_rows(COUNTY, VILLAGES, households, STANDARDS, dt.date(2025, 4, 1))
    data = roster_csv(rows)
    with scratch_database(args.url) as url, tempfile.TemporaryDirectory() as tmp:
        prepare(url, rows, args.officials)
        path = Path(tmp) / "roster.csv"
        path.write_bytes(data)
        rt = runtime(url, FrozenClock(NOW))
        started = time.perf_counter()
        header, records = read_records(path.name, path.read_bytes(), ("utf-8", "gb18030"))
        parsed = read_roster(header, records, NOW.date())
        read_s = time.perf_counter() - started
        source = SourceFile(path.name, hashlib.sha256(data).hexdigest())
        started = time.perf_counter()
        report = import_roster(rt.uow(), ADMIN, COUNTY, parsed, source)
        import_s = time.perf_counter() - started
        started = time.perf_counter()
        again = import_roster(rt.uow(), ADMIN, COUNTY, parsed, source)
        rerun_s = time.perf_counter() - started
        rt.close()
        copy_s = copy_reference(url, data)
    total = read_s + import_s
    print(f"roster import on PostgreSQL: {len(rows):,} rows, {report.households:,} households")
    print(f"  read and check cells   {read_s:7.2f} s")
    print(f"  import (one transaction) {import_s:5.2f} s  ({len(rows) / import_s:,.0f} rows/s)")
    verdict = "met" if total <= 60 else "NOT met"
    print(f"  total                  {total:7.2f} s  (goal <= 60 s: {verdict})")
    print(f"  kinship flags raised   {report.kinship_flags:7d}")
    print(f"  rerun (all unchanged)  {rerun_s:7.2f} s  ({again.unchanged:,} unchanged)")
    print(
        f"  reference: COPY of the same CSV {copy_s:.3f} s; import / COPY = {total / copy_s:.0f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
