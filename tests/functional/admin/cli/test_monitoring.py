"""`doudi monitoring import`, `signal` and `warnings`, driven as an integrator drives them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from tests.support import World, person, register_file

Run = Callable[..., Result]


def test_the_register_is_imported_a_signal_raises_a_warning_and_it_is_listed(
    run: Run, tmp_path: Path, world: World
) -> None:
    one = person()
    path = tmp_path / "监测对象.csv"
    path.write_bytes(register_file([one, {**one, "tag": "脱贫户"}]))
    first = run("monitoring", "import", str(path), "--user", "clerk")
    assert first.exit_code == 0, first.output
    assert "1 people added, 2 tags added, 0 unchanged" in first.output
    again = run("monitoring", "import", str(path), "--user", "clerk")
    assert "0 people added, 0 tags added, 2 unchanged" in again.output
    raised = run(
        "monitoring", "signal", one["id_number"], "--signal", "hospital_bill",
        "--on", "2026-01-05", "--detail", "住院", "--amount-yuan", "32000", "--user", "clerk",
    )  # fmt: skip
    assert raised.exit_code == 0 and "raised" in raised.output, raised.output
    small = run(
        "monitoring", "signal", one["id_number"], "--signal", "hospital_bill",
        "--on", "2026-01-06", "--detail", "门诊", "--amount-yuan", "300", "--user", "clerk",
    )  # fmt: skip
    assert small.exit_code == 0 and "no new warning" in small.output
    listed = run("monitoring", "warnings", "--user", "reviewer")
    assert (
        listed.exit_code == 0
        and "hospital_bill" in listed.output
        and "1 warning(s)" in listed.output
    )


def test_a_bad_register_file_or_unknown_person_is_a_plain_refusal(
    run: Run, tmp_path: Path, world: World
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(register_file([{**person(), "tagged_on": "2026/01/01"}]))
    bad = run("monitoring", "import", str(path), "--user", "clerk")
    assert bad.exit_code == 1 and "line 2, column tagged_on" in bad.output
    unknown = run(
        "monitoring", "signal", "110101199001011237", "--signal", "job_loss",
        "--on", "2026-01-05", "--detail", "失业", "--user", "clerk",
    )  # fmt: skip
    assert unknown.exit_code == 1 and "not_monitored" in unknown.output


def test_an_amount_no_one_writes_is_a_usage_error(run: Run, tmp_path: Path, world: World) -> None:
    one = person()
    path = tmp_path / "r.csv"
    path.write_bytes(register_file([one]))
    assert run("monitoring", "import", str(path), "--user", "clerk").exit_code == 0
    for bad in ("abc", "NaN", "1e30", "0.001", "-5"):
        result = run(
            "monitoring", "signal", one["id_number"], "--signal", "hospital_bill",
            "--on", "2026-01-05", "--detail", "住院", "--amount-yuan", bad, "--user", "clerk",
        )  # fmt: skip
        assert result.exit_code == 2 and "--amount-yuan" in result.output, (bad, result.output)
