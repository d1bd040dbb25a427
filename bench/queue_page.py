"""Benchmark: the work-queue page with 100,000 cases on PostgreSQL, against plain SQL.

Run: .venv/bin/python -m bench.queue_page [--cases 100000] [--repeat 20]
     [--url postgresql://postgres@127.0.0.1:5432/test]

It creates a database of its own with one county, two townships of five
villages, N cases spread over every state (two members per household, due
dates spread over four months around today), and then, in the same run,
measures for a township reviewer and a county approver:
  1. the whole queue page through the app (sign-in session, the view, the
     per-state counts, the page of 50, the template), first and deep pages (page 100
     by its number, counted with OFFSET, and by the key of page 99's last row, as the
     pager's "next" link asks for it), with a village and a state filter, and
  2. the bare SQL that page needs at the least: one SELECT of the 50 rows
     with the applicant's name, sorted by deadline,
and prints the median of each and their ratio. The goal is every page under
0.2 s at 100,000 cases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import re
import time

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from admin.app import create_app
from bench.support import DEFAULT_URL, median_seconds, runtime, scratch_database
from engine.clock import FrozenClock
from engine.db import make_engine
from engine.queue import WORK_STATES
from engine.services.regions import RegionRow, import_regions
from engine.services.users import NewUser, create_user
from engine.states import CaseState, Role

COUNTY = "512022"
TOWNSHIPS = ("512022101", "512022102")
PASSWORD = "bench-password"  # noqa: S105  (a scratch database, dropped after the run)
NOW = dt.datetime(2026, 3, 2, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TODAY = NOW.date()


def regions() -> list[RegionRow]:
    """The county, two townships and five villages in each."""
    rows = [RegionRow(2, COUNTY, "乐至县", "", "county", "rural")]
    for t, township in enumerate(TOWNSHIPS):
        rows.append(RegionRow(3 + t, township, f"镇{t}", COUNTY, "township", "rural"))
        rows += [
            RegionRow(10 + 5 * t + v, f"{township}20{v}", f"村{t}{v}", township, "village", "rural")
            for v in range(1, 6)
        ]
    return rows


def load(url: str, cases: int) -> None:
    """Regions and staff through the services; households, people and cases in bulk SQL."""
    rt = runtime(url)
    import_regions(rt.uow(), regions())
    for username, role, region in (
        ("reviewer", "reviewer", TOWNSHIPS[0]),
        ("approver", "approver", COUNTY),
    ):
        create_user(rt.uow(), NewUser(username, role, region, PASSWORD))
    rt.close()
    states = [s.value for s in CaseState]
    villages = [r.code for r in regions() if r.level == "village"]
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO household (id, village_code, area_type, created_at, income_stable, "
                "rigid_expenses_fen) SELECT g, (CAST(:villages AS text[]))[1 + g % :nv], "
                "'rural', now(), true, 0 "
                "FROM generate_series(1, :n) g"
            ),
            {"villages": villages, "nv": len(villages), "n": cases},
        )
        conn.execute(
            text(
                "INSERT INTO person (id, id_number, name, birth_date, sex, created_at) "
                "SELECT g, lpad(g::text, 18, '0'), '居民' || g, DATE '1970-01-01', 'male', now() "
                "FROM generate_series(1, 2 * :n) g"
            ),
            {"n": cases},
        )
        conn.execute(
            text(
                "INSERT INTO member (household_id, person_id, relation, serious_illness, "
                "able_to_work, covered, joined_at) "
                "SELECT 1 + (g - 1) / 2, g, CASE WHEN g % 2 = 1 THEN 'self' ELSE 'spouse' END, "
                "false, false, true, now() FROM generate_series(1, 2 * :n) g"
            ),
            {"n": cases},
        )
        conn.execute(
            text(
                "INSERT INTO case_file (id, household_id, category, state, version, village_code, "
                "area_type, chain_seq, created_at, updated_at, due_on) "
                "SELECT g, g, 'dibao', (CAST(:states AS text[]))[1 + g % :ns], 3, "
                "(CAST(:villages AS text[]))[1 + g % :nv], 'rural', 0, now(), now(), "
                ":today + (g % 120 - 30) FROM generate_series(1, :n) g"
            ),
            {
                "states": states,
                "ns": len(states),
                "villages": villages,
                "nv": len(villages),
                "today": TODAY,
                "n": cases,
            },
        )
        for table in ("household", "person", "member", "case_file"):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
        conn.execute(text("ANALYZE"))
    engine.dispose()


PLAIN_PAGE = text(
    "SELECT c.id, c.state, c.due_on, p.name FROM case_file c "
    "JOIN member m ON m.household_id = c.household_id AND m.relation = 'self' "
    "JOIN person p ON p.id = m.person_id "
    "WHERE c.state = ANY(:states) AND c.village_code LIKE :region "
    "ORDER BY c.due_on IS NULL, c.due_on, c.id LIMIT 50 OFFSET :offset"
)


def sign_in(app: Flask, username: str) -> FlaskClient:
    """A test client with a signed-in UI session."""
    client = app.test_client()
    page = client.get("/ui/signin").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/ui/signin", data={"csrf_token": token, "username": username, "password": PASSWORD}
    )
    return client


def measure(app: Flask, url: str, username: str, role: Role, region: str, repeat: int) -> None:
    """Print the page and bare-SQL medians for one user's queue."""
    client = sign_in(app, username)
    states = [s.value for s in WORK_STATES[role]]
    first = client.get("/admin/queue/")
    if first.status_code != 200 or "data-case=" not in first.get_data(as_text=True):
        raise SystemExit(f"the queue did not answer for {username}: {first.status_code}")
    village = f"?village={region}201" if role == Role.REVIEWER else f"?village={TOWNSHIPS[1]}"
    # the link "next" of page 99 finds page 100 by the key of page 99's last row
    page_99 = client.get("/admin/queue/?page=99").get_data(as_text=True)
    by_key = html.unescape(re.findall(r'href="/admin/queue/(\?[^"]*after=[^"]*)"', page_99)[0])
    engine = make_engine(url)
    medians = {}
    with engine.connect() as conn:
        for label, query, offset in (
            ("first page", "", 0),
            ("page 100", "?page=100", 99 * 50),
            ("page 100 key", by_key, 99 * 50),
            ("one village", village, 0),
            ("one state", f"?state={states[0]}", 0),
        ):
            ui = median_seconds(lambda q=query: client.get(f"/admin/queue/{q}"), repeat)
            params = {"states": states, "region": f"{region}%", "offset": offset}
            plain = median_seconds(lambda p=params: conn.execute(PLAIN_PAGE, p).all(), repeat)
            medians[label] = ui
            print(
                f"{username:9} {label:12} page {ui * 1000:7.1f} ms; "
                f"bare SQL {plain * 1000:6.1f} ms; ratio {ui / plain:5.1f}x"
            )
    print(
        f"{username:9} page 100 / first page: by its number (OFFSET) "
        f"{medians['page 100'] / medians['first page']:.2f}x, by the key of page 99's last row "
        f"{medians['page 100 key'] / medians['first page']:.2f}x (goal: about 1x)"
    )
    engine.dispose()


def main() -> None:
    """Load, then time the page and the bare SQL side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args()

    with scratch_database(args.url) as url:
        started = time.perf_counter()
        load(url, args.cases)
        print(f"cases: {args.cases} loaded in {time.perf_counter() - started:.1f} s")
        rt = runtime(url, FrozenClock(NOW))
        app = create_app(rt=rt)
        measure(app, url, "reviewer", Role.REVIEWER, TOWNSHIPS[0], args.repeat)
        measure(app, url, "approver", Role.APPROVER, COUNTY, args.repeat)
        rt.close()
    print("goal: every page under 200 ms (deep pages pay for OFFSET in the SQL as well)")


if __name__ == "__main__":
    main()
