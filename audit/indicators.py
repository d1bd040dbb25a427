"""Favouritism indicators (人情保, 关系保): patterns in the trail that no single rule catches.

Each indicator lists who or where, its figure, what the figure is compared
with, and the cases behind it, so that the inspector opens them. An
indicator is a reason to look, never a finding: the inspector decides. The
thresholds are arguments (with the defaults below) because they are the
inspector's choice, not the law's.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from audit.models import AuditEntry
from engine.access import county_of
from engine.calendar import WorkCalendar, notice_may_close_at
from engine.clock import local_date
from engine.models import (
    Case,
    Household,
    KinshipFiling,
    KinshipFlag,
    Official,
    Person,
    Region,
)
from engine.policy import calendar_for
from engine.rulebook import RuleBook
from engine.states import RULES

#: the county's decisions on an application
DECISIONS = ("approve", "reject")
#: the steps of the procedure, each the triggers that take it
STEPS: dict[str, tuple[str, ...]] = {
    "intake": ("submit", "accept", "return_for_materials"),
    "investigation": ("start_investigation", "record_investigation"),
    "review": ("propose", "revise_opinion"),
    "notice": ("publish_notice", "close_notice", "refer_to_county"),
    "decision": DECISIONS,
}
STEP_OF = {trigger: step for step, triggers in STEPS.items() for trigger in triggers}
#: the inspector's thresholds, by name
DEFAULTS = {
    # a decider's approval rate this far (in percentage points) from their peers' is shown
    "rate_margin_points": 20,
    # ... once they took at least this many decisions
    "min_decisions": 5,
    # a village's share of kinship-filed cases at least this many times the region's
    "filed_share_factor": 2,
    # one user at this many different steps of one case
    "min_steps": 3,
    # a step taken within this many minutes of the moment it first became possible
    "quick_minutes": 60,
    # working hours, local time
    "day_starts_hour": 8,
    "day_ends_hour": 18,
    # a day on which at least this many rechecks started in the region is a recheck wave
    "wave_min_rechecks": 10,
    # ... and the enrolments of this many days before it are counted
    "wave_window_days": 30,
    # enrolments bunched: at least this many times as many as the usual pace gives
    "cluster_factor": 2,
}


#: the period shown when none is asked for: this many days up to today
DEFAULT_DAYS = 365


def period(since: dt.date | None, until: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The days to look at: as asked, or the last year up to today."""
    until = until or today
    return since or until - dt.timedelta(days=DEFAULT_DAYS), until


@dataclass(frozen=True)
class DeciderRate:
    """One decider's approvals and rejections against the other deciders of the region."""

    user: str
    approved: int
    rejected: int
    rate: float
    peers_rate: float | None
    outlier: bool
    case_ids: tuple[int, ...]


@dataclass(frozen=True)
class FiledShare:
    """How many of a village's (or an official's) cases were filed as kin of an official."""

    code: str
    name: str
    cases: int
    filed: int
    share: float
    outlier: bool
    case_ids: tuple[int, ...]


@dataclass(frozen=True)
class OfficialCases:
    """The cases in which one official is flagged as a relative's kin."""

    official_id: int
    name: str
    position: str
    region_code: str
    cases: int
    case_ids: tuple[int, ...]


@dataclass(frozen=True)
class SeveralSteps:
    """One user who took several steps of the same case."""

    case_id: int
    user: str
    steps: tuple[str, ...]


@dataclass(frozen=True)
class QuickStep:
    """A step taken at, or just after, the first moment it was allowed."""

    case_id: int
    user: str
    trigger: str
    at: dt.datetime
    allowed_from: dt.datetime
    minutes: int


@dataclass(frozen=True)
class OffHours:
    """A transition recorded outside working hours or on a day off."""

    case_id: int
    user: str
    trigger: str
    at: dt.datetime
    day_off: bool


@dataclass(frozen=True)
class EnrolmentCluster:
    """Enrolments bunched together: in the days just before a recheck wave (``before_recheck``,
    so that they escape it), or approved by one decider in one month (``one_decider``)."""

    kind: str
    #: the decider (``one_decider``), or the number of rechecks of the wave
    who: str
    start: dt.date
    #: the last day, included
    end: dt.date
    enrolments: int
    #: how many the usual pace over the period gives for that many days
    usual: float
    case_ids: tuple[int, ...]


@dataclass(frozen=True)
class SharedContact:
    """A household with an open or enrolled case at an official's home address (``address``)
    or paid into an official's bank account (``bank_account``)."""

    case_id: int
    official_id: int
    name: str
    position: str
    region_code: str
    shared: str


@dataclass
class Indicators:
    """All indicators for one region and period."""

    since: dt.date
    until: dt.date
    deciders: list[DeciderRate] = field(default_factory=list)
    villages: list[FiledShare] = field(default_factory=list)
    officials: list[OfficialCases] = field(default_factory=list)
    several_steps: list[SeveralSteps] = field(default_factory=list)
    quick_steps: list[QuickStep] = field(default_factory=list)
    off_hours: list[OffHours] = field(default_factory=list)
    clusters: list[EnrolmentCluster] = field(default_factory=list)
    shared_contacts: list[SharedContact] = field(default_factory=list)

    def named_cases(self) -> list[int]:
        """The cases shown beside an official's name (a read of both's personal data)."""
        named = {c for o in self.officials for c in o.case_ids}
        return sorted(named | {s.case_id for s in self.shared_contacts})


def _entries(
    session: Session,
    region_code: str,
    start: dt.datetime,
    end: dt.datetime,
    triggers: Iterable[str],
) -> list[tuple[int, str, str, dt.datetime]]:
    """(case, actor, trigger, at) of the region's entries of these triggers in the period."""
    return [
        (case_id, actor, trigger, at)
        for case_id, actor, trigger, at in session.execute(
            select(AuditEntry.case_id, AuditEntry.actor, AuditEntry.trigger, AuditEntry.at)
            .join(Case, Case.id == AuditEntry.case_id)
            .where(
                Case.village_code.startswith(region_code, autoescape=True),
                AuditEntry.trigger.in_(list(triggers)),
                AuditEntry.at >= start,
                AuditEntry.at < end,
            )
            .order_by(AuditEntry.case_id, AuditEntry.seq)
        )
    ]


def decider_rates(
    entries: list[tuple[int, str, str, dt.datetime]], margin: float, min_decisions: int
) -> list[DeciderRate]:
    """Each decider's approval rate against everyone else's in the region."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    cases: dict[str, list[int]] = defaultdict(list)
    for case_id, actor, trigger, _ in entries:
        if trigger in DECISIONS:
            counts[actor][0 if trigger == "approve" else 1] += 1
            cases[actor].append(case_id)
    approved_all = sum(a for a, _ in counts.values())
    total_all = sum(a + r for a, r in counts.values())
    rows = []
    for user, (approved, rejected) in sorted(counts.items()):
        total = approved + rejected
        others = total_all - total
        peers = (approved_all - approved) / others if others else None
        rate = approved / total
        outlier = peers is not None and total >= min_decisions and abs(rate - peers) * 100 >= margin
        rows.append(
            DeciderRate(user, approved, rejected, rate, peers, outlier, tuple(sorted(cases[user])))
        )
    return rows


def filed_shares(
    session: Session, region_code: str, start: dt.datetime, end: dt.datetime, factor: float
) -> list[FiledShare]:
    """Per village: the cases decided or open in the period and those filed as kin."""
    active = select(Case.id, Case.village_code).where(
        Case.village_code.startswith(region_code, autoescape=True),
        Case.created_at < end,
        (Case.ended_at.is_(None)) | (Case.ended_at >= start),
    )
    by_village: dict[str, set[int]] = defaultdict(set)
    for case_id, village in session.execute(active):
        by_village[village].add(case_id)
    filed = set(
        session.scalars(
            select(KinshipFiling.case_id)
            .join(Case, Case.id == KinshipFiling.case_id)
            .where(Case.village_code.startswith(region_code, autoescape=True))
        )
    )
    names = dict(
        session.execute(
            select(Region.code, Region.name).where(Region.code.in_(list(by_village)))
        ).all()
    )
    all_cases = sum(len(c) for c in by_village.values())
    all_filed = sum(len(c & filed) for c in by_village.values())
    overall = all_filed / all_cases if all_cases else 0.0
    rows = []
    for village, case_ids in sorted(by_village.items()):
        mine = sorted(case_ids & filed)
        share = len(mine) / len(case_ids)
        outlier = len(mine) >= 2 and overall > 0 and share >= factor * overall
        rows.append(
            FiledShare(
                village,
                names.get(village, village),
                len(case_ids),
                len(mine),
                share,
                outlier,
                tuple(mine),
            )
        )
    return rows


def official_cases(session: Session, region_code: str) -> list[OfficialCases]:
    """The officials named by active kinship flags on the region's cases, most cases first."""
    rows = session.execute(
        select(
            Official.id, Person.name, Official.position, Official.region_code, KinshipFlag.case_id
        )
        .join(Person, Person.id == Official.person_id)
        .join(KinshipFlag, KinshipFlag.official_id == Official.id)
        .join(Case, Case.id == KinshipFlag.case_id)
        .where(
            KinshipFlag.vanished_at.is_(None),
            Case.village_code.startswith(region_code, autoescape=True),
        )
    ).all()
    by_official: dict[int, tuple[str, str, str, set[int]]] = {}
    for official_id, name, position, region, case_id in rows:
        entry = by_official.setdefault(official_id, (name, str(position), region, set()))
        entry[3].add(case_id)
    out = [
        OfficialCases(i, name, position, region, len(cases), tuple(sorted(cases)))
        for i, (name, position, region, cases) in by_official.items()
    ]
    return sorted(out, key=lambda o: (-o.cases, o.official_id))


def several_steps(
    entries: list[tuple[int, str, str, dt.datetime]], min_steps: int
) -> list[SeveralSteps]:
    """Cases where one user took ``min_steps`` or more different steps."""
    steps: dict[tuple[int, str], set[str]] = defaultdict(set)
    for case_id, actor, trigger, _ in entries:
        if trigger in STEP_OF:
            steps[(case_id, actor)].add(STEP_OF[trigger])
    order = list(STEPS)
    return [
        SeveralSteps(case_id, actor, tuple(sorted(found, key=order.index)))
        for (case_id, actor), found in sorted(steps.items())
        if len(found) >= min_steps
    ]


def quick_steps(
    entries: list[tuple[int, str, str, dt.datetime]], rules: RuleBook, tz: dt.tzinfo, minutes: int
) -> list[QuickStep]:
    """Notices closed, and files approved, within ``minutes`` of the first moment allowed: the
    notice's last day's end, and the file's arrival at the county."""
    window = dt.timedelta(minutes=minutes)
    published: dict[int, dt.datetime] = {}
    referred: dict[int, dt.datetime] = {}
    out = []
    for case_id, actor, trigger, at in entries:
        allowed = None
        if trigger == "publish_notice":
            published[case_id] = at
        elif trigger == "close_notice" and case_id in published:
            start = published[case_id]
            days = rules.value("public_notice_days", local_date(start, tz))
            allowed = notice_may_close_at(start, days, tz)
            referred[case_id] = at
        elif trigger == "refer_to_county":
            referred[case_id] = at
        elif trigger == "approve" and case_id in referred:
            allowed = referred[case_id]
        if allowed is not None and allowed <= at < allowed + window:
            out.append(
                QuickStep(
                    case_id, actor, trigger, at, allowed, int((at - allowed).total_seconds() // 60)
                )
            )
    return out


def off_hours(
    entries: list[tuple[int, str, str, dt.datetime]],
    tz: dt.tzinfo,
    calendars: dict[int, WorkCalendar],
    starts: int,
    ends: int,
) -> list[OffHours]:
    """Transitions recorded at night or on a day off (local time; the county's calendar)."""
    out = []
    for case_id, actor, trigger, at in entries:
        local = at.astimezone(tz)
        day_off = not calendars[case_id].is_working_day(local.date())
        if day_off or not starts <= local.hour < ends:
            out.append(OffHours(case_id, actor, trigger, at, day_off))
    return out


def _bunched(count: int, usual: float, factor: float, least: int) -> bool:
    return count >= least and count >= factor * usual


def enrolment_clusters(
    entries: list[tuple[int, str, str, dt.datetime]],
    since: dt.date,
    until: dt.date,
    tz: dt.tzinfo,
    thresholds: dict[str, int],
) -> list[EnrolmentCluster]:
    """Approvals bunched before a recheck wave or around one decider, against the usual pace.

    The usual pace is the period's approvals spread evenly over its days (for a wave's
    window) or over the months of the period (for a decider's month).
    """
    window = dt.timedelta(days=thresholds["wave_window_days"])
    factor, least = thresholds["cluster_factor"], thresholds["min_decisions"]
    approvals = [
        (local_date(at, tz), case_id, actor) for case_id, actor, t, at in entries if t == "approve"
    ]
    rechecks: dict[dt.date, int] = defaultdict(int)
    for _, _, trigger, at in entries:
        if trigger == "start_recheck":
            rechecks[local_date(at, tz)] += 1
    days = (until - since).days + 1
    out = []
    for wave, started in sorted(rechecks.items()):
        if started < thresholds["wave_min_rechecks"]:
            continue
        first = wave - window
        ids = tuple(sorted(c for day, c, _ in approvals if first <= day < wave))
        usual = len(approvals) * window.days / days
        if _bunched(len(ids), usual, factor, 2):
            out.append(
                EnrolmentCluster(
                    "before_recheck",
                    str(started),
                    first,
                    wave - dt.timedelta(days=1),
                    len(ids),
                    usual,
                    ids,
                )
            )
    months = (until.year - since.year) * 12 + until.month - since.month + 1
    by_month: dict[tuple[str, int, int], list[int]] = defaultdict(list)
    total: dict[str, int] = defaultdict(int)
    for day, case_id, actor in approvals:
        by_month[(actor, day.year, day.month)].append(case_id)
        total[actor] += 1
    for (actor, year, month), ids_ in sorted(by_month.items()):
        usual = total[actor] / months
        if _bunched(len(ids_), usual, factor, least):
            start = dt.date(year, month, 1)
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            out.append(
                EnrolmentCluster(
                    "one_decider",
                    actor,
                    start,
                    following - dt.timedelta(days=1),
                    len(ids_),
                    usual,
                    tuple(sorted(ids_)),
                )
            )
    return out


def address_key(text: str) -> str:
    """An address as compared: compatibility-folded (full-width digits and letters as
    half-width), case-folded, without spaces or punctuation."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def shared_contacts(session: Session, region_code: str) -> list[SharedContact]:
    """Open and enrolled cases of the region whose household shares an address or a bank
    account with an official of the county (or of the region, above county level)."""
    # the county's officials (a code's first six digits), or the whole region above a county
    officials_region = county_of(region_code)
    by_key: dict[tuple[str, str], list[tuple[int, str, str, str]]] = defaultdict(list)
    for official_id, name, position, region, address, account in session.execute(
        select(
            Official.id,
            Person.name,
            Official.position,
            Official.region_code,
            Official.home_address,
            Official.bank_account,
        )
        .join(Person, Person.id == Official.person_id)
        .where(
            Official.region_code.startswith(officials_region, autoescape=True),
            or_(Official.home_address.is_not(None), Official.bank_account.is_not(None)),
        )
    ):
        who = (official_id, name, str(position), region)
        if address and address_key(address):
            by_key[("address", address_key(address))].append(who)
        if account:
            by_key[("bank_account", account)].append(who)
    if not by_key:
        return []
    out = []
    for case_id, address, account in session.execute(
        select(Case.id, Household.address, Household.bank_account)
        .join(Household, Household.id == Case.household_id)
        .where(
            Case.village_code.startswith(region_code, autoescape=True),
            Case.ended_at.is_(None),
            or_(Household.address.is_not(None), Household.bank_account.is_not(None)),
        )
        .order_by(Case.id)
    ):
        keys = [("address", address_key(address or "")), ("bank_account", account or "")]
        for shared, key in keys:
            for official_id, name, post, region in by_key.get((shared, key), ()):
                out.append(SharedContact(case_id, official_id, name, post, region, shared))
    return out


def county_calendars(session: Session, case_ids: Iterable[int]) -> dict[int, WorkCalendar]:
    """Each case's county calendar (one per county)."""
    villages = dict(
        session.execute(
            select(Case.id, Case.village_code).where(Case.id.in_(list(set(case_ids))))
        ).all()
    )
    by_county: dict[str, WorkCalendar] = {}
    out = {}
    for case_id, village in villages.items():
        county = county_of(village)
        if county not in by_county:
            by_county[county] = calendar_for(session, county)
        out[case_id] = by_county[county]
    return out


def indicators(
    session: Session,
    region_code: str,
    since: dt.date,
    until: dt.date,
    tz: dt.tzinfo,
    rules: RuleBook,
    thresholds: dict[str, int] | None = None,
) -> Indicators:
    """Every indicator for the region's cases over the days ``since`` to ``until``."""
    t = {**DEFAULTS, **(thresholds or {})}
    start = dt.datetime.combine(since, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    transitions = [r.trigger for r in RULES.values() if r.dest is not None]
    entries = _entries(session, region_code, start, end, {*STEP_OF, *transitions})
    moves = [e for e in entries if e[2] in transitions]
    return Indicators(
        since=since,
        until=until,
        deciders=decider_rates(entries, t["rate_margin_points"], t["min_decisions"]),
        villages=filed_shares(session, region_code, start, end, t["filed_share_factor"]),
        officials=official_cases(session, region_code),
        several_steps=several_steps(entries, t["min_steps"]),
        quick_steps=quick_steps(entries, rules, tz, t["quick_minutes"]),
        off_hours=off_hours(
            moves,
            tz,
            county_calendars(session, (e[0] for e in moves)),
            t["day_starts_hour"],
            t["day_ends_hour"],
        ),
        clusters=enrolment_clusters(entries, since, until, tz, t),
        shared_contacts=shared_contacts(session, region_code),
    )
