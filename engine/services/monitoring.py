"""Low-income population monitoring (低收入人口动态监测): the register of people monitored
beyond the enrolled, the warnings their risk signals raise, and how each is followed up.

People come onto the register with one or more tags (``TAGS``), each with its source. A risk
signal (``SIGNALS``) about a monitored person raises a warning due for follow-up within the
county's ``warning_follow_up_days``; a hospital bill raises one only from the county's
``warning_hospital_bill_yuan``. Someone in the village's region follows it up: a home visit,
a referral that opens a draft application for the household (the referral in its first
entry), or a close with a reason. Every change is written in the county's monitoring ledger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from engine.access import county_of, ensure_role
from engine.cells import SourceFile, by_line, yuan_problem
from engine.clock import local_date
from engine.errors import InvalidData, NotFound, Problem, invalid_field, raise_invalid
from engine.inputs import free_text_problem
from engine.models import (
    MonitoredPerson,
    MonitoringTag,
    MonitoringWarning,
    Person,
    Region,
    RegionLevel,
    yuan_to_fen,
)
from engine.policy import parameters_in_force
from engine.ports import Actor, LedgerEvent
from engine.services.monitoring_rows import MonitoringRow
from engine.services.warning_state import ledger, raise_warning
from engine.states import Role
from engine.uow import UnitOfWork, db_conflicts

#: why a person is monitored
TAGS = {
    "marginal": ("低保边缘家庭", "near-dibao family"),
    "rigid_expense": ("刚性支出困难家庭", "rigid-expenditure hardship family"),
    "poverty_return_watch": ("防止返贫监测户", "under poverty-return monitoring"),
    "lifted_from_poverty": ("脱贫户", "lifted out of poverty"),
    "single_parent": ("单亲家庭", "single-parent family"),
    "serious_illness": ("重病患者", "seriously ill"),
    "disabled": ("残疾人", "disabled"),
}
#: the risk signals that raise a warning
SIGNALS = {
    "hospital_bill": ("大额医疗费用", "a large hospital bill"),
    "disability": ("新增残疾或残疾等级变化", "a new disability or grade"),
    "death": ("家庭成员死亡", "a death in the family"),
    "job_loss": ("失业", "loss of work"),
    "income_drop": ("收入大幅下降", "a sharp drop in income"),
    # raised by an information check's record, not recorded by hand (engine.services.crosschecks)
    "crosscheck": ("信息核对发现记录", "another department's record"),
}
#: the signals staff record by hand (``crosscheck`` comes from other departments' records)
MANUAL_SIGNALS = tuple(s for s in SIGNALS if s != "crosscheck")
#: how a warning is followed up
OUTCOMES = ("visited", "referred", "closed")
#: who keeps the register and raises signals: county and township staff, the county's admin
REGISTRARS = frozenset({Role.CLERK, Role.REVIEWER, Role.APPROVER, Role.ADMIN, Role.COORDINATOR})
MAX_NOTE = 2000
#: ID numbers per IN list
CHUNK = 1000


@dataclass
class RegisterReport:
    """What a register import did."""

    people_added: int = 0
    tags_added: int = 0
    unchanged: int = 0


def register(
    uow: UnitOfWork, actor: Actor, rows: Sequence[MonitoringRow], source: SourceFile
) -> RegisterReport:
    """Put people and their tags on the register; any bad row refuses the file (line and
    column named), and a tag already held is left as it is (a rerun changes nothing)."""
    ensure_role(actor, REGISTRARS, "维护监测对象名单", "keep the monitoring register")
    problems = [p for row in rows for p in row.problems]
    report = RegisterReport()
    with uow, db_conflicts():
        session = uow.session
        now = uow.clock.now()
        villages = {
            r.code
            for r in session.scalars(
                select(Region).where(
                    Region.level == RegionLevel.VILLAGE,
                    Region.code.startswith(actor.region_code, autoescape=True),
                )
            )
        }
        numbers = sorted({r.id_number for r in rows if r.id_number})
        persons: dict[str, Person] = {}
        entries: dict[int, MonitoredPerson] = {}
        for start in range(0, len(numbers), CHUNK):
            found = session.scalars(
                select(Person).where(Person.id_number.in_(numbers[start : start + CHUNK]))
            ).all()
            persons.update((p.id_number, p) for p in found)
            entries.update(
                (m.person_id, m)
                for m in session.scalars(
                    select(MonitoredPerson).where(
                        MonitoredPerson.person_id.in_([p.id for p in found])
                    )
                )
            )
        first: dict[str, MonitoringRow] = {}
        for row in rows:
            problems += _register_row_problems(row, villages, persons, entries, first, actor)
        if problems:
            raise InvalidData(
                f"{len(problems)}处错误，未导入任何内容",
                f"{len(problems)} problem(s); nothing was imported",
                code="invalid_rows",
                problems=sorted(problems, key=by_line),
            )
        for row in rows:
            monitored = _monitored(uow, actor, row, persons, report)
            held = session.scalar(
                select(MonitoringTag.id).where(
                    MonitoringTag.monitored_id == monitored.id,
                    MonitoringTag.tag == row.tag,
                    MonitoringTag.ended_on.is_(None),
                )
            )
            if held is not None:
                report.unchanged += 1
                continue
            session.add(
                MonitoringTag(
                    monitored_id=monitored.id,
                    tag=row.tag,
                    source=row.source,
                    tagged_on=row.tagged_on or local_date(now, uow.clock.tz),
                    recorded_by_id=actor.user_id,
                    recorded_at=now,
                )
            )
            session.flush()
            report.tags_added += 1
        if report.tags_added:
            uow.audit.record(
                session,
                ledger(county_of(actor.region_code)),
                LedgerEvent(
                    event="monitoring_register",
                    actor=actor,
                    at=now,
                    payload={
                        "file": source.file_name,
                        "sha256": source.sha256,
                        "people_added": report.people_added,
                        "tags_added": report.tags_added,
                        "unchanged": report.unchanged,
                    },
                ),
            )
        uow.commit()
    return report


def _register_row_problems(
    row: MonitoringRow,
    villages: set[str],
    persons: dict[str, Person],
    entries: dict[int, MonitoredPerson],
    first: dict[str, MonitoringRow],
    actor: Actor,
) -> list[Problem]:
    """What is wrong with a register row against the region, the people registered, where
    each is monitored already, and the file's earlier rows about the same person."""
    problems = []
    if row.village_code and row.village_code not in villages:
        problems.append(row.problem("village_code", "不在您的辖区", "outside your region"))
    person = persons.get(row.id_number)
    if person is not None and row.name and person.name != row.name:
        problems.append(
            row.problem(
                "name",
                "姓名与该身份证号码已登记的姓名不一致",
                "name differs from the name registered for this ID number",
                "name_mismatch",
            )
        )
    entry = entries.get(person.id) if person is not None else None
    if entry is not None and entry.village_code != row.village_code:
        # where someone is monitored outside the region is not the importer's to know
        inside = entry.village_code.startswith(actor.region_code)
        problems.append(
            row.problem(
                "village_code",
                f"此人已在村（社区）{entry.village_code}监测" if inside else "此人已在其他地区监测",
                f"the person is monitored in village {entry.village_code}"
                if inside
                else "the person is monitored in another region",
                "monitored_elsewhere",
            )
        )
    earlier = first.setdefault(row.id_number, row) if row.id_number else row
    if earlier is not row and (earlier.name, earlier.village_code) != (
        row.name,
        row.village_code,
    ):
        problems.append(
            row.problem(
                "id_number",
                f"与第{earlier.line}行是同一人，但姓名或村（社区）不同",
                f"the same person as line {earlier.line} with another name or village",
                "person_differs",
            )
        )
    return problems


def _monitored(
    uow: UnitOfWork,
    actor: Actor,
    row: MonitoringRow,
    persons: dict[str, Person],
    report: RegisterReport,
) -> MonitoredPerson:
    """The person's register entry, the person and the entry made where there is none."""
    session, now = uow.session, uow.clock.now()
    person = persons.get(row.id_number)
    if person is None:
        assert row.birth_date is not None
        person = Person(
            id_number=row.id_number,
            name=row.name,
            birth_date=row.birth_date,
            sex=row.sex,
            created_at=now,
        )
        session.add(person)
        session.flush()
        persons[row.id_number] = person
    monitored = session.scalar(
        select(MonitoredPerson).where(MonitoredPerson.person_id == person.id)
    )
    if monitored is None:
        monitored = MonitoredPerson(
            person_id=person.id,
            village_code=row.village_code,
            added_by_id=actor.user_id,
            added_at=now,
        )
        session.add(monitored)
        session.flush()
        report.people_added += 1
    return monitored


@dataclass(frozen=True)
class Signal:
    """A risk signal about a monitored person."""

    id_number: str
    signal: str
    signal_on: dt.date
    detail: str
    amount_yuan: Decimal | None = None


@dataclass(frozen=True)
class SignalOutcome:
    """What a signal did: the warning it raised (or found open), or why it raised none."""

    warning_id: int | None
    raised: bool
    reason: str = ""


def raise_signal(uow: UnitOfWork, actor: Actor, signal: Signal) -> SignalOutcome:
    """Record a risk signal about a monitored person; it raises a warning due for follow-up
    (a hospital bill only from the county's threshold). The same signal on the same day
    while its warning is open raises nothing twice."""
    ensure_role(actor, REGISTRARS, "登记风险信号", "record risk signals")
    problems = []
    if signal.signal not in MANUAL_SIGNALS:
        problems.append(
            invalid_field(
                "signal",
                f"风险信号须为：{'、'.join(MANUAL_SIGNALS)}",
                f"signal must be one of {', '.join(MANUAL_SIGNALS)}",
            )
        )
    found = free_text_problem(signal.detail, "detail", MAX_NOTE, required=True)
    if found is not None:
        problems.append(found)
    if signal.amount_yuan is not None:
        bad = yuan_problem(signal.amount_yuan, "amount_yuan")
        if bad is not None:
            problems.append(bad)
    elif signal.signal == "hospital_bill":
        problems.append(
            invalid_field("amount_yuan", "大额医疗费用须填金额", "a hospital bill needs its amount")
        )
    with uow, db_conflicts():
        session = uow.session
        now = uow.clock.now()
        today = local_date(now, uow.clock.tz)
        if signal.signal_on > today:
            problems.append(
                invalid_field("signal_on", "日期晚于今天", "the signal's date is in the future")
            )
        raise_invalid(problems)
        monitored = _monitored_by_number(uow, signal.id_number, actor)
        county = county_of(monitored.village_code)
        params = parameters_in_force(session, county, today)
        if signal.signal == "hospital_bill":
            threshold = params.decimal("warning_hospital_bill_yuan")
            assert signal.amount_yuan is not None
            if signal.amount_yuan < threshold:
                return SignalOutcome(
                    None,
                    False,
                    f"below the county's threshold of {threshold} yuan: no warning",
                )
        open_one = session.scalar(
            select(MonitoringWarning.id).where(
                MonitoringWarning.monitored_id == monitored.id,
                MonitoringWarning.signal == signal.signal,
                MonitoringWarning.signal_on == signal.signal_on,
                MonitoringWarning.status == "open",
            )
        )
        if open_one is not None:
            return SignalOutcome(open_one, False, "already open")
        days = int(params.decimal("warning_follow_up_days"))
        warning = raise_warning(
            uow,
            actor,
            monitored,
            signal.id_number,
            signal=signal.signal,
            signal_on=signal.signal_on,
            detail=signal.detail.strip(),
            follow_up_days=days,
            reason=signal.detail.strip(),
            amount_fen=None if signal.amount_yuan is None else yuan_to_fen(signal.amount_yuan),
            payload={
                "village_code": monitored.village_code,
                "signal_on": signal.signal_on,
                "amount_yuan": signal.amount_yuan,
                "follow_up_days": days,
            },
        )
        uow.commit()
        return SignalOutcome(warning.id, True)


def _monitored_by_number(uow: UnitOfWork, id_number: str, actor: Actor) -> MonitoredPerson:
    """The person's register entry in the actor's region, locked: two signals about the same
    person wait on each other, so the same warning is never raised twice. A person monitored
    elsewhere is not found, as one who is not monitored (the register is not to be probed)."""
    monitored = uow.session.scalar(
        select(MonitoredPerson)
        .join(Person, Person.id == MonitoredPerson.person_id)
        .where(
            Person.id_number == id_number.strip().upper(),
            MonitoredPerson.village_code.startswith(actor.region_code, autoescape=True),
        )
        .with_for_update(of=MonitoredPerson)
    )
    if monitored is None:
        raise NotFound(
            "您的辖区内此人不在监测对象名单中",
            "the person is not on the monitoring register of your region",
            code="not_monitored",
        )
    return monitored
