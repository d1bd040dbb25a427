"""A realistic demo county modelled on 乐至县 (Sichuan): regions, staff, households, cases.

Every case is carried to its state through the real services, on a clock that
walks through the past, so each has a true audit trail. Generation is seeded:
the same household index always yields the same people, which makes the load
idempotent and resumable (a household whose applicant exists is skipped).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from importlib import resources

from sqlalchemy import select

from engine.clock import Clock, FrozenClock, local_date
from engine.errors import DomainError
from engine.identity import with_check_digit
from engine.models import (
    Case,
    Objection,
    Person,
    PolicyParameter,
    Region,
    RegionLevel,
    Standard,
    User,
)
from engine.ports import Actor
from engine.services.cases import (
    Application,
    IncomeInput,
    MemberInput,
    advance,
    submit_application,
)
from engine.services.household_events import MeansChange, MemberChange, record_change
from engine.services.investigations import InvestigationInput, record_investigation
from engine.services.objections import record_objection
from engine.services.policy import NewParameter, NewStandard, set_parameter, set_standard
from engine.services.regions import import_regions, parse_region_csv
from engine.services.users import NewUser, actor_of, create_user
from engine.states import CaseState, Role
from engine.uow import UnitOfWork

COUNTY_CODE = "512022"
DEMO_PASSWORD = "doudi-demo-2024"  # noqa: S105  (printed for the demo on purpose)
DEFAULT_HOUSEHOLDS = 520

#: township code -> short name used in usernames
TOWNSHIPS = {
    "512022001": "tianchi",
    "512022101": "tongjia",
    "512022102": "shifo",
    "512022103": "baolin",
}
#: the township whose staff get the plain demo usernames (clerk, clerk2, reviewer)
MAIN_TOWNSHIP = "512022101"

SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢唐邓曾冯彭蒋蔡余杜叶程魏苏吕丁任沈姚卢"
GIVEN_MALE = "建国华明军平志强勇杰涛磊飞德福文刚利洪波海成林斌超永"
GIVEN_FEMALE = "秀兰英红梅芳丽娟敏静霞云桂琴春燕玉珍玲凤华萍莉淑"

#: target state -> weight in the demo population
STATE_WEIGHTS: dict[CaseState, int] = {
    CaseState.ACTIVE: 44,
    CaseState.UNDER_RECHECK: 5,
    CaseState.PHASING_OUT: 3,
    CaseState.TERMINATED: 5,
    CaseState.REJECTED: 5,
    CaseState.WITHDRAWN: 3,
    CaseState.PROCEDURE_ENDED: 2,
    CaseState.DRAFT: 2,
    CaseState.SUBMITTED: 5,
    CaseState.AWAITING_MATERIALS: 3,
    CaseState.ACCEPTED: 4,
    CaseState.INVESTIGATING: 5,
    CaseState.INITIAL_REVIEWED: 4,
    CaseState.IN_PUBLIC_NOTICE: 5,
    CaseState.PENDING_CONFIRMATION: 5,
}

UowFactory = Callable[[Clock], UnitOfWork]


@dataclass(frozen=True)
class DemoUser:
    """A demo account and where it works."""

    username: str
    role: Role
    region_code: str
    display_name: str


@dataclass
class DemoReport:
    """What a demo load did."""

    regions_created: int = 0
    users_created: int = 0
    households_created: int = 0
    households_skipped: int = 0
    policy_set: int = 0


def demo_users() -> list[DemoUser]:
    """Return the demo accounts: county staff plus clerks and a reviewer per township."""
    users = [
        DemoUser("admin", Role.ADMIN, COUNTY_CODE, "系统管理员"),
        DemoUser("inspector", Role.INSPECTOR, COUNTY_CODE, "县纪委监委 李监察"),
        DemoUser("approver", Role.APPROVER, COUNTY_CODE, "县民政局 王审批"),
        DemoUser("approver2", Role.APPROVER, COUNTY_CODE, "县民政局 陈审批"),
    ]
    for code, slug in TOWNSHIPS.items():
        main = code == MAIN_TOWNSHIP
        users += [
            DemoUser("clerk" if main else f"clerk_{slug}", Role.CLERK, code, f"{slug} 受理员"),
            DemoUser("clerk2" if main else f"clerk2_{slug}", Role.CLERK, code, f"{slug} 协理员"),
            DemoUser(
                "reviewer" if main else f"reviewer_{slug}", Role.REVIEWER, code, f"{slug} 审核员"
            ),
        ]
    return users


def staff_of(township: str) -> tuple[str, str, str]:
    """Return the usernames of a township's two clerks and its reviewer."""
    slug = TOWNSHIPS[township]
    if township == MAIN_TOWNSHIP:
        return "clerk", "clerk2", "reviewer"
    return f"clerk_{slug}", f"clerk2_{slug}", f"reviewer_{slug}"


#: ages are counted from this fixed date so that reruns on later days produce the same people
REFERENCE_DATE = dt.date(2024, 11, 1)


def _id_number(birth: dt.date, serial: int, male: bool, used: set[str]) -> str:
    """Return an unused ID number for the birth date; the sequence digit's parity is the sex."""
    sequence = serial % 500 * 2 + (1 if male else 0)
    while True:
        number = with_check_digit(f"{COUNTY_CODE}{birth:%Y%m%d}{sequence:03d}")
        if number not in used:
            used.add(number)
            return number
        sequence = (sequence + 2) % 1000


def _name(rng: random.Random, male: bool, surname: str | None = None) -> str:
    surname = surname or rng.choice(SURNAMES)
    chars = GIVEN_MALE if male else GIVEN_FEMALE
    given = "".join(rng.choice(chars) for _ in range(rng.choice((1, 2, 2))))
    return surname + given


def _birth(rng: random.Random, today: dt.date, age_from: int, age_to: int) -> dt.date:
    age_days = rng.randint(age_from * 365, age_to * 365)
    return today - dt.timedelta(days=age_days)


@dataclass(frozen=True)
class DemoHousehold:
    """One generated household: its category, members and profile."""

    category: str
    members: list[MemberInput]
    income_stable: bool
    bank_account: str
    rigid_expenses_yuan: Decimal


def _split(rng: random.Random, total: Decimal, parts: int) -> list[Decimal]:
    """Split an amount into ``parts`` random shares rounded to 10 yuan."""
    if parts == 0:
        return []
    weights = [rng.random() + 0.2 for _ in range(parts)]
    shares = [total * Decimal(str(w / sum(weights))) for w in weights]
    return [(x / 10).quantize(Decimal(1)) * 10 for x in shares]


def _with_incomes(m: MemberInput, items: list[IncomeInput]) -> MemberInput:
    return replace(m, monthly_income=Decimal(0), incomes=tuple(i for i in items if i.monthly_yuan))


def household_members(
    index: int, urban: bool, used: set[str], target: CaseState, standard: Decimal
) -> DemoHousehold:
    """Return demo household ``index``, its incomes shaped to the story it will live.

    Deterministic when households are generated in index order with one shared
    ``used`` set of ID numbers, as ``load_demo`` does on every run.
    """
    today = REFERENCE_DATE
    rng = random.Random(f"doudi-demo-household-{index}")
    serial = index * 8
    roll = rng.random()
    members: list[MemberInput] = []

    def person(
        relation: str, age_from: int, age_to: int, male: bool, surname: str | None = None
    ) -> MemberInput:
        nonlocal serial
        serial += 1
        birth = _birth(rng, today, age_from, age_to)
        return MemberInput(
            id_number=_id_number(birth, serial, male, used),
            name=_name(rng, male, surname),
            relation=relation,
            able_to_work=18 <= (today - birth).days // 365 <= 60,
        )

    category = "tekun" if roll < 0.10 else "single_person" if roll < 0.18 else "dibao"
    if target in (CaseState.PHASING_OUT, CaseState.TERMINATED):
        category = "dibao"  # phase-out follows employment in a dibao household
    if category == "tekun":
        # an elderly person living alone without support (特困供养)
        members.append(person("self", 62, 88, rng.random() < 0.6))
    else:
        male = rng.random() < 0.55
        applicant = person("self", 28, 80, male)
        members.append(applicant)
        surname = applicant.name[0] if male else None
        if rng.random() < 0.7 or category == "single_person":
            members.append(person("spouse", 28, 78, not male))
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            members.append(person("child", 3, 25, rng.random() < 0.5, surname))
        if rng.random() < 0.25:
            members.append(person("parent", 70, 92, rng.random() < 0.4, surname))
    if category != "tekun" and (category == "single_person" or rng.random() < 0.12):
        # a seriously ill or severely disabled member (covered alone for 单人保)
        target_index = (
            rng.randrange(1, len(members))
            if category == "single_person"
            else (rng.randrange(len(members)))
        )
        sick = members[target_index]
        if rng.random() < 0.6:
            grade = rng.choice((1, 2))
            kind = rng.choice(("physical", "intellectual", "mental", "visual", "multiple"))
            sick = replace(sick, disability_grade=grade, disability_type=kind)
        else:
            sick = replace(sick, serious_illness=True)
        members[target_index] = replace(
            sick, able_to_work=False, covered=category == "single_person"
        )

    n = len(members)
    if category == "tekun":
        total = Decimal(0)
    elif category == "single_person":
        total = standard * n * Decimal(str(rng.uniform(1.1, 1.4)))
    elif target == CaseState.REJECTED:
        total = standard * n * Decimal(str(rng.uniform(1.05, 1.5)))
    else:
        total = standard * n * Decimal(str(rng.uniform(0.0, 0.8)))
    earners = [i for i, m in enumerate(members) if m.able_to_work and not m.covered] or [0]
    shares = dict(zip(earners, _split(rng, total, len(earners)), strict=True))
    shaped = []
    for i, m in enumerate(members):
        items = [IncomeInput("wages", shares.get(i, Decimal(0)))]
        age = (
            today
            - dt.date(int(m.id_number[6:10]), int(m.id_number[10:12]), int(m.id_number[12:14]))
        ).days // 365
        if age >= 60:
            # the basic resident pension, which Art. 13 keeps out of the means test
            items.append(IncomeInput("pension_basic", Decimal(rng.randrange(100, 190, 10))))
        shaped.append(_with_incomes(m, items))
    unstable = any(m.able_to_work for m in shaped) and rng.random() < 0.4
    ill = any(m.serious_illness or m.disability_grade for m in shaped)
    return DemoHousehold(
        category=category,
        members=shaped,
        income_stable=not unstable,
        bank_account="6214" + "".join(str(rng.randrange(10)) for _ in range(15)),
        rigid_expenses_yuan=Decimal(rng.randrange(100, 600, 10)) if ill else Decimal(0),
    )


def _pick_state(index: int) -> CaseState:
    rng = random.Random(f"doudi-demo-state-{index}")
    states = list(STATE_WEIGHTS)
    # guarantee every state appears among the first households
    if index < len(states):
        return states[index]
    return rng.choices(states, weights=[STATE_WEIGHTS[s] for s in states])[0]


Step = tuple[dt.timedelta, Callable[["_Story"], None]]


class _Story:
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

    def after(self, days_from: int, days_to: int, action: Callable[[_Story], None]) -> None:
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

        def act(story: _Story) -> None:
            advance(
                story.uows(story.clock),
                story.case_id,
                trigger,
                story.actors[who],
                reason=reason,
                data=data,
            )

        self.after(days_from, days_to, act)

    def county_visit_if_needed(self, days_from: int, days_to: int) -> None:
        """Plan the county's own visit, done when the case was sampled or had an objection."""

        def act(story: _Story) -> None:
            with story.uows(story.clock) as uow:
                case = uow.session.get(Case, story.case_id)
                objected = uow.session.scalar(
                    select(Objection.id).where(Objection.case_id == story.case_id).limit(1)
                )
                needed = case is not None and (case.sampled_for_county_check or objected)
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

        def act(story: _Story) -> None:
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

        def act(story: _Story) -> None:
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

        def act(story: _Story) -> None:
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


def _plan(s: _Story, target: CaseState) -> None:
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
        return
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
    s.fire(8, 9, "close_notice", s.reviewer)
    if target == CaseState.PENDING_CONFIRMATION:
        return
    if target == CaseState.REJECTED:
        s.fire(2, 8, "reject", "approver", REJECT_REASON)
        return
    s.county_visit_if_needed(1, 4)
    s.fire(1, 6, "approve", "approver")
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
    CaseState.ACTIVE: (0, 450),
    CaseState.REJECTED: (0, 300),
    CaseState.WITHDRAWN: (0, 300),
    CaseState.PROCEDURE_ENDED: (0, 300),
    CaseState.UNDER_RECHECK: (0, 20),
    CaseState.PHASING_OUT: (0, 150),
    CaseState.TERMINATED: (0, 300),
}


def load_regions(uow: UnitOfWork) -> int:
    """Import the demo county's regions (idempotent); return how many were created."""
    text = resources.files("engine").joinpath("data/demo_lezhi_regions.csv").read_text("utf-8")
    return import_regions(uow, parse_region_csv(text)).created


#: the demo county's policy: 乐至县 2024 standards; tekun ≈ 1.3 × dibao (demo value)
DEMO_STANDARDS = (
    (
        "rural",
        "dibao",
        Decimal(533),
        "乐至县2024年农村低保标准533元/人·月（县民政局报告，2024年11月）",
    ),
    (
        "urban",
        "dibao",
        Decimal(740),
        "乐至县2024年城市低保标准740元/人·月（县民政局报告，2024年11月）",
    ),
    ("rural", "tekun", Decimal(693), "演示值：特困人员基本生活标准按农村低保标准1.3倍计"),
    ("urban", "tekun", Decimal(962), "演示值：特困人员基本生活标准按城市低保标准1.3倍计"),
)
DEMO_PARAMETERS = (
    (
        "classified_supplement_rate",
        "0.10",
        "乐至县：对重病、重度残疾等对象按不低于保障标准10%分类施保（县民政局报告，2024年11月）",
    ),
    ("dibao_sampling_ratio", "0.2", "演示值：县级对低保新申请按20%抽查"),
)
POLICY_FROM = dt.date(2024, 1, 1)


def load_policy(uows: UowFactory, clock: Clock, admin: Actor) -> int:
    """Set the demo county's standards and parameters where missing; return how many were set."""
    with uows(clock) as uow:
        have_standards = {
            (str(s.area_type), str(s.category))
            for s in uow.session.scalars(
                select(Standard).where(Standard.county_code == COUNTY_CODE)
            )
        }
        have_parameters = set(
            uow.session.scalars(
                select(PolicyParameter.name).where(PolicyParameter.county_code == COUNTY_CODE)
            )
        )
    made = 0
    for area, category, yuan, source in DEMO_STANDARDS:
        if (area, category) not in have_standards:
            set_standard(
                uows(clock),
                admin,
                NewStandard(COUNTY_CODE, area, category, yuan, POLICY_FROM, source),
            )
            made += 1
    for name, value, source in DEMO_PARAMETERS:
        if name not in have_parameters:
            set_parameter(
                uows(clock), admin, NewParameter(COUNTY_CODE, name, value, POLICY_FROM, source)
            )
            made += 1
    return made


def load_demo(
    uows: UowFactory,
    clock: Clock,
    households: int = DEFAULT_HOUSEHOLDS,
    progress: Callable[[int], None] | None = None,
) -> DemoReport:
    """Load the demo county; households already present are skipped."""
    report = DemoReport()
    report.regions_created = load_regions(uows(clock))
    for user in demo_users():
        with uows(clock) as uow:
            exists = uow.session.scalar(select(User.id).where(User.username == user.username))
        if exists is None:
            create_user(
                uows(clock),
                NewUser(
                    user.username,
                    user.role.value,
                    user.region_code,
                    DEMO_PASSWORD,
                    user.display_name,
                ),
            )
            report.users_created += 1
    with uows(clock) as uow:
        actors = {u.username: actor_of(u) for u in uow.session.scalars(select(User))}
        villages = list(
            uow.session.scalars(
                select(Region)
                .where(Region.level == RegionLevel.VILLAGE, Region.code.startswith(COUNTY_CODE))
                .order_by(Region.code)
            )
        )
        known = set(uow.session.scalars(select(Person.id_number)))
    report.policy_set = load_policy(uows, clock, actors["admin"])
    standards = {area: yuan for area, category, yuan, _ in DEMO_STANDARDS if category == "dibao"}
    used: set[str] = set()
    for index in range(households):
        village = villages[index % len(villages)]
        target = _pick_state(index)
        standard = standards[str(village.area_type)]
        household = household_members(index, village.area_type == "urban", used, target, standard)
        if household.members[0].id_number in known:
            report.households_skipped += 1
        else:
            _create_household(uows, clock, actors, index, village, household, target, standard)
            report.households_created += 1
        if progress is not None:
            progress(1)
    return report


def _create_household(
    uows: UowFactory,
    clock: Clock,
    actors: dict[str, Actor],
    index: int,
    village: Region,
    household: DemoHousehold,
    target: CaseState,
    standard: Decimal,
) -> None:
    rng = random.Random(f"doudi-demo-story-{index}")
    story = _Story(
        uows,
        FrozenClock(clock.now(), clock.tz),
        actors,
        village.parent_code or "",
        rng,
        household,
        standard,
    )
    _plan(story, target)
    dwell = dt.timedelta(days=rng.randint(*DWELL_DAYS[target]), hours=rng.randint(0, 8))
    story.clock.set(clock.now() - story.duration - dwell - dt.timedelta(minutes=5))
    ref = submit_application(
        uows(story.clock),
        actors[story.clerk],
        Application(
            category=household.category,
            village_code=village.code,
            members=household.members,
            draft=target == CaseState.DRAFT,
            income_stable=household.income_stable,
            rigid_expenses_yuan=household.rigid_expenses_yuan,
            bank_account=household.bank_account,
        ),
    )
    story.case_id = ref.id
    try:
        story.run()
    except DomainError as err:  # a demo bug must not pass silently
        raise RuntimeError(f"demo household {index} ({target}): {err.message_en}") from err
