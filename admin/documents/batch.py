"""Printing a county's village notices at once: one PDF per village, in worker processes.

The files are written to a hidden staging folder inside the output folder
and moved into place only after every one printed and all were recorded as
issued in one transaction. An error or an interruption leaves no file that
looks complete and no record of documents nobody received.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from admin.documents.issue import IssuedFile, jobs_for, prepare_village_documents, record
from admin.documents.render import RenderedPdf, RenderJob, render_pdf
from admin.runtime import Runtime
from engine.documents.notices import village_kind
from engine.errors import InvalidData, invalid_field
from engine.ports import Actor


@dataclass(frozen=True)
class BuildReport:
    """What a batch printed."""

    villages: int
    cases: int
    files: tuple[Path, ...]
    pages: int
    seconds: float


#: the hidden folders a batch stages its files in: .doudi-partial-<pid>-<random>
STAGING_PREFIX = ".doudi-partial-"


def clear_abandoned(folder: Path) -> None:
    """Remove the staging folders of runs that were killed (their process is gone)."""
    for staging in folder.glob(f"{STAGING_PREFIX}*"):
        pid = staging.name.removeprefix(STAGING_PREFIX).split("-", 1)[0]
        if pid.isascii() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(staging, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def default_workers() -> int:
    """One worker per core."""
    return max(1, os.cpu_count() or 1)


def writable_folder(out_dir: Path) -> Path:
    """The output folder, created if missing; refused when it cannot be written."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out_dir, prefix=".doudi-probe-")  # noqa: SIM115
        probe.close()
    except OSError as err:
        raise InvalidData(
            f"输出目录无法写入：{out_dir}（{err.strerror or err}）",
            f"the output folder cannot be written: {out_dir} ({err.strerror or err})",
            code="output_not_writable",
            problems=[invalid_field("out", "输出目录无法写入", "folder not writable")],
        ) from None
    return out_dir


def build_village_documents(
    rt: Runtime,
    actor: Actor,
    region_code: str,
    kind: str,
    out_dir: Path,
    *,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> BuildReport:
    """Print the notices (or publications) of every village of the region into ``out_dir``.

    ``on_start`` learns how many files will be printed; ``progress`` is told
    of each one printed. Files are named ``<village_code>-<kind>.pdf``.
    """
    started = time.perf_counter()
    wanted = village_kind(kind)
    folder = writable_folder(out_dir)
    prepared = prepare_village_documents(rt, actor, region_code, wanted)
    if not prepared:
        return BuildReport(0, 0, (), 0, time.perf_counter() - started)
    jobs = jobs_for(rt, prepared)
    if on_start is not None:
        on_start(len(jobs))
    clear_abandoned(folder)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=folder))
    try:
        rendered = _render_all(jobs, workers or default_workers(), progress)
        files = [
            IssuedFile(pdf.data, job.verification.code, pdf.pages, item.scope)
            for job, pdf, item in zip(jobs, rendered, prepared, strict=True)
        ]
        for issued in files:
            (staging / issued.filename).write_bytes(issued.data)
        record(rt, actor, jobs, files)
        placed = []
        for issued in files:
            target = folder / issued.filename
            os.replace(staging / issued.filename, target)
            placed.append(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BuildReport(
        villages=len(files),
        cases=sum(len(f.scope.cases) for f in files),
        files=tuple(placed),
        pages=sum(f.pages for f in files),
        seconds=time.perf_counter() - started,
    )


def _render_all(
    jobs: list[RenderJob], workers: int, progress: Callable[[int], None] | None
) -> list[RenderedPdf]:
    """Print every job, in worker processes when there are several; keep the jobs' order."""
    results: list[RenderedPdf | None] = [None] * len(jobs)
    if workers <= 1 or len(jobs) == 1:
        for index, job in enumerate(jobs):
            results[index] = render_pdf(job)
            if progress is not None:
                progress(1)
    else:
        # spawn, not fork: the parent holds database connections a forked child must not share
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context)
        try:
            futures = {pool.submit(render_pdf, job): index for index, job in enumerate(jobs)}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                if progress is not None:
                    progress(1)
        finally:
            # on an error or Ctrl+C, drop what has not started rather than print it all first
            pool.shutdown(wait=True, cancel_futures=True)
    return [r for r in results if r is not None]
