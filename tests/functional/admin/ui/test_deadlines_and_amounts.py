"""Deadlines that explain themselves: the queue and the case page name the same deadline
with the same count, and warn before it falls due."""

from __future__ import annotations

import re

from engine.states import CaseState
from tests.support import World

#: the queue's row of a case
ROW = r'<tr class="([^"]*)" data-case="{id}">(.*?)</tr>'
#: what a page says of a case's next deadline
DUE = re.compile(
    r'class="([^"]*doudi-due[^"]*)" data-due-kind="(\w+)" data-due-on="([\d-]+)"'
    r' data-due-status="(\w+)" data-days-left="(-?\d+)">(.*?)</',
    re.S,
)


def queue_due(page: str, case_id: int) -> tuple[str, str, str, str, str]:
    """The queue's next deadline of the case: row class, kind, date, status, days left."""
    row = re.search(ROW.format(id=case_id), page, re.S)
    assert row is not None, f"case {case_id} not in the queue"
    found = DUE.search(row.group(2))
    assert found is not None, row.group(2)
    return row.group(1), *found.group(2, 3, 4, 5)  # type: ignore[return-value]


def case_due(page: str) -> tuple[str, str, str, str, str]:
    """The case page's next deadline: block class, kind, date, status, days left."""
    block = re.search(r'<div id="case-next-deadline"(.*?)</div>', page, re.S)
    assert block is not None, "the case page names no next deadline"
    found = DUE.search(block.group(1))
    assert found is not None, block.group(1)
    return found.group(1), *found.group(2, 3, 4, 5)  # type: ignore[return-value]


def test_the_queue_and_the_case_page_name_the_same_deadline_with_the_same_count(  # type: ignore[no-untyped-def]
    as_user, world: World
) -> None:
    case_id = world.apply()
    world.to_state(case_id, CaseState.ACCEPTED)  # Monday 2 March: investigation due Thursday 5
    b = as_user("clerk")
    moments = [
        (0, "due_soon", "3", "剩3天"),
        (3, "due_today", "0", "今天到期"),
        (20, "overdue", "-20", "超期20天"),
    ]
    for days, status, left, words in moments:
        world.pass_days(days)
        queue_row, *queued = queue_due(b.text("/admin/queue/"), case_id)
        page = b.text(f"/admin/case/{case_id}")
        block, *shown = case_due(page)
        assert queued == shown == ["investigation_start", "2026-03-05", status, left]
        for text in (b.text("/admin/queue/"), page):
            assert "受理后启动入户调查" in text and words in text
        # the deadlines table counts calendar days too (it said -14 working days)
        table = re.search(r'id="case-deadlines".*?</table>', page, re.S)
        assert table is not None and words in table.group(0)
        assert f"doudi-{status.replace('_', '-')}" in block
        assert f"doudi-{status.replace('_', '-')}" in queue_row


def test_due_today_and_due_soon_rows_are_highlighted(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    soon, later = world.apply(), world.apply()
    world.to_state(soon, CaseState.ACCEPTED)
    world.to_state(later, CaseState.IN_PUBLIC_NOTICE)  # the notice may close on 10 March
    page = as_user("reviewer").text("/admin/queue/")
    cls, kind, due_on, status, left = queue_due(page, later)
    assert (kind, due_on, status, left) == ("public_notice", "2026-03-10", "on_time", "8")
    assert "doudi-due-soon" not in cls and "doudi-overdue" not in cls
    page = as_user("clerk").text("/admin/queue/")
    assert "doudi-due-soon" in queue_due(page, soon)[0]
    world.pass_days(3)
    assert "doudi-due-today" in queue_due(as_user("clerk").text("/admin/queue/"), soon)[0]


def test_the_dashboard_counts_as_the_queue_shows(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    today, late = world.apply(), world.apply()
    world.to_state(late, CaseState.ACCEPTED)
    world.pass_days(1)
    world.to_state(today, CaseState.ACCEPTED)  # Tuesday 3 March: due Friday 6 March
    world.pass_days(2)  # Thursday: one due today, one due tomorrow
    b = as_user("clerk")
    statuses = {queue_due(b.text("/admin/queue/"), i)[3] for i in (today, late)}
    assert statuses == {"due_today", "due_soon"}
    home = b.text("/admin/")
    assert re.search(r'id="workload-today".*?<div class="h3[^"]*">1</div>', home, re.S)
    world.pass_days(1)
    home = b.text("/admin/")
    assert re.search(r'id="workload-overdue".*?<div class="h3[^"]*">1</div>', home, re.S)
    assert queue_due(b.text("/admin/queue/"), late)[3] == "overdue"
