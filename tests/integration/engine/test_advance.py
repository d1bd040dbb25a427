"""advance(): one locked, checked, audited transaction per change, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from audit.models import AuditEntry
from engine.errors import Conflict, Forbidden, GuardFailed, InvalidData, NotFound
from engine.models import Case, Objection, ObjectionStatus
from engine.services import advance, dismiss_objection, record_objection, workflow_step
from engine.states import FINAL_STATES, RULES, CaseState
from tests.support import World, application, path_to
from tests.unit.engine.test_states import LIFECYCLE

S = CaseState


def entries(w: World, case_id: int) -> list[AuditEntry]:
    with w.rt.reader() as uow:
        return list(
            uow.session.scalars(
                select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq)
            )
        )


def case(w: World, case_id: int) -> Case:
    with w.rt.reader() as uow:
        found = uow.session.get(Case, case_id)
        assert found is not None
        return found


def test_a_case_walks_from_submission_to_active_with_one_entry_per_step(world: World) -> None:
    case_id = world.apply()
    world.to_state(case_id, S.ACTIVE)
    c = case(world, case_id)
    assert c.state == S.ACTIVE
    triggers = [e.trigger for e in entries(world, case_id)]
    assert triggers == [
        "create",
        "submit",
        "accept",
        "start_investigation",
        "record_investigation",
        "propose",
        "publish_notice",
        "close_notice",
        "approve",
    ]
    assert c.chain_seq == len(triggers)
    assert c.version == len(triggers)
    assert c.decided_at == world.clock.now()
    assert c.accepted_at is not None and c.notice_closed_at is not None


def test_an_entry_records_actor_role_states_reason_and_inputs(world: World) -> None:
    case_id = world.apply()
    world.fire(case_id, "return_for_materials", "clerk", "缺少收入证明")
    last = entries(world, case_id)[-1]
    assert (last.trigger, last.from_state, last.to_state) == (
        "return_for_materials",
        "submitted",
        "awaiting_materials",
    )
    assert (last.actor, last.role, last.reason) == ("clerk", "clerk", "缺少收入证明")
    assert last.at == world.clock.now()
    assert last.prev_hash == entries(world, case_id)[-2].hash


@pytest.mark.parametrize("trigger", sorted(RULES))
def test_every_trigger_is_refused_from_every_state_it_does_not_leave(
    world: World, trigger: str
) -> None:
    """The forbidden (state, trigger) pairs, through the service: 409 and nothing written."""
    allowed_from = {src for src, t, _ in LIFECYCLE if t == trigger}
    rule = RULES[trigger]
    for target in (
        S.SUBMITTED,
        S.AWAITING_MATERIALS,
        S.INVESTIGATING,
        S.IN_PUBLIC_NOTICE,
        S.ACTIVE,
        S.REJECTED,
        S.WITHDRAWN,
    ):
        if target.value in allowed_from:
            continue
        case_id = world.apply()
        world.to_state(case_id, target)
        before = case(world, case_id)
        actor = next(
            a
            for a in world.actors.values()
            if a.role == rule.role and a.region_code in ("512022", "512022101")
        )
        with pytest.raises(Conflict) as refused:
            advance(world.uow(), case_id, trigger, actor, reason="理由")
        assert refused.value.code == "invalid_state"
        after = case(world, case_id)
        assert (after.state, after.version, after.chain_seq) == (
            before.state,
            before.version,
            before.chain_seq,
        )


@pytest.mark.parametrize("final", sorted(FINAL_STATES))
def test_final_states_accept_no_trigger(world: World, final: CaseState) -> None:
    case_id = world.apply()
    world.to_state(case_id, final)
    for trigger, rule in RULES.items():
        actor = world.actors[
            "approver"
            if rule.role == "approver"
            else "reviewer"
            if rule.role == "reviewer"
            else "clerk"
        ]
        with pytest.raises(Conflict):
            advance(world.uow(), case_id, trigger, actor, reason="理由")


def test_a_role_may_fire_only_its_own_triggers(world: World) -> None:
    case_id = world.apply()
    for who in ("reviewer", "approver", "inspector", "admin"):
        with pytest.raises(Forbidden) as refused:
            world.fire(case_id, "accept", who)
        assert refused.value.code == "role_not_allowed"
    assert case(world, case_id).state == S.SUBMITTED


def test_users_act_only_in_their_region(world: World) -> None:
    case_id = world.apply()
    with pytest.raises(Forbidden) as refused:
        world.fire(case_id, "accept", "clerk_b")
    assert refused.value.code == "outside_region"
    # a village-level clerk acts in that village only
    assert world.fire(case_id, "accept", "village_clerk") == S.ACCEPTED
    other = world.apply(application(village="512022101202"))
    with pytest.raises(Forbidden):
        world.fire(other, "accept", "village_clerk")


def test_an_unknown_case_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        world.fire(9999, "accept", "clerk")


def test_a_stale_version_is_a_conflict_and_changes_nothing(world: World) -> None:
    case_id = world.apply()
    version = case(world, case_id).version
    world.fire(case_id, "accept", "clerk", expected_version=version)
    with pytest.raises(Conflict) as refused:
        world.fire(case_id, "start_investigation", "clerk", expected_version=version)
    assert refused.value.code == "version_conflict"
    assert case(world, case_id).state == S.ACCEPTED


def test_reject_needs_a_written_reason(world: World) -> None:
    case_id = world.apply()
    world.to_state(case_id, S.PENDING_CONFIRMATION)
    with pytest.raises(InvalidData) as refused:
        world.fire(case_id, "reject", "approver", "   ")
    assert refused.value.problems[0].field == "reason"
    assert case(world, case_id).state == S.PENDING_CONFIRMATION


def test_propose_needs_a_township_investigation_by_two(world: World) -> None:
    case_id = world.apply()
    world.to_state(case_id, S.INVESTIGATING)
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "propose", "reviewer")
    assert [p.code for p in refused.value.problems] == ["township_investigation_missing"]
    world.investigate(
        case_id, level="county", investigators=("approver", "approver2"), by="approver"
    )
    with pytest.raises(GuardFailed):
        world.fire(case_id, "propose", "reviewer")
    world.investigate(case_id)
    assert world.fire(case_id, "propose", "reviewer") == S.INITIAL_REVIEWED


def test_the_notice_closes_only_after_seven_full_days(world: World) -> None:
    """Art. 19. Published Monday 2 March 10:00; closable from 00:00 on 10 March."""
    case_id = world.apply()
    world.to_state(case_id, S.IN_PUBLIC_NOTICE)
    world.pass_days(7)  # Monday 9 March, 10:00: the seventh full day is still running
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "close_notice", "reviewer")
    assert refused.value.problems[0].code == "notice_period_running"
    world.pass_days(0.59)  # 9 March, 24:09 -> 10 March 00:09 local
    assert world.fire(case_id, "close_notice", "reviewer") == S.PENDING_CONFIRMATION


def test_an_open_objection_blocks_the_notice_until_handled(world: World) -> None:
    case_id = world.apply()
    world.to_state(case_id, S.IN_PUBLIC_NOTICE)
    objection = record_objection(world.uow(), world.actors["clerk"], case_id, "村民甲", "有车辆")
    world.pass_days(8)
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "close_notice", "reviewer")
    assert [p.code for p in refused.value.problems] == ["objection_open", "opinion_not_revised"]
    dismiss_objection(
        world.uow(),
        world.actors["reviewer"],
        case_id,
        objection.id,
        "经民主评议，车辆登记在他人名下",
    )
    # the new initial opinion after the objection's review is required too (Art. 19 ¶2)
    with pytest.raises(GuardFailed) as unrevised:
        world.fire(case_id, "close_notice", "reviewer")
    assert [p.code for p in unrevised.value.problems] == ["opinion_not_revised"]
    world.investigate(
        case_id, level="county", investigators=("approver", "approver2"), by="approver"
    )
    world.fire(case_id, "revise_opinion", "reviewer", "县级入户核实车辆登记在他人名下，维持原意见")
    assert world.fire(case_id, "close_notice", "reviewer") == S.PENDING_CONFIRMATION


def test_raise_objection_sends_the_case_back_for_a_new_investigation(world: World) -> None:
    case_id = world.apply()
    world.to_state(case_id, S.IN_PUBLIC_NOTICE)
    world.pass_days(2)
    assert (
        world.fire(case_id, "raise_objection", "reviewer", "群众反映有经营收入") == S.INVESTIGATING
    )
    with world.rt.reader() as uow:
        objections = uow.session.scalars(select(Objection)).all()
    assert [o.status for o in objections] == [ObjectionStatus.REINVESTIGATED]
    # the earlier investigation does not count for the new round
    with pytest.raises(GuardFailed):
        world.fire(case_id, "propose", "reviewer")
    world.pass_days(1)
    world.investigate(case_id)
    world.fire(case_id, "propose", "reviewer")
    world.fire(case_id, "publish_notice", "reviewer")
    world.pass_days(8)
    assert world.fire(case_id, "close_notice", "reviewer") == S.PENDING_CONFIRMATION


def test_the_approver_may_not_have_investigated_the_case(world: World) -> None:
    case_id = world.apply()
    world.to_state(case_id, S.INVESTIGATING)
    world.investigate(case_id, investigators=("clerk", "approver"))
    world.fire(case_id, "propose", "reviewer")
    world.fire(case_id, "publish_notice", "reviewer")
    world.pass_days(8)
    world.fire(case_id, "close_notice", "reviewer")
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, "approve", "approver")
    assert refused.value.problems[0].code == "separation_of_duties"
    assert world.fire(case_id, "approve", "approver2") == S.ACTIVE


def test_a_failure_after_the_state_change_leaves_no_trace(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Atomicity: state, version, stamps and the audit entry commit together or not at all."""
    case_id = world.apply()
    before = case(world, case_id)

    def explode(*_args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(world.rt.audit, "append", explode)
    with pytest.raises(RuntimeError):
        world.fire(case_id, "accept", "clerk")
    monkeypatch.undo()
    after = case(world, case_id)
    assert (after.state, after.version, after.accepted_at) == (S.SUBMITTED, before.version, None)
    assert len(entries(world, case_id)) == before.chain_seq


def test_a_failing_effect_rolls_back_the_state_too(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = world.apply()
    world.to_state(case_id, S.IN_PUBLIC_NOTICE)

    def explode(*_args: object) -> dict[str, object]:
        raise RuntimeError("effect failed")

    monkeypatch.setitem(workflow_step.EFFECTS, "raise_objection", explode)
    with pytest.raises(RuntimeError):
        world.fire(case_id, "raise_objection", "reviewer", "异议")
    assert case(world, case_id).state == S.IN_PUBLIC_NOTICE
    with world.rt.reader() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Objection)) == 0


@pytest.mark.parametrize("target", [S.REJECTED, S.WITHDRAWN, S.PROCEDURE_ENDED, S.TERMINATED])
def test_reaching_every_path_target(world: World, target: CaseState) -> None:
    case_id = world.apply()
    for step in path_to(target):
        step(world, case_id)
    assert case(world, case_id).state == target


def test_data_and_reasons_that_could_not_be_read_back_are_refused(world: World) -> None:
    """The trail is append-only: what it stores must stay readable and exportable for ever."""
    from engine.errors import InvalidData

    case_id = world.apply()
    deep: dict[str, object] = {"x": 1}
    for _ in range(50):
        deep = {"x": deep}
    with pytest.raises(InvalidData) as refused:
        world.fire(case_id, "accept", "clerk", data=deep)
    assert refused.value.problems[0].field.startswith("data")  # type: ignore[union-attr]
    with pytest.raises(InvalidData):
        world.fire(case_id, "withdraw", "clerk", "撤回\x00")
    assert world.fire(case_id, "accept", "clerk") == CaseState.ACCEPTED


@pytest.mark.parametrize(
    ("trigger", "reason"),
    [("adjust", "核查后调整"), ("terminate", "核查后停保")],
)
def test_recheck_decisions_need_an_approver_who_did_not_investigate_the_recheck(
    world: World, trigger: str, reason: str
) -> None:
    """Separation of duties on rechecks (DOMAIN "Guards"; 《最低生活保障审核确认办法》 Art. 31):
    who adjusts or terminates after a recheck did not take part in its investigation."""
    case_id = world.apply()
    world.to_state(case_id, S.ACTIVE)
    world.pass_days(30)
    world.fire(case_id, "start_recheck", "reviewer")
    world.investigate(case_id, investigators=("clerk", "approver"))
    with pytest.raises(GuardFailed) as refused:
        world.fire(case_id, trigger, "approver", reason)
    assert "separation_of_duties" in [p.code for p in refused.value.problems]
    world.fire(case_id, trigger, "approver2", reason)


def test_an_investigation_before_the_recheck_does_not_bar_its_decider(world: World) -> None:
    """Only the recheck's own investigation counts (the approval's was checked at approval)."""
    case_id = world.apply()
    world.to_state(case_id, S.ACTIVE)
    world.pass_days(30)
    world.fire(case_id, "start_recheck", "reviewer")
    world.investigate(case_id, investigators=("clerk", "clerk2"))
    assert world.fire(case_id, "adjust", "approver", "核查后调整") == S.ACTIVE
