"""The work queue page: groups, filters, overdue rows, paging, bad parameters."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from audit.models import AuditEntry
from engine.models import Case
from engine.services.objections import record_complaint
from engine.states import CaseState
from tests.support import VILLAGE_A1, VILLAGE_B1, World, flagged_case

#: one row of the queue table, by case number
ROW = re.compile(r'<tr class="[^"]*" data-case="(\d+)">.*?</tr>', re.S)


def test_the_queue_lists_waiting_cases_with_state_badges(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    page = as_user("clerk").text("/admin/queue/")
    assert f'data-case="{case_id}"' in page
    assert "doudi-state-submitted" in page and 'data-state="submitted"' in page


def test_overdue_cases_are_highlighted(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    late = world.apply()
    world.to_state(late, CaseState.ACCEPTED)
    world.pass_days(30)
    page = as_user("clerk").text("/admin/queue/")
    assert f'class="doudi-overdue" data-case="{late}"' in page
    assert "超期" in page


def test_filters_and_paging_keep_their_arguments(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        world.apply()
    b = as_user("clerk")
    page = b.text(f"/admin/queue/?state=submitted&village={VILLAGE_A1}&sort=newest")
    assert page.count("data-case=") == 3
    assert b.text("/admin/queue/?state=accepted").count("data-case=") == 0


def test_bad_queue_parameters_get_a_plain_message(as_user) -> None:  # type: ignore[no-untyped-def]
    b = as_user("clerk")
    response = b.get("/admin/queue/?state=nonsense")
    assert response.status_code == 422
    assert "查询参数有误" in response.get_data(as_text=True)
    assert b.get("/admin/queue/?page=-3").status_code == 200  # falls back to the first page


def test_next_and_previous_pages_follow_the_rows_shown(  # type: ignore[no-untyped-def]
    as_user, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pager's links carry the edge row of the page (keyset paging): the next page starts
    after the last row shown, the previous one ends before the first."""
    import html

    import admin.ui.queue

    monkeypatch.setattr(admin.ui.queue, "PAGE_SIZE", 2)
    ids = [world.apply() for _ in range(3)]
    b = as_user("clerk")
    first = b.text("/admin/queue/?sort=oldest")
    assert [int(i) for i in ROW.findall(first)] == ids[:2]
    (forward,) = re.findall(r'href="([^"]*after=[^"]*)"', first)
    second = b.text(html.unescape(forward))
    assert [int(i) for i in ROW.findall(second)] == ids[2:]
    assert "第2页，共2页" in second
    (back,) = re.findall(r'href="([^"]*before=[^"]*)"', second)
    assert [int(i) for i in ROW.findall(b.text(html.unescape(back)))] == ids[:2]
    refused = b.get("/admin/queue/?sort=oldest&page=2&after=d2026-13-01.1")
    assert refused.status_code == 422
    assert "分页位置有误" in refused.get_data(as_text=True)


def test_the_reviewer_prints_a_village_notice_from_the_queue(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    world.to_state(case_id, CaseState.IN_PUBLIC_NOTICE)
    b = as_user("reviewer")
    page = b.text("/admin/queue/")
    assert 'id="notices-to-print"' in page and f'data-village="{VILLAGE_A1}"' in page
    response = b.get(f"/admin/queue/villages/{VILLAGE_A1}/notice.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert b.get(f"/admin/queue/villages/{VILLAGE_A1}/poster.pdf").status_code == 404
    assert b.get(f"/admin/queue/villages/{VILLAGE_B1}/notice.pdf").status_code == 403


def pending(world: World, n: int) -> list[int]:
    ids = [world.apply() for _ in range(n)]
    for case_id in ids:
        world.to_state(case_id, CaseState.PENDING_CONFIRMATION)
    return ids


def ticked(world: World, *ids: int) -> list[str]:
    """The checkbox values the queue gives these cases: number and the version shown."""
    with world.rt.reader() as uow:
        return [f"{i}:{uow.session.get(Case, i).version}" for i in ids]  # type: ignore[union-attr]


def test_the_approvers_queue_shows_amount_flags_objections_and_visits(  # type: ignore[no-untyped-def]
    as_user, world: World
) -> None:
    plain, complained = pending(world, 2)
    flagged = flagged_case(world, VILLAGE_A1, "李芳")
    world.to_state(flagged, CaseState.PENDING_CONFIRMATION)
    record_complaint(world.uow(), world.actors["approver"], complained, "村民甲", "家中有车")
    page = as_user("approver").text("/admin/queue/")
    rows = {int(m.group(1)): m.group(0) for m in ROW.finditer(page)}
    assert 'data-amount="566.00"' in rows[plain] and "拟定" in rows[plain]
    assert 'data-visit="none"' in rows[plain]
    assert f'value="{ticked(world, plain)[0]}" data-batch="clean"' in rows[plain]
    assert 'data-flags="1"' in rows[flagged] and "已备案" in rows[flagged]
    assert 'data-visit="needed"' in rows[flagged] and "须县级入户" in rows[flagged]
    assert "须先记录县级入户调查" in rows[flagged]  # the guard's own words, on the badge
    assert "投诉1件" in rows[complained]
    for held in (flagged, complained):
        assert 'data-batch="held"' in rows[held] and 'name="cases"' not in rows[held]
    assert 'id="batch-approve"' in page and 'id="batch-select-clean"' in page


def test_select_all_clean_ticks_only_the_clean_cases(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    clean = pending(world, 2)
    flagged = flagged_case(world, VILLAGE_A1, "李芳")
    world.to_state(flagged, CaseState.PENDING_CONFIRMATION)
    page = as_user("approver").text("/admin/queue/?select=clean")
    assert page.count('data-batch="clean" ') == 2 and page.count("checked>") == 2
    assert all(f'value="{v}" data-batch="clean"' in page for v in ticked(world, *clean))
    assert 'id="select-none"' in page


def test_the_clerks_queue_has_no_batch_decision(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    world.apply()
    page = as_user("clerk").text("/admin/queue/")
    assert 'id="batch-form"' not in page and "data-amount" not in page


def test_three_cases_confirmed_in_one_batch_one_refused_by_its_guard(  # type: ignore[no-untyped-def]
    as_user, world: World
) -> None:
    first, second = pending(world, 2)
    flagged = flagged_case(world, VILLAGE_A1, "李芳")
    world.to_state(flagged, CaseState.PENDING_CONFIRMATION)
    b = as_user("approver")
    b.get("/admin/queue/")
    response = b.post(
        "/admin/queue/batch",
        {"trigger": "approve", "cases": ticked(world, first, flagged, second), "reason": ""},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "已办理2件，未办理1件" in page
    outcomes = dict(re.findall(r'data-result-case="(\d+)" data-outcome="(\w+)"', page))
    assert outcomes == {str(first): "done", str(flagged): "refused", str(second): "done"}
    assert "须先记录县级入户调查" in page and "在保" in page
    with world.rt.reader() as uow:
        approvals = uow.session.execute(
            select(AuditEntry.case_id, AuditEntry.actor).where(AuditEntry.trigger == "approve")
        ).all()
    assert sorted(approvals) == [(first, "approver"), (second, "approver")]


def test_a_stale_page_refuses_the_case_it_showed_out_of_date(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    first, second = pending(world, 2)
    shown = ticked(world, first, second)
    b = as_user("approver")
    b.get("/admin/queue/")
    world.investigate(first, level="county", investigators=("approver", "approver2"), by="approver")
    page = b.post("/admin/queue/batch", {"trigger": "approve", "cases": shown}).get_data(
        as_text=True
    )
    assert f'data-result-case="{first}" data-outcome="refused"' in page
    assert f'data-result-case="{second}" data-outcome="done"' in page
    assert "请刷新后重试" in page


@pytest.mark.parametrize("who", ["clerk", "reviewer"])
def test_a_role_other_than_the_approver_cannot_confirm_a_batch(  # type: ignore[no-untyped-def]
    as_user, world: World, who: str
) -> None:
    (case_id,) = pending(world, 1)
    b = as_user(who)
    b.get("/admin/queue/")
    response = b.post("/admin/queue/batch", {"trigger": "approve", "cases": ticked(world, case_id)})
    assert response.status_code == 403
    assert "无权执行“审核确认（批准）”" in response.get_data(as_text=True)
    inspector = as_user("inspector")
    inspector.get("/admin/trail/")
    assert inspector.post("/admin/queue/batch", {"trigger": "approve"}).status_code == 403
    with world.rt.reader() as uow:
        assert uow.session.get(Case, case_id).state == CaseState.PENDING_CONFIRMATION  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"trigger": "approve"}, "请至少选择一个案件"),
        (
            {"trigger": "approve", "cases": [f"{i}:1" for i in range(1, 102)]},
            "一次最多批量办理100件",
        ),
        ({"trigger": "approve", "cases": ["7;DROP"]}, "所选案件有误"),
        ({"trigger": "approve", "cases": ["7"]}, "所选案件有误"),
        ({"trigger": "approve", "cases": ["99999999999999999999:1"]}, "所选案件有误"),
        ({"cases": ["7:1"]}, "请选择要批量办理的操作"),
        ({"trigger": "reject", "cases": ["7:1"]}, "不能批量办理"),
        ({"trigger": "approve", "cases": ["7:1"], "reason": "x" * 2001}, "理由不得超过"),
    ],
)
def test_a_bad_selection_gets_a_plain_message_on_the_queue(  # type: ignore[no-untyped-def]
    as_user, world: World, form: dict[str, object], message: str
) -> None:
    b = as_user("approver")
    b.get("/admin/queue/")
    response = b.post("/admin/queue/batch", form)
    assert response.status_code == 302 and response.location.endswith("/admin/queue/")
    assert message in b.text("/admin/queue/")


def test_a_batch_without_its_form_token_is_refused(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    (case_id,) = pending(world, 1)
    b = as_user("approver")
    response = b.client.post(
        "/admin/queue/batch", data={"trigger": "approve", "cases": ticked(world, case_id)}
    )
    assert response.status_code == 400


def test_the_batch_speaks_english_when_asked(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    (plain,) = pending(world, 1)
    flagged = flagged_case(world, VILLAGE_A1, "李芳")
    world.to_state(flagged, CaseState.PENDING_CONFIRMATION)
    b = as_user("approver")
    b.get("/admin/queue/")
    b.post("/ui/language", {"lang": "en", "next": "/admin/queue/"})
    page = b.text("/admin/queue/")
    assert "Visit needed" in page and "record the county&#39;s own home visit first" in page
    page = b.post(
        "/admin/queue/batch", {"trigger": "approve", "cases": ticked(world, plain, flagged)}
    ).get_data(as_text=True)
    assert "1 done, 1 refused." in page and "Not done" in page and "guard failed" in page
