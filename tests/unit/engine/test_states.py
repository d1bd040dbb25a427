"""The transition table matches the lifecycle in DOMAIN.md and the issue's role assignment."""

from __future__ import annotations

from engine.models import CASE_DATE_COLUMNS
from engine.states import (
    ENROLLED_STATES,
    FINAL_STATES,
    OPEN_STATES,
    RULES,
    STATE_LABELS,
    TRANSITIONS,
    TRIGGERS_BY_ROLE,
    CaseState,
    Role,
)

S = CaseState
OPEN = [
    S.DRAFT,
    S.SUBMITTED,
    S.AWAITING_MATERIALS,
    S.ACCEPTED,
    S.INVESTIGATING,
    S.INITIAL_REVIEWED,
    S.IN_PUBLIC_NOTICE,
    S.PENDING_CONFIRMATION,
]

#: DOMAIN.md "The case lifecycle", written out independently of engine.states
LIFECYCLE: set[tuple[str, str, str]] = (
    {
        ("draft", "submit", "submitted"),
        ("submitted", "accept", "accepted"),
        ("accepted", "start_investigation", "investigating"),
        ("submitted", "return_for_materials", "awaiting_materials"),
        ("awaiting_materials", "resubmit", "submitted"),
        ("investigating", "propose", "initial_reviewed"),
        ("initial_reviewed", "publish_notice", "in_public_notice"),
        ("in_public_notice", "raise_objection", "investigating"),
        ("in_public_notice", "close_notice", "pending_confirmation"),
        ("pending_confirmation", "approve", "active"),
        ("pending_confirmation", "reject", "rejected"),
        ("active", "start_recheck", "under_recheck"),
        ("under_recheck", "confirm_unchanged", "active"),
        ("under_recheck", "adjust", "active"),
        ("under_recheck", "start_phase_out", "phasing_out"),
        ("phasing_out", "end_phase_out", "terminated"),
        ("phasing_out", "resume", "active"),
        ("active", "terminate", "terminated"),
        ("under_recheck", "terminate", "terminated"),
    }
    | {(s.value, "withdraw", "withdrawn") for s in OPEN}
    | {(s.value, "end_procedure", "procedure_ended") for s in OPEN}
    # beyond the minimum: the 45-day extension (Art. 22) is an internal transition
    | {(s.value, "extend_deadline", s.value) for s in OPEN[3:]}
    # an objection answered by democratic review: a new initial opinion (Art. 19 ¶2), and a
    # re-investigated dibao file referred to the county without a second notice
    | {
        ("in_public_notice", "revise_opinion", "in_public_notice"),
        ("initial_reviewed", "refer_to_county", "pending_confirmation"),
    }
    # a member's own share stopped for refusing suitable work three times (Art. 34)
    | {(s, "sanction_work_refusal", s) for s in ("active", "under_recheck")}
    | {(s, "lift_work_refusal_sanction", s) for s in ("active", "under_recheck")}
    # tekun: the intended termination is noticed for 7 days first; an objection is
    # investigated, then the termination noticed again or the support kept (TK Art. 26)
    | {(s, "propose_termination", "termination_notice") for s in ("active", "under_recheck")}
    | {
        ("termination_notice", "renotice_termination", "termination_notice"),
        ("termination_notice", "keep_support", "active"),
        ("termination_notice", "terminate", "terminated"),
    }
)

#: the issue's role assignment
ROLES = {
    Role.CLERK: {
        "submit",
        "accept",
        "return_for_materials",
        "resubmit",
        "start_investigation",
        "withdraw",
    },
    Role.REVIEWER: {
        "propose",
        "publish_notice",
        "raise_objection",
        "close_notice",
        "revise_opinion",
        "refer_to_county",
        "start_recheck",
        "confirm_unchanged",
        "extend_deadline",
    },
    Role.APPROVER: {
        "approve",
        "reject",
        "adjust",
        "start_phase_out",
        "end_phase_out",
        "resume",
        "terminate",
        "end_procedure",
        "sanction_work_refusal",
        "lift_work_refusal_sanction",
        "propose_termination",
        "renotice_termination",
        "keep_support",
    },
    Role.INSPECTOR: set(),
    Role.ADMIN: set(),
    # a village coordinator registers drafts, visits and follows up warnings: no decision
    Role.COORDINATOR: set(),
}


def table_edges() -> set[tuple[str, str, str]]:
    return {(src.value, r.trigger, (r.dest or src).value) for r in TRANSITIONS for src in r.sources}


def test_the_table_is_exactly_the_domain_lifecycle() -> None:
    assert table_edges() == LIFECYCLE


def test_each_role_fires_exactly_its_listed_triggers() -> None:
    assert {role: set(triggers) for role, triggers in TRIGGERS_BY_ROLE.items()} == ROLES


def test_each_trigger_appears_once_in_the_table() -> None:
    assert len(RULES) == len(TRANSITIONS)


def test_final_states_accept_no_trigger() -> None:
    for state in FINAL_STATES:
        assert not any(state in r.sources for r in TRANSITIONS), state


def test_states_partition_into_open_enrolled_and_final() -> None:
    assert set(CaseState) == OPEN_STATES | ENROLLED_STATES | FINAL_STATES
    assert not OPEN_STATES & ENROLLED_STATES
    assert not OPEN_STATES & FINAL_STATES
    assert not ENROLLED_STATES & FINAL_STATES


def test_every_state_is_reachable_from_draft() -> None:
    reached, frontier = {S.DRAFT}, [S.DRAFT]
    while frontier:
        state = frontier.pop()
        for rule in TRANSITIONS:
            if state in rule.sources and rule.dest is not None and rule.dest not in reached:
                reached.add(rule.dest)
                frontier.append(rule.dest)
    assert reached == set(CaseState)


def test_nobody_becomes_active_without_acceptance_investigation_and_confirmation() -> None:
    """Art. 28: no shortcut. Every path from draft to active passes these triggers."""

    def paths(state: CaseState, seen: tuple[str, ...]) -> list[tuple[str, ...]]:
        if state == S.ACTIVE:
            return [seen]
        out = []
        for rule in TRANSITIONS:
            if state in rule.sources and rule.dest is not None and rule.trigger not in seen:
                out += paths(rule.dest, (*seen, rule.trigger))
        return out

    found = paths(S.DRAFT, ())
    assert found
    for path in found:
        assert {"accept", "start_investigation", "propose", "approve"} <= set(path)
        if "refer_to_county" in path:
            # structurally a shortcut; its guard demands a re-investigation, which only an
            # objection raised during a published notice starts (Art. 19 ¶2)
            assert "reinvestigated_after_objection" in RULES["refer_to_county"].guards
            stamping = [r for r in TRANSITIONS if "reinvestigating_since" in r.stamps]
            assert [(r.trigger, r.sources) for r in stamping] == [
                ("raise_objection", (S.IN_PUBLIC_NOTICE,))
            ]
        else:
            assert {"publish_notice", "close_notice"} <= set(path)


def test_reject_terminate_and_reductions_need_written_reasons() -> None:
    for trigger in ("reject", "terminate", "adjust", "end_procedure", "return_for_materials"):
        assert RULES[trigger].reason_required, trigger


def test_stamps_name_real_case_date_columns() -> None:
    for rule in TRANSITIONS:
        assert set(rule.stamps) <= set(CASE_DATE_COLUMNS), rule.trigger


def test_every_state_and_trigger_has_chinese_and_english_labels() -> None:
    assert set(STATE_LABELS) == set(CaseState)
    for rule in TRANSITIONS:
        assert rule.label_zh and rule.label_en
