"""Deadlines and amounts that explain themselves: the queue and the case page name the same
deadline with the same count, warn before it falls due, and the benefit adds up on screen."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from engine.services import Application, IncomeInput
from engine.services.policy import NewParameter, set_parameter
from engine.states import CaseState
from tests.support import COUNTY, VILLAGE_A1, World, member

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


def proposed_with_supplement(world: World) -> int:
    """A household of three: wages 300, a basic pension (not counted) and a seriously ill
    member with the county's 10 % classified supplement: 1599 − 300 + 53.30 = 1352.30."""
    set_parameter(
        world.uow(),
        world.actors["admin"],
        NewParameter(
            COUNTY, "classified_supplement_rate", "0.1", dt.date(2026, 1, 1), "县文件（测试）"
        ),
    )
    app = Application(
        "dibao",
        VILLAGE_A1,
        [
            member("self", "300", serious_illness=True),
            member("spouse", incomes=[IncomeInput("pension_basic", Decimal(150))]),
            member("child"),
        ],
    )
    case_id = world.apply(app)
    world.to_state(case_id, CaseState.INITIAL_REVIEWED)
    return case_id


#: one line of the benefit's explanation: code, part, kind, amount
LINE = re.compile(
    r'<tr class="doudi-line[^"]*" data-code="([\w.]+)" data-part="(\w+)" data-kind="(\w+)">'
    r'.*?<td class="text-right">([^<]*)</td>',
    re.S,
)


def test_the_breakdown_adds_up_with_its_rounding_line(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = proposed_with_supplement(world)
    page = as_user("reviewer").text(f"/admin/case/{case_id}")
    card = re.search(r'id="case-benefit".*?id="case-deadlines"', page, re.S)
    assert card is not None
    html = card.group(0)
    shown = LINE.findall(html)
    assert shown, html
    # every figure to the fen (no "53.300"), and none with more decimals anywhere in the card
    assert all(re.fullmatch(r"-?\d+\.\d\d", amount) for *_, amount in shown)
    assert not re.search(r"\d\.\d{3}", html)
    lines = [(code, part, kind, Decimal(amount)) for code, part, kind, amount in shown]

    def part(name: str) -> list[tuple[str, str, Decimal]]:
        return [(code, kind, a) for code, p, kind, a in lines if p == name]

    amount = part("amount")
    figures = {code: a for code, _, a in amount}
    # the terms add up to each subtotal below them, and to the monthly amount
    running = Decimal(0)
    for code, kind, a in amount:
        if kind == "term":
            running += a
        else:
            assert a == running, (code, a, running)
    assert [code for code, _, _ in amount] == [
        "standard.total",
        "counted.less",
        "base",
        "supplement.classified",
        "subtotal",
        "rounding.yuan",
        "monthly",
    ]
    assert (figures["base"], figures["supplement.classified"]) == (Decimal(1299), Decimal("53.30"))
    assert (figures["subtotal"], figures["rounding.yuan"]) == (Decimal("1352.30"), Decimal("-0.30"))
    assert figures["monthly"] == Decimal(1352)
    assert "按元四舍五入" in html and "1352.00" in re.sub(r"\s+", "", html)
    # the counted income adds up to what the amount subtracts
    counted = part("counted")
    assert [(c, k) for c, k, _ in counted] == [
        ("income.wages", "term"),
        ("counted.total", "subtotal"),
    ]
    assert counted[-1][2] == Decimal(300) == -figures["counted.less"]
    # the basic pension is listed apart, after the counted items, added to nothing
    assert part("excluded") == [("excluded.pension_basic", "item", Decimal("150.00"))]
    assert html.index('id="benefit-excluded-lines"') > html.index('id="benefit-amount-lines"')
    assert "不计入" in html


def test_a_masked_reader_sees_the_amount_without_its_breakdown(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = proposed_with_supplement(world)
    page = as_user("clerk_b").get(f"/admin/case/{case_id}")
    assert page.status_code in (403, 404)  # another township's case: not shown at all


def test_the_approval_letter_adds_up_as_the_screen_does(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    from admin.documents.issue import issue_letter
    from tests.documents import pdf_text

    case_id = proposed_with_supplement(world)
    world.fire(case_id, "publish_notice", "reviewer")
    world.pass_days(8)
    world.fire(case_id, "close_notice", "reviewer")
    world.fire(case_id, "approve", "approver")
    text = pdf_text(issue_letter(world.rt, world.actors["clerk"], case_id, "approval").data)
    printed = re.sub(r"\s+", "", text)
    for words in (
        "保障标准533.00元/人·月×3人1599.00元",
        "减：家庭月计入收入300.00元",
        "补差金额1299.00元",
        "加：分类施保增发53.30元",
        "取整（按元四舍五入）-0.30元",
        "月发放金额1352.00元",
    ):
        assert words in printed, words
    screen = as_user("approver").text(f"/admin/case/{case_id}")
    shown = {code: amount for code, part, _, amount in LINE.findall(screen) if part == "amount"}
    assert (shown["rounding.yuan"], shown["monthly"]) == ("-0.30", "1352.00")
