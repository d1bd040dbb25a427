"""Roster migration: a county's enrolled cases brought in whole, checked row by row first."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from admin.demo.roster import roster_csv
from admin.demo.roster import roster_rows as generated_roster
from admin.imports import read_records
from audit.models import AuditEntry, LedgerEntry
from audit.officials import import_officials, official_row
from audit.verify import verify_all
from engine.cells import SourceFile
from engine.errors import Forbidden, InvalidData
from engine.models import (
    BenefitDecision,
    Case,
    CaseClaim,
    KinshipFlag,
    Member,
    Person,
    RosterHousehold,
)
from engine.services.roster import RosterReport, import_roster
from engine.services.roster_rows import roster_rows
from engine.states import CaseState
from tests.support import (
    COUNTY,
    STANDARDS,
    VILLAGE_A1,
    VILLAGE_A2,
    VILLAGE_B1,
    World,
    application,
    id_number,
)

VILLAGES = [VILLAGE_A1, VILLAGE_A2, VILLAGE_B1]
RURAL = {
    "dibao": Decimal(STANDARDS[("rural", "dibao")]),
    "tekun": Decimal(STANDARDS[("rural", "tekun")]),
}
#: approvals within the year before the tests' today (2026-03-02): rechecks still ahead
APPROVED_FROM = dt.date(2025, 4, 1)


def roster(households: int, **kw: object) -> list[dict[str, str]]:
    """A generated roster of the test county."""
    return generated_roster(COUNTY, VILLAGES, households, RURAL, APPROVED_FROM, **kw)  # type: ignore[arg-type]


def run(
    w: World,
    rows: Sequence[dict[str, str]],
    *,
    by: str = "admin",
    dry_run: bool = False,
    encoding: str = "utf-8",
) -> RosterReport:
    """Import rows as a CSV file, through the same reading as the command."""
    data = roster_csv(rows, encoding)
    parsed = roster_rows(*read_records("roster.csv", data, ("utf-8", "gb18030")), w.today())
    source = SourceFile("roster.csv", hashlib.sha256(data).hexdigest())
    return import_roster(w.uow(), w.actors[by], COUNTY, parsed, source, dry_run=dry_run)


def verified(w: World) -> bool:
    """Whether every chain verifies."""
    with w.rt.reader() as uow:
        return verify_all(uow.session).ok


def count(w: World, model: type) -> int:
    with w.rt.reader() as uow:
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


def refused(w: World, rows: Sequence[dict[str, str]]) -> list[tuple[str, str]]:
    """Import rows expecting a refusal; return each problem's (field, code)."""
    with pytest.raises(InvalidData) as err:
        run(w, rows)
    assert err.value.code == "invalid_rows"
    return [(p.field or "", p.code) for p in err.value.problems]


def test_a_roster_becomes_enrolled_cases_with_members_amounts_claims_and_one_entry_each(
    world: World,
) -> None:
    rows = roster(30)
    report = run(world, rows)
    assert report.households == 30 and report.members == len(rows)
    assert report.by_state == {"active": 29, "phasing_out": 1}  # every 17th household
    assert report.amount_differences == []
    with world.rt.reader() as uow:
        s = uow.session
        cases = s.scalars(select(Case).order_by(Case.id)).all()
        assert {c.state for c in cases} == {CaseState.ACTIVE, CaseState.PHASING_OUT}
        assert {c.origin for c in cases} == {"roster"}
        first = cases[0]
        household_rows = [r for r in rows if r["household_no"] == rows[0]["household_no"]]
        members = s.scalars(select(Member).where(Member.household_id == first.household_id)).all()
        assert len(members) == len(household_rows)
        decision = s.scalars(
            select(BenefitDecision).where(BenefitDecision.case_id == first.id)
        ).one()
        assert decision.monthly_yuan == Decimal(rows[0]["monthly_yuan"])
        approved = dt.date.fromisoformat(rows[0]["approved_on"])
        # paid from the month after the approval (Art. 21)
        assert decision.effective_month == dt.date(
            approved.year + approved.month // 12, approved.month % 12 + 1, 1
        )
        claims = s.scalar(
            select(func.count()).select_from(CaseClaim).where(CaseClaim.released_at.is_(None))
        )
        assert claims == len(rows)
        entries = s.scalars(select(AuditEntry).where(AuditEntry.case_id == first.id)).all()
        assert [(e.trigger, e.from_state, e.to_state) for e in entries] == [
            ("imported", None, "active")
        ]
        payload = json.loads(entries[0].payload)
        data = roster_csv(rows)
        assert payload["source"] == {
            "file": "roster.csv",
            "sha256": hashlib.sha256(data).hexdigest(),
            "lines": list(range(2, 2 + len(household_rows))),
        }
        assert payload["household_no"] == rows[0]["household_no"]
        # the next deadline is the yearly recheck (Art. 31)
        assert first.due_kind == "recheck" and first.due_on == first.next_recheck_on
        assert first.next_recheck_on == approved.replace(year=approved.year + 1)
        ledger = s.scalars(
            select(LedgerEntry).where(LedgerEntry.ledger == f"roster:{COUNTY}")
        ).one()
        assert ledger.event == "roster_imported"
        assert json.loads(ledger.payload)["households"] == 30
    assert verified(world)


def test_importing_the_same_roster_again_changes_nothing(world: World) -> None:
    rows = roster(12)
    run(world, rows)
    before = (count(world, Case), count(world, AuditEntry), count(world, Person))
    again = run(world, rows)
    assert (again.households, again.unchanged) == (0, 12)
    assert (count(world, Case), count(world, AuditEntry), count(world, Person)) == before
    # a later file with more households brings in only the new ones
    more = run(world, roster(15))
    assert (more.households, more.unchanged) == (3, 12)


def test_a_household_imported_before_with_other_rows_is_refused(world: World) -> None:
    rows = roster(3)
    run(world, rows)
    changed = [dict(r) for r in rows]
    changed[0]["monthly_income"] = "10"
    assert refused(world, changed) == [("line 2.household_no", "already_imported")]


def test_every_bad_row_is_named_by_line_and_column_and_nothing_is_imported(world: World) -> None:
    enrolled = application(1)
    world.apply(enrolled)  # this person's case is open: they cannot come in again
    rows = roster(12)
    line = {i + 2: r for i, r in enumerate(rows)}  # line numbers as the file has them
    households = {}
    for n, r in line.items():
        households.setdefault(r["household_no"], []).append(n)
    firsts = [lines[0] for lines in households.values()]
    line[firsts[0]]["id_number"] = line[firsts[0]]["id_number"][:-1] + (
        "0" if line[firsts[0]]["id_number"][-1] != "0" else "1"
    )
    line[firsts[1]]["id_number"] = line[firsts[2]]["id_number"]
    line[firsts[3]]["id_number"] = enrolled.members[0].id_number
    line[firsts[3]]["name"] = enrolled.members[0].name
    for n in households[line[firsts[4]]["household_no"]]:
        line[n]["monthly_yuan"] = "99999"
    for n in households[line[firsts[5]]["household_no"]]:
        line[n]["village_code"] = "510100001001"
    for n in households[line[firsts[6]]["household_no"]]:
        line[n]["approved_on"] = "2023-06-01"  # before the county's first standard
    line[firsts[7]]["relation"] = "spouse"  # the household has no applicant
    line[firsts[8]]["disability_grade"] = "7"
    line[firsts[9]]["approved_on"] = "2025-13-01"
    before = count(world, Case)
    problems = refused(world, rows)
    assert (
        set(problems)
        == {
            (f"line {firsts[0]}.id_number", "id_number_checksum"),
            (f"line {firsts[2]}.id_number", "enrolled_twice"),  # the same person as line firsts[1]
            (f"line {firsts[3]}.id_number", "enrolled_twice"),  # already in an open case
            (f"line {firsts[4]}.monthly_yuan", "amount_not_producible"),
            (f"line {firsts[5]}.village_code", "unknown_village"),
            (f"line {firsts[6]}.approved_on", "no_standard"),
            (f"line {firsts[7]}.relation", "applicant_count"),
            (f"line {firsts[8]}.disability_grade", "invalid"),
            (f"line {firsts[9]}.approved_on", "invalid"),
            *(
                (f"line {n}.approved_on", "household_differs")
                for n in households[line[firsts[9]]["household_no"]][1:]
            ),
        }
    )
    assert len(problems) == len(set(problems))
    # listed in the file's order
    assert [int(f.split()[1].split(".")[0]) for f, _ in problems] == sorted(
        int(f.split()[1].split(".")[0]) for f, _ in problems
    )
    assert count(world, Case) == before and count(world, RosterHousehold) == 0


def test_a_village_of_another_county_is_refused_as_outside_it(world: World) -> None:
    from engine.services.regions import import_regions, parse_region_csv

    other = "510100"
    import_regions(
        world.uow(),
        parse_region_csv(
            "code,name,parent_code,level,area_type\n"
            f"{other},另一县,,county,rural\n"
            f"{other}001,某镇,{other},township,rural\n"
            f"{other}001001,某村,{other}001,village,rural\n"
        ),
    )
    rows = roster(1)
    for r in rows:
        r["village_code"] = f"{other}001001"
    assert refused(world, rows) == [("line 2.village_code", "outside_county")]


def test_a_dry_run_reports_what_would_come_in_and_every_problem_and_writes_nothing(
    world: World,
) -> None:
    rows = roster(6)
    rows[0]["monthly_yuan"] = "0"
    report = run(world, rows, dry_run=True)
    assert report.dry_run and report.households == 6
    assert [(p.field, p.code) for p in report.problems][:1] == [
        ("line 2.monthly_yuan", "amount_not_producible")
    ]
    assert count(world, Case) == 0 and count(world, RosterHousehold) == 0


def test_amounts_other_than_the_rules_give_are_kept_and_reported(world: World) -> None:
    rows = roster(2)
    first = rows[0]["household_no"]
    for r in rows:
        if r["household_no"] == first:
            r["monthly_yuan"] = str(Decimal(r["monthly_yuan"]) - 20)
    report = run(world, rows)
    (difference,) = report.amount_differences
    assert difference.household_no == first and difference.line == 2
    with world.rt.reader() as uow:
        decision = uow.session.scalars(select(BenefitDecision).order_by(BenefitDecision.id)).first()
        assert decision is not None and decision.monthly_yuan == difference.monthly_yuan
        assert json.loads(decision.breakdown)[0]["code"] == "imported"


def test_a_gbk_file_reads_as_well_as_utf8(world: World) -> None:
    rows = roster(2)
    for r in rows:
        r["category"] = "低保" if r["category"] == "dibao" else "特困"
        r["relation"] = {"self": "本人", "spouse": "配偶"}.get(r["relation"], r["relation"])
    assert run(world, rows, encoding="gbk").households == 2


def test_an_imported_relative_of_a_village_cadre_is_flagged_with_its_entry(world: World) -> None:
    rows = roster(2)
    relative = rows[0]
    cadre = official_row(
        official_id_number=id_number(dt.date(1976, 4, 4)),
        official_name="王建军",
        position="village_member",
        region_code=relative["village_code"],
        relative_id_number=relative["id_number"],
        relative_name=relative["name"],
        relation="sibling",
    )
    import_officials(world.uow(), world.actors["admin"], [cadre])
    report = run(world, rows)
    assert report.kinship_flags == 1
    with world.rt.reader() as uow:
        flag = uow.session.scalars(select(KinshipFlag)).one()
        triggers = uow.session.scalars(
            select(AuditEntry.trigger)
            .where(AuditEntry.case_id == flag.case_id)
            .order_by(AuditEntry.seq)
        ).all()
        assert triggers == ["imported", "kinship_flags"]
    assert verified(world)


@pytest.mark.parametrize("user", ["clerk", "reviewer", "inspector"])
def test_only_the_county_admin_or_approver_imports_a_roster(world: World, user: str) -> None:
    with pytest.raises(Forbidden):
        run(world, roster(1), by=user)
    assert count(world, Case) == 0


def test_a_county_roster_of_5000_households_refused_for_its_planted_rows_then_imported(
    world: World,
) -> None:
    rows = roster(5000)
    households: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        households.setdefault(r["household_no"], []).append(i)
    firsts = [lines[0] for lines in households.values()]
    # three cadres, each with a relative somewhere in the roster
    relatives = [rows[firsts[k]] for k in (10, 2500, 4999)]
    import_officials(
        world.uow(),
        world.actors["admin"],
        [
            official_row(
                official_id_number=id_number(dt.date(1960 + k, 4, 4)),
                official_name=f"干部{k}",
                position="village_director",
                region_code=r["village_code"],
                relative_id_number=r["id_number"],
                relative_name=r["name"],
                relation="sibling",
            )
            for k, r in enumerate(relatives)
        ],
    )
    planted = [dict(r) for r in rows]
    bad_digit, twice, too_much, outside = firsts[100], firsts[1200], firsts[3000], firsts[4200]
    planted[bad_digit]["id_number"] = planted[bad_digit]["id_number"][:-1] + (
        "1" if planted[bad_digit]["id_number"][-1] == "0" else "0"
    )
    planted[twice]["id_number"] = rows[firsts[5]]["id_number"]
    for i in households[planted[too_much]["household_no"]]:
        planted[i]["monthly_yuan"] = "20000"
    for i in households[planted[outside]["household_no"]]:
        planted[i]["village_code"] = "512022109999"
    people = count(world, Person)  # the cadres themselves
    assert refused(world, planted) == [
        (f"line {bad_digit + 2}.id_number", "id_number_checksum"),
        (f"line {twice + 2}.id_number", "enrolled_twice"),
        (f"line {too_much + 2}.monthly_yuan", "amount_not_producible"),
        (f"line {outside + 2}.village_code", "unknown_village"),
    ]
    assert count(world, Case) == 0 and count(world, Person) == people
    report = run(world, rows)
    assert report.households == 5000 and report.members == len(rows)
    assert report.kinship_flags == 3
    assert count(world, Case) == 5000
    # one entry per case, and one for each flag raised
    assert count(world, AuditEntry) == 5000 + 3
    again = run(world, rows)
    assert (again.households, again.unchanged) == (0, 5000)
    assert count(world, AuditEntry) == 5000 + 3 and count(world, KinshipFlag) == 3
    assert verified(world)
