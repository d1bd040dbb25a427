"""The benchmarks' machine CPU reading (bench.support.machine_busy_seconds)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench import support


def test_busy_time_counts_work_and_leaves_out_idle_disk_waits_and_steal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stat = tmp_path / "stat"
    # user nice system idle iowait irq softirq steal guest guest_nice
    stat.write_text("cpu  100 20 30 5000 400 5 6 700 0 0\ncpu0 50 10 15 2500 200 2 3 350 0 0\n")
    monkeypatch.setattr(support, "PROC_STAT", stat)
    ticks = os.sysconf("SC_CLK_TCK")
    assert support.machine_busy_seconds() == pytest.approx((100 + 20 + 30 + 5 + 6) / ticks)


def test_a_machine_without_the_counters_has_no_busy_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(support, "PROC_STAT", tmp_path / "absent")
    assert support.machine_busy_seconds() is None
