"""The inspector's workspace: trail search, chain verification, flags, reads, activity, exports."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import select

from audit.models import AccessLog, AuditEntry
from engine.services.users import NewUser, create_user
from engine.states import CaseState
from tests.support import (
    PASSWORD,
    TOWNSHIP_A,
    TOWNSHIP_B,
    VILLAGE_A1,
    VILLAGE_B1,
    World,
    application,
    flagged_case,
    tamper,
)


def filter_groups(page: str) -> dict[str, list[dict]]:  # type: ignore[type-arg]
    """Flask-Admin's filters as the list page describes them."""
    found = re.search(r'id="filter-groups-data"[^>]*>(.*?)</div>', page, re.DOTALL)
    assert found
    return json.loads(html.unescape(found.group(1)))  # type: ignore[no-any-return]


def filter_arg(page: str, label: str, operation: str) -> str:
    """The URL argument of one of the list's filters."""
    groups = filter_groups(page)
    (index,) = [f["index"] for f in groups[label] if f["operation"] == operation]
    return f"flt0_{index}"


def rows_of(page: str, first_column: str = "case_id") -> int:
    return page.count(f'<td class="col-{first_column}"')


def test_the_trail_is_searched_by_case_user_trigger_and_time(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    first = world.apply()
    second = world.apply(by="clerk2")
    world.fire(first, "accept", "clerk")
    b = as_user("inspector")
    page = b.text("/admin/trail/")
    assert rows_of(page) == 5
    case_equals = filter_arg(page, "案件", "等于")
    user_contains = filter_arg(page, "用户", "包含")
    trigger_equals = filter_arg(page, "操作", "等于")
    time_between = filter_arg(page, "时间", "之间")
    assert rows_of(b.text(f"/admin/trail/?{case_equals}={first}")) == 3
    assert rows_of(b.text(f"/admin/trail/?{user_contains}=clerk2")) == 2
    assert rows_of(b.text(f"/admin/trail/?{trigger_equals}=accept")) == 1
    # the action filter offers the actions by name
    (actions,) = filter_groups(page)["操作"]
    assert ["accept", "受理"] in actions["options"]
    day = world.today().isoformat()
    assert rows_of(b.text(f"/admin/trail/?{time_between}={day}+to+{day}")) == 5
    assert rows_of(b.text(f"/admin/trail/?{time_between}=2020-01-01+to+2020-01-02")) == 0
    assert second


def test_the_trail_stays_in_the_inspectors_county(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    other = world.apply(application(village=VILLAGE_B1), by="clerk_b")
    b = as_user("inspector")
    case_equals = filter_arg(b.text("/admin/trail/"), "案件", "等于")
    assert (
        rows_of(b.text(f"/admin/trail/?{case_equals}={other}")) == 2
    )  # township B is in the same county


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_list_exports_to_csv_and_xlsx(as_user, world: World, fmt: str) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    b = as_user("inspector")
    b.text(f"/admin/case/{case_id}")  # a read for the access log
    for path in (
        f"/admin/trail/export/{fmt}/",
        f"/admin/reads/export/{fmt}/",
        f"/admin/signins/export/{fmt}/",
        f"/admin/flags/?export={fmt}",
        f"/admin/register/?export={fmt}",
        f"/admin/activity/?export={fmt}",
    ):
        response = b.get(path)
        assert response.status_code == 200, path
        data = response.get_data()
        if fmt == "csv":
            assert data.startswith("\ufeff".encode()), path  # Excel reads the Chinese right
            table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        else:
            sheet = load_workbook(io.BytesIO(data)).worksheets[0]
            table = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert table and table[0], path
    trail = b.get(f"/admin/trail/export/{fmt}/").get_data()
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(trail.decode("utf-8-sig"))))
        assert len(rows) == 3  # header and two entries
        assert rows[1][:5] == [str(case_id), "2", "提交申请", "草稿", "已提交"]
        assert len(rows[1][-1]) == 64  # the whole hash


def test_verification_shows_each_case_and_names_a_tampered_entry(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    good = world.apply()
    bad = world.apply()
    b = as_user("inspector")
    page = b.text("/admin/verify/")
    assert f'data-case="{good}"' in page and "完整" in page
    tamper(
        world.rt.settings.database_url,
        f"UPDATE audit_entry SET reason = 'edited' WHERE case_id = {bad} AND seq = 2",
    )
    page = b.text("/admin/verify/")
    assert f'class="doudi-overdue" data-case="{bad}"' in page
    assert "在第2条断开" in page
    response = b.post("/admin/verify/all")
    assert response.status_code == 200
    report = response.get_data(as_text=True)
    assert 'id="verify-report"' in report and "alert-danger" in report


def test_the_case_page_marks_a_broken_chain(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    tamper(
        world.rt.settings.database_url,
        f"UPDATE audit_entry SET actor = 'someone' WHERE case_id = {case_id} AND seq = 1",
    )
    assert "审计链在第1条断开" in as_user("inspector").text(f"/admin/case/{case_id}")


def test_activity_counts_entries_by_user_and_day(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    world.to_state(case_id, CaseState.INVESTIGATING)
    response = as_user("inspector").get("/admin/activity/?export=csv")
    table = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    counts = {row[1]: int(row[3]) for row in table[1:]}
    assert counts == {"clerk": 4}


def test_the_read_log_and_sign_ins_are_listed(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    as_user("clerk").text(f"/admin/case/{case_id}")
    b = as_user("inspector")
    reads = b.text("/admin/reads/")
    assert rows_of(reads, "at") == 1 and "查看案件" in reads
    signins = b.text("/admin/signins/")
    assert rows_of(signins, "at") == 2  # the clerk, then the inspector


def test_flags_and_register_pages_answer_with_bad_arguments(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    b = as_user("inspector")
    assert b.get("/admin/flags/?status=weird&filed=maybe&page=x").status_code in (200, 422)
    assert b.get("/admin/register/?year=abc").status_code in (200, 422)
    assert b.get("/admin/activity/?since=yesterday").status_code == 200


def test_an_entrys_details_open_only_inside_the_inspectors_region(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    create_user(
        world.uow(),
        NewUser("inspector_b", "inspector", TOWNSHIP_B, PASSWORD),
    )
    with world.rt.reader() as uow:
        entry_id = uow.session.scalar(select(AuditEntry.id).where(AuditEntry.case_id == case_id))
    details = f"/admin/trail/details/?id={entry_id}"
    page = as_user("inspector").text(details)
    assert "submit" in page or "提交申请" in page
    outsider = as_user("inspector_b")
    response = outsider.get(details)
    assert response.status_code == 302  # Flask-Admin's "record does not exist", back to the list
    assert rows_of(outsider.text("/admin/trail/")) == 0
    assert outsider.get("/admin/trail/details/?id=abc").status_code == 302


def test_township_readers_see_their_townships_flags_and_register_only(
    as_user, world: World
) -> None:  # type: ignore[no-untyped-def]
    ours = flagged_case(world, VILLAGE_A1, "李芳")
    theirs = flagged_case(world, VILLAGE_B1, "赵敏", by="clerk_b", filer="reviewer_b")
    create_user(world.uow(), NewUser("inspector_a", "inspector", TOWNSHIP_A, PASSWORD))
    b = as_user("inspector_a")
    for page in (
        "/admin/flags/",
        "/admin/flags/?export=csv",
        "/admin/register/",
        "/admin/register/?export=csv",
    ):
        text = b.get(page).get_data(as_text=True)
        assert "白塔村" in text and "龙泉村" not in text, page
    county = as_user("inspector").text("/admin/flags/")
    assert "白塔村" in county and "龙泉村" in county
    assert ours != theirs


def cells(data: bytes, fmt: str) -> list[object]:
    """Every cell of an exported table."""
    if fmt == "csv":
        return [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row]
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [c for row in sheet.iter_rows(values_only=True) for c in row]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_no_export_carries_a_live_formula(as_user, browser, world: World, fmt: str) -> None:  # type: ignore[no-untyped-def]
    """Names, reasons, notes and typed user names that start like formulas stay text."""
    app = application()
    app.members[0] = app.members[0].__class__(**{**vars(app.members[0]), "name": "=1+2"})
    case_id = world.apply(app)
    world.fire(case_id, "withdraw", "clerk", "@SUM(A1)")
    flagged_case(world, VILLAGE_A1, "=2+3", note='=HYPERLINK("http://evil.example")')
    browser.get("/ui/signin")
    browser.post("/ui/signin", {"username": "+cmd", "password": "wrong-password"})
    b = as_user("inspector")
    b.text(f"/admin/case/{case_id}")
    for path in (
        f"/admin/trail/export/{fmt}/",
        f"/admin/reads/export/{fmt}/",
        f"/admin/signins/export/{fmt}/",
        f"/admin/flags/?export={fmt}",
        f"/admin/register/?export={fmt}",
        f"/admin/activity/?export={fmt}",
    ):
        response = b.get(path)
        assert response.status_code == 200, path
        table = cells(response.get_data(), fmt)
        live = [c for c in table if str(c).startswith(("=", "+", "-", "@"))]
        assert live == [], path
    trail = cells(b.get(f"/admin/trail/export/{fmt}/").get_data(), fmt)
    assert "'@SUM(A1)" in trail


def test_names_that_belong_to_nobody_are_shown_only_to_the_county(
    app, as_user, world: World
) -> None:  # type: ignore[no-untyped-def]
    """Found by the red team: a township administrator saw the county's failed sign-ins under
    unknown names, where staff had typed their passwords into the name field."""
    from tests.functional.admin.ui.conftest import Browser

    create_user(world.uow(), NewUser("t_inspector", "inspector", TOWNSHIP_A, PASSWORD))
    Browser(app.test_client()).sign_in("MyS3cretPassw0rd", "wrong")
    county = as_user("inspector").text("/admin/signins/")
    township = as_user("t_inspector").text("/admin/signins/")
    assert "MyS3cretPassw0rd" in county
    assert "MyS3cretPassw0rd" not in township


def test_the_enrolled_relatives_page_lists_flagged_cases_and_their_review(
    as_user, world: World
) -> None:  # type: ignore[no-untyped-def]
    """乐至 "近亲属享受低保复核": the county sees every enrolled case related to an official,
    whether it was filed and visited, and its rechecks; reading it is logged."""
    case_id = flagged_case(world, VILLAGE_A1, "李芳")
    world.to_state(case_id, CaseState.PENDING_CONFIRMATION)
    world.investigate(
        case_id, level="county", investigators=("approver", "approver2"), by="approver"
    )
    world.fire(case_id, "approve", "approver")
    b = as_user("inspector")
    page = b.text("/admin/enrolled_flags/")
    assert f'data-case="{case_id}"' in page and "李芳" in page and "已备案" in page
    sheet = load_workbook(io.BytesIO(b.get("/admin/enrolled_flags/?export=xlsx").get_data()))
    rows = list(sheet.worksheets[0].iter_rows(values_only=True))
    assert rows[1][0] == case_id
    with world.rt.reader() as uow:
        actions = set(uow.session.scalars(select(AccessLog.action)))
    assert {"view_enrolled_flags", "export_enrolled_flags"} <= actions


def test_the_inspector_checks_the_database_against_a_kept_checkpoint_and_downloads_proofs(
    as_user, world: World, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """The workspace shows the latest signed checkpoint; an uploaded kept line is checked
    against the database; any entry's proof downloads and checks offline."""
    from audit.checkpoints import generate_key, public_key_text, take_checkpoint
    from audit.proofs import check_proof

    case_id = world.apply()
    b = as_user("inspector")
    assert 'id="no-checkpoint"' in b.text("/admin/verify/")
    key = generate_key()
    with world.rt.uow() as uow:
        kept = take_checkpoint(uow.session, key, world.clock.now())
        uow.commit()
    page = b.text("/admin/verify/")
    assert f'id="checkpoint-root">{kept.root}<' in page
    assert str(escape(kept.line())) in page
    fine = b.post(
        "/admin/verify/all",
        {"kept": (io.BytesIO(kept.line().encode() + b"\n"), "kept.txt")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert 'id="checkpoint-report"' in fine and "alert-success" in fine
    assert f"第{kept.seq}号检查点一致" in fine
    proof = b.get(f"/admin/verify/proof?case_id={case_id}&seq=1")
    assert proof.status_code == 200 and "attachment" in proof.headers["Content-Disposition"]
    assert f"case {case_id}" in check_proof(proof.get_data(as_text=True), public_key_text(key))
    with world.rt.reader() as uow:
        logged = uow.session.scalars(
            select(AccessLog.action).where(AccessLog.case_id == case_id)
        ).all()
    assert "download_proof" in logged
    missing = b.get("/admin/verify/proof?case_id=&seq=1")
    assert missing.status_code == 422
    garbage = b.post("/admin/verify/all", {"line": "not a checkpoint"})
    assert garbage.status_code == 302  # back to the page, the reason flashed on it
    assert "请上传或粘贴留存的检查点" in b.text("/admin/verify/")
    tamper(
        world.rt.settings.database_url,
        f"DELETE FROM audit_entry WHERE case_id = {case_id} AND seq = 2",
        f"UPDATE case_file SET chain_seq = 1, chain_head = (SELECT hash FROM audit_entry "
        f"WHERE case_id = {case_id} AND seq = 1) WHERE id = {case_id}",
    )
    found = b.post("/admin/verify/all", {"line": kept.line()}).get_data(as_text=True)
    assert "alert-danger" in found and f"case {case_id}" in found


def test_a_trail_entry_shows_its_decision_inputs_in_words(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """The application's fields by name with their values in words; the stored text, exactly
    as hashed, folded beneath."""
    world.apply()
    page = as_user("inspector").text("/admin/trail/details/?id=1")
    outline = page[page.index('<dl class="doudi-outline">') : page.index('class="doudi-stored"')]
    assert "<dt>类别</dt><dd>最低生活保障</dd>" in outline
    assert "<dt>与申请人关系</dt><dd>申请人</dd>" in outline or "<dd>申请人</dd>" in outline
    assert "dibao" not in outline and "null" not in outline
    stored = page[page.index('<pre class="doudi-payload">') :]
    with world.rt.reader() as uow:
        payload = uow.session.scalar(select(AuditEntry.payload).where(AuditEntry.id == 1))
    assert str(escape(payload)) in stored[: stored.index("</pre>")]
