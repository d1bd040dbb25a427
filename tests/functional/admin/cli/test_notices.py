"""``doudi notices build`` and ``doudi notices verify``, driven as an integrator would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import func, select

from admin.documents import fonts, render
from audit.models import IssuedDocument
from engine.services import Application
from engine.states import CaseState
from tests.documents import job, notice, pdf_text
from tests.support import COUNTY, TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, World, member

Run = Callable[..., Result]
S = CaseState


@pytest.fixture
def backend() -> str:
    """Printing runs on SQLite here: the builders and the record are tested on both databases."""
    return "sqlite"


def in_notice(w: World, village: str, name: str = "王建国") -> int:
    people = [member("self", "100", name=name), member("spouse", "0")]
    case_id = w.apply(Application("dibao", village, people))
    w.to_state(case_id, S.IN_PUBLIC_NOTICE)
    return case_id


def issued_count(w: World) -> int:
    with w.rt.reader() as uow:
        return uow.session.scalar(select(func.count()).select_from(IssuedDocument)) or 0


def build(run: Run, out: Path, *extra: str, user: str = "approver", county: str = COUNTY) -> Result:
    args = ["notices", "build", "--county", county, "--kind", "notice", "--out", str(out)]
    return run(*args, "--user", user, *extra)


def test_one_pdf_per_village_each_recorded_and_verifiable(
    run: Run, world: World, tmp_path: Path
) -> None:
    in_notice(world, VILLAGE_A1, "王建国")
    in_notice(world, VILLAGE_A1, "李秀兰")
    in_notice(world, VILLAGE_A2, "赵六")
    out = tmp_path / "notices"
    result = build(run, out, "--workers", "2")
    assert result.exit_code == 0, result.output
    assert "2 villages, 3 cases, 2 files" in result.output
    files = sorted(p.name for p in out.iterdir())
    assert files == [f"{VILLAGE_A1}-notice.pdf", f"{VILLAGE_A2}-notice.pdf"]
    text = pdf_text((out / f"{VILLAGE_A1}-notice.pdf").read_bytes())
    assert "王*国" in text and "李*兰" in text and "赵*" not in text
    assert issued_count(world) == 2
    for name in files:
        verified = run("notices", "verify", str(out / name))
        assert verified.exit_code == 0 and "authentic" in verified.output


def test_a_changed_byte_an_unknown_code_and_a_stranger_file_fail_verification(
    run: Run, world: World, tmp_path: Path
) -> None:
    in_notice(world, VILLAGE_A1)
    assert build(run, tmp_path).exit_code == 0
    path = tmp_path / f"{VILLAGE_A1}-notice.pdf"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(data))
    result = run("notices", "verify", str(changed))
    assert result.exit_code == 1 and "CHANGED" in result.output

    never_issued = tmp_path / "forged.pdf"
    never_issued.write_bytes(
        render.render_pdf(
            job(
                notice.__defaults__
                and __import__(
                    "engine.documents.views", fromlist=["DocumentKind"]
                ).DocumentKind.NOTICE,
                notice(rows=1),
                code="ZZZZZZZZZZZZ",
            )
        ).data
    )
    result = run("notices", "verify", str(never_issued))
    assert result.exit_code == 1 and "unknown verification code ZZZZ-ZZZZ-ZZZZ" in result.output

    stranger = tmp_path / "other.pdf"
    stranger.write_bytes(b"%PDF-1.4\nnot ours\n%%EOF\n")
    result = run("notices", "verify", str(stranger))
    assert result.exit_code == 1 and "not a document doudi issued" in result.output


def test_nothing_to_print_writes_nothing_and_says_so(
    run: Run, world: World, tmp_path: Path
) -> None:
    result = build(run, tmp_path / "out")
    assert result.exit_code == 0 and "nothing written" in result.output
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize(
    ("county", "user", "message"),
    [
        (COUNTY, "reviewer", "outside your region"),  # a township reviewer, the whole county
        ("512099", "approver", "does not exist"),
        ("51202\x00", "approver", "does not exist"),
        (COUNTY, "nobody", "no active user"),
        (TOWNSHIP_A, "reviewer_b", "outside your region"),
    ],
)
def test_refusals_name_the_reason_and_write_nothing(
    run: Run, world: World, tmp_path: Path, county: str, user: str, message: str
) -> None:
    in_notice(world, VILLAGE_A1)
    result = build(run, tmp_path / "out", user=user, county=county)
    assert result.exit_code == 1 and message in result.output
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
    assert issued_count(world) == 0


def test_a_township_reviewer_prints_the_township(run: Run, world: World, tmp_path: Path) -> None:
    in_notice(world, VILLAGE_A1)
    result = build(run, tmp_path, user="reviewer", county=TOWNSHIP_A)
    assert result.exit_code == 0 and "1 villages" in result.output


def test_an_output_folder_that_cannot_be_written_is_refused(
    run: Run, world: World, tmp_path: Path
) -> None:
    in_notice(world, VILLAGE_A1)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = build(run, blocker / "out")
    assert result.exit_code == 1 and "cannot be written" in result.output
    assert issued_count(world) == 0


def test_a_failure_midway_leaves_no_file_and_no_record(
    run: Run, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_notice(world, VILLAGE_A1)
    in_notice(world, VILLAGE_A2)
    printed: list[str] = []
    original = render.render_pdf

    def fail_on_the_second(one: render.RenderJob) -> render.RenderedPdf:
        if printed:
            raise OSError("disk full")
        printed.append(one.document.village_code)
        return original(one)

    monkeypatch.setattr("admin.documents.batch.render_pdf", fail_on_the_second)
    with pytest.raises(OSError, match="disk full"):
        build(run, tmp_path / "out", "--workers", "1")
    assert list((tmp_path / "out").iterdir()) == []  # not even the first, nor a staging folder
    assert issued_count(world) == 0


def test_without_a_cjk_font_the_command_stops_at_once(
    run: Run, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_notice(world, VILLAGE_A1)
    monkeypatch.setattr(fonts, "installed_cjk_families", lambda: frozenset())
    result = build(run, tmp_path / "out")
    assert result.exit_code == 1 and "fonts-noto-cjk" in result.output
    assert not (tmp_path / "out").exists()


def test_a_character_no_font_has_is_named_before_anything_prints(
    run: Run, world: World, tmp_path: Path
) -> None:
    in_notice(world, VILLAGE_A1, name="\ue000王")  # masked 「\ue000*」: the character shows
    result = build(run, tmp_path / "out")
    assert result.exit_code == 1 and "U+E000" in result.output
    assert list((tmp_path / "out").iterdir()) == [] and issued_count(world) == 0
