"""Decision letters state the decision of record: from the trail entry and the stored amount.

Rules: Art. 21 (payment from the next month; written notice), Art. 38 and
《社会救助暂行办法》 Art. 65 (appeal route), the 2022 notice (phase-out).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from audit.letters import decision_letter
from audit.models import AuditEntry
from engine.documents.views import DecisionLetter, DocumentKind
from engine.errors import Conflict, Forbidden, NotFound
from engine.services import Application
from engine.states import CaseState
from tests.support import VILLAGE_A1, World, member

S = CaseState


def letter(w: World, case_id: int, kind: str, who: str = "approver") -> DecisionLetter:
    with w.rt.reader() as uow:
        found, scope = decision_letter(
            uow.session,
            w.actors[who],
            case_id,
            kind,
            today=w.today(),
            rules=w.rt.rules,
            tz=w.clock.tz,
        )
    assert scope.case_id == case_id and scope.decision_seq == found.decision_seq
    assert scope.subject == "王*国"  # what the public verification page may show
    return found


def household(w: World) -> int:
    people = [member("self", "100", name="王建国"), member("spouse", "0", name="李秀兰")]
    return w.apply(Application("dibao", VILLAGE_A1, people))


def test_an_approval_letter_states_the_decided_amount_and_its_record(world: World) -> None:
    case_id = household(world)
    world.to_state(case_id, S.ACTIVE)
    found = letter(world, case_id, "approval")
    assert found.addressee == "王建国" and found.monthly_yuan == Decimal(533 * 2 - 100)
    assert found.members == 2 and found.first_month == dt.date(2026, 4, 1)  # month after (Art. 21)
    # the rounding step is printed even when it changes nothing, as the screen shows it
    assert [line.code for line in found.lines] == [
        "standard_total",
        "counted_income",
        "base",
        "rounding",
        "monthly",
    ]
    assert found.next_recheck_on is not None and found.recheck_months == 12
    assert found.appeal.reconsideration_days == 60 and found.appeal.litigation_months == 6
    assert found.appeal.reconsideration_body == "乐至县人民政府"
    with world.rt.reader() as uow:
        entry = uow.session.scalar(
            select(AuditEntry).where(AuditEntry.case_id == case_id, AuditEntry.trigger == "approve")
        )
    assert entry is not None and (found.decision_seq, found.decision_hash) == (
        entry.seq,
        entry.hash,
    )


def test_rejection_and_termination_carry_the_written_reason(world: World) -> None:
    rejected = household(world)
    world.to_state(rejected, S.REJECTED)
    assert letter(world, rejected, "rejection").reason == "收入超标"
    terminated = household(world)
    world.to_state(terminated, S.TERMINATED)
    found = letter(world, terminated, "termination")
    assert found.reason == "家庭收入超过标准" and found.monthly_yuan is None


def test_a_phase_out_letter_states_months_and_amount(world: World) -> None:
    case_id = household(world)
    world.to_state(case_id, S.PHASING_OUT)
    found = letter(world, case_id, "phase_out")
    assert found.phase_out_months == 6 and found.first_month == dt.date(2026, 4, 1)
    assert found.phase_out_last_month == dt.date(2026, 9, 1)  # six months: April to September
    assert found.monthly_yuan == found.previous_monthly_yuan  # national default: unchanged


def test_an_adjustment_letter_states_the_old_and_new_amounts(world: World) -> None:
    case_id = household(world)
    world.to_state(case_id, S.UNDER_RECHECK)
    world.fire(case_id, "adjust", "approver", "收入减少，重新核定")
    found = letter(world, case_id, "adjustment")
    assert found.previous_monthly_yuan == Decimal(966) and found.reason == "收入减少，重新核定"
    assert found.kind == DocumentKind.ADJUSTMENT


def test_a_letter_without_its_decision_is_a_conflict(world: World) -> None:
    case_id = household(world)
    world.to_state(case_id, S.PENDING_CONFIRMATION)
    for kind in ("approval", "rejection", "termination", "adjustment", "phase_out"):
        with pytest.raises(Conflict) as refused:
            letter(world, case_id, kind)
        assert refused.value.code == "no_decision"


def test_letters_are_refused_for_an_unknown_kind_and_another_region(world: World) -> None:
    case_id = household(world)
    world.to_state(case_id, S.ACTIVE)
    with pytest.raises(NotFound):
        letter(world, case_id, "praise")
    with pytest.raises(Forbidden):
        letter(world, case_id, "approval", who="clerk_b")
    # a letter names its addressee in full: the administrator, who sees masked data, may not
    with pytest.raises(Forbidden):
        letter(world, case_id, "approval", who="admin")
    with pytest.raises(NotFound):
        letter(world, 999_999, "approval")
    assert letter(world, case_id, "approval", who="clerk").case_id == case_id
