"""The next step of a case in each state of DOMAIN.md's lifecycle: who acts, which triggers,
by when, and the sentence that says so."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.deadlines import Deadline
from engine.next_step import WHO, NextStep, StepFacts, next_step
from engine.queue import DUE_STATES, WORK_STATES
from engine.states import (
    DESTRUCTIVE,
    FINAL_STATES,
    FORWARD,
    RULES,
    CaseState,
    Role,
    rules_from,
)

S = CaseState
TODAY = dt.date(2026, 3, 2)


def pending(name: str, due: dt.date) -> Deadline:
    """A deadline still running on ``TODAY``."""
    return Deadline(
        name, name, name, "test", 3, "working_days", TODAY, due, None, "pending",
        (due - TODAY).days, due < TODAY, False,
    )  # fmt: skip


def step(state: CaseState, **facts: object) -> NextStep:
    return next_step(StepFacts(state=state, today=TODAY, **facts))  # type: ignore[arg-type]


#: DOMAIN.md "The case lifecycle": who moves each state on, and with which triggers
EXPECTED: dict[CaseState, tuple[Role | None, tuple[str, ...]]] = {
    S.DRAFT: (Role.CLERK, ("submit",)),
    S.SUBMITTED: (Role.CLERK, ("accept", "return_for_materials")),
    S.AWAITING_MATERIALS: (Role.CLERK, ("resubmit",)),
    S.ACCEPTED: (Role.CLERK, ("start_investigation",)),
    # before the township investigation is recorded the clerk acts (no trigger: a record)
    S.INVESTIGATING: (Role.CLERK, ()),
    S.INITIAL_REVIEWED: (Role.REVIEWER, ("publish_notice",)),
    S.IN_PUBLIC_NOTICE: (Role.REVIEWER, ("close_notice",)),
    S.PENDING_CONFIRMATION: (Role.APPROVER, ("approve", "reject")),
    S.ACTIVE: (Role.REVIEWER, ("start_recheck",)),
    S.UNDER_RECHECK: (Role.REVIEWER, ("confirm_unchanged",)),
    S.PHASING_OUT: (Role.APPROVER, ("end_phase_out",)),
    S.TERMINATION_NOTICE: (Role.APPROVER, ("terminate", "keep_support")),
    S.REJECTED: (None, ()),
    S.TERMINATED: (None, ()),
    S.WITHDRAWN: (None, ()),
    S.PROCEDURE_ENDED: (None, ()),
}


@pytest.mark.parametrize("state", list(CaseState))
def test_every_state_names_who_acts_next_with_triggers_the_table_gives_them(
    state: CaseState,
) -> None:
    s = step(state)
    assert (s.role, s.triggers) == EXPECTED[state]
    for trigger in s.triggers:
        assert state in RULES[trigger].sources and RULES[trigger].role is s.role
    if s.role is None:
        assert state in FINAL_STATES and "已办结" in s.text and "Closed" in s.text_en
    else:
        # the role the queue shows the case to, named in words in both languages
        assert state in WORK_STATES[s.role] + DUE_STATES.get(s.role, ())
        zh, en = WHO[s.role]
        assert zh in s.text and en in s.text_en.lower()


def test_the_investigation_recorded_hands_the_case_to_the_reviewer_by_the_deadline() -> None:
    due = dt.date(2026, 3, 31)
    before = step(S.INVESTIGATING, deadlines=[pending("case_total", due)])
    assert "由受理员记录乡镇级入户调查" in before.text and before.due_on == due
    after = step(S.INVESTIGATING, investigated=True, deadlines=[pending("case_total", due)])
    assert (after.role, after.triggers, after.due_on) == (Role.REVIEWER, ("propose",), due)
    assert after.text == "等待乡镇审核员提出初审意见（截止3月31日）"
    assert after.text_en == "The township reviewer proposes the initial review (by 31 March)"


def test_tekun_investigation_is_due_by_its_own_shorter_limit() -> None:
    s = step(
        S.INVESTIGATING,
        category="tekun",
        investigated=True,
        deadlines=[
            pending("case_total", dt.date(2026, 4, 10)),
            pending("tekun_review", dt.date(2026, 3, 20)),
            pending("data_check", dt.date(2026, 3, 5)),  # the county's, not the reviewer's
        ],
    )
    assert s.due_on == dt.date(2026, 3, 20)


def test_accepted_names_the_investigation_start_deadline_and_says_when_it_is_overdue() -> None:
    s = step(S.ACCEPTED, deadlines=[pending("investigation_start", dt.date(2026, 3, 5))])
    assert s.text == "由受理员开展入户调查（截止3月5日）" and s.due_on == dt.date(2026, 3, 5)
    late = step(S.ACCEPTED, deadlines=[pending("investigation_start", dt.date(2026, 2, 26))])
    assert "已超期" in late.text and "overdue" in late.text_en


def test_the_notice_says_until_when_it_runs_and_who_closes_it() -> None:
    running = step(S.IN_PUBLIC_NOTICE, notice_closes_on=dt.date(2026, 3, 10))
    assert running.text == "公示期至3月9日，3月10日起由乡镇审核员结束公示并报县审核确认"
    assert running.due_on == dt.date(2026, 3, 10)
    over = step(S.IN_PUBLIC_NOTICE, notice_closes_on=dt.date(2026, 3, 2))
    assert over.text.startswith("公示期已满") and over.triggers == ("close_notice",)


def test_an_open_objection_is_the_next_thing_to_deal_with() -> None:
    s = step(S.IN_PUBLIC_NOTICE, open_objections=2, notice_closes_on=dt.date(2026, 3, 10))
    assert s.role is Role.REVIEWER and s.triggers == ("raise_objection", "revise_opinion")
    assert "收到2件异议" in s.text


def test_a_file_re_investigated_after_an_objection_goes_to_the_county() -> None:
    s = step(S.INITIAL_REVIEWED, may_refer=True)
    assert s.triggers == ("refer_to_county",) and "报县审核确认" in s.text


def test_enrolled_cases_give_the_next_recheck_date() -> None:
    later = step(S.ACTIVE, next_recheck_on=dt.date(2027, 3, 1))
    assert later.due_on == dt.date(2027, 3, 1)
    assert later.text == "在保：下次定期核查2027年3月1日到期，届时由乡镇审核员启动核查"
    assert "1 March 2027" in later.text_en
    due = step(S.ACTIVE, next_recheck_on=dt.date(2026, 3, 1))
    assert due.text.startswith("定期核查已于3月1日到期")


def test_phase_out_and_termination_notice_say_when_the_county_decides() -> None:
    phase = step(S.PHASING_OUT, deadlines=[pending("phase_out_end", dt.date(2026, 8, 1))])
    assert phase.text.startswith("渐退期至8月1日") and phase.due_on == dt.date(2026, 8, 1)
    notice = step(S.TERMINATION_NOTICE, notice_closes_on=dt.date(2026, 3, 10))
    assert notice.text.startswith("终止公示期至3月9日") and notice.due_on == dt.date(2026, 3, 10)
    objected = step(
        S.TERMINATION_NOTICE,
        notice_closes_on=dt.date(2026, 3, 10),
        deadlines=[pending("termination_objection_review", dt.date(2026, 3, 20))],
    )
    assert objected.triggers == ("renotice_termination", "keep_support")


def test_a_rejection_still_to_be_served_says_so_and_closed_cases_say_nothing_follows() -> None:
    served = step(S.REJECTED, deadlines=[pending("decision_notice", dt.date(2026, 3, 5))])
    assert served.role is None and "书面告知" in served.text and served.due_on
    assert step(S.WITHDRAWN).text == "已办结（已撤回），没有后续步骤；重新申请须新建案件"
    assert "转办低保" in step(S.TERMINATED, category="tekun").text


def test_the_api_form_of_a_step() -> None:
    s = step(S.ACCEPTED, deadlines=[pending("investigation_start", dt.date(2026, 3, 5))])
    assert s.as_dict("en") == {
        "role": "clerk",
        "triggers": ["start_investigation"],
        "due_on": dt.date(2026, 3, 5),
        "text": "The clerk starts the household investigation (by 5 March)",
    }
    assert step(S.WITHDRAWN).as_dict()["role"] is None


def test_forward_triggers_move_their_state_on_and_are_never_destructive() -> None:
    for state, trigger in FORWARD.items():
        assert RULES[trigger] in rules_from(state)
    assert not set(FORWARD.values()) & DESTRUCTIVE
    assert set(RULES) >= DESTRUCTIVE
    # every trigger that ends a case asks first
    assert {r.trigger for r in RULES.values() if r.dest in FINAL_STATES} <= DESTRUCTIVE
    assert {"withdraw", "reject", "terminate", "return_for_materials", "end_procedure"} <= (
        DESTRUCTIVE
    )
