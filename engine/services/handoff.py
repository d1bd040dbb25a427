"""Hand-off of a terminated 特困 case to a dibao application (TK Art. 27).

A person whose tekun support ended may still qualify for dibao: the township
opens a dibao application for the household, pre-filled from the terminated
case's current members and means, as a draft the clerk completes and submits.
Both trails record the hand-off: the new case's first entry names its source,
and the terminated case's trail names the new case.
"""

from __future__ import annotations

from sqlalchemy import select

from engine.access import ensure_in_region, ensure_role
from engine.errors import Conflict, NotFound, raise_invalid
from engine.inputs import free_text_problem
from engine.means import load_household
from engine.models import Case, Category, Member, fen_to_yuan
from engine.ports import Actor
from engine.services.applications import (
    Application,
    IncomeInput,
    MemberInput,
    PropertyInput,
    Referral,
)
from engine.services.cases import submit_application
from engine.services.workflow_step import CaseRef
from engine.states import CaseState, Role
from engine.uow import UnitOfWork

MAX_NOTE = 2000


def _member_input(member: Member) -> MemberInput:
    return MemberInput(
        id_number=member.person.id_number,
        name=member.person.name,
        relation=str(member.relation),
        incomes=[IncomeInput(str(i.type), i.monthly_yuan) for i in member.incomes],
        disability_grade=member.disability_grade,
        disability_type=str(member.disability_type) if member.disability_type else None,
        serious_illness=member.serious_illness,
        able_to_work=member.able_to_work,
        in_school=member.in_school,
    )


def hand_off_to_dibao(uow: UnitOfWork, actor: Actor, case_id: int, note: str) -> CaseRef:
    """Open a dibao application (a draft) for the household of a terminated tekun case."""
    ensure_role(actor, frozenset({Role.CLERK}), "转介低保申请", "hand a case off to dibao")
    problem = free_text_problem(note, "note", MAX_NOTE, required=True)
    raise_invalid([problem] if problem is not None else [])
    with uow:
        case = uow.session.get(Case, case_id)
        if case is None:
            raise NotFound(f"案件{case_id}不存在", f"case {case_id} not found")
        ensure_in_region(actor, case.village_code)
        if case.category != Category.TEKUN or case.state != CaseState.TERMINATED:
            raise Conflict(
                "只有已终止的特困人员救助供养案件才能转介低保申请（《特困人员认定办法》第二十七条）",
                "only a terminated tekun case is handed off to a dibao application (TK Art. 27)",
                code="handoff_not_allowed",
            )
        household = load_household(uow.session, case.household_id)
        members = [_member_input(m) for m in household.members if m.left_at is None]
        newer = uow.session.scalar(select(Case.id).where(Case.previous_case_id == case.id).limit(1))
        snapshot = Application(
            category=str(Category.DIBAO),
            village_code=case.village_code,
            area_type=str(case.area_type),
            members=members,
            draft=True,
            income_stable=household.income_stable,
            rigid_expenses_yuan=household.rigid_expenses,
            property=PropertyInput(
                deposits_yuan=None
                if household.deposits_fen is None
                else fen_to_yuan(household.deposits_fen),
                vehicles=household.vehicles,
                extra_housing_units=household.extra_housing_units,
            ),
            referral=Referral(kind="tekun_termination", note=note.strip(), source_case_id=case.id),
        )
    if newer is not None:
        raise Conflict(
            f"该户已有后续申请（案件{newer}），无须再次转介",
            f"the household already has a later application (case {newer})",
            code="already_handed_off",
        )
    if not members:
        raise Conflict(
            "该户已无在册成员，无法转介", "the household has no current member", code="no_members"
        )
    return submit_application(uow, actor, snapshot)
