"""Benchmark: the full kinship scan and the per-submission check, on PostgreSQL.

Run: .venv/bin/python -m bench.kinship_scan [--households 25000] [--officials 5000]
     [--relatives 5] [--url postgresql://postgres@127.0.0.1:5432/test]

It creates a database of its own and loads one county: 25,000 households of
four (100,000 household members, each household with an open case), 5,000
village cadres and officers with five declared relatives each (25,000, a
third of them by name and birth date only), of which 1 % are planted in the
households. Then, in one run, it measures
  1. the per-submission check (``refresh_case``, as ``submit`` runs it) on
     500 cases, each in a transaction rolled back afterwards: median and p95;
  2. ``doudi kinship scan`` over the whole county: the first run, which
     raises and audits every planted flag, and a second, which finds nothing
     to change;
and prints the figures against the goals (scan ≤ 2 s, check ≤ 10 ms median).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from collections.abc import Iterator

from sqlalchemy import insert, select, text

from audit.scan import scan
from bench.support import DEFAULT_URL, runtime, scratch_database
from engine.db import make_engine
from engine.identity import with_check_digit
from engine.models import (
    Case,
    Household,
    KinRelation,
    KinshipFlag,
    Member,
    Official,
    Person,
    RelativeDeclaration,
)
from engine.ports import Actor
from engine.services.workflow_step import lock_case
from engine.states import Role

COUNTY = "512022"
TOWNSHIP = "512022101"
VILLAGES = [f"{TOWNSHIP}{n:03d}" for n in range(201, 221)]
HOUSEHOLD = ["self", "spouse", "child", "child"]
PLANTED_SHARE = 0.01
NAME_BIRTH_SHARE = 1 / 3
CHECKS = 500
NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
ACTOR = Actor(user_id=1, username="inspector", role=Role.ADMIN, region_code=COUNTY)


class Numbers:
    """Distinct resident ID numbers with valid check digits, and distinct names."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.serial = 0

    def person(self, pid: int) -> dict[str, object]:
        """A person row with a fresh ID number and a name unique in the county."""
        self.serial += 1
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=self.rng.randrange(25000))
        body = f"{COUNTY}{birth:%Y%m%d}{self.serial % 1000:03d}"
        # the sequence code repeats every thousand; the caller skips the rare repeat
        return {
            "id": pid,
            "id_number": with_check_digit(body),
            "birth_date": birth,
            "name": f"姓{self.serial:06d}",
            "sex": "male",
            "created_at": NOW,
        }


def chunks(rows: list[dict[str, object]], size: int = 20000) -> Iterator[list[dict[str, object]]]:
    """The rows in slices, so one INSERT never carries too many parameters."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def load(url: str, households: int, officials: int, relatives: int) -> tuple[int, int]:
    """The county; returns (household members, declared relatives)."""
    rng = random.Random(20241101)
    numbers = Numbers(rng)
    persons: list[dict[str, object]] = []
    seen: set[object] = set()

    def person() -> dict[str, object]:
        while True:
            row = numbers.person(len(persons) + 1)
            if row["id_number"] not in seen:
                seen.add(row["id_number"])
                persons.append(row)
                return row

    homes, members, cases = [], [], []
    household_people: list[dict[str, object]] = []
    for hid in range(1, households + 1):
        village = VILLAGES[hid % len(VILLAGES)]
        homes.append(
            {
                "id": hid,
                "village_code": village,
                "area_type": "rural",
                "created_at": NOW,
                "income_stable": True,
                "rigid_expenses_fen": 0,
            }
        )
        for relation in HOUSEHOLD:
            who = person()
            household_people.append(who)
            members.append(
                {
                    "household_id": hid,
                    "person_id": who["id"],
                    "relation": relation,
                    "serious_illness": False,
                    "able_to_work": False,
                    "covered": False,
                    "joined_at": NOW,
                }
            )
        cases.append(
            {
                "id": hid,
                "household_id": hid,
                "category": "dibao",
                "state": rng.choice(["submitted", "active"]),
                "version": 2,
                "village_code": village,
                "area_type": "rural",
                "chain_seq": 0,
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
    cadres, declarations = [], []
    relations = list(KinRelation)[:6]  # the national minimum of close relatives
    for oid in range(1, officials + 1):
        cadres.append(
            {
                "id": oid,
                "person_id": person()["id"],
                "position": "village_member" if oid % 5 else "township_officer",
                "region_code": VILLAGES[oid % len(VILLAGES)] if oid % 5 else TOWNSHIP,
                "created_at": NOW,
            }
        )
        for _ in range(relatives):
            planted = rng.random() < PLANTED_SHARE
            relative = rng.choice(household_people) if planted else numbers.person(0)
            by_id = rng.random() >= NAME_BIRTH_SHARE
            declarations.append(
                {
                    "official_id": oid,
                    "source": "official",
                    "relative_id_number": relative["id_number"] if by_id else None,
                    "relative_name": relative["name"],
                    "relative_birth_date": None if by_id else relative["birth_date"],
                    "relation": rng.choice(relations).value,
                    "declared_at": NOW,
                }
            )
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO region (code, name, parent_code, level, area_type) VALUES "
                "(:c, '乐至县', NULL, 'county', 'rural'), (:t, '童家镇', :c, 'township', 'rural')"
            ),
            {"c": COUNTY, "t": TOWNSHIP},
        )
        conn.execute(
            text(
                "INSERT INTO region (code, name, parent_code, level, area_type) "
                "VALUES (:v, :v, :t, 'village', 'rural')"
            ),
            [{"v": v, "t": TOWNSHIP} for v in VILLAGES],
        )
        for model, rows in (
            (Person, persons),
            (Household, homes),
            (Member, members),
            (Case, cases),
            (Official, cadres),
            (RelativeDeclaration, declarations),
        ):
            for chunk in chunks(rows):
                conn.execute(insert(model), chunk)
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return len(members), len(declarations)


def per_submission(url: str, households: int) -> list[float]:
    """Seconds of each per-case check, on a sample of cases, each rolled back."""
    rt = runtime(url)
    rng = random.Random(7)
    times = []
    for case_id in rng.sample(range(1, households + 1), min(CHECKS, households)):
        with rt.uow() as uow:  # never committed: the check leaves nothing behind
            case = lock_case(uow.session, case_id)
            started = time.perf_counter()
            uow.kinship.refresh_case(uow, case, ACTOR)
            times.append(time.perf_counter() - started)
    rt.close()
    return times


def full_scan(url: str) -> tuple[float, int, int, int]:
    """One `doudi kinship scan`: seconds, new, unchanged and vanished flags."""
    rt = runtime(url)
    started = time.perf_counter()
    with rt.uow() as uow:
        changes = scan(uow, ACTOR)
        uow.commit()
    elapsed = time.perf_counter() - started
    rt.close()
    return elapsed, changes.new, changes.unchanged, changes.vanished


def main() -> None:
    """Load the county, run both measurements and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=25_000)
    parser.add_argument("--officials", type=int, default=5_000)
    parser.add_argument("--relatives", type=int, default=5, help="declared per official")
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args()

    with scratch_database(args.url) as url:
        started = time.perf_counter()
        members, declared = load(url, args.households, args.officials, args.relatives)
        print(
            f"county: {members:,} household members in {args.households:,} open cases; "
            f"{args.officials:,} officials with {declared:,} declared relatives "
            f"(loaded in {time.perf_counter() - started:.1f} s)"
        )
        checks = per_submission(url, args.households)
        ms = sorted(t * 1000 for t in checks)
        print(
            f"per-submission check: median {statistics.median(ms):.2f} ms, "
            f"p95 {ms[int(len(ms) * 0.95)]:.2f} ms over {len(ms)} cases (goal: median ≤ 10 ms)"
        )
        for label in ("first", "second"):
            seconds, new, unchanged, vanished = full_scan(url)
            print(
                f"full scan ({label} run): {seconds:.2f} s; flags new {new}, "
                f"unchanged {unchanged}, vanished {vanished} (goal: ≤ 2 s)"
            )
        engine = make_engine(url)
        with engine.connect() as conn:
            flagged = conn.execute(select(KinshipFlag.case_id).distinct()).all()
        engine.dispose()
        print(f"flagged cases: {len(flagged)}")


if __name__ == "__main__":
    main()
