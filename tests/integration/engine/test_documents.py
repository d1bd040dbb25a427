"""What village notices list: the cases in notice (Art. 19) or enrolled (Art. 24), nothing more."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import update

from engine.documents.notices import village_document, village_documents, villages_with_cases
from engine.documents.views import VillageDocument
from engine.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.models import Region
from engine.services import Application
from engine.services.policy import NewParameter, set_parameter
from engine.states import CaseState
from tests.support import COUNTY, TOWNSHIP_A, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, World, member

S = CaseState


def apply(
    w: World, name: str, village: str = VILLAGE_A1, members: int = 2, by: str = "clerk"
) -> int:
    people = [member("self", "100", name=name)] + [
        member("spouse" if i == 0 else "child", "0") for i in range(members - 1)
    ]
    return w.apply(Application("dibao", village, people), by=by)


def build(w: World, region: str, kind: str, who: str = "reviewer") -> list[VillageDocument]:
    with w.rt.reader() as uow:
        found = village_documents(
            uow.session,
            w.actors[who],
            region,
            kind,
            today=w.today(),
            rules=w.rt.rules,
            tz=w.clock.tz,
        )
    return [doc for doc, _ in found]


def one(w: World, code: str, kind: str, who: str = "reviewer") -> VillageDocument:
    with w.rt.reader() as uow:
        doc, scope = village_document(
            uow.session, w.actors[who], code, kind, today=w.today(), rules=w.rt.rules, tz=w.clock.tz
        )
    assert scope.region_code == code and scope.kind == kind
    return doc


def test_a_notice_lists_the_village_cases_in_notice_masked(world: World) -> None:
    """Art. 19: the initial review of each case in notice, in its village, for 7 days."""
    in_notice = apply(world, "王建国", members=3)
    world.to_state(in_notice, S.IN_PUBLIC_NOTICE)
    apply(world, "李四海")  # only submitted: not on the notice
    elsewhere = apply(world, "赵六", village=VILLAGE_A2)
    world.to_state(elsewhere, S.IN_PUBLIC_NOTICE)

    doc = one(world, VILLAGE_A1, "notice")
    assert [r.name for r in doc.rows] == ["王*国"]
    row = doc.rows[0]
    assert row.members == 3 and row.category == "dibao"
    assert row.monthly_yuan == Decimal(533 * 3 - 100)  # the township's proposal
    assert (row.first_day, row.last_day) == (dt.date(2026, 3, 3), dt.date(2026, 3, 9))
    assert doc.issuer.authority == "童家镇人民政府" and doc.issuer.phone == "028-0000 0121"
    assert doc.supervisor.authority == "乐至县民政局"
    assert doc.notice_days == 7 and doc.standards[0].monthly_yuan == Decimal(533)
    assert [d.village_code for d in build(world, COUNTY, "notice", who="approver")] == [
        VILLAGE_A1,
        VILLAGE_A2,
    ]
    assert villages_with_cases_of(world, TOWNSHIP_A) == [
        (VILLAGE_A1, "白塔村", 1),
        (VILLAGE_A2, "观音桥村", 1),
    ]


def villages_with_cases_of(w: World, region: str) -> list[tuple[str, str, int]]:
    with w.rt.reader() as uow:
        return villages_with_cases(uow.session, region, "notice")


def test_a_county_that_prints_full_names_gets_them(world: World) -> None:
    """Art. 19 leaves the display of names to local policy (a dated parameter)."""
    set_parameter(
        world.uow(),
        world.actors["admin"],
        NewParameter(COUNTY, "notice_name_display", "full", world.today(), "县民政局通知（测试）"),
    )
    case_id = apply(world, "王建国")
    world.to_state(case_id, S.IN_PUBLIC_NOTICE)
    doc = one(world, VILLAGE_A1, "notice")
    assert doc.full_names and doc.rows[0].name == "王建国"


def test_a_publication_lists_enrolled_cases_with_decided_amounts(world: World) -> None:
    """Art. 24: the standing list of enrolled households, while enrolled."""
    active = apply(world, "王建国")
    world.to_state(active, S.ACTIVE)
    rechecked = apply(world, "钱多多")
    world.to_state(rechecked, S.UNDER_RECHECK)
    rejected = apply(world, "孙不中")
    world.to_state(rejected, S.REJECTED)
    doc = one(world, VILLAGE_A1, "publication", who="approver")
    assert sorted(r.name for r in doc.rows) == ["王*国", "钱*多"]
    assert all(r.first_day is None for r in doc.rows)
    assert doc.issuer.authority == "乐至县民政局"  # the county publishes


def test_documents_are_refused_outside_the_region_and_role(world: World) -> None:
    case_id = apply(world, "王建国")
    world.to_state(case_id, S.IN_PUBLIC_NOTICE)
    with pytest.raises(Forbidden):
        one(world, VILLAGE_A1, "notice", who="reviewer_b")
    assert one(world, VILLAGE_A1, "notice", who="admin").rows  # a public document
    with pytest.raises(Forbidden):
        build(world, COUNTY, "notice", who="reviewer")  # a township reviewer, the whole county
    assert one(world, VILLAGE_A1, "notice", who="inspector").rows


@pytest.mark.parametrize(
    "code", ["512022101299", "999999", "51202210120\x00", "５１２０２２", "x" * 400]
)
def test_an_unknown_village_is_not_found(world: World, code: str) -> None:
    with pytest.raises(NotFound):
        one(world, code, "notice")


def test_refusals_of_a_wrong_kind_a_township_code_and_an_empty_village(world: World) -> None:
    with pytest.raises(InvalidData):
        one(world, VILLAGE_A1, "poster")
    with pytest.raises(InvalidData):
        one(world, TOWNSHIP_A, "notice")
    with pytest.raises(Conflict) as empty:
        one(world, VILLAGE_B1, "notice", who="approver")
    assert empty.value.code == "no_cases"
    assert build(world, TOWNSHIP_A, "notice") == []


def test_missing_contacts_and_a_missing_standard_are_named(world: World) -> None:
    case_id = apply(world, "王建国")
    world.to_state(case_id, S.IN_PUBLIC_NOTICE)
    with world.uow() as uow:
        uow.session.execute(update(Region).where(Region.code == TOWNSHIP_A).values(phone=None))
        uow.commit()
    with pytest.raises(InvalidData) as missing:
        one(world, VILLAGE_A1, "notice")
    assert missing.value.code == "contact_missing"
    assert [p.field for p in missing.value.problems] == ["phone"]
    assert "童家镇" in missing.value.message

    with world.uow() as uow:
        uow.session.execute(
            update(Region).where(Region.code == TOWNSHIP_A).values(phone="028-0000 0121")
        )
        uow.commit()
    # the test county's standards are all dated 2024-01-01; none is in force before
    world.clock.set(dt.datetime(2023, 6, 1, 10, tzinfo=dt.UTC))
    with pytest.raises(Conflict) as no_standard:
        one(world, VILLAGE_A1, "notice")
    assert no_standard.value.code == "no_standard"
    assert "doudi standards set" in no_standard.value.message
