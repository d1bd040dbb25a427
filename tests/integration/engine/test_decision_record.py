"""Decisions of record: each is numbered in the county's yearly serial and records the appeal
route it states, one by one and in bulk alike (Art. 38; 《社会救助暂行办法》 Art. 65)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select

from audit.letters import decision_letter
from audit.models import AuditEntry
from engine.errors import InvalidData
from engine.models import Region
from engine.services.bulk import end_due_phase_outs
from engine.states import CaseState
from tests.integration.engine.test_bulk import phasing_out
from tests.support import COUNTY, World

S = CaseState


def decision(world: World, case_id: int, trigger: str) -> dict[str, Any]:
    with world.rt.reader() as uow:
        entry = uow.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.case_id == case_id, AuditEntry.trigger == trigger)
            .order_by(AuditEntry.seq.desc())
        ).first()
        assert entry is not None
        return json.loads(entry.payload)  # type: ignore[no-any-return]


def test_each_decision_gets_the_countys_next_number_and_its_appeal_route(world: World) -> None:
    """Art. 38: a refusal states where and within how long it can be challenged; the
    decision records it, with its number, when it is taken."""
    approved = world.apply()
    world.to_state(approved, S.ACTIVE)
    rejected = world.apply()
    world.to_state(rejected, S.REJECTED)
    first, second = decision(world, approved, "approve"), decision(world, rejected, "reject")
    assert (first["document_number"], second["document_number"]) == (
        f"{COUNTY}-2026-000001",
        f"{COUNTY}-2026-000002",
    )
    assert second["appeal"] == {
        "reconsideration_body": "乐至县人民政府",
        "reconsideration_days": 60,
        "court": "乐至县人民法院",
        "litigation_months": 6,
    }


def test_the_serial_starts_again_each_year(world: World) -> None:
    case_id = world.apply()
    world.to_state(case_id, S.PENDING_CONFIRMATION)
    world.clock.advance(dt.datetime(2027, 1, 4, 10, 0, tzinfo=world.clock.tz) - world.clock.now())
    world.fire(case_id, "approve", "approver")
    assert decision(world, case_id, "approve")["document_number"] == f"{COUNTY}-2027-000001"


def test_phase_outs_ended_in_bulk_are_numbered_like_single_decisions(world: World) -> None:
    case_ids = [phasing_out(world)[0] for _ in range(3)]
    world.pass_days(190)
    end_due_phase_outs(world.rt.uow, world.actors["approver"], world.today())
    numbers = [decision(world, c, "end_phase_out")["document_number"] for c in case_ids]
    started = [decision(world, c, "start_phase_out")["document_number"] for c in case_ids]
    assert len(set(numbers + started)) == 6  # no number given twice
    assert all(decision(world, c, "end_phase_out")["appeal"]["court"] for c in case_ids)


def test_no_decision_goes_out_without_its_appeal_route_and_nothing_is_written(
    world: World,
) -> None:
    case_id = world.apply()
    world.to_state(case_id, S.PENDING_CONFIRMATION)
    with world.rt.uow() as uow:
        county = uow.session.get(Region, COUNTY)
        assert county is not None
        county.reconsideration_body = None
        uow.commit()
    with pytest.raises(InvalidData) as refused:
        world.fire(case_id, "reject", "approver", "收入超标")
    assert refused.value.code == "contact_missing"
    with world.rt.reader() as uow:
        assert (
            uow.session.scalar(
                select(AuditEntry.id).where(
                    AuditEntry.case_id == case_id, AuditEntry.trigger == "reject"
                )
            )
            is None
        )


def test_a_letter_printed_later_states_the_route_its_decision_recorded(world: World) -> None:
    case_id = world.apply()
    world.to_state(case_id, S.REJECTED)
    with world.rt.uow() as uow:
        county = uow.session.get(Region, COUNTY)
        assert county is not None
        county.reconsideration_body = "资阳市人民政府"  # reorganised after the decision
        uow.commit()
    with world.rt.reader() as uow:
        letter, _scope = decision_letter(
            uow.session,
            world.actors["approver"],
            case_id,
            "rejection",
            today=world.today(),
            rules=world.rt.rules,
            tz=world.clock.tz,
        )
    assert letter.appeal.reconsideration_body == "乐至县人民政府"
    assert letter.document_number == decision(world, case_id, "reject")["document_number"]
