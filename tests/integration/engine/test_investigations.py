"""record_investigation(): who, when and how an investigation may be recorded (Art. 15-17)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from audit.models import AuditEntry
from engine.errors import Conflict, Forbidden, InvalidData
from engine.models import Investigation
from engine.services import InvestigationInput, record_investigation
from engine.states import CaseState
from tests.support import World

S = CaseState
TODAY = dt.date(2026, 3, 2)
GOOD = InvestigationInput(
    date=TODAY, method="home_visit", investigators=["clerk", "clerk2"], findings="核实无误"
)


def record(w: World, case_id: int, inv: InvestigationInput = GOOD, by: str = "clerk") -> int:
    return record_investigation(w.uow(), w.actors[by], case_id, inv).id


@pytest.fixture
def investigating(world: World) -> int:
    case_id = world.apply()
    world.to_state(case_id, S.INVESTIGATING)
    return case_id


def test_an_investigation_is_recorded_and_audited(world: World, investigating: int) -> None:
    inv_id = record(world, investigating)
    with world.rt.reader() as uow:
        saved = uow.session.get(Investigation, inv_id)
        assert saved is not None
        assert sorted(u.username for u in saved.investigators) == ["clerk", "clerk2"]
        last = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None and last.trigger == "record_investigation"
    assert last.from_state == last.to_state == "investigating"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"investigators": ["clerk"]}, "investigators"),
        ({"investigators": ["clerk", "clerk"]}, "investigators"),
        ({"investigators": ["clerk", "nobody"]}, "investigators.1"),
        ({"investigators": ["clerk", "inspector"]}, "investigators.1"),
        ({"investigators": ["clerk", "clerk_b"]}, "investigators.1"),
        ({"method": "phone_call"}, "method"),
        ({"level": "province"}, "level"),
        ({"findings": "  "}, "findings"),
        ({"date": TODAY + dt.timedelta(days=1)}, "date"),
        ({"date": TODAY - dt.timedelta(days=30)}, "date"),
    ],
)
def test_bad_records_name_the_field_and_write_nothing(
    world: World, investigating: int, change: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidData) as refused:
        record(world, investigating, dataclasses.replace(GOOD, **change))  # type: ignore[arg-type]
    assert field in [p.field for p in refused.value.problems]
    with world.rt.reader() as uow:
        assert uow.session.scalars(select(Investigation)).all() == []


def test_a_county_investigation_needs_county_staff(world: World, investigating: int) -> None:
    county = dataclasses.replace(GOOD, level="county")
    with pytest.raises(InvalidData):
        record(world, investigating, county)
    record(
        world,
        investigating,
        dataclasses.replace(county, investigators=["approver", "approver2"]),
        by="approver",
    )


def test_no_township_investigation_before_the_investigation_starts(world: World) -> None:
    case_id = world.apply()
    with pytest.raises(Conflict) as refused:
        record(world, case_id)
    assert refused.value.code == "invalid_state"


def test_inspectors_and_other_regions_may_not_record(world: World, investigating: int) -> None:
    with pytest.raises(Forbidden):
        record(world, investigating, by="inspector")
    with pytest.raises(Forbidden):
        record(world, investigating, by="clerk_b")
