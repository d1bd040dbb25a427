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
from decimal import Decimal
from importlib import resources

from sqlalchemy import select

from admin.demo.county import (
    COUNTY_CODE,
    DEFAULT_HOUSEHOLDS,
    DEMO_PASSWORD,
    MAIN_TOWNSHIP,
    DemoReport,
    DemoUser,
    UowFactory,
    demo_users,
    staff_of,
)
from admin.demo.households import DemoHousehold, household_members, pick_state
from admin.demo.monitoring import COORDINATOR, load_monitoring
from admin.demo.registry import REGISTRY_LEAD, demo_officials, plant_conflicts, registry_rows
from admin.demo.story import DWELL_DAYS, Story, plan
from audit.officials import import_officials
from engine.clock import Clock, FrozenClock
from engine.errors import DomainError
from engine.models import Person, PolicyParameter, Region, RegionLevel, Standard, User
from engine.ports import Actor
from engine.services.applications import Application
from engine.services.cases import submit_application
from engine.services.policy import NewParameter, NewStandard, set_parameter, set_standard
from engine.services.regions import import_regions, parse_region_csv
from engine.services.users import NewUser, actor_of, create_user
from engine.states import CaseState, Role
from engine.uow import UnitOfWork


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
    coordinated = [v for v in villages if v.code.startswith(MAIN_TOWNSHIP)][:3]
    if COORDINATOR not in actors:
        create_user(
            uows(clock),
            NewUser(
                COORDINATOR,
                Role.COORDINATOR.value,
                coordinated[0].code,
                DEMO_PASSWORD,
                f"{coordinated[0].name} 救助协理员",
            ),
        )
        report.users_created += 1
        with uows(clock) as uow:
            user = uow.session.scalar(select(User).where(User.username == COORDINATOR))
            assert user is not None
            actors[COORDINATOR] = actor_of(user)
    report.policy_set = load_policy(uows, clock, actors["admin"])
    standards = {area: yuan for area, category, yuan, _ in DEMO_STANDARDS if category == "dibao"}
    # the officials first, so that every run draws the same people whatever the count
    used: set[str] = set()
    officials = demo_officials(
        [v.code for v in villages], sorted({v.parent_code or "" for v in villages}), used
    )
    generated = []
    for index in range(households):
        village = villages[index % len(villages)]
        target = pick_state(index)
        standard = standards[str(village.area_type)]
        household = household_members(index, village.area_type == "urban", used, target, standard)
        generated.append((village, target, standard, household))
    registry = import_officials(
        uows(FrozenClock(clock.now() - REGISTRY_LEAD, clock.tz)),
        actors["admin"],
        registry_rows(plant_conflicts(officials, [(v.code, h) for v, _, _, h in generated])),
    )
    report.officials_created = registry.officials_created
    report.relatives_created = registry.relatives_created
    for index, (village, target, standard, household) in enumerate(generated):
        if household.members[0].id_number in known:
            report.households_skipped += 1
        else:
            _create_household(uows, clock, actors, index, village, household, target, standard)
            report.households_created += 1
        if progress is not None:
            progress(1)
    monitoring = load_monitoring(uows, clock, actors, coordinated, used)
    report.monitored_added = monitoring.people_added
    report.warnings_raised = monitoring.warnings_raised
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
    story = Story(
        uows,
        FrozenClock(clock.now(), clock.tz),
        actors,
        village.parent_code or "",
        rng,
        household,
        standard,
    )
    plan(story, target)
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
            tekun_supporter=household.tekun_supporter,
        ),
    )
    story.case_id = ref.id
    try:
        story.run()
    except DomainError as err:  # a demo bug must not pass silently
        raise RuntimeError(f"demo household {index} ({target}): {err.message_en}") from err


__all__ = [
    "DEFAULT_HOUSEHOLDS",
    "DEMO_PASSWORD",
    "DemoReport",
    "DemoUser",
    "demo_users",
    "load_demo",
    "staff_of",
]
