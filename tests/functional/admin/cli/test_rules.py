"""``doudi`` commands for policy, bulk runs, payment rolls, statistics and receipt replay."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from openpyxl import load_workbook
from sqlalchemy import select

from audit.models import LedgerEntry
from engine.states import CaseState
from tests.support import T0, World, application, tamper

Run = Callable[..., Result]


@pytest.fixture
def cli_now(monkeypatch: pytest.MonkeyPatch, world: World) -> World:
    """Run commands on the world's clock (DOUDI_NOW), after it has been seeded."""
    monkeypatch.setenv("DOUDI_NOW", world.clock.now().isoformat())
    return world


def active_case(w: World) -> int:
    case_id = w.apply(application(members=2))
    w.to_state(case_id, CaseState.ACTIVE)
    return case_id


def test_standards_set_and_list(run: Run, cli_now: World) -> None:
    ok = run(
        "standards",
        "set",
        "--county",
        "512022",
        "--area-type",
        "rural",
        "--category",
        "dibao",
        "--monthly-yuan",
        "560",
        "--effective-from",
        "2026-07-01",
        "--source",
        "县政府文件（测试）",
        "--user",
        "admin",
    )
    assert ok.exit_code == 0, ok.output
    listed = run("standards", "list", "--county", "512022")
    assert "560.00 from 2026-07-01" in listed.output and "533.00 from 2024-01-01" in listed.output
    bad = run(
        "standards",
        "set",
        "--county",
        "512022",
        "--area-type",
        "rural",
        "--category",
        "dibao",
        "--monthly-yuan",
        "-3",
        "--effective-from",
        "2026-08-01",
        "--source",
        "x",
        "--user",
        "admin",
    )
    assert bad.exit_code == 1 and "monthly_yuan" in bad.output
    clerk = run(
        "standards",
        "set",
        "--county",
        "512022",
        "--area-type",
        "rural",
        "--category",
        "dibao",
        "--monthly-yuan",
        "600",
        "--effective-from",
        "2026-08-01",
        "--source",
        "x",
        "--user",
        "clerk",
    )
    assert clerk.exit_code == 1 and "role_not_allowed" in clerk.output


def test_parameters_set_and_list(run: Run, cli_now: World) -> None:
    ok = run(
        "parameters",
        "set",
        "--county",
        "512022",
        "--name",
        "phase_out_months",
        "--value",
        "3",
        "--effective-from",
        "2026-01-01",
        "--source",
        "县文件",
        "--user",
        "admin",
    )
    assert ok.exit_code == 0, ok.output
    assert "3" in run("parameters", "list", "--county", "512022").output
    bad = run(
        "parameters",
        "set",
        "--county",
        "512022",
        "--name",
        "phase_out_months",
        "--value",
        "9",
        "--effective-from",
        "2026-02-01",
        "--source",
        "x",
        "--user",
        "admin",
    )
    assert bad.exit_code == 1 and "value" in bad.output
    unknown = run(
        "parameters",
        "set",
        "--county",
        "512022",
        "--name",
        "bonus",
        "--value",
        "1",
        "--effective-from",
        "2026-02-01",
        "--source",
        "x",
        "--user",
        "admin",
    )
    assert unknown.exit_code == 2


def test_rechecks_start_due_then_nothing_on_the_second_run(run: Run, cli_now: World) -> None:
    ids = [active_case(cli_now) for _ in range(3)]
    first = run("rechecks", "start-due", "--as-of", "2027-06-01", "--user", "reviewer")
    assert first.exit_code == 0, first.output
    assert "rechecks started: 3 case(s)" in first.output
    second = run("rechecks", "start-due", "--as-of", "2027-06-01", "--user", "reviewer")
    assert "rechecks started: 0 case(s)" in second.output
    assert len(ids) == 3
    bad = run("rechecks", "start-due", "--as-of", "next year", "--user", "reviewer")
    assert bad.exit_code == 2


def test_phase_out_end_due(run: Run, cli_now: World) -> None:
    result = run("phase-out", "end-due", "--as-of", "2027-01-01", "--user", "approver")
    assert result.exit_code == 0 and "phase-outs ended: 0 case(s)" in result.output


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_the_payment_roll_is_written_and_audited(
    run: Run, cli_now: World, tmp_path: Path, suffix: str
) -> None:
    case_id = active_case(cli_now)  # approved in March 2026
    out = tmp_path / f"roll.{suffix}"
    result = run("payments", "roll", "2026-04", "--out", str(out), "--user", "approver")
    assert result.exit_code == 0, result.output
    assert "1 payments, 566.00 yuan" in result.output  # 533 × 2 − (300 + 200)
    if suffix == "xlsx":
        rows = list(load_workbook(out).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    else:
        assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8
        rows = list(csv.reader(out.read_text("utf-8-sig").splitlines()))
    assert rows[0][0] == "序号" and str(rows[1][1]) == str(case_id)
    assert float(rows[1][8]) == 566.0
    with cli_now.rt.reader() as uow:
        entry = uow.session.scalars(
            select(LedgerEntry).where(LedgerEntry.event == "payment_roll")
        ).one()
    payload = json.loads(entry.payload)
    assert payload["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert (payload["month"], payload["rows"], payload["total_yuan"]) == ("2026-04", 1, "566.00")


def test_payment_roll_bad_input(run: Run, cli_now: World, tmp_path: Path) -> None:
    tmp_path = tmp_path / "rolls"
    tmp_path.mkdir()
    pdf = run("payments", "roll", "2026-04", "--out", str(tmp_path / "r.pdf"), "--user", "approver")
    assert pdf.exit_code == 2 and ".xlsx or .csv" in pdf.output
    month = run("payments", "roll", "April", "--out", str(tmp_path / "r.csv"), "--user", "approver")
    assert month.exit_code == 1 and "YYYY-MM" in month.output
    clerk = run("payments", "roll", "2026-04", "--out", str(tmp_path / "r.csv"), "--user", "clerk")
    assert clerk.exit_code == 1
    assert not (tmp_path / "r.csv").exists()
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_stats_prints_the_county_figures(run: Run, cli_now: World) -> None:
    active_case(cli_now)
    result = run("stats", "--year", "2026", "--user", "inspector")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)["figures"]
    assert figures["new_enrollments"]["dibao"]["households"] == 1


def test_audit_replay_matches_then_names_a_forged_result(run: Run, cli_now: World) -> None:
    case_id = active_case(cli_now)
    ok = run("audit", "replay", str(case_id))
    assert ok.exit_code == 0
    assert "propose: 566 yuan, matches" in ok.output and "approve: 566 yuan, matches" in ok.output
    tamper(
        cli_now.rt.settings.database_url,
        'UPDATE audit_entry SET payload = replace(payload, \'"monthly_yuan":"566"\', '
        f"'\"monthly_yuan\":\"666\"') WHERE case_id = {case_id} AND trigger = 'approve'",
    )
    forged = run("audit", "replay", str(case_id))
    assert forged.exit_code == 1
    assert "approve: DIFFERS" in forged.output and "recomputed '566'" in forged.output
    assert run("audit", "verify").exit_code == 1  # the chain catches it too


def test_the_frozen_clock_is_the_worlds(cli_now: World) -> None:
    assert cli_now.clock.now() == T0


def test_the_payment_roll_carries_no_live_formula(run: Run, cli_now: World, tmp_path: Path) -> None:
    app = application(members=2)
    app.members[0] = app.members[0].__class__(**{**vars(app.members[0]), "name": "=1+2"})
    case_id = cli_now.apply(app)
    cli_now.to_state(case_id, CaseState.ACTIVE)
    out = tmp_path / "roll.xlsx"
    assert (
        run("payments", "roll", "2026-04", "--out", str(out), "--user", "approver").exit_code == 0
    )
    values = [c for r in load_workbook(out).active.iter_rows(values_only=True) for c in r]  # type: ignore[union-attr]
    assert "'=1+2" in values and "=1+2" not in values
