"""The case page: what it shows each role, and its buttons and forms calling the services."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

from sqlalchemy import event, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from audit.models import AccessLog, AuditEntry
from audit.officials import import_officials, official_row
from engine.models import Case, Investigation, Member, Person, User
from engine.services import Application
from engine.services.users import update_user
from engine.states import DESTRUCTIVE, CaseState
from tests.support import (
    COUNTY,
    VILLAGE_A1,
    VILLAGE_B1,
    World,
    application,
    flagged_by_crosscheck,
    member,
)


def case_of(world: World, case_id: int) -> Case:
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        uow.session.expunge(case)
        return case


def last_entry(world: World, case_id: int) -> AuditEntry:
    with world.rt.reader() as uow:
        entry = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq.desc())
        ).first()
        assert entry is not None
        uow.session.expunge(entry)
        return entry


def fire(
    b, world: World, case_id: int, trigger: str, reason: str = "", tick: bool = True, **more: str
):  # type: ignore[no-untyped-def]
    """Press a trigger's button on the case page, ticking its confirmation box where it has one
    (unless ``tick`` is false)."""
    b.get(f"/admin/case/{case_id}")
    form = {
        "trigger": trigger,
        "reason": reason,
        "expected_version": str(case_of(world, case_id).version),
        **({"confirm": trigger} if tick and trigger in DESTRUCTIVE else {}),
        **more,
    }
    return b.post(f"/admin/case/{case_id}/fire", form)


def test_the_page_shows_household_deadlines_trail_and_diagram(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    page = as_user("clerk").text(f"/admin/case/{case_id}")
    assert 'data-state="submitted"' in page and "已提交" in page
    assert 'id="case-household"' in page and 'id="case-deadlines"' in page
    assert "审计链完整：2条" in page
    # the lifecycle drawn from the workflow table, the current state highlighted
    assert "<svg" in page and 'id="state-submitted"' in page and 'id="state-active"' in page
    assert "#state-submitted path" in page  # the highlight targets the case's state
    # buttons for what a clerk may do from submitted
    assert 'data-trigger="accept"' in page and 'data-trigger="return_for_materials"' in page
    assert 'data-trigger="approve"' not in page


def test_unmasked_personal_data_is_shown_to_staff_and_each_view_logged(
    as_user, world: World
) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    with world.rt.reader() as uow:
        number = uow.session.scalars(
            select(Person.id_number)
            .join(Member, Member.person_id == Person.id)
            .join(Case, Case.household_id == Member.household_id)
            .where(Case.id == case_id)
        ).first()
    assert number
    assert number in as_user("clerk").text(f"/admin/case/{case_id}")
    assert number in as_user("inspector").text(f"/admin/case/{case_id}")
    with world.rt.reader() as uow:
        reads = uow.session.execute(
            select(AccessLog.username, AccessLog.channel, AccessLog.case_id).order_by(AccessLog.id)
        ).all()
    assert [tuple(r) for r in reads] == [
        ("clerk", "ui", case_id),
        ("inspector", "ui", case_id),
    ]


def test_a_button_fires_the_trigger_through_the_service(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    b = as_user("clerk")
    response = fire(b, world, case_id, "accept", "材料齐全")
    assert response.status_code == 302
    assert case_of(world, case_id).state == CaseState.ACCEPTED
    entry = last_entry(world, case_id)
    assert (entry.trigger, entry.actor, entry.reason) == ("accept", "clerk", "材料齐全")
    assert "受理：案件现为“已受理”" in b.text(f"/admin/case/{case_id}")


def test_a_refused_trigger_names_each_failed_guard_in_plain_words(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    world.to_state(case_id, CaseState.INVESTIGATING)
    b = as_user("reviewer")
    page = b.text(f"/admin/case/{case_id}")
    # the button shows why it is blocked before it is pressed
    assert "调查人员不少于2人" in page
    response = fire(b, world, case_id, "propose")
    assert response.headers["Location"] == f"/admin/case/{case_id}"  # back where it was pressed
    page = b.text(f"/admin/case/{case_id}")
    assert "调查人员不少于2人" in page and "alert-danger" in page
    assert case_of(world, case_id).state == CaseState.INVESTIGATING


def test_a_stale_page_is_refused_with_a_conflict(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    b = as_user("clerk")
    b.get(f"/admin/case/{case_id}")
    version = case_of(world, case_id).version
    world.fire(case_id, "accept", "clerk2")
    response = b.post(
        f"/admin/case/{case_id}/fire",
        {"trigger": "start_investigation", "expected_version": str(version)},
    )
    assert response.status_code == 302
    assert "alert-danger" in b.text(f"/admin/case/{case_id}")
    assert case_of(world, case_id).state == CaseState.ACCEPTED


def test_a_required_reason_left_empty_is_refused(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    b = as_user("clerk")
    fire(b, world, case_id, "return_for_materials", "")
    assert case_of(world, case_id).state == CaseState.SUBMITTED
    assert "alert-danger" in b.text(f"/admin/case/{case_id}")


def test_the_investigation_form_records_an_investigation(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    world.to_state(case_id, CaseState.INVESTIGATING)
    b = as_user("clerk")
    b.get(f"/admin/case/{case_id}")
    response = b.post(
        f"/admin/case/{case_id}/investigations",
        {
            "date": world.today().isoformat(),
            "method": "home_visit",
            "level": "township",
            "investigators": ["clerk", "clerk2"],
            "findings": "入户核实，收入与申报一致",
        },
    )
    assert response.status_code == 302
    with world.rt.reader() as uow:
        found = uow.session.scalars(
            select(Investigation.findings).where(Investigation.case_id == case_id)
        ).all()
    assert found == ["入户核实，收入与申报一致"]
    assert last_entry(world, case_id).trigger == "record_investigation"
    # now the reviewer may propose
    assert fire(as_user("reviewer"), world, case_id, "propose").status_code == 302
    assert case_of(world, case_id).state == CaseState.INITIAL_REVIEWED


def test_an_investigation_with_one_investigator_is_refused(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    world.to_state(case_id, CaseState.INVESTIGATING)
    b = as_user("clerk")
    b.get(f"/admin/case/{case_id}")
    refused = b.post(
        f"/admin/case/{case_id}/investigations",
        {
            "date": world.today().isoformat(),
            "method": "home_visit",
            "level": "township",
            "investigators": ["clerk"],
            "findings": "x",
        },
    )
    with world.rt.reader() as uow:
        assert uow.session.scalars(select(Investigation.id)).all() == []
    # the form comes back with the problem at its field and what was typed kept
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "alert-danger" in page
    assert 'data-field="investigators"' in page
    assert ">x</textarea>" in page


def test_a_malformed_form_is_refused_with_a_message(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    world.to_state(case_id, CaseState.INVESTIGATING)
    b = as_user("clerk")
    b.get(f"/admin/case/{case_id}")
    response = b.post(
        f"/admin/case/{case_id}/investigations",
        {"date": "not-a-date", "method": "telepathy", "level": "x", "findings": ""},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for field in ("date", "method", "level", "findings"):
        assert f'data-field="{field}"' in page
    response = b.post(f"/admin/case/{case_id}/fire", {"trigger": "accept"})
    assert response.status_code == 302


def test_the_objection_form_records_an_objection_during_the_notice(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    world.to_state(case_id, CaseState.IN_PUBLIC_NOTICE)
    b = as_user("reviewer")
    b.get(f"/admin/case/{case_id}")
    response = b.post(
        f"/admin/case/{case_id}/objections", {"objector": "村民张某", "content": "家有轿车"}
    )
    assert response.status_code == 302
    page = b.text(f"/admin/case/{case_id}")
    assert "家有轿车" in page
    assert last_entry(world, case_id).trigger == "record_objection"


def test_an_unknown_case_answers_404(as_user) -> None:  # type: ignore[no-untyped-def]
    assert as_user("clerk").get("/admin/case/999999").status_code == 404


def test_the_case_lookup_goes_to_the_case(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    b = as_user("clerk")
    assert 'name="q"' in b.text("/admin/queue/").split('id="case-lookup"')[1][:300]
    for q in (f"#{case_id}", str(case_id), f" {case_id} "):
        response = b.get("/admin/case/", query_string={"q": q})
        assert response.headers["Location"].endswith(f"/admin/case/{case_id}"), q
    # a link made before the box searched
    assert b.get(f"/admin/case/?id={case_id}").headers["Location"].endswith(f"/{case_id}")
    # six digits or more that end no ID number in the region are a case number too
    assert b.get("/admin/case/?q=1234567").headers["Location"].endswith("/admin/case/1234567")


def lookup(b, q: str) -> str:  # type: ignore[no-untyped-def]
    response = b.get("/admin/case/", query_string={"q": q})
    assert response.status_code == 200, (q, response.status_code)
    return str(response.get_data(as_text=True))


def test_the_lookup_lists_the_cases_found_by_id_number_its_tail_or_a_name(
    as_user, world: World
) -> None:  # type: ignore[no-untyped-def]
    """Issue 13 item 1: an ID number gave "案件…不存在" and a name "请输入案件编号"."""
    app = Application(
        "dibao",
        VILLAGE_A1,
        [member("self", "100", name="欧阳建华"), member("spouse", "0", name="李秀兰")],
    )
    case_id = world.apply(app)
    elsewhere = world.apply(
        Application("dibao", VILLAGE_B1, [member("self", "0", name="欧阳建华")]), by="clerk_b"
    )
    number = app.members[1].id_number
    b = as_user("clerk")
    for q in (number, number[-6:], "秀兰", number.lower()):
        page = lookup(b, q)
        assert f'<a href="/admin/case/{case_id}">#{case_id}</a>' in page, q
        assert "李秀兰" in page and number in page and "配偶" in page, q
    page = lookup(b, "欧阳建华")
    assert f'data-case="{case_id}"' in page and f'data-case="{elsewhere}"' not in page
    assert "申请人" in page and "第1页，共1页" in page
    county = lookup(as_user("inspector"), "欧阳建华")
    assert f'data-case="{case_id}"' in county and f'data-case="{elsewhere}"' in county
    assert 'id="search-empty"' in lookup(b, "无此人")
    with world.rt.reader() as uow:
        logged = uow.session.execute(
            select(AccessLog.username, AccessLog.case_id, AccessLog.channel).where(
                AccessLog.action == "search_cases"
            )
        ).all()
    assert ("clerk", case_id, "ui") in logged and ("inspector", elsewhere, "ui") in logged
    assert ("clerk", elsewhere, "ui") not in logged


def test_a_bad_term_gets_a_plain_message(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    b = as_user("reviewer")
    for q, words in (
        ("", "请输入身份证号码"),
        ("1234567890123456789", "身份证号码为18位"),
        ("张" * 51, "最多50个字符"),
        ("#abc", "请输入"),
    ):
        response = b.get("/admin/case/", query_string={"q": q})
        page = response.get_data(as_text=True)
        if q == "#abc":  # not a case number: searched for as a name, found nowhere
            assert response.status_code == 200 and 'id="search-empty"' in page
            continue
        assert response.status_code == 422, q
        message = page.split('id="search-message">')[1].split("</div>")[0]
        assert words in message, (q, message)
    assert as_user("admin").get("/admin/case/?q=王").status_code == 403


def test_a_flagged_case_is_filed_from_its_page(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    app = application()
    case_id = world.apply(app)
    cadre = official_row(
        official_id_number=app.members[0].id_number,
        official_name=app.members[0].name,
        position="village_member",
        region_code=app.village_code,
    )
    import_officials(world.uow(), world.actors["admin"], [cadre])
    b = as_user("reviewer")
    page = b.text(f"/admin/case/{case_id}")
    assert 'id="filing-form"' in page and "备案" in page and "doudi-filing" not in page
    response = b.post(
        f"/admin/case/{case_id}/filings",
        {
            "note": "申请人系村委委员，单独备案",
            "expected_version": str(case_of(world, case_id).version),
        },
    )
    assert response.status_code == 302
    page = b.text(f"/admin/case/{case_id}")
    assert "由 reviewer（审核员） 备案： 申请人系村委委员，单独备案" in page
    assert last_entry(world, case_id).trigger == "kinship_filing"


def test_staff_print_the_letters_the_case_has_decisions_for(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    world.to_state(case_id, CaseState.ACTIVE)
    b = as_user("clerk")
    page = b.text(f"/admin/case/{case_id}")
    assert 'id="case-documents"' in page and 'data-letter="approval"' in page
    assert 'data-letter="rejection"' not in page  # no such decision on this case
    response = b.get(f"/admin/case/{case_id}/letters/approval.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    code = response.headers["X-Doudi-Verification-Code"]
    # the print is listed on the page with a link to its verification
    assert code in b.text(f"/admin/case/{case_id}")
    refused = b.get(f"/admin/case/{case_id}/letters/rejection.pdf")
    assert refused.status_code == 422 and "没有“不予确认”的决定" in refused.get_data(as_text=True)


def test_the_inspector_prints_the_dossier(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    b = as_user("inspector")
    assert 'id="print-dossier"' in b.text(f"/admin/case/{case_id}")
    response = b.get(f"/admin/case/{case_id}/dossier.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert as_user("clerk_b").get(f"/admin/case/{case_id}/dossier.pdf").status_code == 403


def test_publishing_the_notice_offers_it_for_printing(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    world.to_state(case_id, CaseState.INITIAL_REVIEWED)
    b = as_user("reviewer")
    response = fire(b, world, case_id, "publish_notice")
    assert response.status_code == 302
    page = b.text(f"/admin/case/{case_id}")
    assert 'id="print-notice"' in page and "打印白塔村公示" in page
    assert "请在下方“文书”栏打印本村公示" in page


def test_the_township_requests_an_information_check_and_the_county_answers_on_the_page(
    as_user, world: World
) -> None:  # type: ignore[no-untyped-def]
    """Art. 17: request from the township, start and result from the county, in the UI."""
    case_id = world.apply()
    world.to_state(case_id, CaseState.INVESTIGATING)
    clerk = as_user("clerk")
    assert 'id="data-check-request"' in clerk.text(f"/admin/case/{case_id}")
    response = clerk.post(
        f"/admin/case/{case_id}/data-checks",
        {
            "sources": ["tax", "vehicles"],
            "note": "核对车辆",
            "expected_version": str(case_of(world, case_id).version),
        },
    )
    assert response.status_code == 302
    page = clerk.text(f"/admin/case/{case_id}")
    assert "等待县级启动" in page and 'id="data-check-request"' not in page
    assert 'id="data-check-answer"' not in page  # the township does not answer its own request
    approver = as_user("approver")
    page = approver.text(f"/admin/case/{case_id}")
    assert 'id="start-data-check"' in page
    check_id = int(page.split("/data-checks/")[1].split("/")[0])
    approver.post(
        f"/admin/case/{case_id}/data-checks/{check_id}/start",
        {"expected_version": str(case_of(world, case_id).version)},
    )
    approver.post(
        f"/admin/case/{case_id}/data-checks/{check_id}/result",
        {
            "findings": "名下登记小型轿车一辆",
            "discrepancy": "y",
            "expected_version": str(case_of(world, case_id).version),
        },
    )
    page = clerk.text(f"/admin/case/{case_id}")
    assert "名下登记小型轿车一辆" in page and "与申报不符" in page
    assert last_entry(world, case_id).trigger == "record_data_check_result"


def test_staff_record_a_work_offer_on_the_page(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """Art. 34: offers and answers are recorded from the case page."""
    from engine.services import Application
    from tests.support import VILLAGE_A1, member

    son = member("child", "0", able_to_work=True, name="王小军")
    case_id = world.apply(Application("dibao", VILLAGE_A1, [member("self", "300"), son]))
    world.to_state(case_id, CaseState.ACTIVE)
    b = as_user("clerk")
    assert 'id="work-offer-form"' in b.text(f"/admin/case/{case_id}")
    response = b.post(
        f"/admin/case/{case_id}/work-offers",
        {
            "member_id_number": son.id_number,
            "offered_on": world.today().isoformat(),
            "offer": "县人社局推荐：保洁岗位",
            "outcome": "refused",
            "expected_version": str(case_of(world, case_id).version),
        },
    )
    assert response.status_code == 302
    page = b.text(f"/admin/case/{case_id}")
    assert "无正当理由拒绝" in page and "登记就业岗位推荐" in page
    assert last_entry(world, case_id).trigger == "record_work_offer"


def test_the_county_assesses_self_care_on_the_page_before_approving_tekun(
    as_user, world: World
) -> None:  # type: ignore[no-untyped-def]
    """TK Arts. 20-21: the approver records the assessment from the case page."""
    case_id = world.apply(application(members=1, category="tekun"))
    world.to_state(case_id, CaseState.PENDING_CONFIRMATION)
    b = as_user("approver")
    page = b.text(f"/admin/case/{case_id}")
    assert 'id="self-care-form"' in page
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        person = uow.session.scalars(
            select(Person)
            .join(Member, Member.person_id == Person.id)
            .where(Member.household_id == case.household_id)
        ).one()
    response = b.post(
        f"/admin/case/{case_id}/self-care",
        {
            "member_id_number": person.id_number,
            "assessed_on": world.today().isoformat(),
            "failed": ["bathing", "dressing"],
            "expected_version": str(case_of(world, case_id).version),
        },
    )
    assert response.status_code == 302
    page = b.text(f"/admin/case/{case_id}")
    assert "部分丧失" in page and last_entry(world, case_id).trigger == "self_care_assessment"


def section(page: str, card: str) -> str:
    """The HTML of one card of the page, from its id to the next card."""
    return page.split(f'id="{card}"')[1].split('<div class="card ')[0]


def flashes(page: str) -> list[str]:
    return re.findall(r'doudi-flash" role="alert">([^<]*)<', page)


def test_after_accepting_the_message_and_banner_say_what_happens_next_and_who_does_it(
    as_user, world: World
) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    clerk = as_user("clerk")
    page = clerk.text(f"/admin/case/{case_id}")
    banner = page.split('id="next-step"')[1].split("</div>")[0]
    assert 'data-role="clerk"' in banner and "轮到您办理" in banner
    assert "下一步：</strong> 等待受理员受理申请" in banner
    assert fire(clerk, world, case_id, "accept", "材料齐全").status_code == 302
    page = clerk.text(f"/admin/case/{case_id}")
    # Monday 2 March 2026: the investigation starts within 3 working days (Art. 15)
    assert flashes(page) == ["受理：案件现为“已受理”。下一步：由受理员开展入户调查（截止3月5日）。"]
    banner = page.split('id="next-step"')[1].split("</div>")[0]
    assert 'data-due="2026-03-05"' in banner and "由受理员开展入户调查（截止3月5日）" in banner
    # the reviewer reads the same step, without being told it is their turn
    theirs = as_user("reviewer").text(f"/admin/case/{case_id}")
    banner = theirs.split('id="next-step"')[1].split("</div>")[0]
    assert "由受理员开展入户调查" in banner and "轮到您办理" not in banner


def test_the_notice_banner_says_until_when_it_runs_and_who_then_closes_it(
    as_user, world: World
) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    world.to_state(case_id, CaseState.INITIAL_REVIEWED)
    reviewer = as_user("reviewer")
    assert fire(reviewer, world, case_id, "publish_notice").status_code == 302
    page = reviewer.text(f"/admin/case/{case_id}")
    step = "公示期至3月9日，3月10日起由乡镇审核员结束公示并报县审核确认"
    assert flashes(page)[0] == f"张榜公示：案件现为“公示中”。下一步：{step}。"
    assert step in page.split('id="next-step"')[1].split("</div>")[0]


def test_a_closed_case_says_nothing_follows(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    clerk = as_user("clerk")
    assert fire(clerk, world, case_id, "withdraw", "申请人撤回").status_code == 302
    page = clerk.text(f"/admin/case/{case_id}")
    assert flashes(page) == [
        "撤回申请：案件现为“已撤回”。已办结（已撤回），没有后续步骤；重新申请须新建案件。"
    ]
    banner = page.split('id="next-step"')[1].split("</div>")[0]
    assert 'data-role=""' in banner and "下一步" not in banner


def test_the_main_step_stands_out_and_destructive_ones_ask_to_be_confirmed(
    as_user, world: World
) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    actions = section(as_user("clerk").text(f"/admin/case/{case_id}"), "case-actions")
    forms = re.findall(r'data-trigger="(\w+)" data-kind="(\w+)"', actions)
    # accept first, as the primary button; then what ends or sends the case back
    assert forms == [
        ("accept", "primary"),
        ("return_for_materials", "destructive"),
        ("withdraw", "destructive"),
    ]
    accept = actions.split('data-trigger="accept"')[1].split("</form>")[0]
    assert 'class="btn btn-sm btn-primary btn-block"' in accept and "<details" not in accept
    for trigger in ("return_for_materials", "withdraw"):
        form = actions.split(f'data-trigger="{trigger}"')[1].split("</form>")[0]
        assert "<details" in form and "btn-outline-danger" in form
        # the box a browser will not submit the form without
        assert f'name="confirm" value="{trigger}" id="confirm-{trigger}" required' in form
    assert "此步骤后案件即告办结，不能恢复" in actions.split('data-trigger="withdraw"')[1]


def test_a_destructive_step_sent_without_its_confirmation_is_refused_and_nothing_written(
    as_user, world: World
) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    clerk = as_user("clerk")
    before = last_entry(world, case_id).seq
    # not ticked, or a box of another button's
    for more in ({}, {"confirm": "accept"}):
        response = fire(clerk, world, case_id, "withdraw", "申请人撤回", tick=False, **more)
        assert response.status_code == 302
        page = clerk.text(f"/admin/case/{case_id}")
        assert flashes(page) == ["未办理：请先勾选确认“撤回申请”。未作任何记录。"]
    assert case_of(world, case_id).state == CaseState.SUBMITTED
    assert last_entry(world, case_id).seq == before
    # ticked, it goes through
    assert fire(clerk, world, case_id, "withdraw", "申请人撤回").status_code == 302
    assert case_of(world, case_id).state == CaseState.WITHDRAWN


def test_dismissing_an_objection_asks_for_a_confirmation(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    world.to_state(case_id, CaseState.IN_PUBLIC_NOTICE)
    reviewer = as_user("reviewer")
    reviewer.get(f"/admin/case/{case_id}")
    reviewer.post(f"/admin/case/{case_id}/objections", {"objector": "村民", "content": "有车"})
    page = reviewer.text(f"/admin/case/{case_id}")
    objection_id = int(re.findall(r'data-objection="(\d+)"', page)[0])
    assert f'id="confirm-dismiss-{objection_id}" required' in page
    before = last_entry(world, case_id).seq
    response = reviewer.post(
        f"/admin/case/{case_id}/objections/{objection_id}/dismiss",
        {"resolution": "异议不成立", "expected_version": str(case_of(world, case_id).version)},
    )
    assert response.status_code == 422
    assert "请勾选确认后再驳回异议" in response.get_data(as_text=True)
    assert last_entry(world, case_id).seq == before


def named(world: World) -> None:
    """Give the township's staff their names (accounts are created named as their user name)."""
    with world.rt.reader() as uow:
        ids = dict(uow.session.execute(select(User.username, User.id)).all())
    for username, name in (("clerk", "王芳"), ("clerk2", "李明"), ("reviewer", "赵强")):
        update_user(world.uow(), world.actors["admin"], ids[username], display_name=name)


def test_a_clerk_sees_staff_by_name_and_role_and_no_versions_or_hashes(
    as_user, world: World
) -> None:  # type: ignore[no-untyped-def]
    named(world)
    case_id = world.apply()
    world.to_state(case_id, CaseState.INVESTIGATING)
    world.investigate(case_id)  # by the clerk, with clerk2
    page = as_user("clerk").text(f"/admin/case/{case_id}")
    trail = section(page, "case-trail")
    assert "王芳（受理员）" in trail and "clerk" not in trail
    assert "doudi-hash" not in page and last_entry(world, case_id).hash[:16] not in page
    assert "版本" not in page.split('id="case-header"')[1].split("</div>")[0]
    investigation = section(page, "case-investigations")
    assert "王芳（受理员）、李明（受理员）" in investigation
    assert "登记人：王芳（受理员）" in investigation and "clerk" not in investigation
    # inspectors keep the technical detail: versions, hashes and the accounts' user names
    inspector = as_user("inspector").text(f"/admin/case/{case_id}")
    assert "doudi-hash" in inspector and last_entry(world, case_id).hash[:16] in inspector
    assert "版本" in inspector and '<span class="doudi-mono">clerk</span>' in inspector


def test_the_names_on_the_case_page_come_from_one_query(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    named(world)
    case_id = world.apply()
    world.to_state(case_id, CaseState.INVESTIGATING)
    clerk = as_user("clerk")
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if "app_user" in statement and statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    def user_reads() -> int:
        statements.clear()
        event.listen(world.rt.engine, "before_cursor_execute", count)
        try:
            clerk.text(f"/admin/case/{case_id}")
        finally:
            event.remove(world.rt.engine, "before_cursor_execute", count)
        return len(statements)

    world.investigate(case_id)
    few = user_reads()
    for by in ("clerk", "clerk2", "village_clerk"):
        world.investigate(case_id, investigators=("clerk", "clerk2", "village_clerk"), by=by)
    assert user_reads() == few


# --- field work: the members present and photos or scans, through the form ----------------

PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"signed form" * 100
SCAN = b"%PDF-1.7\n" + b"declaration" * 100


def files(*items: tuple[str, bytes]) -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(data), name) for name, data in items]


def investigation_form(world: World, case_id: int, **extra: object) -> dict[str, object]:
    return {
        "date": world.today().isoformat(),
        "method": "home_visit",
        "level": "township",
        "investigators": ["clerk", "clerk2"],
        "findings": "入户核实，申请人在家并签字",
        "expected_version": str(case_of(world, case_id).version),
        **extra,
    }


def member_ids(world: World, case_id: int) -> list[int]:
    case = case_of(world, case_id)
    with world.rt.reader() as uow:
        return list(
            uow.session.scalars(
                select(Member.id)
                .where(Member.household_id == case.household_id)
                .order_by(Member.id)
            )
        )


def kept(world: World) -> list[Path]:
    root = world.rt.settings.attachments_dir
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_form_offers_each_member_as_a_checkbox_and_takes_several_files(  # type: ignore[no-untyped-def]
    as_user, world: World
) -> None:
    case_id = world.apply()
    world.to_state(case_id, CaseState.INVESTIGATING)
    page = as_user("clerk").text(f"/admin/case/{case_id}")
    form = page[page.index('id="investigation-form"') :]
    assert 'enctype="multipart/form-data"' in form
    assert re.search(r'<input[^>]*type="file"[^>]*name="attachments"[^>]*multiple', form)
    for member_id in member_ids(world, case_id):
        assert f'name="present" value="{member_id}"' in form


def test_an_investigation_with_members_present_and_files_is_recorded_and_shown(  # type: ignore[no-untyped-def]
    as_user, world: World
) -> None:
    case_id = world.apply()
    world.to_state(case_id, CaseState.INVESTIGATING)
    applicant, _ = member_ids(world, case_id)
    b = as_user("clerk")
    b.get(f"/admin/case/{case_id}")
    response = b.post(
        f"/admin/case/{case_id}/investigations",
        investigation_form(
            world,
            case_id,
            present=[str(applicant)],
            attachments=files(("签字表.jpg", PHOTO), ("申报表.pdf", SCAN)),
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    payload = json.loads(last_entry(world, case_id).payload)
    assert payload["present_member_ids"] == [applicant]
    assert [f["sha256"] for f in payload["attachments"]] == [
        hashlib.sha256(PHOTO).hexdigest(),
        hashlib.sha256(SCAN).hexdigest(),
    ]
    assert len(kept(world)) == 2
    page = b.text(f"/admin/case/{case_id}")
    assert "调查已记录，附文件2个。" in page
    links = re.findall(r'href="(/admin/case/\d+/attachments/\d+)"[^>]*>([^<]+)</a>', page)
    assert [name for _, name in links] == ["签字表.jpg", "申报表.pdf"]
    photo = b.get(links[0][0])
    assert photo.status_code == 200 and photo.data == PHOTO
    assert photo.mimetype == "image/jpeg"
    assert photo.headers["Content-Disposition"].startswith("inline")
    with world.rt.reader() as uow:
        reads = uow.session.scalars(
            select(AccessLog.case_id).where(AccessLog.action == "download_attachment")
        ).all()
    assert reads == [case_id]
    # the inspector may open it too; the administrator (who sees data masked) may not,
    # nor may a clerk of another township
    assert as_user("inspector").get(links[1][0]).status_code == 200
    assert as_user("admin").get(links[1][0]).status_code == 403
    assert as_user("clerk_b").get(links[1][0]).status_code == 403


def test_a_file_of_the_wrong_type_comes_back_at_its_field_and_nothing_is_kept(  # type: ignore[no-untyped-def]
    as_user, world: World
) -> None:
    case_id = world.apply()
    world.to_state(case_id, CaseState.INVESTIGATING)
    b = as_user("clerk")
    b.get(f"/admin/case/{case_id}")
    refused = b.post(
        f"/admin/case/{case_id}/investigations",
        investigation_form(
            world,
            case_id,
            attachments=files(("签字表.jpg", PHOTO), ("病毒.jpg", b"MZ\x90\x00 not a photo")),
        ),
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'data-field="attachments"' in page
    assert "病毒.jpg" in page and "请重新选择文件。" in page
    assert "入户核实，申请人在家并签字</textarea>" in page  # what was typed is kept
    assert kept(world) == []
    with world.rt.reader() as uow:
        assert uow.session.scalars(select(Investigation.id)).all() == []


def test_someone_not_in_the_household_cannot_be_ticked_present(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    other = world.apply()
    world.to_state(case_id, CaseState.INVESTIGATING)
    b = as_user("clerk")
    b.get(f"/admin/case/{case_id}")
    refused = b.post(
        f"/admin/case/{case_id}/investigations",
        investigation_form(world, case_id, present=[str(member_ids(world, other)[0])]),
    )
    assert refused.status_code == 422
    assert 'data-field="present"' in refused.get_data(as_text=True)


def test_a_phones_photo_larger_than_other_forms_may_be_is_accepted(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    world.to_state(case_id, CaseState.INVESTIGATING)
    b = as_user("clerk")
    b.get(f"/admin/case/{case_id}")
    photo = PHOTO + b"\x00" * (3 * 1024 * 1024)  # above DOUDI_MAX_BODY_BYTES
    fields = {"csrf_token": b.token, **investigation_form(world, case_id)}
    fields["attachments"] = FileStorage(io.BytesIO(photo), "p.jpg", content_type="image/jpeg")
    # encoded in memory: the test client spools a large multipart body to a file it never closes
    boundary, body = encode_multipart(MultiDict(fields))
    response = b.client.post(
        f"/admin/case/{case_id}/investigations",
        data=body,
        content_type=f'multipart/form-data; boundary="{boundary}"',
        headers={"Referer": f"http://localhost/admin/case/{case_id}"},
    )
    assert response.status_code == 302
    assert len(kept(world)) == 1
    # any other form that large is refused with a page that says why
    big = b.post(
        f"/admin/case/{case_id}/objections", {"objector": "x" * (3 * 1024 * 1024), "content": "y"}
    )
    assert big.status_code == 413
    assert "提交的内容过大" in big.get_data(as_text=True)


def test_an_imported_case_shows_its_roster_entry_and_amount(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt
    import hashlib
    from decimal import Decimal

    from admin.demo.roster import roster_csv, roster_rows
    from admin.imports import read_records
    from engine.cells import SourceFile
    from engine.services.roster import import_roster
    from engine.services.roster_rows import roster_rows as read_roster

    rows = roster_rows(
        COUNTY, [VILLAGE_A1], 1, {"dibao": Decimal(533), "tekun": Decimal(693)}, dt.date(2025, 4, 1)
    )
    data = roster_csv(rows)
    (case_id,) = import_roster(
        world.uow(),
        world.actors["admin"],
        COUNTY,
        read_roster(*read_records("roster.csv", data), world.today()),
        SourceFile("roster.csv", hashlib.sha256(data).hexdigest()),
    ).case_ids
    b = as_user("clerk")
    page = b.text(f"/admin/case/{case_id}")
    assert 'data-state="active"' in page and "存量数据迁移" in page
    assert "审计链完整：1条" in page
    b.post("/ui/language", {"lang": "en"})
    assert "Imported from the county&#39;s existing roster" in b.text(f"/admin/case/{case_id}")


def test_an_information_check_flag_is_shown_and_resolved_on_the_page(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = flagged_by_crosscheck(world, "vehicles")
    b = as_user("clerk")
    page = b.text(f"/admin/case/{case_id}")
    assert "信息核对" in page and "车辆登记" in page and "川M12345" in page
    flag_id = int(page.split('id="crosscheck-')[1].split('"')[0])
    version = case_of(world, case_id).version
    empty = b.post(
        f"/admin/case/{case_id}/crosschecks/{flag_id}/resolve",
        {"outcome": "explained", "reason": "", "expected_version": version},
    )
    assert empty.status_code == 422
    done = b.post(
        f"/admin/case/{case_id}/crosschecks/{flag_id}/resolve",
        {"outcome": "explained", "reason": "车辆已于2025年过户", "expected_version": version},
    )
    assert done.status_code == 302
    assert f'id="crosscheck-{flag_id}"' not in b.text(f"/admin/case/{case_id}")


def test_a_flag_of_another_case_is_not_resolved_from_this_page(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    flagged = flagged_by_crosscheck(world, "vehicles")
    other = world.apply()
    b = as_user("clerk")
    page = b.text(f"/admin/case/{flagged}")
    flag_id = int(page.split('id="crosscheck-')[1].split('"')[0])
    b.text(f"/admin/case/{other}")
    wrong = b.post(
        f"/admin/case/{other}/crosschecks/{flag_id}/resolve",
        {"outcome": "explained", "reason": "x", "expected_version": case_of(world, other).version},
    )
    assert wrong.status_code == 404
    assert f'id="crosscheck-{flag_id}"' in b.text(f"/admin/case/{flagged}")
