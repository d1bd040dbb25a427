"""What happens next on a case, who does it and by when: read from its state, the transition
table (``engine.states``), the roles each state waits on (``engine.queue.WORK_STATES``) and the
case's deadlines.

The case page's banner, the message after each step and the API's ``next_step`` all say it in
these words. Reference: DOMAIN.md, "The case lifecycle" and "Deadlines".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from engine import guards as guard_registry
from engine.clock import local_date
from engine.deadlines import Deadline, notice_closes_on
from engine.models import Case
from engine.ports import Actor
from engine.services.workflow_step import guard_context
from engine.states import STATE_LABELS, CaseState, Role
from engine.uow import UnitOfWork

S = CaseState

#: who acts, as the next step names them (Chinese, English)
WHO: dict[Role, tuple[str, str]] = {
    Role.CLERK: ("受理员", "the clerk"),
    Role.REVIEWER: ("乡镇审核员", "the township reviewer"),
    Role.APPROVER: ("县级审批员", "the county approver"),
}

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class StepFacts:
    """What the next step of a case depends on, as of ``today``."""

    state: CaseState
    today: dt.date
    category: str = "dibao"
    #: the case's deadlines as of today (``engine.deadlines.case_deadlines``)
    deadlines: Sequence[Deadline] = ()
    #: the current round's township investigation is recorded (the guard of ``propose``)
    investigated: bool = False
    #: objections raised during the notice and not yet dealt with
    open_objections: int = 0
    #: dibao, re-investigated after an objection: the file goes to the county without a
    #: second notice (Art. 19 ¶2)
    may_refer: bool = False
    #: the running public notice (or tekun termination notice) may close from this day
    notice_closes_on: dt.date | None = None
    next_recheck_on: dt.date | None = None


@dataclass(frozen=True)
class NextStep:
    """What happens next: the role that acts (None: nobody, the case is closed), the triggers
    it fires, the date it is due by, and the sentence saying so in Chinese and English."""

    role: Role | None
    triggers: tuple[str, ...]
    due_on: dt.date | None
    text: str
    text_en: str

    def in_language(self, lang: str) -> str:
        """The sentence in ``lang`` ("zh" or "en")."""
        return self.text_en if lang == "en" else self.text

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        """The step as JSON-ready data (the API's ``next_step``)."""
        return {
            "role": self.role.value if self.role is not None else None,
            "triggers": list(self.triggers),
            "due_on": self.due_on,
            "text": self.in_language(lang),
        }


def _day(day: dt.date, today: dt.date) -> tuple[str, str]:
    """A date as people write it: the year only when it is not this year's."""
    zh = f"{day.month}月{day.day}日"
    en = f"{day.day} {_MONTHS[day.month - 1]}"
    if day.year != today.year:
        zh, en = f"{day.year}年{zh}", f"{en} {day.year}"
    return zh, en


def _by(due: dt.date | None, today: dt.date) -> tuple[str, str]:
    """The due date as a clause ("by 12 March"), or that it has passed; nothing without one."""
    if due is None:
        return "", ""
    zh, en = _day(due, today)
    if due < today:
        return f"（已超期，应于{zh}前完成）", f" (overdue: due by {en})"
    return f"（截止{zh}）", f" (by {en})"


def _due(f: StepFacts, *names: str) -> dt.date | None:
    """The earliest due date of the named deadlines still pending (any pending one without
    names)."""
    dates = [
        d.due_on for d in f.deadlines if d.status == "pending" and (not names or d.name in names)
    ]
    return min(dates) if dates else None


def _step(
    role: Role | None,
    triggers: tuple[str, ...],
    due: dt.date | None,
    text: tuple[str, str],
) -> NextStep:
    return NextStep(role, triggers, due, *text)


def _draft(f: StepFacts) -> NextStep:
    return _step(
        Role.CLERK,
        ("submit",),
        None,
        ("等待受理员核对申请并提交", "The clerk checks the application and submits it"),
    )


def _submitted(f: StepFacts) -> NextStep:
    return _step(
        Role.CLERK,
        ("accept", "return_for_materials"),
        None,
        (
            "等待受理员受理申请；材料不全的，一次性告知需补正的全部材料",
            "The clerk accepts the application, or asks once for all the missing materials",
        ),
    )


def _awaiting_materials(f: StepFacts) -> NextStep:
    return _step(
        Role.CLERK,
        ("resubmit",),
        None,
        (
            "等待申请人补正材料，补齐后由受理员重新提交",
            "Waiting for the applicant's missing materials; then the clerk resubmits the "
            "application",
        ),
    )


def _accepted(f: StepFacts) -> NextStep:
    due = _due(f, "investigation_start")
    zh, en = _by(due, f.today)
    return _step(
        Role.CLERK,
        ("start_investigation",),
        due,
        (f"由受理员开展入户调查{zh}", f"The clerk starts the household investigation{en}"),
    )


def _investigating(f: StepFacts) -> NextStep:
    due = _due(f, "tekun_objection_review", "tekun_review", "case_total")
    zh, en = _by(due, f.today)
    if not f.investigated:
        return _step(
            Role.CLERK,
            (),
            due,
            (
                f"由受理员记录乡镇级入户调查，再由乡镇审核员提出初审意见{zh}",
                "The clerk records the township's household investigation; then the township "
                f"reviewer proposes the initial review{en}",
            ),
        )
    return _step(
        Role.REVIEWER,
        ("propose",),
        due,
        (
            f"等待乡镇审核员提出初审意见{zh}",
            f"The township reviewer proposes the initial review{en}",
        ),
    )


def _initial_reviewed(f: StepFacts) -> NextStep:
    due = _due(f, "case_total")
    zh, en = _by(due, f.today)
    if f.may_refer:
        return _step(
            Role.REVIEWER,
            ("refer_to_county",),
            due,
            (
                f"异议已重新调查并重新提出初审意见：等待乡镇审核员报县审核确认{zh}",
                "The objection was re-investigated and a new opinion given: the township "
                f"reviewer refers the case to the county{en}",
            ),
        )
    return _step(
        Role.REVIEWER,
        ("publish_notice",),
        due,
        (
            f"等待乡镇审核员在村（社区）张榜公示初审意见{zh}",
            f"The township reviewer publishes the initial review in the village{en}",
        ),
    )


def _in_public_notice(f: StepFacts) -> NextStep:
    closes = f.notice_closes_on
    if f.open_objections:
        n = f.open_objections
        return _step(
            Role.REVIEWER,
            ("raise_objection", "revise_opinion"),
            None,
            (
                f"公示期间收到{n}件异议：由乡镇审核员重新调查，或经民主评议驳回后重新提出初审意见",
                f"{n} objection(s) raised during the notice: the township reviewer "
                "re-investigates, or dismisses them after a democratic review and gives a new "
                "opinion",
            ),
        )
    if closes is not None and closes > f.today:
        runs_zh, runs_en = _day(closes - dt.timedelta(days=1), f.today)
        from_zh, from_en = _day(closes, f.today)
        text = (
            f"公示期至{runs_zh}，{from_zh}起由乡镇审核员结束公示并报县审核确认",
            f"The notice runs until {runs_en}; from {from_en} the township reviewer closes it "
            "and refers the case to the county",
        )
    else:
        text = (
            "公示期已满：等待乡镇审核员结束公示并报县审核确认",
            "The notice has run its course: the township reviewer closes it and refers the "
            "case to the county",
        )
    return _step(Role.REVIEWER, ("close_notice",), closes, text)


def _pending_confirmation(f: StepFacts) -> NextStep:
    due = _due(f, "county_decision", "case_total")
    zh, en = _by(due, f.today)
    return _step(
        Role.APPROVER,
        ("approve", "reject"),
        due,
        (f"等待县级审批员审核确认{zh}", f"The county approver confirms or rejects the case{en}"),
    )


def _active(f: StepFacts) -> NextStep:
    due = f.next_recheck_on
    if due is None:
        text = (
            "在保：由乡镇审核员定期核查",
            "Enrolled: the township reviewer rechecks the case periodically",
        )
    elif due > f.today:
        zh, en = _day(due, f.today)
        text = (
            f"在保：下次定期核查{zh}到期，届时由乡镇审核员启动核查",
            f"Enrolled: the next periodic recheck is due on {en}, started by the township reviewer",
        )
    else:
        zh, en = _day(due, f.today)
        text = (
            f"定期核查已于{zh}到期：等待乡镇审核员启动核查",
            f"The periodic recheck fell due on {en}: the township reviewer starts it",
        )
    return _step(Role.REVIEWER, ("start_recheck",), due, text)


def _under_recheck(f: StepFacts) -> NextStep:
    due = _due(f)
    zh, en = _by(due, f.today)
    return _step(
        Role.REVIEWER,
        ("confirm_unchanged",),
        due,
        (
            "核查中：等待乡镇审核员确认无变化；情况有变化的，由县级审批员调整金额、进入渐退期或"
            f"停保{zh}",
            "Under recheck: the township reviewer confirms nothing changed; if something did, "
            f"the county approver adjusts the amount, starts a phase-out or terminates{en}",
        ),
    )


def _phasing_out(f: StepFacts) -> NextStep:
    due = _due(f, "phase_out_end")
    if due is not None and due > f.today:
        zh, en = _day(due, f.today)
        text = (
            f"渐退期至{zh}，期满后由县级审批员停保；其间收入再次下降的，恢复保障",
            f"The phase-out runs until {en}; then the county approver ends the support (or "
            "resumes it if the income falls again)",
        )
    else:
        zh, en = _by(due, f.today)
        text = (
            f"渐退期已满：等待县级审批员停保{zh}",
            f"The phase-out has run: the county approver ends the support{en}",
        )
    return _step(Role.APPROVER, ("end_phase_out",), due, text)


def _termination_notice(f: StepFacts) -> NextStep:
    objection_due = _due(f, "termination_objection_review")
    if objection_due is not None:
        zh, en = _by(objection_due, f.today)
        return _step(
            Role.APPROVER,
            ("renotice_termination", "keep_support"),
            objection_due,
            (
                f"终止公示收到异议：由县级审批员调查核实后重新公示或不予终止{zh}",
                "An objection to the termination notice: the county approver investigates it, "
                f"then notices the termination again or keeps the support{en}",
            ),
        )
    closes = f.notice_closes_on
    if closes is not None and closes > f.today:
        runs_zh, runs_en = _day(closes - dt.timedelta(days=1), f.today)
        from_zh, from_en = _day(closes, f.today)
        text = (
            f"终止公示期至{runs_zh}，{from_zh}起由县级审批员决定停保或不予终止",
            f"The termination notice runs until {runs_en}; from {from_en} the county approver "
            "terminates the support or keeps it",
        )
    else:
        text = (
            "终止公示期已满：等待县级审批员决定停保或不予终止",
            "The termination notice has run: the county approver terminates the support or "
            "keeps it",
        )
    return _step(Role.APPROVER, ("terminate", "keep_support"), closes, text)


def _closed(f: StepFacts) -> NextStep:
    label_zh, label_en = STATE_LABELS[f.state]
    if f.state == S.REJECTED and (due := _due(f, "decision_notice")) is not None:
        zh, en = _by(due, f.today)
        return _step(
            None,
            (),
            due,
            (
                f"不予批准：书面告知申请人理由及救济途径，并登记送达{zh}",
                "Rejected: tell the applicant the reasons and the appeal route in writing, and "
                f"record the service{en}",
            ),
        )
    if f.state == S.TERMINATED and f.category == "tekun":
        return _step(
            None,
            (),
            None,
            (
                "已办结（已停保）。仍可能符合低保条件的，可由受理员转办低保申请",
                "Closed (terminated). If the household may still qualify for dibao, the clerk "
                "can open its dibao application",
            ),
        )
    return _step(
        None,
        (),
        None,
        (
            f"已办结（{label_zh}），没有后续步骤；重新申请须新建案件",
            f"Closed ({label_en.lower()}): nothing follows; a new application opens a new case",
        ),
    )


_STEPS: dict[CaseState, Callable[[StepFacts], NextStep]] = {
    S.DRAFT: _draft,
    S.SUBMITTED: _submitted,
    S.AWAITING_MATERIALS: _awaiting_materials,
    S.ACCEPTED: _accepted,
    S.INVESTIGATING: _investigating,
    S.INITIAL_REVIEWED: _initial_reviewed,
    S.IN_PUBLIC_NOTICE: _in_public_notice,
    S.PENDING_CONFIRMATION: _pending_confirmation,
    S.ACTIVE: _active,
    S.UNDER_RECHECK: _under_recheck,
    S.PHASING_OUT: _phasing_out,
    S.TERMINATION_NOTICE: _termination_notice,
    S.REJECTED: _closed,
    S.TERMINATED: _closed,
    S.WITHDRAWN: _closed,
    S.PROCEDURE_ENDED: _closed,
}


def next_step(facts: StepFacts) -> NextStep:
    """What happens next on a case in ``facts.state``, who does it and by when."""
    return _STEPS[facts.state](facts)


#: states whose next step depends on the guards' facts (investigation, objections, referral)
_GUARDED = (S.INVESTIGATING, S.INITIAL_REVIEWED, S.IN_PUBLIC_NOTICE)


def case_next_step(
    uow: UnitOfWork, case: Case, actor: Actor, deadlines: Sequence[Deadline]
) -> NextStep:
    """The next step of ``case`` as of the unit of work's clock (``deadlines``: its deadlines)."""
    state = CaseState(case.state)
    tz = uow.clock.tz
    today = local_date(uow.clock.now(), tz)
    investigated = may_refer = False
    open_objections = 0
    if state in _GUARDED:
        checked = ("township_investigation_recorded", "reinvestigated_after_objection")
        read = guard_registry.fact_groups(checked) | {"objections"}
        ctx = guard_context(uow, case, actor, {}, facts=read)
        open_objections = len(ctx.facts.open_objection_ids)
        passed = {name: not guard_registry.check((name,), ctx) for name in checked}
        investigated = passed["township_investigation_recorded"]
        may_refer = passed["reinvestigated_after_objection"]
    started = {
        S.IN_PUBLIC_NOTICE: case.notice_started_at,
        S.TERMINATION_NOTICE: case.termination_noticed_at,
    }.get(state)
    closes = notice_closes_on(started, uow.rules, tz) if started is not None else None
    return next_step(
        StepFacts(
            state=state,
            today=today,
            category=str(case.category),
            deadlines=deadlines,
            investigated=investigated,
            open_objections=open_objections,
            may_refer=may_refer and state == S.INITIAL_REVIEWED,
            notice_closes_on=closes,
            next_recheck_on=case.next_recheck_on,
        )
    )
