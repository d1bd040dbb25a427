"""`doudi crosscheck import` and `doudi crosscheck resolve`, driven as an integrator drives them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from sqlalchemy import select

from engine.models import CrosscheckFlag
from engine.states import CaseState
from tests.support import World, application, department_file

Run = Callable[..., Result]


def enrolled(w: World) -> tuple[int, list[tuple[str, str]]]:
    app = application(2)
    case_id = w.apply(app)
    w.to_state(case_id, CaseState.ACTIVE)
    return case_id, [(m.id_number, m.name) for m in app.members]


def test_import_prints_what_it_raised_and_a_second_import_raises_nothing(
    run: Run, tmp_path: Path, world: World
) -> None:
    _, people = enrolled(world)
    path = tmp_path / "车辆.csv"
    path.write_bytes(department_file("vehicles", [people[0]]))
    first = run("crosscheck", "import", "vehicles", str(path), "--user", "approver")
    assert first.exit_code == 0, first.output
    assert "1 flags raised on 1 cases, 0 raised before" in first.output
    second = run("crosscheck", "import", "vehicles", str(path), "--user", "approver")
    assert second.exit_code == 0 and "0 flags raised on 0 cases, 1 raised before" in second.output


def test_a_flag_is_resolved_from_the_command_line(run: Run, tmp_path: Path, world: World) -> None:
    case_id, people = enrolled(world)
    path = tmp_path / "subsidies.csv"
    path.write_bytes(department_file("subsidies", [people[1]]))
    assert run("crosscheck", "import", "subsidies", str(path), "--user", "approver").exit_code == 0
    with world.rt.reader() as uow:
        flag_id = uow.session.scalar(select(CrosscheckFlag.id))
    done = run(
        "crosscheck", "resolve", str(flag_id), "--outcome", "explained",
        "--reason", "耕地地力补贴不计入家庭收入", "--user", "clerk",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert f"case {case_id} is active" in done.output
    again = run(
        "crosscheck", "resolve", str(flag_id), "--outcome", "explained", "--reason", "x",
        "--user", "clerk",
    )  # fmt: skip
    assert again.exit_code == 1 and "already_resolved" in again.output


def test_the_wrong_kind_of_file_an_encoding_or_a_bad_row_is_a_plain_refusal(
    run: Run, tmp_path: Path, world: World
) -> None:
    _, people = enrolled(world)
    vehicles = tmp_path / "vehicles.csv"
    vehicles.write_bytes(department_file("vehicles", [people[0]]))
    wrong = run("crosscheck", "import", "deaths", str(vehicles), "--user", "approver")
    assert wrong.exit_code == 1 and "not deaths and cremations data" in wrong.output
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(department_file("vehicles", [people[0]]).decode().encode("utf-16"))
    encoding = run("crosscheck", "import", "vehicles", str(utf16), "--user", "approver")
    assert encoding.exit_code == 1 and "not UTF-8 / GBK text" in encoding.output
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(department_file("vehicles", [people[0]]).decode().encode("gbk"))
    assert run("crosscheck", "import", "vehicles", str(gbk), "--user", "approver").exit_code == 0
    bad = tmp_path / "bad.csv"
    bad.write_bytes(department_file("deaths", [people[0]], died_on="2099-01-01"))
    refused = run("crosscheck", "import", "deaths", str(bad), "--user", "approver")
    assert refused.exit_code == 1 and "line 2, column died_on" in refused.output
    unknown = run("crosscheck", "import", "horses", str(bad), "--user", "approver")
    assert unknown.exit_code == 2 and "horses" in unknown.output


def test_a_flag_number_out_of_range_is_a_usage_error(run: Run, world: World) -> None:
    result = run(
        "crosscheck", "resolve", "99999999999999999999", "--outcome", "explained",
        "--reason", "x", "--user", "clerk",
    )  # fmt: skip
    assert result.exit_code == 2 and "FLAG_ID" in result.output


def test_the_operator_at_the_terminal_imports_for_every_county(
    run: Run, tmp_path: Path, world: World
) -> None:
    _, people = enrolled(world)
    path = tmp_path / "vehicles.csv"
    path.write_bytes(department_file("vehicles", [people[0]]))
    result = run("crosscheck", "import", "vehicles", str(path))
    assert result.exit_code == 0 and "1 flags raised" in result.output, result.output
