"""Batches print in worker processes, keep their order, and stop at the first failure."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from admin.documents.batch import _render_all, writable_folder
from engine.documents.views import DocumentKind
from engine.errors import InvalidData
from tests.documents import job, notice, pages_text


def test_workers_print_every_job_in_order() -> None:
    jobs = [job(DocumentKind.NOTICE, notice(rows=1, name=f"村民{i}")) for i in range(3)]
    seen: list[int] = []
    printed = _render_all(jobs, workers=2, progress=seen.append)
    assert [p.pages for p in printed] == [1, 1, 1] and seen == [1, 1, 1]
    assert ["村民0" in "".join(pages_text(p.data)) for p in printed] == [True, False, False]
    assert "村民2" in "".join(pages_text(printed[2].data))


def test_a_failing_job_fails_the_batch() -> None:
    broken = job(DocumentKind.NOTICE, object())  # no rows: the template cannot render it
    with pytest.raises(jinja2.UndefinedError):
        _render_all([job(DocumentKind.NOTICE, notice(rows=1)), broken], workers=2, progress=None)


def test_the_output_folder_is_created_or_refused(tmp_path: Path) -> None:
    assert writable_folder(tmp_path / "a" / "b").is_dir()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InvalidData, match="cannot be written"):
        writable_folder(blocker / "out")
