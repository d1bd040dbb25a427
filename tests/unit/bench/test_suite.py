"""``make bench``: every benchmark runs in its own process and its figures land in
bench/RESULTS.md with the machine they were measured on; a failed one is recorded as such."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench import suite
from bench.suite import Run, render, run_one


def test_the_results_name_the_machine_and_each_benchmarks_command_and_figures() -> None:
    runs = [
        Run("audit_verify", ("--cases", "10"), 12.3, "verify: 100 entries ... ratio 3.1x", True),
        Run("search", (), 4.0, "Traceback ...\nValueError: boom", False),
    ]
    text = render(["- Machine: 2 CPU(s)"], runs)
    assert text.startswith("# Benchmark results")
    assert "- Machine: 2 CPU(s)" in text
    assert "## audit_verify\n" in text and "`python -m bench.audit_verify --cases 10`" in text
    assert "verify: 100 entries ... ratio 3.1x" in text
    assert "## search — FAILED" in text and "ValueError: boom" in text
    record = "## Profiles and fixes\n\n### transitions: 10 statements -> 3"
    with_record = render(["- M"], runs, record)
    assert with_record.index("## search") < with_record.index("## Profiles and fixes")
    assert with_record.endswith(record + "\n")


def test_a_benchmark_runs_in_its_own_process_and_a_failure_keeps_its_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "bench"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "fine.py").write_text("import sys\nprint('figure 42/s', sys.argv[1:])\n")
    (package / "broken.py").write_text("raise SystemExit('no database here')\n")
    monkeypatch.setattr(suite, "ROOT", tmp_path)
    fine = run_one("fine", ("--cases", "5"), "postgresql://nowhere/x")
    assert fine.ok and "figure 42/s" in fine.output and "'--cases', '5'" in fine.output
    assert "--url" in fine.output
    broken = run_one("broken", (), "postgresql://nowhere/x")
    assert not broken.ok and "no database here" in broken.output
    assert sys.executable  # the same interpreter runs the benchmark
