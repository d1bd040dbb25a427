"""Batch decisions: each selected case advanced on its own, refusals reported beside the others,
and the approver's queue showing what a decision needs in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from audit.models import AuditEntry
from audit.officials import import_officials, official_row
from engine.errors import Forbidden, InvalidData
from engine.models import Case, Member, Person
from engine.queue import decision_facts
from engine.services.batch import MAX_BATCH, BatchResult, batch_rules, decide_batch
from engine.services.findings import record_finding
from engine.services.objections import record_complaint
from engine.services.users import NewUser, create_user
from engine.states import CaseState, Role
from tests.support import (
    PASSWORD,
    TOWNSHIP_A,
    VILLAGE_A1,
    World,
    flagged_case,
    id_number,
    load_actors,
)


def pending(world: World, n: int) -> list[int]:
    ids = [world.apply() for _ in range(n)]
    for case_id in ids:
        world.to_state(case_id, CaseState.PENDING_CONFIRMATION)
    return ids


def batch(world: World, by: str, trigger: str, ids: list[int], **kw: object) -> BatchResult:
    return decide_batch(world.rt.uow, world.actors[by], trigger, ids, **kw)  # type: ignore[arg-type]


def entries(world: World, case_id: int) -> list[AuditEntry]:
    with world.rt.reader() as uow:
        return list(
            uow.session.scalars(
                select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq)
            )
        )


def state_of(world: World, case_id: int) -> str:
    with world.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        return str(case.state)


def test_three_cases_confirmed_in_one_batch_one_refused_by_its_guard(world: World) -> None:
    first, second = pending(world, 2)
    flagged = flagged_case(world, VILLAGE_A1, "李芳")
    world.to_state(flagged, CaseState.PENDING_CONFIRMATION)
    before = len(entries(world, flagged))

    result = batch(world, "approver", "approve", [first, flagged, second])

    assert [(o.case_id, o.done) for o in result.outcomes] == [
        (first, True),
        (flagged, False),
        (second, True),
    ]
    assert (result.done, result.refused) == (2, 1)
    refused = result.outcomes[1]
    assert refused.code == "guard_failed"
    assert "须先记录县级入户调查" in refused.message and "近亲属" in refused.message
    assert {p.code for p in refused.problems} == {"county_check_missing"}
    assert state_of(world, flagged) == "pending_confirmation"
    assert len(entries(world, flagged)) == before  # nothing written for the refused case
    for case_id in (first, second):
        assert state_of(world, case_id) == "active"
        (approval,) = [e for e in entries(world, case_id) if e.trigger == "approve"]
        assert approval.actor == "approver" and approval.to_state == "active"
        assert json.loads(approval.payload)["data"] == {"batch": 3}
    assert result.outcomes[0].state == "active" and result.outcomes[0].version is not None


def test_a_stale_version_refuses_only_its_case(world: World) -> None:
    first, second = pending(world, 2)
    with world.rt.reader() as uow:
        versions = {c.id: c.version for c in uow.session.scalars(select(Case))}
    result = batch(
        world,
        "approver",
        "approve",
        [first, second],
        expected_versions={first: versions[first] - 1, second: versions[second]},
    )
    assert [(o.done, o.code) for o in result.outcomes] == [
        (False, "version_conflict"),
        (True, None),
    ]
    assert "请刷新后重试" in result.outcomes[0].message


def test_cases_in_the_wrong_state_missing_or_repeated_are_reported_one_by_one(
    world: World,
) -> None:
    (ready,) = pending(world, 1)
    submitted = world.apply()
    result = batch(world, "approver", "approve", [ready, submitted, 999_999, ready])
    assert [(o.case_id, o.done, o.code) for o in result.outcomes] == [
        (ready, True, None),
        (submitted, False, "invalid_state"),
        (999_999, False, "case_not_found"),
    ]
    assert len([e for e in entries(world, ready) if e.trigger == "approve"]) == 1


def test_the_reviewer_confirms_rechecks_that_found_nothing_in_one_batch(world: World) -> None:
    ids = pending(world, 2)
    for case_id in ids:
        world.fire(case_id, "approve", "approver")
        world.fire(case_id, "start_recheck", "reviewer")
    result = batch(world, "reviewer", "confirm_unchanged", ids)
    assert result.done == 2 and {state_of(world, i) for i in ids} == {"active"}
    assert [r.trigger for r in batch_rules(Role.REVIEWER)] == ["confirm_unchanged"]
    assert [r.trigger for r in batch_rules(Role.APPROVER)] == ["approve"]
    assert batch_rules(Role.CLERK) == ()


@pytest.mark.parametrize("who", ["clerk", "reviewer", "inspector"])
def test_only_the_approver_confirms_a_batch(world: World, who: str) -> None:
    (case_id,) = pending(world, 1)
    with pytest.raises(Forbidden):
        batch(world, who, "approve", [case_id])
    assert state_of(world, case_id) == "pending_confirmation"


@pytest.mark.parametrize(
    ("trigger", "ids", "code"),
    [
        ("approve", [], "nothing_selected"),
        ("approve", list(range(1, MAX_BATCH + 2)), "too_many_cases"),
        ("approve", [0], "invalid_case_id"),
        ("approve", [2**40], "invalid_case_id"),
        ("approve", ["7"], "invalid_case_id"),
        ("reject", [1], "not_batchable"),
        ("fly", [1], "unknown_trigger"),
    ],
)
def test_a_bad_selection_is_refused_whole_before_any_case(
    world: World, trigger: str, ids: list[int], code: str
) -> None:
    (case_id,) = pending(world, 1)
    with pytest.raises(InvalidData) as err:
        batch(world, "approver", trigger, ids)
    assert [p.code for p in err.value.problems] == [code]
    assert state_of(world, case_id) == "pending_confirmation"


def test_versions_for_cases_not_selected_are_refused(world: World) -> None:
    (case_id,) = pending(world, 1)
    with pytest.raises(InvalidData) as err:
        batch(world, "approver", "approve", [case_id], expected_versions={case_id + 1: 3})
    assert [p.field for p in err.value.problems] == ["expected_versions"]


@contextmanager
def counted(world: World) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(world.rt.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(world.rt.engine, "before_cursor_execute", count)


def facts(world: World, ids: list[int], by: str = "approver"):  # type: ignore[no-untyped-def]
    with world.rt.reader() as uow:
        return decision_facts(uow, world.actors[by], ids)


def test_the_queue_shows_amount_flags_objections_and_visits(world: World) -> None:
    plain, complained, found = pending(world, 3)
    flagged = flagged_case(world, VILLAGE_A1, "李芳")
    world.to_state(flagged, CaseState.PENDING_CONFIRMATION)
    record_complaint(world.uow(), world.actors["approver"], complained, "村民甲", "家中有车")
    record_finding(world.uow(), world.actors["inspector"], found, "请县级核实", True)
    seen = facts(world, [plain, complained, found, flagged])

    assert seen[plain].monthly_yuan == Decimal(566) and seen[plain].amount_kind == "proposed"
    assert seen[plain].clean and seen[plain].county_visited_on is None
    assert (seen[flagged].kinship_flags, seen[flagged].kinship_filed) == (1, True)
    assert [p.code for p in seen[flagged].visit_problems] == ["county_check_missing"]
    assert seen[complained].complaints == 1 and not seen[complained].clean
    assert seen[found].finding_requires_visit
    assert [p.code for p in seen[found].visit_problems] == ["inspection_visit_required"]
    assert not any(seen[i].clean for i in (complained, found, flagged))

    world.investigate(
        flagged, level="county", investigators=("approver", "approver2"), by="approver"
    )
    after = facts(world, [flagged])[flagged]
    assert after.visit_problems == () and after.county_visited_on == world.today()
    assert not after.clean  # a kinship-flagged case is opened and decided on its own


def test_the_queue_facts_cost_the_same_queries_for_any_number_of_cases(world: World) -> None:
    few = pending(world, 1)
    many = [*few, *pending(world, 4)]
    flagged = flagged_case(world, VILLAGE_A1, "李芳")
    many.append(flagged)
    with counted(world) as one:
        facts(world, few)
    with counted(world) as six:
        assert len(facts(world, many)) == 6
    assert 0 < len(one) == len(six)


def test_the_queue_facts_stay_in_the_region(world: World) -> None:
    (case_id,) = pending(world, 1)
    assert facts(world, [case_id], by="reviewer_b") == {}


def test_a_recusal_refuses_its_case_in_the_trail_and_the_others_go_on(world: World) -> None:
    ids = pending(world, 2)
    for case_id in ids:
        world.fire(case_id, "approve", "approver")
        world.fire(case_id, "start_recheck", "reviewer")
    with world.rt.reader() as uow:
        case = uow.session.get(Case, ids[0])
        assert case is not None
        applicant = uow.session.scalars(
            select(Person.id_number)
            .join(Member, Member.person_id == Person.id)
            .where(Member.household_id == case.household_id, Member.relation == "self")
        ).one()
    officer = id_number(dt.date(1972, 3, 3))
    import_officials(
        world.uow(),
        world.actors["admin"],
        [
            official_row(
                official_id_number=officer,
                official_name="赵审核",
                position="township_officer",
                region_code=TOWNSHIP_A,
                relative_id_number=applicant,
                relative_name="某",
                relation="sibling",
            )
        ],
    )
    create_user(
        world.uow(), NewUser("reviewer_rel", "reviewer", TOWNSHIP_A, PASSWORD, id_number=officer)
    )
    world.actors.update(load_actors(world.rt))

    result = batch(world, "reviewer_rel", "confirm_unchanged", ids)
    assert [(o.done, o.code) for o in result.outcomes] == [(False, "recusal"), (True, None)]
    assert "回避" in result.outcomes[0].message
    assert entries(world, ids[0])[-1].trigger == "recusal_refused"
    assert state_of(world, ids[0]) == "under_recheck"
