"""Benchmark: printing notices, against WeasyPrint alone and against headless Chromium.

Run: .venv/bin/python -m bench.documents [--villages 315] [--repeat 5] [--workers N]
     [--url postgresql://postgres@127.0.0.1:5432/test] [--no-chromium]

It creates a database of its own with one county of 15 townships and N
villages, each with 10 to 100 households in the 7-day notice (proposed
amounts, notice dates), then measures in the same run:
  1. one 50-household notice issued through doudi (query, template,
     WeasyPrint, hash, record) against WeasyPrint alone printing the same
     HTML: goal at most 1 s and at most 1.2 x WeasyPrint's own time;
  2. the whole county's notices, one PDF per village (``doudi notices
     build``'s code, in worker processes) against headless Chromium printing
     the same HTML to PDF through the DevTools protocol: goal at most
     3 minutes, no slower than Chromium, files at most 1/8 of Chromium's.
Every figure is printed beside its reference with their ratio.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import os
import platform
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select, text
from weasyprint import HTML

from admin.documents.batch import build_village_documents, default_workers
from admin.documents.issue import issue_village_document, jobs_for, prepare_village_documents
from admin.documents.render import FETCHER, TEMPLATES, render_html
from admin.runtime import Runtime
from bench.support import DEFAULT_URL, median_seconds, runtime, scratch_database
from engine.clock import FrozenClock
from engine.db import make_engine
from engine.models import User
from engine.ports import Actor
from engine.services.policy import NewStandard, set_standard
from engine.services.regions import RegionRow, import_regions
from engine.services.users import NewUser, actor_of, create_user

COUNTY = "512022"
TOWNSHIPS = 15
PASSWORD = "bench-password"  # noqa: S105  (a scratch database, dropped after the run)
NOW = dt.datetime(2026, 3, 10, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国华明军平志强秀兰英红梅芳丽娟敏静霞云"


def regions(villages: int) -> list[RegionRow]:
    """The county, 15 townships and the villages spread over them, with their contacts."""
    rows = [
        RegionRow(
            2,
            COUNTY,
            "乐至县",
            "",
            "county",
            "rural",
            authority="乐至县民政局",
            office="乐至县民政局社会救助股",
            phone="028-0000 0100",
            reconsideration_body="乐至县人民政府",
            court="乐至县人民法院",
        )
    ]
    for t in range(TOWNSHIPS):
        code = f"{COUNTY}{101 + t:03d}"
        rows.append(
            RegionRow(
                3 + t,
                code,
                f"第{t + 1}镇",
                COUNTY,
                "township",
                "rural",
                authority=f"第{t + 1}镇人民政府",
                office=f"第{t + 1}镇社会事务办公室",
                phone=f"028-0000 {t + 1:04d}",
            )
        )
    for v in range(villages):
        township = f"{COUNTY}{101 + v % TOWNSHIPS:03d}"
        rows.append(
            RegionRow(
                100 + v,
                f"{township}{201 + v // TOWNSHIPS:03d}",
                f"第{v + 1}村",
                township,
                "village",
                "rural",
            )
        )
    return rows


def load(url: str, villages: int, seed: int = 2024) -> tuple[int, str]:
    """Regions, staff and standards through the services; cases in notice in bulk SQL.

    Returns the number of cases and the code of a village with 50 households.
    """
    rt = runtime(url)
    import_regions(rt.uow(), regions(villages))
    create_user(rt.uow(), NewUser("approver", "approver", COUNTY, PASSWORD))
    create_user(rt.uow(), NewUser("admin", "admin", COUNTY, PASSWORD))
    set_standard(
        rt.uow(),
        actor(rt, "admin"),
        NewStandard(COUNTY, "rural", "dibao", Decimal(533), dt.date(2024, 1, 1), "benchmark"),
    )
    rt.close()
    rng = random.Random(seed)
    codes = [r.code for r in regions(villages) if r.level == "village"]
    sizes = [rng.randint(10, 100) for _ in codes]
    sizes[0] = 50  # the single-notice measurement uses this village
    households = []
    for code, size in zip(codes, sizes, strict=True):
        households += [code] * size
    names = [rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN) for _ in households]
    engine = make_engine(url)
    n = len(households)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO household (id, village_code, area_type, created_at, income_stable, "
                "rigid_expenses_fen) SELECT g, (CAST(:villages AS text[]))[g], 'rural', now(), "
                "true, 0 FROM generate_series(1, :n) g"
            ),
            {"villages": households, "n": n},
        )
        conn.execute(
            text(
                "INSERT INTO person (id, id_number, name, birth_date, sex, created_at) "
                "SELECT g, lpad(g::text, 18, '0'), (CAST(:names AS text[]))[g], "
                "DATE '1960-01-01', 'male', now() FROM generate_series(1, :n) g"
            ),
            {"names": names, "n": n},
        )
        conn.execute(
            text(
                "INSERT INTO member (household_id, person_id, relation, serious_illness, "
                "able_to_work, covered, joined_at) "
                "SELECT g, g, 'self', false, false, false, now() FROM generate_series(1, :n) g"
            ),
            {"n": n},
        )
        conn.execute(
            text(
                "INSERT INTO case_file (id, household_id, category, state, version, village_code, "
                "area_type, chain_seq, created_at, updated_at, notice_started_at) "
                "SELECT g, g, 'dibao', 'in_public_notice', 7, (CAST(:villages AS text[]))[g], "
                "'rural', 0, now(), now(), CAST(:started AS timestamptz) "
                "FROM generate_series(1, :n) g"
            ),
            {"villages": households, "n": n, "started": NOW - dt.timedelta(days=2)},
        )
        conn.execute(
            text(
                "INSERT INTO benefit_decision (case_id, kind, trigger, decided_at, monthly_fen, "
                "standard_fen, members, counted_income_fen, base_fen, supplement_fen, breakdown) "
                "SELECT g, 'proposed', 'propose', now(), 53300 * (1 + g % 4) - 10000, 53300, "
                "1 + g % 4, 10000, 53300 * (1 + g % 4) - 10000, 0, '[]' "
                "FROM generate_series(1, :n) g"
            ),
            {"n": n},
        )
        for table in ("household", "person", "case_file"):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return n, codes[0]


def single_notice(rt: Runtime, village: str, repeat: int) -> None:
    """One 50-household notice through doudi against WeasyPrint alone on the same HTML."""
    approver = actor(rt, "approver")
    (prepared,) = prepare_village_documents(rt, approver, village, "notice")
    html = render_html(jobs_for(rt, [prepared])[0])
    doudi = median_seconds(lambda: issue_village_document(rt, approver, village, "notice"), repeat)
    bare = median_seconds(
        lambda: (
            HTML(string=html, base_url=TEMPLATES.as_uri() + "/", url_fetcher=FETCHER)
            .render()
            .write_pdf()
        ),
        repeat,
    )
    print(
        f"one notice, {len(prepared.document.rows)} households: doudi {doudi:.2f} s "
        f"(query, template, WeasyPrint, hash, record); WeasyPrint alone {bare:.2f} s; "
        f"ratio {doudi / bare:.2f}x  [goal: <= 1 s and <= 1.2x]"
    )


def actor(rt: Runtime, username: str) -> Actor:
    """The actor of a user of the scratch county."""
    with rt.reader() as uow:
        return actor_of(uow.session.scalars(select(User).where(User.username == username)).one())


def batch(rt: Runtime, workers: int, chromium: bool) -> None:
    """The county's notices through doudi against headless Chromium on the same HTML."""
    approver = actor(rt, "approver")
    with tempfile.TemporaryDirectory() as out:
        report = build_village_documents(rt, approver, COUNTY, "notice", Path(out), workers=workers)
        doudi_bytes = sum(p.stat().st_size for p in report.files)
    print(
        f"batch: {report.villages} villages, {report.cases} cases, {report.pages} pages: "
        f"doudi {report.seconds:.1f} s with {workers} workers, {doudi_bytes / 1e6:.1f} MB "
        "[goal: <= 180 s]"
    )
    if not chromium:
        return
    prepared = prepare_village_documents(rt, approver, COUNTY, "notice")
    htmls = [render_html(j) for j in jobs_for(rt, prepared)]
    seconds, size = print_with_chromium(htmls)
    print(
        f"batch: headless Chromium {seconds:.1f} s, {size / 1e6:.1f} MB; "
        f"time ratio doudi/Chromium {report.seconds / seconds:.2f}x [goal: <= 1]; "
        f"size ratio {doudi_bytes / size:.3f} [goal: <= 0.125]"
    )


def print_with_chromium(htmls: list[str]) -> tuple[float, int]:
    """Print each HTML document to PDF in one headless Chromium (DevTools Page.printToPDF)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="doudi-bench-chromium-")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    total = 0
    try:
        with tempfile.TemporaryDirectory() as folder:
            paths = []
            for i, html in enumerate(htmls):
                path = Path(folder) / f"{i}.html"
                path.write_text(html, "utf-8")
                paths.append(path)
            started = time.perf_counter()
            for path in paths:
                driver.get(path.as_uri())
                result = driver.execute_cdp_cmd(
                    "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}
                )
                total += len(base64.b64decode(result["data"]))
            seconds = time.perf_counter() - started
    finally:
        driver.quit()
    return seconds, total


def main() -> None:
    """Load, then print side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--villages", type=int, default=315)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--no-chromium", action="store_true", help="skip the Chromium reference")
    args = parser.parse_args()
    import weasyprint

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores; Python "
        f"{platform.python_version()}, WeasyPrint {weasyprint.__version__}; "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d}"
    )
    with scratch_database(args.url) as url:
        started = time.perf_counter()
        cases, village = load(url, args.villages)
        print(
            f"data: {args.villages} villages, {cases} cases in notice, loaded in "
            f"{time.perf_counter() - started:.1f} s"
        )
        rt = runtime(url, FrozenClock(NOW))
        single_notice(rt, village, args.repeat)
        batch(rt, args.workers, not args.no_chromium)
        rt.close()


if __name__ == "__main__":
    main()
