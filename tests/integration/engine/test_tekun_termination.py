"""Ending 特困 support (《特困人员认定办法》 Arts. 24-27): the grounds, a supported minor's
continuation to 18 and beyond while at school, the 7-day notice before the county decides,
objections to it decided within 15 working days, and the hand-off to a dibao application."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select

from audit.models import AuditEntry
from engine.errors import Conflict, Forbidden, GuardFailed
from engine.models import Case, Member, Objection, ObjectionStatus, Person
from engine.services import MeansChange, MemberChange, record_change, record_objection
from engine.services.applications import Application, MemberInput
from engine.services.case_deadlines import deadlines_of
from engine.services.handoff import hand_off_to_dibao
from engine.services.objections import dismiss_objection
from engine.states import CaseState
from tests.support import World, application, approve_tekun, id_number

GROUND = {"ground": "means"}


def enrolled_tekun(world: World, app: Application | None = None) -> tuple[int, Application]:
    """A tekun case approved after its self-care assessment and the county's own visit."""
    app = app or application(members=1, category="tekun")
    case_id = world.apply(app)
    world.to_state(case_id, CaseState.PENDING_CONFIRMATION)
    approve_tekun(world, case_id)
    return case_id, app


def trail(world: World, case_id: int) -> list[dict[str, Any]]:
    """The case's audit payloads in order, each with its trigger."""
    with world.rt.reader() as uow:
        rows = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq)
        ).all()
        return [{**json.loads(r.payload), "trigger": r.trigger} for r in rows]


def problem_codes(err: pytest.ExceptionInfo[GuardFailed]) -> set[str]:
    return {p.code for p in err.value.problems}


def test_tekun_support_ends_only_after_a_seven_day_notice_tk_art_26(world: World) -> None:
    """TK Art. 26: an intended termination is noticed in the village for 7 days; without an
    objection the county then decides."""
    case_id, _ = enrolled_tekun(world)
    with pytest.raises(GuardFailed) as direct:
        world.fire(case_id, "terminate", "approver", "收入超过标准")
    assert "termination_not_noticed" in problem_codes(direct)
    assert any("第二十六条" in p.message for p in direct.value.problems)
    with pytest.raises(GuardFailed) as no_ground:
        world.fire(case_id, "propose_termination", "approver", "收入超过标准")
    assert problem_codes(no_ground) == {"termination_ground_missing"}
    state = world.fire(case_id, "propose_termination", "approver", "收入超过标准", data=GROUND)
    assert state == CaseState.TERMINATION_NOTICE
    world.pass_days(3)
    with pytest.raises(GuardFailed) as early:
        world.fire(case_id, "terminate", "approver", "公示期满无异议")
    assert problem_codes(early) == {"notice_period_running"}
    world.pass_days(5)
    assert world.fire(case_id, "terminate", "approver", "公示期满无异议") == CaseState.TERMINATED


def test_a_dibao_case_is_terminated_directly(world: World) -> None:
    """The termination notice is a tekun rule (TK Art. 26); dibao ends by written decision."""
    case_id = world.apply(application())
    world.to_state(case_id, CaseState.ACTIVE)
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "propose_termination", "approver2", "收入超标", data=GROUND)
    assert "termination_notice_tekun_only" in problem_codes(refused)
    assert world.fire(case_id, "terminate", "approver2", "收入超标") == CaseState.TERMINATED


def test_an_objection_to_the_termination_is_investigated_and_noticed_again_tk_art_26(
    world: World,
) -> None:
    """TK Art. 26: an objection is investigated by the county, which decides within 15
    working days whether to end the support, and notices it again; it is not dismissed."""
    case_id, _ = enrolled_tekun(world)
    world.fire(case_id, "propose_termination", "approver", "收入超过标准", data=GROUND)
    world.pass_days(2)
    objection = record_objection(
        world.uow(), world.actors["clerk"], case_id, "村民甲", "其子女已外出，仍无人照料"
    ).id
    with pytest.raises(Conflict) as dismissed:
        dismiss_objection(world.uow(), world.actors["reviewer"], case_id, objection, "不成立")
    assert dismissed.value.code == "termination_objection_needs_investigation"
    world.pass_days(6)
    with pytest.raises(GuardFailed) as open_objection:
        world.fire(case_id, "terminate", "approver", "公示期满")
    assert problem_codes(open_objection) == {"objection_open"}
    with pytest.raises(GuardFailed) as not_investigated:
        world.fire(case_id, "renotice_termination", "approver", "核实后仍拟终止")
    assert problem_codes(not_investigated) == {"objection_not_investigated"}

    def deadline() -> tuple[str, bool]:
        with world.rt.reader() as uow:
            case = uow.session.get(Case, case_id)
            assert case is not None
            found = {d.name: d for d in deadlines_of(uow, case)}["termination_objection_review"]
        return found.status, found.overdue

    assert deadline() == ("pending", False)
    world.investigate(
        case_id, level="county", investigators=("approver2", "approver"), by="approver2"
    )
    world.fire(case_id, "renotice_termination", "approver2", "核实：收入确已超过标准")
    assert deadline()[0] == "met"
    with world.rt.reader() as uow:
        row = uow.session.get(Objection, objection)
        assert row is not None and row.status == ObjectionStatus.REINVESTIGATED
    world.pass_days(3)
    with pytest.raises(GuardFailed) as renoticed:
        world.fire(case_id, "terminate", "approver", "重新公示期满")
    # the second notice runs its own 7 days (and who investigated the objection does not
    # decide on it)
    assert problem_codes(renoticed) == {"notice_period_running", "separation_of_duties"}


def test_an_objection_left_undecided_for_15_working_days_is_overdue_tk_art_26(
    world: World,
) -> None:
    """TK Art. 26: the county decides on the objection within 15 working days."""
    case_id, _ = enrolled_tekun(world)
    world.fire(case_id, "propose_termination", "approver", "收入超过标准", data=GROUND)
    record_objection(world.uow(), world.actors["clerk"], case_id, "村民乙", "仍无生活来源")
    world.pass_days(25)
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        found = {d.name: d for d in deadlines_of(uow, case)}["termination_objection_review"]
        assert (found.status, found.overdue) == ("pending", True)
        assert case.due_on == found.due_on
    assert world.fire(case_id, "keep_support", "approver2", "核实后仍符合条件，书面告知") == (
        CaseState.ACTIVE
    )


def minor(birth: dt.date) -> Application:
    person = MemberInput(id_number=id_number(birth=birth), name="孤儿甲", relation="self")
    return Application(
        category="tekun",
        village_code=application().village_code,
        members=[person],
        tekun_supporter="none",
    )


def test_a_supported_minor_stays_supported_to_18_and_at_school_beyond_tk_art_24(
    world: World,
) -> None:
    """TK Art. 24 ¶2: a supported minor stays supported to 18, and past 18 while at school;
    being able to work is no ground to end it before then."""
    app = minor(dt.date(2011, 1, 10))  # 15 at approval
    case_id, _ = enrolled_tekun(world, app)
    world.pass_days(365 * 2)  # 17: past the minor age of Art. 5, short of 18
    world.fire(case_id, "start_recheck", "reviewer")
    found(world, case_id, "复核：已满16周岁，具备劳动能力", able_to_work=True)
    capacity = {"ground": "capacity_to_work"}
    with pytest.raises(GuardFailed) as at_17:
        world.fire(case_id, "propose_termination", "approver", "已满16周岁", data=capacity)
    assert problem_codes(at_17) == {"tekun_minor_still_supported"}
    assert "第二十四条" in at_17.value.problems[0].message
    world.fire(case_id, "adjust", "approver", "复核：未满18周岁，继续供养")
    world.pass_days(365 * 2)  # 19, at school
    world.fire(case_id, "start_recheck", "reviewer")
    found(world, case_id, "高职在读", in_school=True)
    world.fire(case_id, "adjust", "approver", "在校就读，继续供养")
    world.fire(case_id, "start_recheck", "reviewer")
    with pytest.raises(GuardFailed):
        world.fire(case_id, "propose_termination", "approver", "已成年", data=capacity)
    found(world, case_id, "已毕业", in_school=False)
    with pytest.raises(GuardFailed) as graduated:
        world.fire(case_id, "adjust", "approver", "毕业后复核")
    assert problem_codes(graduated) == {"tekun_able_to_work"}
    state = world.fire(case_id, "propose_termination", "approver", "已毕业", data=capacity)
    assert state == CaseState.TERMINATION_NOTICE


def found(world: World, case_id: int, note: str, **change: bool) -> None:
    """Record what the recheck found about the only member."""
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        number = uow.session.scalars(
            select(Person.id_number)
            .join(Member, Member.person_id == Person.id)
            .where(Member.household_id == case.household_id)
        ).one()
    record_change(
        world.uow(),
        world.actors["clerk"],
        case_id,
        MeansChange(kind="other", note=note, members=[MemberChange(number, **change)]),  # type: ignore[arg-type]
    )


def test_a_terminated_tekun_case_hands_off_to_a_dibao_application_tk_art_27(
    world: World,
) -> None:
    """TK Art. 27: a person whose tekun support ended and who may qualify for dibao is taken
    into it: the township opens a dibao application pre-filled from the household, and both
    trails record the hand-off."""
    case_id, app = enrolled_tekun(world)
    world.fire(
        case_id,
        "propose_termination",
        "approver",
        "法定义务人具备能力",
        data={"ground": "supporter_able"},
    )
    world.pass_days(8)
    world.fire(case_id, "terminate", "approver", "公示期满无异议")
    with pytest.raises(Forbidden):
        hand_off_to_dibao(world.uow(), world.actors["approver"], case_id, "转介低保")
    ref = hand_off_to_dibao(world.uow(), world.actors["clerk"], case_id, "收入仍低于低保标准")
    assert ref.state == CaseState.DRAFT
    with world.rt.reader() as uow:
        new = uow.session.get(Case, ref.id)
        assert new is not None and str(new.category) == "dibao"
        assert new.previous_case_id == case_id
    first = trail(world, ref.id)[0]
    old_trail = trail(world, case_id)
    assert first["application"]["referral"] == {
        "kind": "tekun_termination",
        "note": "收入仍低于低保标准",
        "source_case_id": case_id,
    }
    members = first["application"]["members"]
    assert [m["id_number"] for m in members] == [app.members[0].id_number]
    assert old_trail[-1]["trigger"] == "hand_off"
    assert old_trail[-1]["to_case_id"] == ref.id
    with pytest.raises(Conflict) as again:
        hand_off_to_dibao(world.uow(), world.actors["clerk"], case_id, "再次转介")
    assert again.value.code == "already_handed_off"


def test_only_a_terminated_tekun_case_is_handed_off(world: World) -> None:
    case_id = world.apply(application())
    world.to_state(case_id, CaseState.TERMINATED)
    with pytest.raises(Conflict) as refused:
        hand_off_to_dibao(world.uow(), world.actors["clerk"], case_id, "转介")
    assert refused.value.code == "handoff_not_allowed"
    assert "第二十七条" in refused.value.message
