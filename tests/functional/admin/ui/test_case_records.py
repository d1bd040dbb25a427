"""The case page's record forms: each through the same service as the API, shown only to the
roles that may use it, refused when forged by another, and wrong input answered at its field."""

from __future__ import annotations

import datetime as dt
import json
import re

from sqlalchemy import select

from audit.models import AuditEntry
from audit.officials import import_officials, official_row
from engine.models import Case, Member, Objection, ObjectionStatus, Person, Recovery, Repayment
from engine.services import Application
from engine.services.work_offers import WorkOfferInput, record_work_offer
from engine.states import CaseState
from tests.functional.admin.ui.test_case_page import case_of, fire, last_entry
from tests.support import VILLAGE_A1, World, application, approve_tekun, id_number, member


def triggers(world: World, case_id: int) -> list[str]:
    with world.rt.reader() as uow:
        return list(
            uow.session.scalars(
                select(AuditEntry.trigger)
                .where(AuditEntry.case_id == case_id)
                .order_by(AuditEntry.seq)
            )
        )


def version(world: World, case_id: int) -> str:
    return str(case_of(world, case_id).version)


def members_of(world: World, case_id: int) -> dict[str, str]:
    """Current members: ID number -> relation."""
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        rows = uow.session.execute(
            select(Person.id_number, Member.relation)
            .join(Member, Member.person_id == Person.id)
            .where(Member.household_id == case.household_id, Member.left_at.is_(None))
        ).all()
    return {number: str(relation) for number, relation in rows}


def post(b, world: World, case_id: int, path: str, form: dict[str, object]):  # type: ignore[no-untyped-def]
    """Open the case page, then send one of its forms with the version it shows."""
    b.get(f"/admin/case/{case_id}")
    return b.post(
        f"/admin/case/{case_id}/{path}", {"expected_version": version(world, case_id), **form}
    )


def field_errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-field="([^"]+)">([^<]+)<', html))


def test_the_reviewer_dismisses_an_objection_and_closes_the_notice_in_the_ui(
    as_user, world: World
) -> None:  # type: ignore[no-untyped-def]
    """Art. 19 ¶2 end to end on the page: objection, democratic review, dismissal, a revised
    opinion, and the notice closed once its 7 days have run."""
    case_id = world.apply()
    world.to_state(case_id, CaseState.IN_PUBLIC_NOTICE)
    reviewer = as_user("reviewer")
    reviewer.get(f"/admin/case/{case_id}")
    reviewer.post(
        f"/admin/case/{case_id}/objections", {"objector": "村民张某", "content": "家有轿车"}
    )
    page = reviewer.text(f"/admin/case/{case_id}")
    objection_id = int(re.findall(r'data-objection="(\d+)"', page)[0])
    assert f'data-dismiss-objection="{objection_id}"' in page
    assert 'id="democratic-review-form"' in page
    # the clerk records objections but does not dismiss them, and cannot by a forged form
    clerk = as_user("clerk")
    assert "data-dismiss-objection" not in clerk.text(f"/admin/case/{case_id}")
    forged = post(
        clerk,
        world,
        case_id,
        f"objections/{objection_id}/dismiss",
        {"resolution": "无", "confirm": "y"},
    )
    assert forged.status_code == 403
    review = post(
        reviewer,
        world,
        case_id,
        "democratic-reviews",
        {
            "held_on": world.today().isoformat(),
            "participants": "村主任王某\n村民代表李某\n村民代表赵某",
            "outcome": "unfounded",
            "minutes": "经评议，所称轿车系亲属借用，异议不成立",
        },
    )
    assert review.status_code == 302, field_errors(review.get_data(as_text=True))
    dismissed = post(
        reviewer,
        world,
        case_id,
        f"objections/{objection_id}/dismiss",
        {"resolution": "民主评议认定异议不成立", "confirm": "y"},
    )
    assert dismissed.status_code == 302
    page = reviewer.text(f"/admin/case/{case_id}")
    assert "异议已驳回" in page and "民主评议认定异议不成立" in page and "异议不成立" in page
    assert (
        fire(reviewer, world, case_id, "revise_opinion", "民主评议后维持原初审意见").status_code
        == 302
    )
    world.pass_days(8)
    assert fire(reviewer, world, case_id, "close_notice").status_code == 302
    assert case_of(world, case_id).state == CaseState.PENDING_CONFIRMATION
    assert triggers(world, case_id)[-5:] == [
        "record_objection",
        "democratic_review",
        "dismiss_objection",
        "revise_opinion",
        "close_notice",
    ]


def test_a_dismissal_without_reasons_comes_back_at_its_field(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply()
    world.to_state(case_id, CaseState.IN_PUBLIC_NOTICE)
    reviewer = as_user("reviewer")
    reviewer.get(f"/admin/case/{case_id}")
    reviewer.post(f"/admin/case/{case_id}/objections", {"objector": "村民", "content": "有车"})
    objection_id = int(
        re.findall(r'data-objection="(\d+)"', reviewer.text(f"/admin/case/{case_id}"))[0]
    )
    response = post(
        reviewer,
        world,
        case_id,
        f"objections/{objection_id}/dismiss",
        {"resolution": "", "confirm": "y"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "该字段是必填字段" in field_errors(html)["resolution"]
    assert f'id="dismiss-{objection_id}" open' in html  # the form comes back open
    with world.rt.reader() as uow:
        objection = uow.session.get(Objection, objection_id)
        assert objection is not None and objection.status == ObjectionStatus.OPEN


def test_a_complaint_is_recorded_while_the_county_confirms(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """Art. 20: the approver records it; approval then waits for the county's own visit."""
    case_id = world.apply()
    world.to_state(case_id, CaseState.PENDING_CONFIRMATION)
    approver = as_user("approver")
    assert 'id="complaint-form"' in approver.text(f"/admin/case/{case_id}")
    inspector = as_user("inspector")
    assert 'id="complaint-form"' not in inspector.text(f"/admin/case/{case_id}")
    form = {"complainant": "匿名来信", "content": "反映申请人在外务工"}
    assert post(inspector, world, case_id, "complaints", form).status_code == 403
    empty = post(approver, world, case_id, "complaints", {**form, "content": " "})
    assert empty.status_code == 422 and "content" in field_errors(empty.get_data(as_text=True))
    assert triggers(world, case_id)[-1] == "close_notice"  # nothing written
    assert post(approver, world, case_id, "complaints", form).status_code == 302
    assert last_entry(world, case_id).trigger == "record_complaint"
    page = approver.text(f"/admin/case/{case_id}")
    assert "投诉举报已登记" in page and 'data-code="county_check_missing"' in page


def test_a_recovery_is_ordered_with_a_termination_and_repaid_on_the_page(
    as_user, world: World
) -> None:  # type: ignore[no-untyped-def]
    """2022 notice §5(五): the terminate button takes the recovery, the approver records
    what is paid back, more than is owed is refused."""
    case_id = world.apply(application(members=3))
    world.to_state(case_id, CaseState.ACTIVE)
    world.clock.advance(dt.datetime(2026, 6, 15, 10, tzinfo=world.clock.tz) - world.clock.now())
    approver = as_user("approver")
    half = fire(approver, world, case_id, "terminate", "隐瞒务工收入", recovery_yuan="1000")
    assert half.status_code == 302
    assert case_of(world, case_id).state == CaseState.ACTIVE  # the amount without the finding
    assert "追回金额和隐瞒情况须同时填写" in approver.text(f"/admin/case/{case_id}")
    ended = fire(
        approver,
        world,
        case_id,
        "terminate",
        "隐瞒务工收入",
        recovery_yuan="1000",
        finding="配偶务工收入未申报",
    )
    assert ended.status_code == 302
    with world.rt.reader() as uow:
        recovery_id = uow.session.scalars(select(Recovery.id)).one()
    page = approver.text(f"/admin/case/{case_id}")
    assert 'id="repayment-form"' in page and "配偶务工收入未申报" in page
    clerk = as_user("clerk")
    assert 'id="repayment-form"' not in clerk.text(f"/admin/case/{case_id}")
    form = {"recovery_id": str(recovery_id), "amount_yuan": "400", "paid_on": world.today()}
    assert post(clerk, world, case_id, "repayments", form).status_code == 403
    bad = post(approver, world, case_id, "repayments", {**form, "amount_yuan": "四百"})
    assert bad.status_code == 422
    assert "金额" in field_errors(bad.get_data(as_text=True))["amount_yuan"]
    assert post(approver, world, case_id, "repayments", form).status_code == 302
    assert "已责令退回1000.00元，已退回400.00元，尚欠600.00元" in approver.text(
        f"/admin/case/{case_id}"
    )
    too_much = post(approver, world, case_id, "repayments", {**form, "amount_yuan": "601"})
    assert too_much.status_code == 302
    assert "超过尚欠的600.00元" in approver.text(f"/admin/case/{case_id}")
    with world.rt.reader() as uow:
        assert uow.session.scalars(select(Repayment.amount_fen)).all() == [40000]


def test_a_change_of_means_is_recorded_from_the_page(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = world.apply(application(members=2))
    world.to_state(case_id, CaseState.INVESTIGATING)
    clerk = as_user("clerk")
    assert 'id="change-form"' in clerk.text(f"/admin/case/{case_id}")
    inspector = as_user("inspector")
    assert 'id="change-form"' not in inspector.text(f"/admin/case/{case_id}")
    numbers = list(members_of(world, case_id))
    form = {
        "kind": "employment",
        "note": "入户调查发现申请人在县城务工",
        "income_stable": "no",
        "m-0-id_number": numbers[0],
        "m-0-wages": "2000",
        "m-0-able_to_work": "yes",
        "m-1-id_number": numbers[1],
    }
    assert post(inspector, world, case_id, "changes", form).status_code == 403
    bad = post(clerk, world, case_id, "changes", {**form, "m-0-wages": "很多"})
    assert bad.status_code == 422
    errors = field_errors(bad.get_data(as_text=True))
    assert "金额" in errors["m-0-wages"]
    assert "第1行" in bad.get_data(as_text=True)  # the flashed message names the row in words
    assert last_entry(world, case_id).trigger == "start_investigation"
    assert post(clerk, world, case_id, "changes", form).status_code == 302
    entry = last_entry(world, case_id)
    assert entry.trigger == "record_change" and entry.reason == "入户调查发现申请人在县城务工"
    with world.rt.reader() as uow:
        person = uow.session.scalars(select(Person).where(Person.id_number == numbers[0])).one()
        row = uow.session.scalars(select(Member).where(Member.person_id == person.id)).one()
        assert (row.monthly_income, row.able_to_work) == (2000, True)


def test_members_join_leave_and_die_on_the_page(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    app = application(members=2)
    case_id = world.apply(app)
    world.to_state(case_id, CaseState.ACTIVE)
    clerk = as_user("clerk")
    page = clerk.text(f"/admin/case/{case_id}")
    assert all(f'id="{f}-form"' in page for f in ("join", "departure", "death"))
    # the applicant cannot be chosen to leave
    departure = page.split('id="departure-form"')[1].split("</details>")[0]
    assert app.members[1].id_number in departure and app.members[0].id_number not in departure
    inspector = as_user("inspector")
    assert 'id="join-form"' not in inspector.text(f"/admin/case/{case_id}")
    baby = id_number(birth=dt.date(2026, 2, 1))
    join = {
        "id_number": baby,
        "name": "王小宝",
        "relation": "child",
        "reason": "birth",
        "joined_on": world.today().isoformat(),
    }
    assert post(inspector, world, case_id, "members", join).status_code == 403
    # a check digit other than the right one (a fixed "X" is right for one number in eleven)
    bad_check = baby[:-1] + ("1" if baby[-1] == "X" else "X")
    wrong = post(clerk, world, case_id, "members", {**join, "id_number": bad_check})
    assert wrong.status_code == 422 and "id_number" in field_errors(wrong.get_data(as_text=True))
    assert baby not in members_of(world, case_id)
    assert post(clerk, world, case_id, "members", join).status_code == 302
    assert members_of(world, case_id)[baby] == "child"
    assert last_entry(world, case_id).trigger == "member_joined"
    spouse = app.members[1].id_number
    leave = {"id_number": spouse, "reason": "married_out", "left_on": world.today().isoformat()}
    assert post(inspector, world, case_id, "departures", leave).status_code == 403
    assert post(clerk, world, case_id, "departures", {**leave, "left_on": ""}).status_code == 422
    assert post(clerk, world, case_id, "departures", leave).status_code == 302
    assert spouse not in members_of(world, case_id)
    died = {"id_number": baby, "died_on": (world.today() + dt.timedelta(days=1)).isoformat()}
    assert post(inspector, world, case_id, "deaths", died).status_code == 403
    future = post(clerk, world, case_id, "deaths", died)
    assert future.status_code == 422
    assert "死亡日期须在出生之后" in field_errors(future.get_data(as_text=True))["died_on"]
    assert (
        post(clerk, world, case_id, "deaths", {**died, "died_on": "2026-02-20"}).status_code == 302
    )
    assert baby not in members_of(world, case_id)
    assert triggers(world, case_id)[-3:] == ["member_joined", "member_left", "record_death"]
    assert "3个月内" in clerk.text(f"/admin/case/{case_id}")  # the reassessment deadline


def test_the_decision_served_is_recorded_once_there_is_a_decision(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """Art. 21, 38: the day the written decision reached the applicant."""
    case_id = world.apply()
    clerk = as_user("clerk")
    assert 'id="serve-form"' not in clerk.text(f"/admin/case/{case_id}")
    form = {"served_on": world.today().isoformat(), "method": "in_person"}
    refused = post(clerk, world, case_id, "decision-served", form)
    assert refused.status_code == 302  # a conflict: nothing decided yet
    assert "尚无可送达的决定" in clerk.text(f"/admin/case/{case_id}")
    world.to_state(case_id, CaseState.REJECTED)
    assert 'id="serve-form"' in clerk.text(f"/admin/case/{case_id}")
    form["served_on"] = world.today().isoformat()
    bad = post(clerk, world, case_id, "decision-served", {**form, "method": "pigeon"})
    assert (
        bad.status_code == 422
        and "请从选项中选择" in field_errors(bad.get_data(as_text=True))["method"]
    )
    assert post(as_user("inspector"), world, case_id, "decision-served", form).status_code == 403
    assert post(clerk, world, case_id, "decision-served", form).status_code == 302
    assert last_entry(world, case_id).trigger == "serve_decision"


def test_the_clerk_records_an_applicants_declaration_of_kinship(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    app = application(members=2)
    case_id = world.apply(app)
    official = id_number(dt.date(1975, 3, 3))
    import_officials(
        world.uow(),
        world.actors["admin"],
        [
            official_row(
                official_id_number=official,
                official_name="赵干部",
                position="village_member",
                region_code=VILLAGE_A1,
            )
        ],
    )
    clerk = as_user("clerk")
    assert 'id="declaration-form"' in clerk.text(f"/admin/case/{case_id}")
    reviewer = as_user("reviewer")
    assert 'id="declaration-form"' not in reviewer.text(f"/admin/case/{case_id}")
    form = {
        "official_id_number": official,
        "member_id_number": app.members[1].id_number,
        "relation": "sibling",
    }
    assert post(reviewer, world, case_id, "declarations", form).status_code == 403
    stranger = post(
        clerk, world, case_id, "declarations", {**form, "official_id_number": id_number()}
    )
    assert stranger.status_code == 422
    assert "名册中没有" in field_errors(stranger.get_data(as_text=True))["official_id_number"]
    assert 'id="case-flags"' not in clerk.text(f"/admin/case/{case_id}")
    assert post(clerk, world, case_id, "declarations", form).status_code == 302
    page = clerk.text(f"/admin/case/{case_id}")
    assert 'id="case-flags"' in page and "兄弟姐妹" in page
    assert "本案已标记为须近亲属备案" in page


def test_a_tekun_termination_is_noticed_with_its_ground_from_the_page(
    as_user, world: World
) -> None:  # type: ignore[no-untyped-def]
    """TK Arts. 24-26: the ground is chosen on the button's own form."""
    case_id = world.apply(application(members=1, category="tekun"))
    world.to_state(case_id, CaseState.PENDING_CONFIRMATION)
    approve_tekun(world, case_id)
    approver = as_user("approver")
    page = approver.text(f"/admin/case/{case_id}")
    button = page.split('data-trigger="propose_termination"')[1].split("</form>")[0]
    assert 'name="ground"' in button and "收入和财产状况不再符合条件" in button
    assert 'data-code="termination_ground_missing"' not in button  # the form answers it
    assert (
        fire(
            approver, world, case_id, "propose_termination", "收入超标", ground="means"
        ).status_code
        == 302
    )
    assert case_of(world, case_id).state == CaseState.TERMINATION_NOTICE
    assert json.loads(last_entry(world, case_id).payload)["data"] == {"ground": "means"}


def test_a_work_refusal_sanction_names_the_member_on_the_page(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """Art. 34: three refusals, then the approver stops that member's share and pays it again."""
    son = member("child", "0", able_to_work=True, name="王小军")
    case_id = world.apply(Application("dibao", VILLAGE_A1, [member("self", "300"), son]))
    world.to_state(case_id, CaseState.ACTIVE)
    for _ in range(3):
        record_work_offer(
            world.uow(),
            world.actors["clerk"],
            case_id,
            WorkOfferInput(son.id_number, world.today(), "保洁岗位", "refused", ""),
        )
    approver = as_user("approver")
    page = approver.text(f"/admin/case/{case_id}")
    button = page.split('data-trigger="sanction_work_refusal"')[1].split("</form>")[0]
    assert son.id_number in button and "王小军" in button
    stopped = fire(
        approver, world, case_id, "sanction_work_refusal", "连续三次拒绝", member=son.id_number
    )
    assert stopped.status_code == 302
    assert last_entry(world, case_id).trigger == "sanction_work_refusal"
    lifted = fire(
        approver, world, case_id, "lift_work_refusal_sanction", "已就业", member=son.id_number
    )
    assert lifted.status_code == 302
    assert last_entry(world, case_id).trigger == "lift_work_refusal_sanction"


def whole_case_due(html: str) -> str:
    """The due day of the whole case's time limit (受理至审核确认办结) in the deadlines table."""
    found = re.search(r"受理至审核确认办结</td>\s*<td>(\d{4}-\d{2}-\d{2})", html)
    assert found, "no whole-case deadline on the page"
    return found.group(1)


def test_the_time_limit_is_extended_on_its_ground_from_the_page(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """Art. 22; 2022 notice: 45 working days on a recorded ground, chosen on the button."""
    case_id = world.apply()
    world.to_state(case_id, CaseState.INVESTIGATING)
    reviewer = as_user("reviewer")
    page = reviewer.text(f"/admin/case/{case_id}")
    button = page.split('data-trigger="extend_deadline"')[1].split("</form>")[0]
    assert 'name="ground"' in button and "调查核实难度大" in button
    assert "doudi-blocked" not in button  # the ground is the form's to give
    due = whole_case_due(page)
    forged = fire(reviewer, world, case_id, "extend_deadline", "难以核实", ground="bribery")
    assert forged.status_code == 302 and last_entry(world, case_id).trigger != "extend_deadline"
    extended = fire(
        reviewer,
        world,
        case_id,
        "extend_deadline",
        "外出务工成员难以核实",
        ground="hard_investigation",
    )
    assert extended.status_code == 302
    entry = last_entry(world, case_id)
    assert entry.trigger == "extend_deadline"
    assert json.loads(entry.payload)["data"] == {"ground": "hard_investigation"}
    assert whole_case_due(reviewer.text(f"/admin/case/{case_id}")) > due  # 45 working days
