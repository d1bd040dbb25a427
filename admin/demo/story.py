"""Demo stories: each household's case walked through the procedure on a clock in the past."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import select

from admin.demo.county import UowFactory, staff_of
from admin.demo.households import DemoHousehold
from engine.clock import FrozenClock, local_date
from engine.models import Case, DataCheck, KinshipFlag, Objection
from engine.ports import Actor
from engine.services.applications import IncomeInput
from engine.services.cases import advance
from engine.services.data_checks import (
    record_data_check_result,
    request_data_check,
    start_data_check,
)
from engine.services.filings import file_kinship
from engine.services.household_events import (
    MeansChange,
    MemberChange,
    record_change,
    serve_decision,
)
from engine.services.investigations import InvestigationInput, record_investigation
from engine.services.objections import record_objection
from engine.services.self_care import INDICATORS, record_self_care_assessment
from engine.states import CaseState

Step = tuple[dt.timedelta, Callable[["Story"], None]]


class Story:
    """Walks one household's case through the procedure on a clock in the past."""

    def __init__(
        self,
        uows: UowFactory,
        clock: FrozenClock,
        actors: dict[str, Actor],
        township: str,
        rng: random.Random,
        household: DemoHousehold,
        standard: Decimal,
    ) -> None:
        self.household = household
        self.standard = standard
        self.uows = uows
        self.clock = clock
        self.actors = actors
        self.clerk, self.clerk2, self.reviewer = staff_of(township)
        self.rng = rng
        self.case_id = 0
        self.steps: list[Step] = []

    def after(self, days_from: int, days_to: int, action: Callable[[Story], None]) -> None:
        """Plan ``action`` a random number of days after the previous step."""
        delay = dt.timedelta(
            days=self.rng.randint(days_from, days_to), minutes=self.rng.randint(5, 300)
        )
        self.steps.append((delay, action))

    def fire(
        self,
        days_from: int,
        days_to: int,
        trigger: str,
        who: str,
        reason: str = "",
        data: dict[str, object] | None = None,
    ) -> None:
        """Plan a trigger fired by ``who``."""

        def act(story: Story) -> None:
            advance(
                story.uows(story.clock),
                story.case_id,
                trigger,
                story.actors[who],
                reason=reason,
                data=data,
            )

        self.after(days_from, days_to, act)

    def data_check(self, days_from: int, days_to: int) -> None:
        """Plan an information check (Art. 17): the township's request, the county's start
        within its 3 working days and the county's result."""

        def ask(story: Story) -> None:
            request_data_check(
                story.uows(story.clock),
                story.actors[story.clerk],
                story.case_id,
                ["household_registration", "tax", "real_estate", "vehicles", "deposits"],
            )

        def start(story: Story) -> None:
            start_data_check(
                story.uows(story.clock), story.actors["approver2"], story.case_id, _check(story)
            )

        def answer(story: Story) -> None:
            record_data_check_result(
                story.uows(story.clock),
                story.actors["approver2"],
                story.case_id,
                _check(story),
                discrepancy=False,
                findings="经县级信息核对平台比对：未发现车辆、工商登记、商品房及大额存款。",
            )

        self.after(days_from, days_to, ask)
        self.after(0, 1, start)
        self.after(0, 2, answer)

    def serve(self, days_from: int, days_to: int) -> None:
        """Plan the service of the written decision on the applicant (Art. 21, 38)."""

        def act(story: Story) -> None:
            serve_decision(
                story.uows(story.clock),
                story.actors[story.clerk],
                story.case_id,
                local_date(story.clock.now(), story.clock.tz),
                "in_person",
            )

        self.after(days_from, days_to, act)

    def flagged(self) -> bool:
        """Whether the case has an active kinship flag now."""
        with self.uows(self.clock) as uow:
            return (
                uow.session.scalar(
                    select(KinshipFlag.id)
                    .where(KinshipFlag.case_id == self.case_id, KinshipFlag.vanished_at.is_(None))
                    .limit(1)
                )
                is not None
            )

    def file_if_flagged(self, days_from: int, days_to: int) -> None:
        """Plan the reviewer's filing (备案) of a kinship-flagged case, during its notice."""

        def act(story: Story) -> None:
            if story.flagged():
                file_kinship(
                    story.uows(story.clock),
                    story.actors[story.reviewer],
                    story.case_id,
                    "申请人家庭成员与村（社区）干部存在近亲属关系，"
                    "按规定单独登记备案，提请县级入户核查。",
                )

        self.after(days_from, days_to, act)

    def assess_self_care(self, days_from: int, days_to: int) -> None:
        """Plan the county's self-care assessment of a tekun person (TK Arts. 20-21)."""

        def act(story: Story) -> None:
            failed = story.rng.sample(INDICATORS, story.rng.choice((0, 0, 1, 2, 4)))
            for m in story.household.members:
                record_self_care_assessment(
                    story.uows(story.clock),
                    story.actors["approver2"],
                    story.case_id,
                    m.id_number,
                    local_date(story.clock.now(), story.clock.tz),
                    failed,
                )

        self.after(days_from, days_to, act)

    def county_visit_if_needed(self, days_from: int, days_to: int) -> None:
        """Plan the county's own visit: for a sampled, objected or kinship-flagged case."""

        def act(story: Story) -> None:
            with story.uows(story.clock) as uow:
                case = uow.session.get(Case, story.case_id)
                objected = uow.session.scalar(
                    select(Objection.id).where(Objection.case_id == story.case_id).limit(1)
                )
                needed = case is not None and (case.sampled_for_county_check or objected)
            needed = needed or story.flagged()
            if needed:
                record_investigation(
                    story.uows(story.clock),
                    story.actors["approver2"],
                    story.case_id,
                    InvestigationInput(
                        date=local_date(story.clock.now(), story.clock.tz),
                        method="home_visit",
                        investigators=["approver", "approver2"],
                        findings="县级入户核查：家庭情况与乡镇调查一致。",
                        level="county",
                    ),
                )

        self.after(days_from, days_to, act)

    def change(self, days_from: int, days_to: int, kind: str, ratio: Decimal, note: str) -> None:
        """Plan a recorded change: the earners now bring in ``ratio`` × standard per person."""
        members = self.household.members
        earners = [m for m in members if m.able_to_work and not m.covered] or members[:1]
        total = self.standard * len(members) * ratio
        each = (total / len(earners) / 10).quantize(Decimal(1)) * 10

        def act(story: Story) -> None:
            record_change(
                story.uows(story.clock),
                story.actors[story.clerk],
                story.case_id,
                MeansChange(
                    kind=kind,
                    note=note,
                    members=[
                        MemberChange(
                            m.id_number, incomes=[IncomeInput("wages", each)], able_to_work=True
                        )
                        for m in earners
                    ],
                ),
            )

        self.after(days_from, days_to, act)

    def investigate(self, days_from: int, days_to: int, finding: str = "") -> None:
        """Plan a township investigation by the two township clerks."""
        people = [self.clerk, self.clerk2]
        text = finding or self.rng.choice(FINDINGS)

        def act(story: Story) -> None:
            record_investigation(
                story.uows(story.clock),
                story.actors[people[0]],
                story.case_id,
                InvestigationInput(
                    date=local_date(story.clock.now(), story.clock.tz),
                    method="home_visit",
                    investigators=people,
                    findings=text,
                ),
            )

        self.after(days_from, days_to, act)

    def object(self, days_from: int, days_to: int) -> None:
        """Plan an objection recorded during the notice."""

        def act(story: Story) -> None:
            record_objection(
                story.uows(story.clock),
                story.actors[story.clerk],
                story.case_id,
                "村民（匿名）",
                "反映申请人家中有人在外务工收入较高",
            )

        self.after(days_from, days_to, act)

    @property
    def duration(self) -> dt.timedelta:
        """How long the planned steps take."""
        return sum((delay for delay, _ in self.steps), dt.timedelta())

    def run(self) -> None:
        """Carry out the plan, moving the clock before each step."""
        for delay, action in self.steps:
            self.clock.advance(delay)
            action(self)


FINDINGS = (
    "入户查看住房及家庭财产，家庭成员收入与申报一致，无机动车辆。",
    "经入户调查和邻里走访，家庭主要劳动力务农，收入不稳定。",
    "申请人长期患病，医疗支出较大，家庭无其他固定收入来源。",
    "经信息核对，未发现工商登记、车辆及商品房信息。",
)
REJECT_REASON = (
    "家庭人均收入高于当地低保标准，不符合条件；"
    "如有异议可在60日内申请行政复议或在6个月内提起行政诉讼"
)


def plan(s: Story, target: CaseState) -> None:
    """Plan the triggers that bring a new case to ``target``."""
    rng = s.rng
    if target in (CaseState.DRAFT, CaseState.SUBMITTED):
        return
    if rng.random() < 0.15 or target == CaseState.AWAITING_MATERIALS:
        s.fire(1, 3, "return_for_materials", s.clerk, "请补充提供户口簿复印件及近6个月收入证明")
        if target == CaseState.AWAITING_MATERIALS:
            return
        s.fire(3, 10, "resubmit", s.clerk)
    if target == CaseState.WITHDRAWN and rng.random() < 0.5:
        s.fire(1, 5, "withdraw", s.clerk, "申请人书面申请撤回")
        return
    s.fire(1, 3, "accept", s.clerk)
    if target == CaseState.ACCEPTED:
        return
    s.fire(1, 3, "start_investigation", s.clerk)
    if target == CaseState.INVESTIGATING:
        if rng.random() < 0.7:
            s.data_check(0, 2)
        return
    s.data_check(0, 2)
    if target == CaseState.PROCEDURE_ENDED:
        s.fire(
            10, 20, "end_procedure", "approver", "申请人无正当理由拒不配合入户调查（第二十九条）"
        )
        return
    if target == CaseState.WITHDRAWN:
        s.fire(2, 6, "withdraw", s.clerk, "申请人外出务工，书面申请撤回")
        return
    s.investigate(2, 6)
    s.fire(1, 4, "propose", s.reviewer)
    if target == CaseState.INITIAL_REVIEWED:
        return
    s.fire(0, 2, "publish_notice", s.reviewer)
    if target == CaseState.IN_PUBLIC_NOTICE:
        return
    if rng.random() < 0.12:
        s.object(2, 5)
        s.fire(0, 1, "raise_objection", s.reviewer, "收到群众异议，重新入户调查核实")
        s.investigate(2, 6, "重新调查：务工收入经核实每月约600元，已计入家庭收入。")
        s.fire(1, 3, "propose", s.reviewer)
        s.fire(0, 2, "publish_notice", s.reviewer)
    s.file_if_flagged(0, 2)
    s.fire(8, 9, "close_notice", s.reviewer)
    if target == CaseState.PENDING_CONFIRMATION:
        return
    if target == CaseState.REJECTED:
        s.fire(2, 8, "reject", "approver", REJECT_REASON)
        s.serve(0, 2)
        return
    s.county_visit_if_needed(1, 4)
    if s.household.category == "tekun":
        s.assess_self_care(0, 2)
    s.fire(1, 6, "approve", "approver")
    if target == CaseState.TERMINATION_NOTICE:
        s.fire(
            200,
            330,
            "propose_termination",
            "approver",
            "其子女已具备赡养能力，拟终止特困人员救助供养",
            data={"ground": "supporter_able"},
        )
        return
    if target == CaseState.ACTIVE:
        if rng.random() < 0.3:
            # a past yearly recheck: most find nothing new, some a changed income
            s.fire(300, 365, "start_recheck", s.reviewer)
            s.investigate(3, 10, "定期核查：入户了解家庭收入及成员情况。")
            if rng.random() < 0.6:
                s.fire(1, 5, "confirm_unchanged", s.reviewer)
            else:
                # a marginal family stays marginal; a dibao household earns a little more
                ratio = (
                    Decimal("1.2") if s.household.category == "single_person" else (Decimal("0.5"))
                )
                s.change(0, 2, "income", ratio, "务工收入有所变化，重新核定")
                s.fire(1, 5, "adjust", "approver", "家庭收入变化，重新核定保障金额")
        return
    if target == CaseState.TERMINATED and rng.random() < 0.5:
        s.fire(90, 200, "terminate", "approver", "家庭成员实现稳定就业，收入超过保障标准")
        return
    s.fire(170, 190, "start_recheck", s.reviewer)
    if target == CaseState.UNDER_RECHECK:
        return
    s.investigate(3, 10, "定期核查：家庭成员实现就业，人均收入超过保障标准。")
    s.change(0, 2, "employment", Decimal("1.2"), "家庭成员在县城务工，月收入稳定")
    s.fire(
        1,
        5,
        "start_phase_out",
        "approver",
        "就业后人均收入超过标准，按规定给予渐退期",
        data={"change": "employment"},
    )
    if target == CaseState.PHASING_OUT:
        return
    s.fire(170, 182, "end_phase_out", "approver", "渐退期满，停发低保金")


#: how long a case has stayed in its final demo state, in days (from, to)
DWELL_DAYS = {
    CaseState.DRAFT: (0, 10),
    CaseState.SUBMITTED: (0, 3),
    CaseState.AWAITING_MATERIALS: (0, 10),
    CaseState.ACCEPTED: (0, 2),
    CaseState.INVESTIGATING: (0, 10),
    CaseState.INITIAL_REVIEWED: (0, 3),
    CaseState.IN_PUBLIC_NOTICE: (0, 6),
    CaseState.PENDING_CONFIRMATION: (0, 8),
    CaseState.ACTIVE: (0, 330),
    CaseState.REJECTED: (0, 300),
    CaseState.WITHDRAWN: (0, 300),
    CaseState.PROCEDURE_ENDED: (0, 300),
    CaseState.UNDER_RECHECK: (0, 20),
    CaseState.PHASING_OUT: (0, 150),
    CaseState.TERMINATION_NOTICE: (0, 6),
    CaseState.TERMINATED: (0, 300),
}


def _check(story: Story) -> int:
    """The case's open information check."""
    with story.uows(story.clock) as uow:
        found = uow.session.scalar(
            select(DataCheck.id).where(
                DataCheck.case_id == story.case_id, DataCheck.completed_at.is_(None)
            )
        )
    assert found is not None, "an information check was requested first"
    return found
