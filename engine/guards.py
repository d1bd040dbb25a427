"""Guards: the conditions a trigger checks before it fires, as pure functions of facts.

Each guard returns None when satisfied, or a Problem that says in plain words
(Chinese, with an English code and text) what is missing. The transition
table in ``engine.states`` names the guards each trigger runs; all of them are
evaluated so a refusal lists every failure at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.clock import as_utc, local_date
from engine.errors import Problem
from engine.ports import Actor
from engine.rulebook import RuleBook


@dataclass(frozen=True)
class InvestigationFact:
    """What a guard needs to know about one recorded investigation."""

    id: int
    level: str
    date: dt.date
    investigator_ids: frozenset[int]
    recorded_at: dt.datetime


@dataclass(frozen=True)
class CaseFacts:
    """Everything the guards look at, loaded once per decision."""

    case_id: int
    state: str
    investigating_since: dt.datetime | None = None
    notice_started_at: dt.datetime | None = None
    investigations: tuple[InvestigationFact, ...] = ()
    open_objection_ids: tuple[int, ...] = ()
    proposer_ids: frozenset[int] = frozenset()

    def as_payload(self) -> dict[str, Any]:
        """Return the facts as audit payload data (the decision's inputs)."""
        return {
            "investigating_since": self.investigating_since,
            "notice_started_at": self.notice_started_at,
            "investigations": [
                {
                    "id": inv.id,
                    "level": inv.level,
                    "date": inv.date,
                    "investigator_ids": sorted(inv.investigator_ids),
                }
                for inv in self.investigations
            ],
            "open_objection_ids": list(self.open_objection_ids),
            "proposer_ids": sorted(self.proposer_ids),
        }


@dataclass(frozen=True)
class GuardContext:
    """A guard's inputs: the case's facts, who acts, when, and the rules in force."""

    facts: CaseFacts
    actor: Actor
    now: dt.datetime
    tz: dt.tzinfo
    rules: RuleBook
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def today(self) -> dt.date:
        """The local calendar date of ``now``."""
        return local_date(self.now, self.tz)


Guard = Callable[[GuardContext], Problem | None]

#: guard name -> guard; later rule sets register theirs with ``guard``
GUARDS: dict[str, Guard] = {}
#: guard name -> the rule book entries it reads (recorded in the audit payload)
GUARD_RULES: dict[str, tuple[str, ...]] = {}


def guard(name: str, rules: tuple[str, ...] = ()) -> Callable[[Guard], Guard]:
    """Register a guard under ``name`` (the name used in the transition table)."""

    def register(fn: Guard) -> Guard:
        if name in GUARDS:
            raise ValueError(f"guard {name!r} registered twice")
        GUARDS[name] = fn
        GUARD_RULES[name] = rules
        return fn

    return register


def check(names: tuple[str, ...], ctx: GuardContext) -> list[Problem]:
    """Evaluate every guard in ``names`` and return all failures."""
    problems = []
    for name in names:
        problem = GUARDS[name](ctx)
        if problem is not None:
            problems.append(problem)
    return problems


def current_township_investigations(facts: CaseFacts) -> list[InvestigationFact]:
    """Township investigations recorded since the case last entered investigation."""
    since = facts.investigating_since
    return [
        inv
        for inv in facts.investigations
        if inv.level == "township" and (since is None or as_utc(inv.recorded_at) >= as_utc(since))
    ]


@guard("township_investigation_recorded", rules=("min_investigators",))
def township_investigation_recorded(ctx: GuardContext) -> Problem | None:
    """A township investigation with enough investigators exists for this round (Art. 16)."""
    needed = ctx.rules.value("min_investigators", ctx.today)
    if any(
        len(inv.investigator_ids) >= needed for inv in current_township_investigations(ctx.facts)
    ):
        return None
    return Problem(
        code="township_investigation_missing",
        message=f"尚未记录本轮乡镇级家庭经济状况调查（调查人员不少于{needed}人）",
        message_en=(
            f"no township investigation with at least {needed} investigators "
            "has been recorded for this round"
        ),
    )


def notice_may_close_at(started: dt.datetime, days: int, tz: dt.tzinfo) -> dt.datetime:
    """Return when a notice published at ``started`` has run ``days`` full calendar days.

    The publication day is not counted (《民法典》第二百零一条): a notice put up
    on 1 March runs 2-8 March and may close from 00:00 on 9 March, local time.
    """
    first_day = local_date(started, tz)
    closes = first_day + dt.timedelta(days=days + 1)
    return dt.datetime.combine(closes, dt.time(), tzinfo=tz).astimezone(dt.UTC)


@guard("notice_period_elapsed", rules=("public_notice_days",))
def notice_period_elapsed(ctx: GuardContext) -> Problem | None:
    """The public notice has run its full calendar days (Art. 19)."""
    started = ctx.facts.notice_started_at
    days = ctx.rules.value("public_notice_days", ctx.today)
    if started is None:
        return Problem(
            code="notice_not_started",
            message="尚未张榜公示",
            message_en="the public notice has not been published",
        )
    may_close = notice_may_close_at(started, days, ctx.tz)
    if ctx.now >= may_close:
        return None
    opened = local_date(started, ctx.tz).isoformat()
    closes = local_date(may_close, ctx.tz).isoformat()
    return Problem(
        code="notice_period_running",
        message=f"公示期未满{days}日：{opened}公示，{closes}起方可结束公示",
        message_en=(
            f"the {days}-day public notice has not run its course: published {opened}, "
            f"may close from {closes}"
        ),
        context={"published_on": opened, "may_close_on": closes, "days": days},
    )


@guard("no_open_objection")
def no_open_objection(ctx: GuardContext) -> Problem | None:
    """No objection raised during the notice is still open (Art. 19)."""
    open_ids = ctx.facts.open_objection_ids
    if not open_ids:
        return None
    return Problem(
        code="objection_open",
        message=f"有{len(open_ids)}件异议尚未处理",
        message_en=f"{len(open_ids)} objection(s) still open",
        context={"objection_ids": list(open_ids)},
    )


@guard("approver_independent")
def approver_independent(ctx: GuardContext) -> Problem | None:
    """The approver neither proposed the case nor investigated it at township level."""
    me = ctx.actor.user_id
    roles = []
    if me in ctx.facts.proposer_ids:
        roles.append(("提出了初审意见", "proposed the initial review"))
    if any(
        me in inv.investigator_ids for inv in ctx.facts.investigations if inv.level == "township"
    ):
        roles.append(("参与了乡镇级入户调查", "took part in the township investigation"))
    if not roles:
        return None
    return Problem(
        code="separation_of_duties",
        message="审批人不得审批本人" + "、".join(zh for zh, _ in roles) + "的案件",
        message_en="the approver may not decide a case they " + " and ".join(en for _, en in roles),
    )
