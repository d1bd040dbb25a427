"""The machine fires every allowed (state, trigger) pair and refuses every other one."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.clock import CHINA_TZ
from engine.errors import Conflict, GuardFailed, InvalidData
from engine.guards import CaseFacts, GuardContext, InvestigationFact
from engine.ports import Actor
from engine.rulebook import national_rules
from engine.states import RULES, CaseState, Role
from engine.workflow import fire, machine, triggers_from
from tests.unit.engine.test_states import LIFECYCLE

NOW = dt.datetime(2026, 3, 20, 2, 0, tzinfo=dt.UTC)
APPROVER = Actor(user_id=99, username="approver", role=Role.APPROVER, region_code="512022")


#: the triggers only a tekun case fires (its termination notice, TK Art. 26)
TEKUN_ONLY = frozenset({"propose_termination", "renotice_termination"})


def permissive(trigger: str = "") -> GuardContext:
    """Facts that satisfy every guard of ``trigger``, so only the state decides."""
    tekun = trigger in TEKUN_ONLY
    return GuardContext(
        facts=CaseFacts(
            case_id=1,
            state="any",
            category="tekun" if tekun else "dibao",
            termination_noticed_at=NOW - dt.timedelta(days=6),
            termination_objection_at=NOW - dt.timedelta(days=5),
            investigating_since=NOW - dt.timedelta(days=30),
            reinvestigating_since=NOW - dt.timedelta(days=25),
            proposed_at=NOW - dt.timedelta(days=24),
            notice_started_at=NOW - dt.timedelta(days=10),
            objection_raised_at=NOW - dt.timedelta(days=9),
            democratic_review_at=NOW - dt.timedelta(days=8),
            opinion_revised_at=NOW - dt.timedelta(days=7),
            investigations=(
                InvestigationFact(
                    1, "township", NOW.date(), frozenset({1, 2}), NOW - dt.timedelta(days=20)
                ),
                InvestigationFact(
                    2, "county", NOW.date(), frozenset({3, 4}), NOW - dt.timedelta(days=4)
                ),
            ),
            work_refusals={"512022197005170011": 3},
        ),
        actor=APPROVER,
        now=NOW,
        tz=CHINA_TZ,
        rules=national_rules(),
        data={
            "ground": "means" if tekun else "objection",
            "change": "employment",
            "member": "512022197005170011",
        },
    )


ALLOWED = {(src, trig): dest for src, trig, dest in LIFECYCLE}
PAIRS = [(s.value, t) for s in CaseState for t in RULES]


@pytest.mark.parametrize(("state", "trigger"), PAIRS)
def test_every_state_trigger_pair_fires_or_is_refused(state: str, trigger: str) -> None:
    if (state, trigger) in ALLOWED:
        assert fire(state, trigger, permissive(trigger)) == ALLOWED[(state, trigger)]
    else:
        with pytest.raises(Conflict) as refused:
            fire(state, trigger, permissive(trigger))
        assert refused.value.code == "invalid_state"


def test_an_unknown_trigger_is_invalid_data_naming_the_field() -> None:
    with pytest.raises(InvalidData) as refused:
        fire("submitted", "approve_everything", permissive())
    assert refused.value.problems[0].field == "trigger"


def test_a_failed_guard_raises_with_every_failure() -> None:
    ctx = permissive()
    ctx = GuardContext(
        facts=CaseFacts(
            case_id=1,
            state="in_public_notice",
            notice_started_at=NOW - dt.timedelta(days=2),
            open_objection_ids=(7,),
        ),
        actor=ctx.actor,
        now=NOW,
        tz=CHINA_TZ,
        rules=ctx.rules,
    )
    with pytest.raises(GuardFailed) as refused:
        fire("in_public_notice", "close_notice", ctx)
    codes = [p.code for p in refused.value.problems]
    assert codes == ["notice_period_running", "objection_open"]


def test_the_machine_is_built_once_and_has_no_shortcut_triggers() -> None:
    assert machine() is machine()
    assert not any(name.startswith("to_") for name in machine().events)


def test_triggers_from_a_final_state_are_none() -> None:
    for state in ("rejected", "terminated", "withdrawn", "procedure_ended"):
        assert triggers_from(state) == []
