"""Objections to the public notice (低保办法 Art. 19; 《特困人员认定办法》 Art. 15).

An objection is answered by a re-investigation or a democratic review (民主评议),
after which the township gives a new, reasoned initial opinion; only tekun must
give it within 15 working days and notice it again.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from audit.models import AuditEntry
from engine.errors import Conflict, GuardFailed, InvalidData
from engine.models import Case, DemocraticReview
from engine.services import (
    DemocraticReviewInput,
    dismiss_objection,
    record_democratic_review,
    record_objection,
)
from engine.services.case_deadlines import deadlines_of
from engine.states import CaseState
from tests.support import World, application

S = CaseState
PEOPLE = ["村民代表甲", "村民代表乙", "村委会委员丙", "驻村干部丁"]


def deadlines(world: World, case_id: int) -> dict[str, object]:
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        return {d.name: d for d in deadlines_of(uow, case)}


def review(world: World, case_id: int, outcome: str = "unfounded", **kw: object) -> None:
    values: dict[str, object] = {
        "held_on": world.today(),
        "participants": PEOPLE,
        "outcome": outcome,
        "minutes": "经民主评议，反映的车辆登记在已分户的儿子名下",
        **kw,
    }
    record_democratic_review(
        world.uow(),
        world.actors["reviewer"],
        case_id,
        DemocraticReviewInput(**values),  # type: ignore[arg-type]
    )


def test_the_investigation_start_deadline_keeps_its_first_start_after_an_objection(
    world: World,
) -> None:
    """Art. 15: the investigation began within 3 working days of acceptance; an objection weeks
    later re-investigates on its own record and does not make the first start overdue."""
    case_id = world.apply()
    world.fire(case_id, "accept", "clerk")
    world.pass_days(1)
    world.fire(case_id, "start_investigation", "clerk")
    first_start = world.today()
    world.investigate(case_id)
    world.fire(case_id, "propose", "reviewer")
    world.fire(case_id, "publish_notice", "reviewer")
    world.pass_days(20)
    world.fire(case_id, "raise_objection", "reviewer", "群众反映有经营收入")

    start = deadlines(world, case_id)["investigation_start"]
    assert (start.met_on, start.status, start.overdue) == (first_start, "met", False)  # type: ignore[attr-defined]
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None and case.reinvestigating_since == world.clock.now()
    # the earlier investigation does not count for the new round
    with pytest.raises(GuardFailed):
        world.fire(case_id, "propose", "reviewer")


def test_a_dibao_notice_closes_after_an_objection_only_on_a_new_opinion_after_review(
    world: World,
) -> None:
    """Art. 19 ¶2: an objection handled by democratic review needs a new, reasoned initial
    opinion before the notice closes; dismissing the objection alone is not enough."""
    case_id = world.apply()
    world.to_state(case_id, S.IN_PUBLIC_NOTICE)
    world.pass_days(2)
    objection = record_objection(world.uow(), world.actors["clerk"], case_id, "村民甲", "有车辆")
    dismiss_objection(world.uow(), world.actors["reviewer"], case_id, objection.id, "查无实据")
    world.pass_days(8)
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "close_notice", "reviewer")
    assert [p.code for p in refused.value.problems] == ["opinion_not_revised"]
    # a new opinion needs the review (or a re-investigation) first
    with pytest.raises(GuardFailed) as early:
        world.fire(case_id, "revise_opinion", "reviewer", "维持原初审意见")
    assert [p.code for p in early.value.problems] == ["objection_not_reviewed"]

    review(world, case_id)
    world.fire(case_id, "revise_opinion", "reviewer", "经民主评议异议不成立，维持原初审意见")

    assert world.fire(case_id, "close_notice", "reviewer") == S.PENDING_CONFIRMATION
    with world.rt.reader() as uow:
        triggers = uow.session.scalars(
            select(AuditEntry.trigger).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq)
        ).all()
        held = uow.session.scalars(select(DemocraticReview)).one()
    assert triggers[-3:] == ["democratic_review", "revise_opinion", "close_notice"]
    assert held.participants.split("\n") == PEOPLE and held.outcome == "unfounded"


def test_a_reinvestigated_dibao_file_goes_to_the_county_without_a_second_notice(
    world: World,
) -> None:
    """Art. 19 ¶2 (dibao): after re-investigation and a new opinion, the file is referred to the
    county; a second notice is a local choice, not a requirement."""
    case_id = world.apply()
    world.to_state(case_id, S.IN_PUBLIC_NOTICE)
    world.pass_days(2)
    world.fire(case_id, "raise_objection", "reviewer", "群众反映有经营收入")
    world.investigate(case_id)
    world.fire(case_id, "propose", "reviewer", "复查后维持")
    assert world.fire(case_id, "refer_to_county", "reviewer") == S.PENDING_CONFIRMATION
    county = deadlines(world, case_id)["county_decision"]
    assert county.start_on == world.today()  # type: ignore[attr-defined]


def test_a_first_opinion_cannot_skip_the_notice(world: World) -> None:
    """Art. 19: the notice is only skipped after an objection was re-investigated."""
    case_id = world.apply()
    world.to_state(case_id, S.INITIAL_REVIEWED)
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "refer_to_county", "reviewer")
    assert [p.code for p in refused.value.problems] == ["not_reinvestigated"]


def test_a_tekun_objection_needs_a_new_opinion_within_15_working_days_and_a_new_notice(
    world: World,
) -> None:
    """TK Art. 15: re-investigate, a new opinion within 15 working days, and notice it again."""
    case_id = world.apply(application(members=1, category="tekun"))
    world.to_state(case_id, S.IN_PUBLIC_NOTICE)
    world.pass_days(2)
    objection = record_objection(world.uow(), world.actors["clerk"], case_id, "村民甲", "有子女")
    dismiss_objection(world.uow(), world.actors["reviewer"], case_id, objection.id, "查无实据")
    review(world, case_id)
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "revise_opinion", "reviewer", "维持")
    assert [p.code for p in refused.value.problems] == ["tekun_renotice_required"]
    world.pass_days(8)
    with pytest.raises(GuardFailed) as closing:
        world.fire(case_id, "close_notice", "reviewer")
    assert [p.code for p in closing.value.problems] == ["tekun_renotice_required"]

    world.fire(case_id, "raise_objection", "reviewer", "特困异议复查")
    started = world.today()
    review_limit = deadlines(world, case_id)["tekun_objection_review"]
    assert (review_limit.limit, review_limit.start_on, review_limit.status) == (
        15,
        started,
        "pending",
    )  # type: ignore[attr-defined]
    world.pass_days(3)
    world.investigate(case_id)
    world.fire(case_id, "propose", "reviewer")
    with pytest.raises(GuardFailed):
        world.fire(case_id, "refer_to_county", "reviewer")
    world.fire(case_id, "publish_notice", "reviewer")
    world.pass_days(8)
    assert world.fire(case_id, "close_notice", "reviewer") == S.PENDING_CONFIRMATION
    assert deadlines(world, case_id)["tekun_objection_review"].status == "met"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"participants": PEOPLE[:2]}, "participants"),
        ({"participants": [*PEOPLE[:2], "\u202e"]}, "participants.2"),
        ({"outcome": "maybe"}, "outcome"),
        ({"minutes": " "}, "minutes"),
        ({"held_on": dt.date(2020, 1, 1)}, "held_on"),
    ],
)
def test_a_bad_democratic_review_is_refused_naming_the_field_and_nothing_is_written(
    world: World, change: dict[str, object], field: str
) -> None:
    case_id = world.apply()
    world.to_state(case_id, S.IN_PUBLIC_NOTICE)
    record_objection(world.uow(), world.actors["clerk"], case_id, "村民甲", "有车辆")
    with pytest.raises(InvalidData) as refused:
        review(world, case_id, **change)
    assert field in [p.field for p in refused.value.problems]
    with world.rt.reader() as uow:
        assert uow.session.scalar(select(func.count()).select_from(DemocraticReview)) == 0


def test_a_democratic_review_needs_an_objection_in_this_notice(world: World) -> None:
    case_id = world.apply(application(members=1))
    world.to_state(case_id, S.IN_PUBLIC_NOTICE)
    with pytest.raises(Conflict) as refused:
        review(world, case_id)
    assert refused.value.code == "no_objection"


def test_a_complaint_at_the_county_stage_needs_the_countys_own_visit_after_it(
    world: World,
) -> None:
    """Art. 20: a complaint or report received while the county confirms is recorded, and the
    county makes its own home visit (after the complaint) before approving."""
    from engine.services import record_complaint

    case_id = world.apply()
    world.to_state(case_id, S.PENDING_CONFIRMATION)
    world.investigate(
        case_id, level="county", investigators=("approver", "approver2"), by="approver2"
    )
    world.pass_days(1)
    record_complaint(world.uow(), world.actors["approver"], case_id, "匿名", "该户有经营性收入")
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "approve", "approver")
    assert [p.code for p in refused.value.problems] == ["county_check_missing"]
    world.pass_days(1)
    world.investigate(
        case_id, level="county", investigators=("approver", "approver2"), by="approver2"
    )
    assert world.fire(case_id, "approve", "approver") == S.ACTIVE
    with world.rt.reader() as uow:
        triggers = uow.session.scalars(
            select(AuditEntry.trigger).where(AuditEntry.case_id == case_id)
        ).all()
    assert "record_complaint" in triggers


def test_a_complaint_outside_the_county_stage_is_refused_and_nothing_is_written(
    world: World,
) -> None:
    from engine.models import Objection
    from engine.services import record_complaint

    case_id = world.apply()
    world.to_state(case_id, S.IN_PUBLIC_NOTICE)
    with pytest.raises(Conflict) as refused:
        record_complaint(world.uow(), world.actors["approver"], case_id, "匿名", "有车")
    assert refused.value.code == "invalid_state" and "第二十条" in refused.value.message
    with pytest.raises(InvalidData):
        record_complaint(world.uow(), world.actors["approver"], case_id, " ", "有车")
    with world.rt.reader() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Objection)) == 0
