"""submit_application(): households, members and the one-open-case-per-person rule."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from audit.models import AuditEntry
from engine.errors import Conflict, Forbidden, InvalidData
from engine.models import Case, CaseClaim, Household, Member, Person
from engine.services import Application, submit_application
from engine.states import CaseState
from tests.support import VILLAGE_A1, World, application, id_number, member

S = CaseState


def count(w: World, model: type) -> int:
    with w.rt.reader() as uow:
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


def test_an_application_is_submitted_with_its_household(world: World) -> None:
    app = application(members=3)
    case_id = world.apply(app)
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        assert (case.state, case.category, case.village_code, case.area_type) == (
            S.SUBMITTED,
            "dibao",
            VILLAGE_A1,
            "rural",
        )
        members = uow.session.scalars(
            select(Member).where(Member.household_id == case.household_id)
        ).all()
        assert sorted(m.relation for m in members) == ["child", "self", "spouse"]
        trail = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq)
        ).all()
    assert [(e.trigger, e.from_state, e.to_state) for e in trail] == [
        ("create", None, "draft"),
        ("submit", "draft", "submitted"),
    ]
    assert '"application"' in trail[0].payload


def test_birth_date_and_sex_come_from_the_id_number(world: World) -> None:
    app = application(members=1)
    world.apply(app)
    with world.rt.reader() as uow:
        person = uow.session.scalar(select(Person))
    assert person is not None
    number = app.members[0].id_number
    assert person.birth_date.strftime("%Y%m%d") == number[6:14]
    assert person.sex == ("male" if int(number[16]) % 2 else "female")


def test_a_draft_stays_a_draft(world: World) -> None:
    case_id = world.apply(application(draft=True))
    assert world.fire(case_id, "submit", "clerk") == S.SUBMITTED


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "welfare"}, "category"),
        ({"area_type": "suburban"}, "area_type"),
        ({"village_code": "512022101"}, "village_code"),  # a township, not a village
        ({"village_code": "999999999999"}, "village_code"),
        ({"members": []}, "members"),
    ],
)
def test_invalid_applications_name_the_field_and_write_nothing(
    world: World, change: dict[str, object], field: str
) -> None:
    app = dataclasses.replace(application(), **change)  # type: ignore[arg-type]
    with pytest.raises(InvalidData) as refused:
        submit_application(world.uow(), world.actors["clerk"], app)
    assert field in [p.field for p in refused.value.problems]
    assert count(world, Case) == 0 and count(world, Person) == 0


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"id_number": "110105194912310021"}, "members.1.id_number"),
        ({"relation": "cousin"}, "members.1.relation"),
        ({"monthly_income": Decimal("-1")}, "members.1.monthly_income"),
        ({"monthly_income": Decimal("1.005")}, "members.1.monthly_income"),
        ({"disability_grade": 5}, "members.1.disability_grade"),
        ({"disability_type": "physical"}, "members.1.disability_grade"),
        ({"name": " "}, "members.1.name"),
    ],
)
def test_invalid_members_name_the_member_field(
    world: World, bad: dict[str, object], field: str
) -> None:
    app = application(members=2)
    members = [app.members[0], dataclasses.replace(app.members[1], **bad)]  # type: ignore[arg-type]
    with pytest.raises(InvalidData) as refused:
        world.apply(dataclasses.replace(app, members=members))
    assert field in [p.field for p in refused.value.problems]
    assert count(world, Case) == 0


def test_exactly_one_applicant(world: World) -> None:
    for people in ([member("spouse")], [member("self"), member("self")]):
        with pytest.raises(InvalidData) as refused:
            world.apply(Application("dibao", VILLAGE_A1, people))
        assert refused.value.problems[0].code == "applicant_count"


def test_the_same_person_twice_in_one_application_is_refused(world: World) -> None:
    first = member("self")
    twin = dataclasses.replace(first, relation="child")
    with pytest.raises(InvalidData) as refused:
        world.apply(Application("dibao", VILLAGE_A1, [first, twin]))
    assert refused.value.problems[0].code == "duplicate_member"


def test_a_person_in_an_open_case_cannot_apply_again(world: World) -> None:
    app = application(members=2)
    world.apply(app)
    again = Application("dibao", "512022101202", [member("self"), app.members[1]])
    with pytest.raises(Conflict) as refused:
        world.apply(again)
    assert refused.value.code == "person_in_open_case"
    assert refused.value.details[0]["case_id"] == 1
    assert count(world, Case) == 1


def test_a_person_in_an_active_case_cannot_apply_again(world: World) -> None:
    app = application(members=1)
    case_id = world.apply(app)
    world.to_state(case_id, S.ACTIVE)
    with pytest.raises(Conflict):
        world.apply(app)


def test_after_a_final_decision_a_new_case_opens_for_the_same_household(world: World) -> None:
    app = application(members=2)
    first = world.apply(app)
    world.to_state(first, S.REJECTED)
    second = world.apply(app)
    with world.rt.reader() as uow:
        old, new = uow.session.get(Case, first), uow.session.get(Case, second)
        assert old is not None and new is not None
        assert new.household_id == old.household_id
        assert new.previous_case_id == first
        open_claims = uow.session.scalars(
            select(CaseClaim.case_id).where(CaseClaim.released_at.is_(None))
        ).all()
    assert set(open_claims) == {second}


def test_a_new_application_updates_who_lives_in_the_household(world: World) -> None:
    app = application(members=3)
    first = world.apply(app)
    world.fire(first, "withdraw", "clerk", "撤回")
    smaller = dataclasses.replace(app, members=list(app.members[:2]))
    world.apply(smaller)
    with world.rt.reader() as uow:
        household = uow.session.scalars(select(Household)).one()
        current = uow.session.scalars(
            select(Member).where(Member.household_id == household.id, Member.left_at.is_(None))
        ).all()
    assert len(current) == 2


def test_a_name_that_differs_from_the_registered_one_is_refused(world: World) -> None:
    app = application(members=1)
    case_id = world.apply(app)
    world.fire(case_id, "withdraw", "clerk", "撤回")
    renamed = dataclasses.replace(app.members[0], name="别人")
    with pytest.raises(InvalidData) as refused:
        world.apply(dataclasses.replace(app, members=[renamed]))
    assert refused.value.problems[0].code == "name_mismatch"


def test_only_clerks_in_the_village_register_applications(world: World) -> None:
    with pytest.raises(Forbidden):
        world.apply(by="reviewer")
    with pytest.raises(Forbidden):
        world.apply(by="clerk_b")
    assert count(world, Case) == 0


def test_a_second_spouse_of_the_applicant_is_refused_at_its_row(world: World) -> None:
    app = Application("dibao", VILLAGE_A1, [member("self"), member("spouse"), member("spouse")])
    with pytest.raises(InvalidData) as refused:
        world.apply(app)
    (problem,) = refused.value.problems
    assert (problem.code, problem.field) == ("second_spouse", "members.2.relation")
    assert "只能有一名配偶" in problem.message
    assert count(world, Case) == 0


@pytest.mark.parametrize(
    ("relation", "born", "plausible"),
    [
        ("child", dt.date(1971, 1, 1), False),  # a year younger than the applicant
        ("child", dt.date(1990, 1, 1), True),
        ("parent", dt.date(1962, 1, 1), False),  # eight years older
        ("parent", dt.date(1945, 1, 1), True),
        ("grandparent", dt.date(1950, 1, 1), False),  # two generations need 24 years
        ("grandchild", dt.date(2010, 1, 1), True),
    ],
)
def test_parents_and_children_must_be_plausibly_older_or_younger_by_their_id_numbers(
    world: World, relation: str, born: dt.date, plausible: bool
) -> None:
    # the applicant of ``member("self")`` was born on 17 May 1970
    other = dataclasses.replace(member(relation), id_number=id_number(born))
    app = Application("dibao", VILLAGE_A1, [member("self"), other])
    if plausible:
        world.apply(app)
        return
    with pytest.raises(InvalidData) as refused:
        world.apply(app)
    (problem,) = refused.value.problems
    assert (problem.code, problem.field) == ("implausible_relation", "members.1.relation")
    assert born.isoformat() in problem.message
