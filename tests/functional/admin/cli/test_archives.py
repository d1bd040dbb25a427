"""``doudi archives due``: the household files past their retention period, listed, not deleted."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from tests.support import World

Run = Callable[..., Result]


def test_archives_due_lists_files_past_their_period_and_deletes_nothing(
    run: Run, world: World, tmp_path: Path
) -> None:
    case_id = world.apply()
    world.fire(case_id, "withdraw", "clerk", "申请人撤回")
    early = run("archives", "due", "--county", "512022", "--as-of", "2028-01-01")
    assert early.exit_code == 0 and "0 file(s) past their retention period" in early.output
    out = tmp_path / "due.csv"
    listed = run(
        "archives", "due", "--county", "512022", "--as-of", "2030-01-01", "--out", str(out)
    )
    assert listed.exit_code == 0 and "1 file(s) past their period" in listed.output
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    assert rows[1][3] == "审核确认类" and rows[1][4] == str(case_id)
    again = run("archives", "due", "--county", "512022", "--as-of", "2030-01-01")
    assert "1 file(s) past their retention period" in again.output  # still there: kept
    bad = run("archives", "due", "--county", "512022", "--as-of", "someday")
    assert bad.exit_code == 2 and "--as-of" in bad.output
