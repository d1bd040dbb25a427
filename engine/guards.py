"""Guards: the conditions a trigger checks before it fires, as pure functions of facts.

Each guard returns None when satisfied, or a Problem that says in plain words
(Chinese, with an English code and text) what is missing. The transition
table in ``engine.states`` names the guards each trigger runs; all of them are
evaluated so a refusal lists every failure at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.calendar import notice_may_close_at
from engine.clock import as_utc, local_date
from engine.deadlines import EXTENSION_GROUNDS
from engine.errors import Problem
from engine.identity import mask_id_number
from engine.means import MeansFacts
from engine.ports import Actor
from engine.rulebook import RuleBook
from engine.rules import TEKUN_TERMINATION_GROUNDS, unable_to_work


@dataclass(frozen=True)
class InvestigationFact:
    """What a guard needs to know about one recorded investigation."""

    id: int
    level: str
    date: dt.date
    investigator_ids: frozenset[int]
    recorded_at: dt.datetime
    method: str = "home_visit"


#: the facts read from tables of their own, by group, each group one query or two: a
#: transition loads only the groups its guards declare (``guard(..., facts=...)``)
FACT_GROUPS: dict[str, tuple[str, ...]] = {
    "investigations": ("investigations",),
    "objections": (
        "open_objection_ids",
        "objection_raised_at",
        "complaint_at",
        "had_objection",
        "democratic_review_at",
        "termination_objection_at",
    ),
    "kinship": ("kinship_flags", "kinship_flagged_at", "kinship_filed"),
    "proposers": ("proposer_ids",),
}


@dataclass(frozen=True)
class CaseFacts:
    """Everything the guards look at, loaded once per decision."""

    case_id: int
    state: str
    category: str = "dibao"
    investigating_since: dt.datetime | None = None
    reinvestigating_since: dt.datetime | None = None
    proposed_at: dt.datetime | None = None
    opinion_revised_at: dt.datetime | None = None
    #: when the latest objection of the current notice was raised (None: none was)
    objection_raised_at: dt.datetime | None = None
    #: when the latest democratic review was recorded
    democratic_review_at: dt.datetime | None = None
    #: when the latest complaint received during the county's confirmation was recorded
    complaint_at: dt.datetime | None = None
    decided_at: dt.datetime | None = None
    recheck_started_at: dt.datetime | None = None
    notice_started_at: dt.datetime | None = None
    investigations: tuple[InvestigationFact, ...] = ()
    open_objection_ids: tuple[int, ...] = ()
    proposer_ids: frozenset[int] = frozenset()
    had_objection: bool = False
    sampled_for_county_check: bool | None = None
    extension_ground: str | None = None
    last_change_kind: str | None = None
    #: active kinship flags on the case, when the latest was raised, and whether a filing
    #: (备案) made after it covers them all
    kinship_flags: int = 0
    kinship_flagged_at: dt.datetime | None = None
    kinship_filed: bool = False
    #: when the last recheck confirmed or adjusted the benefit
    rechecked_at: dt.datetime | None = None
    #: each member's refusals of suitable work without good reason in a row, by ID number
    #: (loaded only for the rules that read them)
    work_refusals: Mapping[str, int] = field(default_factory=dict)
    #: tekun: supported persons without a self-care assessment (loaded only when read)
    self_care_unassessed: int = 0
    #: tekun: when the intended termination was (last) noticed, and the latest objection to
    #: that notice (TK Art. 26)
    termination_noticed_at: dt.datetime | None = None
    termination_objection_at: dt.datetime | None = None
    #: when an inspector last required the county's own visit before the next decision
    finding_visit_required_at: dt.datetime | None = None
    #: the household's means and the policy in force (None where not loaded)
    means: MeansFacts | None = None
    #: the groups of facts read from their own tables (``FACT_GROUPS``) that were loaded: a
    #: transition loads those its guards read, and records only what it loaded
    loaded: frozenset[str] = field(default_factory=lambda: frozenset(FACT_GROUPS))

    def as_payload(self) -> dict[str, Any]:
        """Return the facts as audit payload data (the decision's inputs): the case's own,
        and of the others the groups that were loaded."""
        unloaded = {name for group in set(FACT_GROUPS) - self.loaded for name in FACT_GROUPS[group]}
        facts = self._payload()
        return {name: value for name, value in facts.items() if name not in unloaded}

    def _payload(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "investigating_since": self.investigating_since,
            "reinvestigating_since": self.reinvestigating_since,
            "proposed_at": self.proposed_at,
            "opinion_revised_at": self.opinion_revised_at,
            "objection_raised_at": self.objection_raised_at,
            "democratic_review_at": self.democratic_review_at,
            "complaint_at": self.complaint_at,
            "decided_at": self.decided_at,
            "recheck_started_at": self.recheck_started_at,
            "notice_started_at": self.notice_started_at,
            "investigations": [
                {
                    "id": inv.id,
                    "level": inv.level,
                    "date": inv.date,
                    "investigator_ids": sorted(inv.investigator_ids),
                    "method": inv.method,
                }
                for inv in self.investigations
            ],
            "open_objection_ids": list(self.open_objection_ids),
            "proposer_ids": sorted(self.proposer_ids),
            "had_objection": self.had_objection,
            "sampled_for_county_check": self.sampled_for_county_check,
            "extension_ground": self.extension_ground,
            "last_change_kind": self.last_change_kind,
            "kinship_flags": self.kinship_flags,
            "kinship_flagged_at": self.kinship_flagged_at,
            "kinship_filed": self.kinship_filed,
            "rechecked_at": self.rechecked_at,
            "work_refusals": {mask_id_number(n): c for n, c in self.work_refusals.items()},
            "self_care_unassessed": self.self_care_unassessed,
            "termination_noticed_at": self.termination_noticed_at,
            "termination_objection_at": self.termination_objection_at,
            "finding_visit_required_at": self.finding_visit_required_at,
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
#: guard name -> the groups of facts it reads (``FACT_GROUPS``)
GUARD_FACTS: dict[str, frozenset[str]] = {}


def guard(
    name: str, rules: tuple[str, ...] = (), facts: tuple[str, ...] = ()
) -> Callable[[Guard], Guard]:
    """Register a guard under ``name`` (the name used in the transition table), with the
    rules and the groups of facts it reads (a test holds each guard to its groups)."""
    unknown = set(facts) - set(FACT_GROUPS)
    if unknown:
        raise ValueError(f"guard {name!r} reads unknown fact groups {sorted(unknown)}")

    def register(fn: Guard) -> Guard:
        if name in GUARDS:
            raise ValueError(f"guard {name!r} registered twice")
        GUARDS[name] = fn
        GUARD_RULES[name] = rules
        GUARD_FACTS[name] = frozenset(facts)
        return fn

    return register


def fact_groups(guards: Iterable[str]) -> frozenset[str]:
    """The groups of facts the named guards read."""
    return frozenset(group for name in guards for group in GUARD_FACTS.get(name, ()))


def check(names: tuple[str, ...], ctx: GuardContext) -> list[Problem]:
    """Evaluate every guard in ``names`` and return all failures."""
    problems = []
    for name in names:
        problem = GUARDS[name](ctx)
        if problem is not None:
            problems.append(problem)
    return problems


def round_started_at(facts: CaseFacts) -> dt.datetime | None:
    """When the current investigation round began: the first start, or a re-investigation's."""
    starts = [t for t in (facts.investigating_since, facts.reinvestigating_since) if t is not None]
    return max(starts, key=as_utc) if starts else None


def current_township_investigations(facts: CaseFacts) -> list[InvestigationFact]:
    """Township investigations recorded since the current investigation round began."""
    since = round_started_at(facts)
    return [
        inv
        for inv in facts.investigations
        if inv.level == "township" and (since is None or as_utc(inv.recorded_at) >= as_utc(since))
    ]


@guard("township_investigation_recorded", rules=("min_investigators",), facts=("investigations",))
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


@guard("no_open_objection", facts=("objections",))
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


@guard("approver_independent", facts=("investigations", "proposers"))
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


def investigations_since_decision(facts: CaseFacts) -> list[InvestigationFact]:
    """Investigations of the current recheck (or, outside one, since the last decision)."""
    since = facts.recheck_started_at if facts.state == "under_recheck" else facts.decided_at
    since = since or facts.decided_at
    return [
        inv
        for inv in facts.investigations
        if since is None or as_utc(inv.recorded_at) >= as_utc(since)
    ]


@guard("recheck_decider_independent", facts=("investigations",))
def recheck_decider_independent(ctx: GuardContext) -> Problem | None:
    """Who adjusts, phases out or terminates did not investigate the recheck they decide on
    (separation of duties, as for approval; DOMAIN "Guards")."""
    me = ctx.actor.user_id
    if not any(me in inv.investigator_ids for inv in investigations_since_decision(ctx.facts)):
        return None
    return Problem(
        code="separation_of_duties",
        message="审批人不得对本人参与调查的核查作出调整、渐退或停保决定",
        message_en="the approver may not decide on a recheck whose investigation they took part in",
    )


INELIGIBLE_MESSAGES = {
    "income_not_below_standard": (
        "家庭人均收入不低于保障标准，补差为0，不能批准",
        "per-capita income is not below the standard: the top-up is 0 and cannot be approved",
    ),
    "single_person_needs_one_covered_member": (
        "单人保须指定且仅指定一名被保障成员",
        "single-person coverage needs exactly one covered member",
    ),
    "single_person_member_not_qualified": (
        "被保障成员须为一、二级残疾（或三级智力、精神残疾）或重病患者",
        "the covered member must have a grade 1-2 disability (or grade 3 intellectual or "
        "mental) or a serious illness",
    ),
    "tekun_able_to_work": (
        "特困人员须无劳动能力（年满60周岁、未满16周岁、符合条件的残疾或经调查认定无劳动能力，"
        "《特困人员认定办法》第五条）",
        "a tekun person has no capacity to work (aged 60 or over, under 16, a qualifying "
        "disability, or found unable by the investigation; TK Art. 5)",
    ),
    "tekun_income_not_below_dibao_standard": (
        "人均收入不低于当地最低生活保障标准，不属于无生活来源（《特困人员认定办法》第六条）",
        "per-capita income is not below the local dibao standard: the applicant has a source "
        "of livelihood (TK Art. 6)",
    ),
    "tekun_supporter_not_declared": (
        "须登记法定赡养、抚养、扶养义务人情况（《特困人员认定办法》第七条、第八条）",
        "the legal supporters' situation must be recorded (TK Arts. 7-8)",
    ),
    "tekun_supporter_able": (
        "有法定义务人且其具备赡养、抚养、扶养能力（《特困人员认定办法》第七条、第八条）",
        "a legal supporter is able to support the applicant (TK Arts. 7-8)",
    ),
    "single_person_not_marginal_family": (
        "家庭不属于低保边缘家庭（人均收入须不低于保障标准且低于边缘倍数）",
        "the family is not a marginal family (per-capita income must be at least the standard "
        "and below the marginal factor times it)",
    ),
}


@guard("benefit_computable")
def benefit_computable(ctx: GuardContext) -> Problem | None:
    """A standard is in force for the case's county, area type and category on the decision date."""
    means = ctx.facts.means
    if means is None or means.standard is not None:
        return None
    return Problem(
        code="standard_missing",
        message=f"{means.on.isoformat()}没有适用于该案件的保障标准，请先设置保障标准",
        message_en=f"no standard is in force for this case on {means.on.isoformat()}",
    )


@guard("benefit_eligible")
def benefit_eligible(ctx: GuardContext) -> Problem | None:
    """The household qualifies for the amount (dibao: the top-up is above zero; Art. 13)."""
    means = ctx.facts.means
    if means is None or means.benefit is None or not means.benefit.ineligible:
        return None
    codes = means.benefit.ineligible
    return Problem(
        code=codes[0],
        message="；".join(INELIGIBLE_MESSAGES[c][0] for c in codes),
        message_en="; ".join(INELIGIBLE_MESSAGES[c][1] for c in codes),
        context={"reasons": list(codes)},
    )


@guard("property_within_limits")
def property_within_limits(ctx: GuardContext) -> Problem | None:
    """Recorded property does not exceed the local limits (Art. 11)."""
    means = ctx.facts.means
    if means is None or not means.property_problems:
        return None
    return Problem(
        code="property_over_limit",
        message="；".join(p.message for p in means.property_problems),
        message_en="; ".join(p.message_en for p in means.property_problems),
    )


@guard("county_check_done", facts=("objections", "investigations", "kinship"))
def county_check_done(ctx: GuardContext) -> Problem | None:
    """The county's own home visit precedes approval of a kinship-flagged case, one with a
    complaint, or one sampled for the county's check (Art. 20; TK Art. 16)."""
    facts = ctx.facts
    reasons = [
        (zh, en)
        for applies, zh, en in (
            (facts.kinship_flags > 0, "涉及近亲属备案", "is kinship-flagged"),
            (facts.had_objection, "公示期间有异议", "had an objection"),
            (
                facts.sampled_for_county_check,
                "被抽中由县级核查",
                "was sampled for the county's check",
            ),
        )
        if applies
    ]
    complaint = facts.complaint_at
    if complaint is not None:
        reasons.append(("在审核确认期间被投诉举报", "received a complaint while being confirmed"))
    if not reasons:
        return None
    visits = [
        inv for inv in facts.investigations if inv.level == "county" and inv.method == "home_visit"
    ]
    # a complaint needs a visit made after it; the other grounds any county visit
    if complaint is not None:
        visits = [inv for inv in visits if as_utc(inv.recorded_at) >= as_utc(complaint)]
    if visits:
        return None
    return Problem(
        code="county_check_missing",
        message=f"该案件{'、'.join(zh for zh, _ in reasons)}，须先记录县级入户调查（第二十条）",
        message_en=f"the case {' and '.join(en for _, en in reasons)}: record the county's own "
        "home visit first (Art. 20)",
    )


#: what ends single-person coverage: the family leaves the marginal band, or the covered
#: member's own income reaches the standard
SINGLE_PERSON_LIFTED = frozenset({"single_person_not_marginal_family", "income_not_below_standard"})


@guard("phase_out_grounds")
def phase_out_grounds(ctx: GuardContext) -> Problem | None:
    """Phase-out only when employment lifted per-capita income above the standard (2022 notice)."""
    problems = []
    if "employment" not in (ctx.data.get("change"), ctx.facts.last_change_kind):
        problems.append(
            (
                "须记录就业变化（登记变化类别 employment，或 data.change = employment）",
                "the recorded change must be employment (record a change of kind 'employment', "
                "or send data.change = 'employment')",
            )
        )
    means = ctx.facts.means
    benefit = means.benefit if means else None
    if benefit is not None and benefit.category == "single_person":
        # 单人保: the covered person's own rule decides, not the household's per-capita income
        # (which is at or above the standard in any marginal family)
        if not set(benefit.ineligible) & SINGLE_PERSON_LIFTED:
            problems.append(
                (
                    "单人保：家庭仍属低保边缘家庭且被保障成员收入仍低于保障标准，就业变化本身不引起渐退",
                    "single-person coverage: the family is still a marginal family and the "
                    "covered member's income is still below the standard; employment alone does "
                    "not start a phase-out",
                )
            )
    elif benefit is not None and benefit.per_capita_income_yuan <= benefit.standard_yuan:
        problems.append(
            (
                f"家庭人均收入{benefit.per_capita_income_yuan}元未超过保障标准{benefit.standard_yuan}元",
                f"per-capita income {benefit.per_capita_income_yuan} is not above the standard "
                f"{benefit.standard_yuan}",
            )
        )
    if not problems:
        return None
    return Problem(
        code="phase_out_not_allowed",
        message="不能进入渐退期：" + "；".join(zh for zh, _ in problems),
        message_en="phase-out not allowed: " + "; ".join(en for _, en in problems),
    )


@guard("extension_ground_recorded")
def extension_ground_recorded(ctx: GuardContext) -> Problem | None:
    """The 45-working-day limit needs one of the listed grounds, once (Art. 22; 2022 notice)."""
    if ctx.facts.extension_ground:
        return Problem(
            code="already_extended",
            message="办理时限已延长过",
            message_en="the time limit was already extended",
        )
    ground = ctx.data.get("ground")
    if ground in EXTENSION_GROUNDS:
        return None
    choices = "、".join(f"{k}（{v[0]}）" for k, v in EXTENSION_GROUNDS.items())
    return Problem(
        code="extension_ground_missing",
        message=f"须在 data.ground 中注明延期事由：{choices}",
        message_en="data.ground must be one of: " + ", ".join(EXTENSION_GROUNDS),
    )


@guard("kinship_filed", facts=("kinship",))
def kinship_filed(ctx: GuardContext) -> Problem | None:
    """A kinship-flagged case is filed separately (近亲属备案) before its notice closes, and a
    flag raised after the filing (a second official, a new declaration) is filed again."""
    if ctx.facts.kinship_flags == 0 or ctx.facts.kinship_filed:
        return None
    return Problem(
        code="kinship_filing_missing",
        message=f"本案有{ctx.facts.kinship_flags}项近亲属关联，须先完成近亲属备案"
        "（备案后新发现的关联须另行备案）",
        message_en=f"the case has {ctx.facts.kinship_flags} kinship flag(s): file it first "
        "(a flag raised after a filing needs its own)",
    )


@guard("kinship_reviewed_while_enrolled", facts=("investigations", "kinship"))
def kinship_reviewed_while_enrolled(ctx: GuardContext) -> Problem | None:
    """A kinship flag raised while the case was enrolled (after its last decision) is filed,
    and the county visits the household itself, before a recheck keeps paying it (2022
    notice §5; Art. 20 by analogy; 乐至 "近亲属享受低保复核")."""
    facts = ctx.facts
    flagged = facts.kinship_flagged_at
    decided = [as_utc(t) for t in (facts.decided_at, facts.rechecked_at) if t is not None]
    if flagged is None or not decided or as_utc(flagged) < max(decided):
        return None  # no flag, or every flag was weighed by the decision in force
    missing = []
    if not facts.kinship_filed:
        missing.append(("近亲属备案", "a kinship filing"))
    visited = any(
        inv.level == "county"
        and inv.method == "home_visit"
        and as_utc(inv.recorded_at) >= as_utc(flagged)
        for inv in facts.investigations
    )
    if not visited:
        missing.append(("县级入户调查", "the county's own home visit"))
    if not missing:
        return None
    return Problem(
        code="enrolled_kinship_review_missing",
        message="享受期间新发现近亲属关联，复核须先完成"
        + "和".join(zh for zh, _ in missing)
        + "（民发〔2022〕83号）",
        message_en="a kinship flag was raised while the case was enrolled: the recheck needs "
        + " and ".join(en for _, en in missing)
        + " first (2022 notice)",
    )


@guard("work_refusals_reach_limit", rules=("work_refusal_limit",))
def work_refusals_reach_limit(ctx: GuardContext) -> Problem | None:
    """A member's own share is reduced or stopped only after they refused suitable work the
    limit's number of times in a row without good reason (Art. 34)."""
    limit = ctx.rules.value("work_refusal_limit", ctx.today)
    number = str(ctx.data.get("member", "")).strip().upper()
    if not number:
        return Problem(
            code="member_missing",
            message="须指明拒绝就业的成员（data.member：身份证号码）",
            message_en="name the member who refused work (data.member: the ID number)",
        )
    runs = ctx.facts.work_refusals.get(number, 0)
    if runs >= limit:
        return None
    return Problem(
        code="work_refusals_below_limit",
        message=f"该成员连续无正当理由拒绝介绍的工作{runs}次，未达{limit}次（第三十四条）",
        message_en=f"the member refused suitable work without good reason {runs} time(s) in a "
        f"row, fewer than {limit} (Art. 34)",
    )


@guard("self_care_assessed", facts=("objections", "investigations"))
def self_care_assessed(ctx: GuardContext) -> Problem | None:
    """Every tekun person is assessed for self-care before the county confirms the case, so
    that the care level is set (TK Art. 20)."""
    missing = ctx.facts.self_care_unassessed
    if ctx.facts.category != "tekun" or missing == 0:
        return None
    return Problem(
        code="self_care_not_assessed",
        message=f"有{missing}名供养对象尚未评估生活自理能力（《特困人员认定办法》第二十条）",
        message_en=f"{missing} supported person(s) not yet assessed for self-care (TK Art. 20)",
    )


TEKUN_RENOTICE = (
    "特困人员供养：公示有异议的，须重新组织调查核实，在15个工作日内重新提出审核意见并重新公示"
    "（《特困人员认定办法》第十五条），请“受理异议并重新调查”",
    "tekun: an objection to the notice requires a re-investigation, a new opinion within 15 "
    "working days and a new notice (TK Art. 15): raise the objection for re-investigation",
)


def _reviewed_after(facts: CaseFacts, moment: dt.datetime) -> bool:
    """Whether a democratic review or an investigation was recorded after ``moment``."""
    if facts.democratic_review_at is not None and as_utc(facts.democratic_review_at) >= as_utc(
        moment
    ):
        return True
    return any(as_utc(inv.recorded_at) >= as_utc(moment) for inv in facts.investigations)


@guard("objection_reviewed", facts=("objections", "investigations"))
def objection_reviewed(ctx: GuardContext) -> Problem | None:
    """A new initial opinion follows a re-investigation or a democratic review of the
    objection (《最低生活保障审核确认办法》 Art. 19 ¶2)."""
    facts = ctx.facts
    if facts.objection_raised_at is None:
        return Problem(
            code="no_objection",
            message="本次公示没有异议，无须重新提出初审意见",
            message_en="no objection was raised during this notice: there is no opinion to revise",
        )
    if facts.category == "tekun":
        return Problem(
            code="tekun_renotice_required", message=TEKUN_RENOTICE[0], message_en=TEKUN_RENOTICE[1]
        )
    if _reviewed_after(facts, facts.objection_raised_at):
        return None
    return Problem(
        code="objection_not_reviewed",
        message="须先对异议重新组织调查核实或开展民主评议，再重新提出初审意见（第十九条）",
        message_en="re-investigate the objection or hold a democratic review before revising "
        "the initial opinion (Art. 19)",
    )


@guard("opinion_after_objection", facts=("objections",))
def opinion_after_objection(ctx: GuardContext) -> Problem | None:
    """After an objection, the notice closes only on a new, reasoned initial opinion (dibao,
    Art. 19 ¶2); a tekun notice with an objection is noticed again (TK Art. 15)."""
    facts = ctx.facts
    raised = facts.objection_raised_at
    if raised is None:
        return None
    if facts.category == "tekun":
        return Problem(
            code="tekun_renotice_required", message=TEKUN_RENOTICE[0], message_en=TEKUN_RENOTICE[1]
        )
    revised = facts.opinion_revised_at
    if revised is not None and as_utc(revised) >= as_utc(raised):
        return None
    return Problem(
        code="opinion_not_revised",
        message="公示期间有异议：须在重新调查或民主评议后重新提出初审意见（第十九条）",
        message_en="an objection was raised during the notice: revise the initial opinion after "
        "a re-investigation or democratic review (Art. 19)",
    )


@guard("reinvestigated_after_objection")
def reinvestigated_after_objection(ctx: GuardContext) -> Problem | None:
    """A dibao file goes to the county without a second notice only after an objection was
    re-investigated and a new opinion given (Art. 19 ¶2); tekun is noticed again (TK Art. 15)."""
    facts = ctx.facts
    if facts.category == "tekun":
        return Problem(
            code="tekun_renotice_required",
            message="特困人员供养：重新调查后须重新公示（《特困人员认定办法》第十五条）",
            message_en="tekun: after a re-investigation the new opinion is noticed again "
            "(TK Art. 15)",
        )
    since = facts.reinvestigating_since
    if (
        since is not None
        and facts.proposed_at is not None
        and as_utc(facts.proposed_at) >= as_utc(since)
    ):
        return None
    return Problem(
        code="not_reinvestigated",
        message="只有公示异议经重新调查并重新提出初审意见后，才能不经再次公示直接报县",
        message_en="only a file re-investigated after an objection, with a new opinion, goes "
        "to the county without a second notice",
    )


@guard("tekun_case")
def tekun_case(ctx: GuardContext) -> Problem | None:
    """Only the end of 特困 support is noticed before the county decides (TK Art. 26); a dibao
    case is terminated by the county's written decision."""
    if ctx.facts.category == "tekun":
        return None
    return Problem(
        code="termination_notice_tekun_only",
        message="终止前公示仅适用于特困人员救助供养（《特困人员认定办法》第二十六条），"
        "低保停保直接作出决定",
        message_en="only the end of tekun support is noticed first (TK Art. 26); a dibao case "
        "is terminated directly",
    )


@guard("termination_ground")
def termination_ground(ctx: GuardContext) -> Problem | None:
    """The intended termination names one of the grounds of TK Art. 24 ¶1 in data.ground."""
    if ctx.data.get("ground") in TEKUN_TERMINATION_GROUNDS:
        return None
    choices = "、".join(f"{k}（{v[0]}）" for k, v in TEKUN_TERMINATION_GROUNDS.items())
    return Problem(
        code="termination_ground_missing",
        message=f"须在 data.ground 中注明终止事由（《特困人员认定办法》第二十四条）：{choices}",
        message_en="data.ground must name the ground (TK Art. 24): "
        + ", ".join(TEKUN_TERMINATION_GROUNDS),
        field="data.ground",
    )


#: why a person counts as unable to work only because of their age or schooling
AGE_GROUNDS = frozenset({"minor", "minor_supported", "in_school"})


@guard("tekun_minor_supported", rules=("tekun_minor_support_age",))
def tekun_minor_supported(ctx: GuardContext) -> Problem | None:
    """A supported minor is not ended for being able to work: support continues to 18, and
    beyond while at school (TK Art. 24 ¶2)."""
    means = ctx.facts.means
    if ctx.data.get("ground") != "capacity_to_work" or means is None or means.policy is None:
        return None
    test = means.policy.tekun_test
    if test is None:
        return None
    kept = [m for m in means.household.members if unable_to_work(m, test) in AGE_GROUNDS]
    if not kept:
        return None
    return Problem(
        code="tekun_minor_still_supported",
        message=f"{kept[0].label}未满{test.support_age}周岁或仍在校就读，可继续享受救助供养，"
        "不能以具备劳动能力为由终止（《特困人员认定办法》第二十四条第二款）",
        message_en=f"{kept[0].label} is under {test.support_age} or still at school and stays "
        "supported: capacity to work is not a ground (TK Art. 24 ¶2)",
    )


@guard("termination_noticed", rules=("public_notice_days",))
def termination_noticed(ctx: GuardContext) -> Problem | None:
    """The end of tekun support is decided only after a 7-day notice in the village (TK Art.
    26); dibao is terminated directly."""
    facts = ctx.facts
    if facts.category != "tekun":
        return None
    started = facts.termination_noticed_at
    if facts.state != "termination_notice" or started is None:
        return Problem(
            code="termination_not_noticed",
            message="终止特困人员救助供养须先在其所在村（社区）公示7天（《特困人员认定办法》"
            "第二十六条）：请先“拟终止救助供养并公示”",
            message_en="tekun support ends only after a 7-day notice in the village (TK Art. "
            "26): notice the intended termination first",
        )
    days = ctx.rules.value("public_notice_days", ctx.today)
    may_close = notice_may_close_at(started, days, ctx.tz)
    if ctx.now >= may_close:
        return None
    closes = local_date(may_close, ctx.tz).isoformat()
    return Problem(
        code="notice_period_running",
        message=f"终止公示期未满{days}日，{closes}起方可作出终止决定（第二十六条）",
        message_en=f"the {days}-day termination notice runs until {closes} (TK Art. 26)",
        context={"may_close_on": closes, "days": days},
    )


@guard("termination_objection_investigated", facts=("investigations", "objections"))
def termination_objection_investigated(ctx: GuardContext) -> Problem | None:
    """An objection to the termination notice is investigated by the county before the
    termination is noticed again (TK Art. 26)."""
    raised = ctx.facts.termination_objection_at
    if raised is None:
        return Problem(
            code="no_objection",
            message="本次终止公示没有异议，无须重新公示",
            message_en="no objection was raised to this termination notice",
        )
    if any(
        inv.level == "county" and as_utc(inv.recorded_at) >= as_utc(raised)
        for inv in ctx.facts.investigations
    ):
        return None
    return Problem(
        code="objection_not_investigated",
        message="终止公示有异议：县级须先组织调查核实，再决定是否终止并重新公示（第二十六条）",
        message_en="an objection to the termination notice: the county investigates it before "
        "noticing the termination again (TK Art. 26)",
    )


@guard("inspection_visit_done", facts=("investigations",))
def inspection_visit_done(ctx: GuardContext) -> Problem | None:
    """An inspector's finding that requires it holds the next decision until the county has
    visited the household itself after the finding."""
    required = ctx.facts.finding_visit_required_at
    if required is None:
        return None
    if any(
        inv.level == "county"
        and inv.method == "home_visit"
        and as_utc(inv.recorded_at) >= as_utc(required)
        for inv in ctx.facts.investigations
    ):
        return None
    return Problem(
        code="inspection_visit_required",
        message="纪检监察员的检查意见要求县级先行入户核查：请先记录县级入户调查，再作出决定",
        message_en="an inspector's finding requires the county's own home visit before the next "
        "decision: record it first",
    )
