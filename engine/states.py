"""Case states, roles and the transition table: the lifecycle as plain data.

The table below is the single source of the workflow. The pytransitions
machine (``engine.workflow``), the role checks, the API's ``allowed_triggers``
and the admin UI's buttons and lifecycle diagram are all built from it.
Reference: DOMAIN.md, "The case lifecycle"; 《最低生活保障审核确认办法》 Art. 10-31.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CaseState(StrEnum):
    """Where a case stands in the procedure."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    AWAITING_MATERIALS = "awaiting_materials"
    ACCEPTED = "accepted"
    INVESTIGATING = "investigating"
    INITIAL_REVIEWED = "initial_reviewed"
    IN_PUBLIC_NOTICE = "in_public_notice"
    PENDING_CONFIRMATION = "pending_confirmation"
    ACTIVE = "active"
    UNDER_RECHECK = "under_recheck"
    PHASING_OUT = "phasing_out"
    #: tekun: the county's intention to end support is noticed in the village (TK Art. 26)
    TERMINATION_NOTICE = "termination_notice"
    REJECTED = "rejected"
    TERMINATED = "terminated"
    WITHDRAWN = "withdrawn"
    PROCEDURE_ENDED = "procedure_ended"


class Role(StrEnum):
    """What a user does in the procedure (DESIGN.md, "Who uses it")."""

    CLERK = "clerk"
    REVIEWER = "reviewer"
    APPROVER = "approver"
    INSPECTOR = "inspector"
    ADMIN = "admin"
    #: 救助协理员: one village; registers drafts on households' behalf, visits, follows up
    #: warnings; fires no decision trigger
    COORDINATOR = "coordinator"


S = CaseState

#: States before the county's decision: the application is still being handled.
OPEN_STATES: frozenset[CaseState] = frozenset(
    {
        S.DRAFT,
        S.SUBMITTED,
        S.AWAITING_MATERIALS,
        S.ACCEPTED,
        S.INVESTIGATING,
        S.INITIAL_REVIEWED,
        S.IN_PUBLIC_NOTICE,
        S.PENDING_CONFIRMATION,
    }
)
#: States in which the household is enrolled and paid.
ENROLLED_STATES: frozenset[CaseState] = frozenset(
    {S.ACTIVE, S.UNDER_RECHECK, S.PHASING_OUT, S.TERMINATION_NOTICE}
)
#: Final states accept no trigger; a new application opens a new case.
FINAL_STATES: frozenset[CaseState] = frozenset(
    {S.REJECTED, S.TERMINATED, S.WITHDRAWN, S.PROCEDURE_ENDED}
)


@dataclass(frozen=True)
class TransitionRule:
    """One trigger of the lifecycle: where it may fire, who fires it, what it checks."""

    trigger: str
    sources: tuple[CaseState, ...]
    #: None: an internal transition, recorded but leaving the state as it is
    dest: CaseState | None
    role: Role
    #: guard names, evaluated together so that a refusal names every failure
    guards: tuple[str, ...] = ()
    #: reject, reduce, terminate and the like always carry written reasons
    reason_required: bool = False
    #: case date columns set to "now" when the trigger fires
    stamps: tuple[str, ...] = ()
    label_zh: str = ""
    label_en: str = ""


_R = TransitionRule
_OPEN = tuple(s for s in CaseState if s in OPEN_STATES)
_AFTER_ACCEPTANCE = (
    S.ACCEPTED,
    S.INVESTIGATING,
    S.INITIAL_REVIEWED,
    S.IN_PUBLIC_NOTICE,
    S.PENDING_CONFIRMATION,
)

TRANSITIONS: tuple[TransitionRule, ...] = (
    # application and acceptance (Art. 10-14)
    _R(
        "submit",
        (S.DRAFT,),
        S.SUBMITTED,
        Role.CLERK,
        stamps=("submitted_at",),
        label_zh="提交申请",
        label_en="Submit",
    ),
    _R(
        "accept",
        (S.SUBMITTED,),
        S.ACCEPTED,
        Role.CLERK,
        stamps=("accepted_at",),
        label_zh="受理",
        label_en="Accept",
    ),
    _R(
        "return_for_materials",
        (S.SUBMITTED,),
        S.AWAITING_MATERIALS,
        Role.CLERK,
        reason_required=True,
        stamps=("materials_requested_at",),
        label_zh="一次性告知补正材料",
        label_en="Return for materials",
    ),
    _R(
        "resubmit",
        (S.AWAITING_MATERIALS,),
        S.SUBMITTED,
        Role.CLERK,
        label_zh="补正后重新提交",
        label_en="Resubmit",
    ),
    # household investigation and township review (Art. 15-18)
    _R(
        "start_investigation",
        (S.ACCEPTED,),
        S.INVESTIGATING,
        Role.CLERK,
        stamps=("investigating_since",),
        label_zh="开始家庭经济状况调查",
        label_en="Start investigation",
    ),
    _R(
        "propose",
        (S.INVESTIGATING,),
        S.INITIAL_REVIEWED,
        Role.REVIEWER,
        guards=("township_investigation_recorded", "benefit_computable"),
        stamps=("proposed_at",),
        label_zh="提出初审意见",
        label_en="Propose (initial review)",
    ),
    # public notice (Art. 19)
    _R(
        "publish_notice",
        (S.INITIAL_REVIEWED,),
        S.IN_PUBLIC_NOTICE,
        Role.REVIEWER,
        stamps=("notice_started_at",),
        label_zh="张榜公示",
        label_en="Publish notice",
    ),
    _R(
        "raise_objection",
        (S.IN_PUBLIC_NOTICE,),
        S.INVESTIGATING,
        Role.REVIEWER,
        reason_required=True,
        # the first start stays: the Art. 15 deadline was met by it (a re-investigation is
        # its own record)
        stamps=("reinvestigating_since",),
        label_zh="受理异议并重新调查",
        label_en="Raise objection",
    ),
    # an objection reviewed by democratic review (or a county visit) instead of sending the
    # case back: the township gives a new, reasoned initial opinion (Art. 19 ¶2)
    _R(
        "revise_opinion",
        (S.IN_PUBLIC_NOTICE,),
        None,
        Role.REVIEWER,
        guards=("objection_reviewed",),
        reason_required=True,
        stamps=("opinion_revised_at",),
        label_zh="重新提出初审意见",
        label_en="Revise the initial opinion",
    ),
    _R(
        "close_notice",
        (S.IN_PUBLIC_NOTICE,),
        S.PENDING_CONFIRMATION,
        Role.REVIEWER,
        guards=(
            "notice_period_elapsed",
            "no_open_objection",
            "opinion_after_objection",
            "kinship_filed",
        ),
        stamps=("notice_closed_at", "referred_at"),
        label_zh="公示期满报县审核确认",
        label_en="Close notice",
    ),
    # dibao: after an objection was re-investigated and a new opinion given, the file goes
    # to the county without a second notice (Art. 19 ¶2); tekun is noticed again (TK Art. 15)
    _R(
        "refer_to_county",
        (S.INITIAL_REVIEWED,),
        S.PENDING_CONFIRMATION,
        Role.REVIEWER,
        guards=("reinvestigated_after_objection", "no_open_objection", "kinship_filed"),
        stamps=("referred_at",),
        label_zh="异议复查后报县审核确认",
        label_en="Refer to the county after re-investigation",
    ),
    # county confirmation (Art. 20-21)
    _R(
        "approve",
        (S.PENDING_CONFIRMATION,),
        S.ACTIVE,
        Role.APPROVER,
        guards=(
            "approver_independent",
            "benefit_computable",
            "benefit_eligible",
            "property_within_limits",
            "county_check_done",
            "self_care_assessed",
            "inspection_visit_done",
        ),
        stamps=("decided_at",),
        label_zh="审核确认（批准）",
        label_en="Approve",
    ),
    _R(
        "reject",
        (S.PENDING_CONFIRMATION,),
        S.REJECTED,
        Role.APPROVER,
        guards=("approver_independent", "inspection_visit_done"),
        reason_required=True,
        stamps=("decided_at", "ended_at"),
        label_zh="不予批准",
        label_en="Reject",
    ),
    # rechecks, adjustment and phase-out (Art. 31-34; 2022 notice)
    _R(
        "start_recheck",
        (S.ACTIVE,),
        S.UNDER_RECHECK,
        Role.REVIEWER,
        stamps=("recheck_started_at",),
        label_zh="启动定期核查",
        label_en="Start recheck",
    ),
    _R(
        "confirm_unchanged",
        (S.UNDER_RECHECK,),
        S.ACTIVE,
        Role.REVIEWER,
        guards=("kinship_reviewed_while_enrolled", "inspection_visit_done"),
        stamps=("rechecked_at",),
        label_zh="核查无变化",
        label_en="Confirm unchanged",
    ),
    _R(
        "adjust",
        (S.UNDER_RECHECK,),
        S.ACTIVE,
        Role.APPROVER,
        guards=(
            "recheck_decider_independent",
            "kinship_reviewed_while_enrolled",
            "benefit_computable",
            "benefit_eligible",
            "property_within_limits",
            "inspection_visit_done",
        ),
        reason_required=True,
        stamps=("rechecked_at", "decided_at"),
        label_zh="调整保障金额",
        label_en="Adjust amount",
    ),
    # a member able to work refused suitable work three times in a row without good reason:
    # the county stops their own share, the household's amount is recomputed (Art. 34)
    _R(
        "sanction_work_refusal",
        (S.ACTIVE, S.UNDER_RECHECK),
        None,
        Role.APPROVER,
        guards=("work_refusals_reach_limit", "benefit_computable"),
        reason_required=True,
        label_zh="停发拒绝就业成员的保障金",
        label_en="Stop the share of a member who refuses work",
    ),
    # the member took up work or training, or the ground fell away: their share is paid again
    _R(
        "lift_work_refusal_sanction",
        (S.ACTIVE, S.UNDER_RECHECK),
        None,
        Role.APPROVER,
        guards=("benefit_computable",),
        reason_required=True,
        label_zh="恢复拒绝就业成员的保障金",
        label_en="Pay the share of a sanctioned member again",
    ),
    _R(
        "start_phase_out",
        (S.UNDER_RECHECK,),
        S.PHASING_OUT,
        Role.APPROVER,
        guards=(
            "recheck_decider_independent",
            "benefit_computable",
            "phase_out_grounds",
            "inspection_visit_done",
        ),
        reason_required=True,
        stamps=("phase_out_started_at",),
        label_zh="进入渐退期",
        label_en="Start phase-out",
    ),
    _R(
        "end_phase_out",
        (S.PHASING_OUT,),
        S.TERMINATED,
        Role.APPROVER,
        reason_required=True,
        stamps=("ended_at",),
        label_zh="渐退期满停保",
        label_en="End phase-out",
    ),
    _R(
        "resume",
        (S.PHASING_OUT,),
        S.ACTIVE,
        Role.APPROVER,
        guards=("benefit_computable", "benefit_eligible"),
        reason_required=True,
        stamps=("decided_at",),
        label_zh="恢复保障",
        label_en="Resume",
    ),
    # tekun: the county notices its intention to end support for 7 days first; an objection
    # is investigated and decided within 15 working days, then noticed again (TK Art. 26)
    _R(
        "propose_termination",
        (S.ACTIVE, S.UNDER_RECHECK),
        S.TERMINATION_NOTICE,
        Role.APPROVER,
        guards=(
            "tekun_case",
            "recheck_decider_independent",
            "termination_ground",
            "tekun_minor_supported",
            "inspection_visit_done",
        ),
        reason_required=True,
        stamps=("termination_noticed_at",),
        label_zh="拟终止救助供养并公示",
        label_en="Notice the intended termination",
    ),
    _R(
        "renotice_termination",
        (S.TERMINATION_NOTICE,),
        None,
        Role.APPROVER,
        guards=("termination_objection_investigated",),
        reason_required=True,
        stamps=("termination_noticed_at",),
        label_zh="异议核实后重新公示终止",
        label_en="Notice the termination again after the objection",
    ),
    _R(
        "keep_support",
        (S.TERMINATION_NOTICE,),
        S.ACTIVE,
        Role.APPROVER,
        reason_required=True,
        label_zh="不予终止（书面告知）",
        label_en="Keep the support",
    ),
    _R(
        "terminate",
        (S.ACTIVE, S.UNDER_RECHECK, S.TERMINATION_NOTICE),
        S.TERMINATED,
        Role.APPROVER,
        guards=(
            "recheck_decider_independent",
            "termination_noticed",
            "no_open_objection",
            "inspection_visit_done",
        ),
        reason_required=True,
        stamps=("ended_at",),
        label_zh="停保",
        label_en="Terminate",
    ),
    # the 30 -> 45 working-day limit, on a recorded ground (Art. 22; 2022 notice)
    _R(
        "extend_deadline",
        _AFTER_ACCEPTANCE,
        None,
        Role.REVIEWER,
        guards=("extension_ground_recorded",),
        reason_required=True,
        label_zh="延长办理时限",
        label_en="Extend the time limit",
    ),
    # leaving the procedure early (Art. 29)
    _R(
        "withdraw",
        _OPEN,
        S.WITHDRAWN,
        Role.CLERK,
        reason_required=True,
        stamps=("ended_at",),
        label_zh="撤回申请",
        label_en="Withdraw",
    ),
    _R(
        "end_procedure",
        _OPEN,
        S.PROCEDURE_ENDED,
        Role.APPROVER,
        reason_required=True,
        stamps=("ended_at",),
        label_zh="终止审核确认程序",
        label_en="End procedure",
    ),
)

#: trigger name -> its rule
RULES: dict[str, TransitionRule] = {rule.trigger: rule for rule in TRANSITIONS}

#: the procedure's main step forward from each state (the case page's primary button); states
#: whose way on ends or stops something (phase-out, termination notice) have none
FORWARD: dict[CaseState, str] = {
    S.DRAFT: "submit",
    S.SUBMITTED: "accept",
    S.AWAITING_MATERIALS: "resubmit",
    S.ACCEPTED: "start_investigation",
    S.INVESTIGATING: "propose",
    S.INITIAL_REVIEWED: "publish_notice",
    S.IN_PUBLIC_NOTICE: "close_notice",
    S.PENDING_CONFIRMATION: "approve",
    S.ACTIVE: "start_recheck",
    S.UNDER_RECHECK: "confirm_unchanged",
}

#: triggers that end the case, refuse it, send it back, or stop support or a member's share:
#: the UI asks for a confirmation before it fires them
DESTRUCTIVE: frozenset[str] = frozenset(
    {rule.trigger for rule in TRANSITIONS if rule.dest in FINAL_STATES}
    | {"return_for_materials", "raise_objection", "propose_termination", "sanction_work_refusal"}
)

#: which triggers each role may fire, derived from the table
TRIGGERS_BY_ROLE: dict[Role, frozenset[str]] = {
    role: frozenset(rule.trigger for rule in TRANSITIONS if rule.role is role) for role in Role
}

STATE_LABELS: dict[CaseState, tuple[str, str]] = {
    S.DRAFT: ("草稿", "Draft"),
    S.SUBMITTED: ("已提交", "Submitted"),
    S.AWAITING_MATERIALS: ("待补正材料", "Awaiting materials"),
    S.ACCEPTED: ("已受理", "Accepted"),
    S.INVESTIGATING: ("调查中", "Investigating"),
    S.INITIAL_REVIEWED: ("已初审", "Initial review done"),
    S.IN_PUBLIC_NOTICE: ("公示中", "In public notice"),
    S.PENDING_CONFIRMATION: ("待县级确认", "Pending confirmation"),
    S.ACTIVE: ("在保", "Active"),
    S.UNDER_RECHECK: ("核查中", "Under recheck"),
    S.PHASING_OUT: ("渐退期", "Phasing out"),
    S.TERMINATION_NOTICE: ("终止公示中", "Termination noticed"),
    S.REJECTED: ("不予批准", "Rejected"),
    S.TERMINATED: ("已停保", "Terminated"),
    S.WITHDRAWN: ("已撤回", "Withdrawn"),
    S.PROCEDURE_ENDED: ("程序终止", "Procedure ended"),
}

ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.CLERK: ("受理员", "Clerk"),
    Role.REVIEWER: ("审核员", "Reviewer"),
    Role.APPROVER: ("审批员", "Approver"),
    Role.INSPECTOR: ("纪检监察员", "Inspector"),
    Role.ADMIN: ("系统管理员", "Administrator"),
    Role.COORDINATOR: ("救助协理员", "Village coordinator"),
}


def rules_from(state: CaseState) -> tuple[TransitionRule, ...]:
    """Return the rules whose trigger may fire from ``state``."""
    return tuple(rule for rule in TRANSITIONS if state in rule.sources)
