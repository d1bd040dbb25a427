"""The demo county: where it is, who works there, and which states its cases reach."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from engine.clock import Clock
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
    CaseState.TERMINATION_NOTICE: 1,
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
    officials_created: int = 0
    relatives_created: int = 0
    monitored_added: int = 0
    warnings_raised: int = 0


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
