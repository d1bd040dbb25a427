"""`doudi roster import` and `doudi roster template`, driven as an integrator drives them."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from click.testing import Result
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from admin.demo.roster import roster_csv
from admin.demo.roster import roster_rows as generated_roster
from engine.models import Case
from engine.services.roster_rows import COLUMNS, HEADERS_ZH
from tests.support import COUNTY, STANDARDS, VILLAGE_A1, VILLAGE_A2, World

Run = Callable[..., Result]
RURAL = {
    "dibao": Decimal(STANDARDS[("rural", "dibao")]),
    "tekun": Decimal(STANDARDS[("rural", "tekun")]),
}


def roster(households: int) -> list[dict[str, str]]:
    return generated_roster(
        COUNTY, [VILLAGE_A1, VILLAGE_A2], households, RURAL, dt.date(2025, 4, 1)
    )


def cases(w: World) -> int:
    with w.rt.reader() as uow:
        return uow.session.scalar(select(func.count()).select_from(Case)) or 0


def test_import_prints_a_summary_and_a_rerun_changes_nothing(
    run: Run, tmp_path: Path, world: World
) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(roster(20)))
    first = run("roster", "import", str(path), "--county", COUNTY, "--user", "admin")
    assert first.exit_code == 0, first.output
    assert "imported 20 households" in first.output and "0 unchanged" in first.output
    second = run("roster", "import", str(path), "--county", COUNTY, "--user", "admin")
    assert second.exit_code == 0, second.output
    assert "imported 0 households" in second.output and "20 unchanged" in second.output
    assert cases(world) == 20


def test_a_bad_row_refuses_the_file_naming_line_and_column(
    run: Run, tmp_path: Path, world: World
) -> None:
    rows = roster(5)
    rows[3]["id_number"] = rows[3]["id_number"][:-1] + (
        "1" if rows[3]["id_number"][-1] == "0" else "0"
    )
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(rows))
    result = run("roster", "import", str(path), "--county", COUNTY, "--user", "admin")
    assert result.exit_code == 1
    assert "nothing was imported" in result.output
    assert "line 5, column id_number" in result.output and "第5行「身份证号码」" in result.output
    assert cases(world) == 0


def test_a_dry_run_lists_every_problem_exits_non_zero_and_writes_nothing(
    run: Run, tmp_path: Path, world: World
) -> None:
    rows = roster(4)
    rows[0]["approved_on"] = "2025/04/01"
    rows[-1]["monthly_yuan"] = "abc"
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(rows))
    result = run("roster", "import", str(path), "--county", COUNTY, "--user", "admin", "--dry-run")
    assert result.exit_code == 1
    assert "would import" in result.output
    assert "line 2, column approved_on" in result.output
    assert f"line {len(rows) + 1}, column monthly_yuan" in result.output
    clean = tmp_path / "clean.csv"
    clean.write_bytes(roster_csv(roster(4)))
    ok = run("roster", "import", str(clean), "--county", COUNTY, "--user", "admin", "--dry-run")
    assert ok.exit_code == 0 and "would import 4 households" in ok.output
    assert cases(world) == 0


def test_an_xlsx_roster_with_chinese_headers_and_words_imports(
    run: Run, tmp_path: Path, world: World
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([HEADERS_ZH[c] for c in COLUMNS])
    words = {"dibao": "低保", "tekun": "特困", "self": "本人", "spouse": "配偶", "child": "子女"}
    for row in roster(3):
        sheet.append([words.get(row[c], row[c]) for c in COLUMNS])
    path = tmp_path / "存量.xlsx"
    book.save(path)
    result = run("roster", "import", str(path), "--county", COUNTY, "--user", "approver")
    assert result.exit_code == 0, result.output
    assert "imported 3 households" in result.output


def test_an_unknown_user_or_county_or_encoding_is_a_one_line_refusal(
    run: Run, tmp_path: Path, world: World
) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(roster(1)))
    nobody = run("roster", "import", str(path), "--county", COUNTY, "--user", "nobody")
    assert nobody.exit_code == 1 and "no active user 'nobody'" in nobody.output
    elsewhere = run("roster", "import", str(path), "--county", "510100", "--user", "admin")
    assert elsewhere.exit_code == 1 and "510100" in elsewhere.output
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(roster_csv(roster(1)).decode().encode("utf-16"))
    encoding = run("roster", "import", str(utf16), "--county", COUNTY, "--user", "admin")
    assert encoding.exit_code == 1 and "not UTF-8 / GBK text" in encoding.output
    clerk = run("roster", "import", str(path), "--county", COUNTY, "--user", "clerk")
    assert clerk.exit_code == 1 and "role_not_allowed" in clerk.output
    assert cases(world) == 0


def test_imported_cases_show_in_the_case_api_with_members_and_amount(
    run: Run,
    tmp_path: Path,
    world: World,
    client: FlaskClient,
    auth: Callable[[str], dict[str, str]],
) -> None:
    rows = roster(2)
    path = tmp_path / "roster.csv"
    path.write_bytes(roster_csv(rows))
    assert run("roster", "import", str(path), "--county", COUNTY, "--user", "admin").exit_code == 0
    with world.rt.reader() as uow:
        case_id = uow.session.scalar(select(func.min(Case.id)))
    response = client.get(f"/api/v1/cases/{case_id}", headers=auth("approver"))
    assert response.status_code == 200, response.json
    body = response.json
    assert body is not None
    household = [r for r in rows if r["household_no"] == rows[0]["household_no"]]
    assert body["state"] == "active"
    assert len(body["members"]) == len(household)
    benefit = body["benefit"]
    assert (benefit["kind"], benefit["trigger"]) == ("decided", "imported")
    assert Decimal(str(benefit["monthly_yuan"])) == Decimal(rows[0]["monthly_yuan"])


def test_the_template_has_the_chinese_headers_the_import_reads(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "roster-template.xlsx"
    result = run("roster", "template", "--out", str(out))
    assert result.exit_code == 0, result.output
    sheet = load_workbook(io.BytesIO(out.read_bytes())).worksheets[0]
    assert [c.value for c in sheet[1]] == [HEADERS_ZH[c] for c in COLUMNS]
