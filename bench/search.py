"""Benchmark: finding people's cases among 100,000 members on PostgreSQL (engine.search).

Run: .venv/bin/python -m bench.search [--cases 50000] [--repeat 20]
     [--url postgresql://postgres@127.0.0.1:5432/test]

It creates a database of its own with the work-queue benchmark's county (two
members per case, so 100,000 people by default), gives the people realistic ID
numbers and names, and times ``search_cases`` for a county approver by a whole
ID number, tails of 6 and 10 characters, part of a name, and a village's name;
then drops the index on the reversed ID numbers and times the tails again
(``LIKE '%tail'`` scanning the table, as SQLite does).
"""

from __future__ import annotations

import argparse
import time

from sqlalchemy import text

from admin.runtime import Runtime
from bench.queue_page import COUNTY, load
from bench.support import DEFAULT_URL, median_seconds, runtime, scratch_database
from engine.db import make_engine
from engine.ports import Actor
from engine.search import search_cases
from engine.states import Role

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "建国秀兰芳明华强伟军红英平丽敏静小春"


def people(url: str) -> None:
    """Distinct ID numbers of the real shape (a birth date every 313 days from 1930, a
    sequence number) and two- or three-character names."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE person SET "
                "id_number = '512022' || to_char(DATE '1930-01-01' + (id / 1000) * 313, "
                "'YYYYMMDD') || lpad((id % 1000)::text, 3, '0') || (id * 7 % 10)::text, "
                "name = substr(:s, 1 + id % 20, 1) || substr(:g, 1 + (id / 20) % 18, 1) "
                "|| CASE WHEN id % 3 = 0 THEN '' ELSE substr(:g, 1 + (id / 7) % 18, 1) END"
            ),
            {"s": SURNAMES, "g": GIVEN},
        )
        conn.execute(text("ANALYZE person"))
    engine.dispose()


def main() -> None:
    """Load, then time each kind of term, with and without the reversed-number index."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--url", default=DEFAULT_URL)
    args = parser.parse_args()

    with scratch_database(args.url) as url:
        started = time.perf_counter()
        load(url, args.cases)
        people(url)
        print(
            f"cases: {args.cases}, people: {2 * args.cases}, loaded in "
            f"{time.perf_counter() - started:.1f} s"
        )
        rt = runtime(url)
        actor = Actor(user_id=None, username="bench", role=Role.APPROVER, region_code=COUNTY)
        with rt.reader() as uow:
            number = uow.session.scalar(text("SELECT id_number FROM person WHERE id = 54321"))
        assert isinstance(number, str)
        terms = {
            "whole ID number": number,
            "ID tail of 6": number[-6:],
            "ID tail of 10": number[-10:],
            "name part": "建国",
            "village name": "村01",
        }

        def run(term: str) -> tuple[float, int]:
            def once() -> int:
                with rt.reader() as uow:
                    return search_cases(uow.session, actor, term).total

            return median_seconds(once, args.repeat), once()

        for label, term in terms.items():
            seconds, total = run(term)
            print(f"{label:16} {seconds * 1000:7.2f} ms  ({total} found)")
        bare_sql(rt, number[-6:], args.repeat, "with the index")
        with rt.uow() as uow:
            uow.session.execute(text("DROP INDEX ix_person_id_number_reversed"))
            uow.commit()
        for label in ("ID tail of 6", "ID tail of 10"):
            seconds, total = run(terms[label])
            print(f"{label:16} {seconds * 1000:7.2f} ms  ({total} found) without the index")
        bare_sql(rt, number[-6:], args.repeat, "without the index")
        rt.close()


def bare_sql(rt: Runtime, tail: str, repeat: int, note: str) -> None:
    """The people whose number ends with ``tail``, in plain SQL: the two ways to ask."""
    for label, sql, pattern in (
        ("LIKE '%tail'", "SELECT id FROM person WHERE id_number LIKE :p", f"%{tail}"),
        (
            "reverse() LIKE",
            "SELECT id FROM person WHERE reverse(id_number) LIKE :p",
            f"{tail[::-1]}%",
        ),
    ):
        with rt.reader() as uow:
            seconds = median_seconds(
                lambda s=sql, p=pattern, u=uow: u.session.execute(text(s), {"p": p}).all(),
                repeat,
            )
        print(f"bare SQL {label:15} {seconds * 1000:7.2f} ms {note}")


if __name__ == "__main__":
    main()
