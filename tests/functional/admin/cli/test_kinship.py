"""``doudi officials import``, ``doudi kinship scan`` and ``doudi kinship register``."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from audit.models import LedgerEntry
from engine.services import Application
from engine.services.filings import file_kinship
from tests.support import TOWNSHIP_A, VILLAGE_A1, World, id_number, member

Run = Callable[..., Result]
HEADER = (
    "official_id_number,official_name,position,region_code,relative_id_number,"
    "relative_name,relative_birth_date,relation"
)


def csv_file(tmp_path: Path, *rows: str, name: str = "officials.csv") -> str:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return str(path)


@pytest.fixture
def applicant(world: World) -> tuple[int, str]:
    app = Application("dibao", VILLAGE_A1, [member("self", "100", name="李芳")])
    return world.apply(app), app.members[0].id_number


def registry_ledger(w: World) -> list[str]:
    with w.rt.reader() as uow:
        return list(
            uow.session.scalars(
                select(LedgerEntry.event).where(LedgerEntry.ledger.startswith("officials:"))
            )
        )


def test_import_flags_the_case_and_a_second_import_changes_nothing(
    run: Run, tmp_path: Path, applicant: tuple[int, str], world: World
) -> None:
    _, relative = applicant
    official = id_number(dt.date(1970, 8, 8))
    path = csv_file(
        tmp_path,
        f"{official},王建军,village_director,{VILLAGE_A1},{relative},李芳,,sibling",
        f"{official},王建军,village_director,{VILLAGE_A1},,王小红,1999-09-09,child",
        f"{id_number(dt.date(1968, 1, 1))},赵经办,township_officer,{TOWNSHIP_A},,,,",
    )
    first = run("officials", "import", path)
    assert first.exit_code == 0, first.output
    assert "officials: 2 created" in first.output
    assert "relatives: 2 created" in first.output and "flags: 1 new" in first.output
    second = run("officials", "import", path)
    unchanged = "officials: 0 created, 0 updated, 2 unchanged; relatives: 0 created, 2 unchanged"
    assert unchanged in second.output
    assert "flags: 0 new" in second.output
    assert registry_ledger(world) == ["import_officials"]  # the repeat left no trace either


def test_the_template_filled_in_chinese_imports_and_is_not_overwritten(
    run: Run, tmp_path: Path, applicant: tuple[int, str]
) -> None:
    _, relative = applicant
    out = tmp_path / "名册模板.xlsx"
    written = run("officials", "template", "--out", str(out))
    assert written.exit_code == 0, written.output
    book = load_workbook(out)
    assert [c.value for c in book.worksheets[0][1]][:4] == [
        "身份证号码",
        "姓名",
        "职务",
        "所在地区代码",
    ]
    assert book.sheetnames[1] == "填写说明"
    official = id_number(dt.date(1971, 8, 8))
    book.worksheets[0].append(
        [official, "王建军", "村（居）委会委员", VILLAGE_A1, relative, "李芳", "", "兄弟姐妹"]
    )
    book.save(out)
    imported = run("officials", "import", str(out))
    assert imported.exit_code == 0, imported.output
    assert "officials: 1 created" in imported.output and "flags: 1 new" in imported.output
    again = run("officials", "template", "--out", str(out))
    assert again.exit_code != 0 and "not overwritten" in again.output


def test_xlsx_is_read_like_csv(run: Run, tmp_path: Path, applicant: tuple[int, str]) -> None:
    _, relative = applicant
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(
        [
            id_number(dt.date(1970, 8, 8)),
            "王建军",
            "village_member",
            VILLAGE_A1,
            None,
            "李芳",
            dt.date(1999, 9, 9),
            "child",
        ]
    )
    sheet.append(
        [
            id_number(dt.date(1971, 8, 8)),
            "钱",
            "village_member",
            VILLAGE_A1,
            relative,
            "李芳",
            None,
            "spouse",
        ]
    )
    path = tmp_path / "officials.xlsx"
    book.save(path)
    result = run("officials", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "relatives: 2 created" in result.output and "flags: 1 new" in result.output


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(
    run: Run, tmp_path: Path, applicant: tuple[int, str]
) -> None:
    official = id_number(dt.date(1970, 8, 8))
    path = csv_file(
        tmp_path,
        f"110105194912310021,甲,village_member,{VILLAGE_A1},,,,",  # bad check digit
        f"{official},乙,village_member,{VILLAGE_A1},{official},乙,,sibling",  # self-relation
        f"{official},乙,village_member,{VILLAGE_A1},,丙,2000-01-01,cousin",  # unknown relation
        f"{official},乙,village_member,{VILLAGE_A1},,丁,2000-01-01,uncle_aunt",  # not configured
        f"{official},乙,village_member,{VILLAGE_A1},,戊,2000-01-01,child",
        f"{official},乙,village_member,{VILLAGE_A1},,戊,2000-01-01,child",  # declared twice
        f",无名,village_member,{VILLAGE_A1},,,,",  # no person
        f"{id_number()},己,mayor,{VILLAGE_A1},,,,",  # bad position
        f"{id_number()},庚,county_officer,{VILLAGE_A1},,,,",  # wrong level
    )
    result = run("officials", "import", path)
    assert result.exit_code == 1
    for line in (
        "line 2, official_id_number",
        "line 3, relative_id_number",
        "line 4, relation",
        "line 5, relation",
        "line 7, relative_id_number",
        "line 8, official_id_number",
        "line 9, position",
        "line 10, region_code",
    ):
        assert line in result.output, line
    listed = run("kinship", "scan")
    assert "0 new, 0 unchanged" in listed.output  # nothing was imported


def test_bad_files(run: Run, tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("a,b\n")
    assert run("officials", "import", str(tmp_path / "x.txt")).exit_code == 2
    header = tmp_path / "h.csv"
    header.write_text("official_id_number,official_name\n1,2\n", encoding="utf-8")
    result = run("officials", "import", str(header))
    assert result.exit_code == 1 and "missing columns" in result.output


def test_scan_and_register(
    run: Run, tmp_path: Path, world: World, applicant: tuple[int, str]
) -> None:
    case_id, relative = applicant
    official = id_number(dt.date(1970, 8, 8))
    run(
        "officials",
        "import",
        csv_file(
            tmp_path, f"{official},王建军,village_member,{VILLAGE_A1},{relative},李芳,,sibling"
        ),
    )
    scanned = run("kinship", "scan")
    assert scanned.exit_code == 0
    assert scanned.stdout.strip() == "kinship flags: 0 new, 1 unchanged, 0 vanished"
    file_kinship(world.uow(), world.actors["clerk"], case_id, "村委会委员的兄弟姐妹，单独备案")
    out = tmp_path / "register.xlsx"
    exported = run("kinship", "register", "--county", "512022", "--out", str(out))
    assert exported.exit_code == 0 and "1 filed case(s)" in exported.output
    assert out.stat().st_mode & 0o777 == 0o600  # full names: readable by its owner only
    rows = list(load_workbook(out).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][0] == "序号"
    assert rows[1][2] == case_id and "村（居）委会委员 王建军" in rows[1][7]
    assert rows[1][8] == "兄弟姐妹"


def test_the_register_file_carries_no_live_formula(run: Run, world: World, tmp_path: Path) -> None:
    from tests.support import flagged_case

    flagged_case(world, VILLAGE_A1, "李芳", note='=HYPERLINK("http://evil.example")')
    for name in ("register.xlsx", "register.csv"):
        out = tmp_path / name
        assert run("kinship", "register", "--county", "512022", "--out", str(out)).exit_code == 0
        if name.endswith(".xlsx"):
            values = [c for r in load_workbook(out).active.iter_rows(values_only=True) for c in r]  # type: ignore[union-attr]
        else:
            values = [c for r in csv.reader(io.StringIO(out.read_text("utf-8-sig"))) for c in r]
        assert not [v for v in values if str(v).startswith(("=", "+", "-", "@"))]
        assert any(str(v).startswith("'=HYPERLINK") for v in values)


def test_a_term_that_ends_before_it_starts_or_lies_off_the_calendar_is_refused(
    run: Run, tmp_path: Path
) -> None:
    """Found by the red team: a term from 9999-12-31 to 0001-01-01 was imported."""
    path = tmp_path / "terms.csv"
    path.write_text(
        HEADER
        + ",term_start,term_end\n"
        + f"{id_number()},甲,village_member,{VILLAGE_A1},,,,,2026-01-01,2025-01-01\n"
        + f"{id_number()},乙,village_member,{VILLAGE_A1},,,,,9999-12-31,0001-01-01\n",
        encoding="utf-8",
    )
    result = run("officials", "import", str(path))
    assert result.exit_code == 1
    for line in ("line 2, term_end", "line 3, term_start", "line 3, term_end"):
        assert line in result.output, (line, result.output)


def test_the_enrolled_relatives_report_lists_each_case_and_its_review(
    run: Run, world: World, tmp_path: Path
) -> None:
    """乐至 "近亲属享受低保复核": a county report of enrolled flagged cases and their status."""
    from engine.states import CaseState
    from tests.support import flagged_case

    case_id = flagged_case(world, VILLAGE_A1, "李芳")
    world.to_state(case_id, CaseState.PENDING_CONFIRMATION)
    world.investigate(
        case_id, level="county", investigators=("approver", "approver2"), by="approver"
    )
    world.fire(case_id, "approve", "approver")
    out = tmp_path / "enrolled.csv"
    exported = run(
        "kinship", "enrolled", "--county", "512022", "--out", str(out), "--user", "inspector"
    )
    assert exported.exit_code == 0, exported.output
    assert "1 enrolled flagged case(s), 0 awaiting" in exported.output
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    assert rows[0][0] == "案件编号" and rows[1][0] == str(case_id)
    assert rows[1][2] == "李芳" and rows[1][7:10] == ["否", "是", "是"]
    outside = run(
        "kinship", "enrolled", "--county", "512022", "--out", str(out), "--user", "clerk_b"
    )
    assert outside.exit_code == 1 and "outside the region" in outside.output


def test_the_kinship_exports_show_no_stored_code(run: Run, world: World, tmp_path: Path) -> None:
    """The county's files name relations, positions, states and statuses in words, as the
    pages do (the same scan as the pages')."""
    from engine.states import CaseState
    from tests.functional.admin.ui.test_plain_language import codes, untranslated
    from tests.support import flagged_case

    enrolled = flagged_case(world, VILLAGE_A1, "李芳")
    file_kinship(world.uow(), world.actors["clerk"], enrolled, "村委会委员的兄弟姐妹，单独备案")
    world.to_state(enrolled, CaseState.PENDING_CONFIRMATION)
    world.investigate(
        enrolled, level="county", investigators=("approver", "approver2"), by="approver"
    )
    world.fire(enrolled, "approve", "approver")
    known = codes(world)
    for command in ("register", "enrolled"):
        out = tmp_path / f"{command}.csv"
        exported = run("kinship", command, "--county", "512022", "--out", str(out))
        assert exported.exit_code == 0, exported.output
        rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
        assert len(rows) > 1, command
        cells = {cell for row in rows for cell in row}
        assert {c for c in cells if c in known} | untranslated(" ".join(rows[0]), known) == set()
