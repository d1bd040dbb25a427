"""The ``doudi`` command line: each command, its output and its exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from admin.cli import cli
from admin.demo import staff_of as demo_staff
from engine.db import make_engine
from engine.models import Case, Region, User
from engine.states import CaseState
from tests.support import REGIONS_CSV, tamper

#: the regions without their optional columns
GOOD_CSV = "\n".join(",".join(line.split(",")[:5]) for line in REGIONS_CSV.splitlines()) + "\n"
BAD_CSV = """code,name,parent_code,level,area_type
512022,乐至县,,county,rural
51202210,童家镇,512022,township,rural
512022101201,白塔村,512022999,village,rural
512022101202,观音桥村,512022101,village,forest
"""


def scalar(db_url: str, sql: str) -> object:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        value = conn.execute(text(sql)).scalar()
    engine.dispose()
    return value


def write(tmp_path: Path, name: str, content: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_text(content, encoding=encoding)
    return str(path)


def test_db_upgrade_creates_then_reports_current(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOUDI_DATABASE_URL", f"sqlite:///{tmp_path / 'new.sqlite3'}")
    first = CliRunner().invoke(cli, ["db", "upgrade"])
    assert first.exit_code == 0 and "migrated from empty" in first.output
    second = CliRunner().invoke(cli, ["db", "upgrade"])
    assert second.exit_code == 0 and "already at revision" in second.output


def test_db_current_check_fails_until_the_database_is_at_the_code_revision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOUDI_DATABASE_URL", f"sqlite:///{tmp_path / 'new.sqlite3'}")
    behind = CliRunner().invoke(cli, ["db", "current", "--check"])
    assert behind.exit_code == 1 and "database: empty" in behind.output
    CliRunner().invoke(cli, ["db", "upgrade"])
    assert CliRunner().invoke(cli, ["db", "current", "--check"]).exit_code == 0


def test_db_grant_prints_the_application_role_rights_and_refuses_bad_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOUDI_DATABASE_URL", f"sqlite:///{tmp_path / 'new.sqlite3'}")
    printed = CliRunner().invoke(cli, ["db", "grant", "doudi_app", "--print"])
    assert printed.exit_code == 0
    assert 'GRANT SELECT, INSERT ON "audit_entry" TO "doudi_app";' in printed.output
    assert 'GRANT SELECT, INSERT, UPDATE, DELETE ON "case_file" TO "doudi_app";' in printed.output
    bad = CliRunner().invoke(cli, ["db", "grant", "app; DROP TABLE x", "--print"])
    assert bad.exit_code == 2 and "role name" in bad.output
    on_sqlite = CliRunner().invoke(cli, ["db", "upgrade", "--grant-to", "doudi_app"])
    assert on_sqlite.exit_code == 1 and "only on PostgreSQL" in on_sqlite.output
    assert "Traceback" not in on_sqlite.output


def test_commands_refuse_an_unmigrated_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOUDI_DATABASE_URL", f"sqlite:///{tmp_path / 'new.sqlite3'}")
    result = CliRunner().invoke(cli, ["audit", "verify"])
    assert result.exit_code == 1 and "doudi db upgrade" in result.output


class TestRegionsImport:
    def test_imports_then_changes_nothing_the_second_time(
        self,
        run,
        tmp_path: Path,  # type: ignore[no-untyped-def]
        db_url: str,
    ) -> None:
        path = write(tmp_path, "regions.csv", GOOD_CSV)
        first = run("regions", "import", path)
        assert first.exit_code == 0 and "6 created" in first.output
        second = run("regions", "import", path)
        assert second.exit_code == 0 and "0 created, 0 updated, 6 unchanged" in second.output

    def test_a_renamed_village_is_updated(self, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        run("regions", "import", write(tmp_path, "a.csv", GOOD_CSV))
        renamed = GOOD_CSV.replace("白塔村", "白塔社区")
        result = run("regions", "import", write(tmp_path, "b.csv", renamed))
        assert "1 updated" in result.output

    def test_row_errors_are_listed_and_nothing_is_imported(
        self,
        run,
        tmp_path: Path,  # type: ignore[no-untyped-def]
        db_url: str,
    ) -> None:
        result = run("regions", "import", write(tmp_path, "bad.csv", BAD_CSV))
        assert result.exit_code == 1
        assert "line 3, code" in result.output  # 8-digit township code
        assert "line 4, parent_code" in result.output
        assert "line 5, area_type" in result.output
        assert scalar(db_url, "SELECT count(*) FROM region") == 0

    def test_a_village_listed_before_its_township_is_fine(self, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        lines = GOOD_CSV.strip().splitlines()
        shuffled = "\n".join([lines[0], *reversed(lines[1:])]) + "\n"
        assert run("regions", "import", write(tmp_path, "r.csv", shuffled)).exit_code == 0

    @pytest.mark.parametrize(
        ("content", "encoding", "message"),
        [
            ("code,name\n512022,乐至县\n", "utf-8", "missing columns"),
            (GOOD_CSV, "gbk", "not UTF-8"),
        ],
    )
    def test_unreadable_files_fail_with_one_line(
        self,
        run,
        tmp_path: Path,
        content: str,  # type: ignore[no-untyped-def]
        encoding: str,
        message: str,
    ) -> None:
        result = run("regions", "import", write(tmp_path, "x.csv", content, encoding))
        assert result.exit_code == 1 and message in result.output


class TestUsers:
    def test_create_and_refuse_a_duplicate(self, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        run("regions", "import", write(tmp_path, "r.csv", GOOD_CSV))
        args = (
            "users",
            "create",
            "--username",
            "zhang",
            "--role",
            "reviewer",
            "--region",
            "512022101",
            "--password",
            "s3cret-pass",
        )
        ok = run(*args)
        assert ok.exit_code == 0 and "user zhang created" in ok.output
        again = run(*args)
        assert again.exit_code == 1 and "username_taken" in again.output
        listed = run("users", "list")
        assert "zhang" in listed.output and "reviewer" in listed.output

    @pytest.mark.parametrize(
        ("extra", "message"),
        [
            (("--region", "999999"), "region"),
            (("--region", "512022", "--password", "short"), "password"),
            (("--region", "512022", "--id-number", "110105194912310021"), "id_number"),
        ],
    )
    def test_bad_input_names_the_field(
        self,
        run,
        tmp_path: Path,
        extra: tuple[str, ...],  # type: ignore[no-untyped-def]
        message: str,
    ) -> None:
        run("regions", "import", write(tmp_path, "r.csv", GOOD_CSV))
        args = ["users", "create", "--username", "li", "--role", "clerk", *extra]
        if "--password" not in extra:
            args += ["--password", "long-enough-pw"]
        result = run(*args)
        assert result.exit_code == 1 and message in result.output


def test_demo_covers_every_state_is_idempotent_and_verifies(run, db_url: str) -> None:  # type: ignore[no-untyped-def]
    first = run("demo", "--households", "40")
    assert first.exit_code == 0, first.output
    assert "40 households created" in first.output and "doudi-demo-2024" in first.output
    engine = make_engine(db_url)
    with engine.connect() as conn:
        states = set(conn.execute(select(Case.state).distinct()).scalars())
        regions = conn.execute(select(func.count()).select_from(Region)).scalar()
        roles = set(conn.execute(select(User.role).distinct()).scalars())
    engine.dispose()
    assert states == set(CaseState)
    assert regions == 20
    # every role, the village coordinator (救助协理员) too
    assert roles == {"clerk", "reviewer", "approver", "inspector", "admin", "coordinator"}
    assert "monitoring: 8 people and 3 warnings added" in first.output
    # 15 villages × 4 cadres, 4 townships × 2 officers, and the cadre living in household 3
    assert "registry: 69 officials" in first.output
    second = run("demo", "--households", "40")
    assert "0 households created (40 already present)" in second.output
    assert "registry: 0 officials and 0 declared relatives added" in second.output
    assert "monitoring: 0 people and 0 warnings added" in second.output
    # planted conflicts: flagged at submission, filed before the notice closed, visited
    filed = scalar(db_url, "SELECT count(DISTINCT case_id) FROM kinship_filing")
    flagged = scalar(
        db_url, "SELECT count(DISTINCT case_id) FROM kinship_flag WHERE vanished_at IS NULL"
    )
    assert flagged >= 2 and filed >= 1
    assert run("kinship", "scan").stdout.startswith("kinship flags: 0 new")
    verified = run("audit", "verify")
    assert verified.exit_code == 0 and "all chains intact: 40 cases" in verified.output


def test_audit_verify_names_the_first_broken_entry(run, db_url: str) -> None:  # type: ignore[no-untyped-def]
    run("demo", "--households", "16")
    first = scalar(db_url, "SELECT min(case_id) FROM audit_entry WHERE seq = 3 AND case_id > 1")
    second = scalar(db_url, f"SELECT min(case_id) FROM audit_entry WHERE case_id > {first}")
    tamper(
        db_url,
        f"UPDATE audit_entry SET reason = 'edited' WHERE case_id = {first} AND seq = 3",
        f"UPDATE audit_entry SET actor = 'someone' WHERE case_id = {second} AND seq = 1",
    )
    result = run("audit", "verify")
    assert result.exit_code == 1
    assert f"case {first}: entry 3: entry 3 was altered" in result.output
    assert f"case {second}: entry 1" in result.output
    assert "2 broken chain(s)" in result.output


def test_cases_advance_uses_the_service(run, db_url: str) -> None:  # type: ignore[no-untyped-def]
    run("demo", "--households", "16")
    submitted = scalar(db_url, "SELECT id FROM case_file WHERE state = 'submitted' LIMIT 1")
    village = str(scalar(db_url, f"SELECT village_code FROM case_file WHERE id = {submitted}"))
    clerk = demo_staff(village[:9])[0]
    ok = run("cases", "advance", str(submitted), "accept", "--user", clerk)
    assert ok.exit_code == 0 and "-> accepted" in ok.output
    refused = run("cases", "advance", str(submitted), "approve", "--user", clerk)
    assert refused.exit_code == 1 and "role_not_allowed" in refused.output
    unknown = run("cases", "advance", str(submitted), "accept", "--user", "nobody")
    assert unknown.exit_code == 1


def _doudi(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "doudi"
    return subprocess.run(
        [str(script), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"DOUDI_ENV": "development", "DOUDI_NOW": "2026-03-02T10:00:00+08:00"},
            "only allowed with DOUDI_ENV=test",
        ),
        ({"DOUDI_ENV": "production"}, "DOUDI_SECRET_KEY is required"),
        ({"DOUDI_ENV": "staging"}, "DOUDI_ENV must be one of"),
        ({"DOUDI_ENV": "test", "DOUDI_NOW": "next tuesday"}, "ISO 8601"),
    ],
)
def test_the_app_refuses_to_start_with_bad_configuration(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    base = {"DOUDI_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    result = _doudi(base | env, "db", "current")
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_doudi_now_freezes_the_clock_in_test(tmp_path: Path) -> None:
    env = {
        "DOUDI_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "DOUDI_ENV": "test",
        "DOUDI_NOW": "2026-03-02T10:00:00+08:00",
    }
    assert _doudi(env, "db", "upgrade").returncode == 0
    assert _doudi(env, "demo", "--households", "1").returncode == 0
    created = scalar(env["DOUDI_DATABASE_URL"], "SELECT min(created_at) FROM app_user")
    assert str(created).startswith("2026-03-02 02:00:00")


def test_regions_carry_an_optional_population(run, tmp_path: Path, db_url: str) -> None:  # type: ignore[no-untyped-def]
    lines = GOOD_CSV.strip().splitlines()
    with_population = (
        "\n".join(
            [lines[0] + ",population"]
            + [
                line + (",2150" if line.count(",") == 4 and len(line.split(",")[0]) == 12 else ",")
                for line in lines[1:]
            ]
        )
        + "\n"
    )
    assert run("regions", "import", write(tmp_path, "p.csv", with_population)).exit_code == 0
    assert scalar(db_url, "SELECT sum(population) FROM region") == 2150 * 3
    bad = with_population.replace(",2150", ",many", 1)
    result = run("regions", "import", write(tmp_path, "b.csv", bad))
    assert result.exit_code == 1 and "population" in result.output


def test_regions_carry_the_contacts_documents_print(run, tmp_path: Path, db_url: str) -> None:  # type: ignore[no-untyped-def]
    assert run("regions", "import", write(tmp_path, "r.csv", REGIONS_CSV)).exit_code == 0
    assert scalar(db_url, "SELECT phone FROM region WHERE code = '512022101'") == "028-0000 0121"
    assert scalar(db_url, "SELECT court FROM region WHERE code = '512022'") == "乐至县人民法院"
    again = run("regions", "import", write(tmp_path, "r.csv", REGIONS_CSV))
    assert "0 created, 0 updated, 6 unchanged" in again.output
    # an empty contact column keeps what is stored
    assert run("regions", "import", write(tmp_path, "g.csv", GOOD_CSV)).exit_code == 0
    assert scalar(db_url, "SELECT authority FROM region WHERE code = '512022'") == "乐至县民政局"

    bad_phone = REGIONS_CSV.replace("028-0000 0121", "call 0121")
    result = run("regions", "import", write(tmp_path, "b.csv", bad_phone))
    assert result.exit_code == 1 and "line 3, phone" in result.output
    township_appeal = REGIONS_CSV.replace(
        "童家镇社会事务办公室,028-0000 0121,,", "童家镇社会事务办公室,028-0000 0121,某政府,"
    )
    result = run("regions", "import", write(tmp_path, "t.csv", township_appeal))
    assert result.exit_code == 1 and "reconsideration_body" in result.output
    assert scalar(db_url, "SELECT phone FROM region WHERE code = '512022101'") == "028-0000 0121"
