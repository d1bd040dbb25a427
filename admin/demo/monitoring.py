"""The demo county's low-income monitoring: a village coordinator (救助协理员), people on the
register with their tags, and warnings from risk signals, some followed up, one overdue.

Seeded like the households: the same people every run. A rerun adds nothing (the register
leaves tags already held; a person with a warning already gets no new one).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from admin.demo.county import UowFactory
from admin.demo.households import REFERENCE_DATE, birth_between, new_id_number, person_name
from engine.cells import SourceFile
from engine.clock import Clock, FrozenClock, local_date
from engine.models import MonitoredPerson, MonitoringWarning, Person, Region
from engine.ports import Actor
from engine.services.monitoring import Signal, raise_signal, register
from engine.services.monitoring_rows import MonitoringRow
from engine.services.warning_follow_up import VisitInput, follow_up_by_visit

#: the coordinator's account, in the first village of the county's main township
COORDINATOR = "xieliyuan"
#: (tag, source) of each demo person, in order
TAGGED = (
    ("poverty_return_watch", "防止返贫监测信息系统"),
    ("lifted_from_poverty", "乡村振兴部门脱贫户名单"),
    ("marginal", "民政部门低保边缘家庭认定"),
    ("rigid_expense", "民政部门刚性支出困难家庭认定"),
    ("serious_illness", "医保部门大病患者名单"),
    ("disabled", "残联残疾人证信息"),
    ("single_parent", "妇联单亲家庭信息"),
    ("poverty_return_watch", "防止返贫监测信息系统"),
)
#: (person's index, signal, days before today, detail, followed up by the coordinator's visit);
#: every third person lives in the coordinator's village
SIGNALS = (
    (0, "job_loss", 20, "外出务工返乡，家庭主要收入中断", False),
    (3, "hospital_bill", 6, "住院治疗，医保报销后个人自付2.6万元", True),
    (6, "disability", 3, "新评定为肢体二级残疾", False),
)
SOURCE = SourceFile("demo-monitoring.csv", "0" * 64)
HOSPITAL_BILL = Decimal("26000")


@dataclass
class MonitoringReport:
    """What the demo's monitoring load did."""

    people_added: int = 0
    warnings_raised: int = 0


def load_monitoring(
    uows: UowFactory, clock: Clock, actors: dict[str, Actor], villages: list[Region], used: set[str]
) -> MonitoringReport:
    """Put the demo people on the register in ``villages`` (the coordinator's first) and raise
    their warnings (see the module)."""
    rng = random.Random("doudi-demo-monitoring")
    today = local_date(clock.now(), clock.tz)
    rows = []
    for index, (tag, source) in enumerate(TAGGED):
        male = rng.random() < 0.5
        birth = birth_between(rng, REFERENCE_DATE, 30, 75)
        rows.append(
            MonitoringRow(
                line=index + 2,
                id_number=new_id_number(birth, 9000 + index, male, used),
                name=person_name(rng, male),
                village_code=villages[index % len(villages)].code,
                tag=tag,
                source=source,
                tagged_on=REFERENCE_DATE,
                birth_date=birth,
                sex="male" if male else "female",
            )
        )
    report = MonitoringReport()
    report.people_added = register(uows(clock), actors["admin"], rows, SOURCE).people_added
    with uows(clock) as uow:
        warned = set(
            uow.session.scalars(
                select(Person.id_number)
                .join(MonitoredPerson, MonitoredPerson.person_id == Person.id)
                .join(MonitoringWarning, MonitoringWarning.monitored_id == MonitoredPerson.id)
            )
        )
    for index, signal, days_ago, detail, visit in SIGNALS:
        row = rows[index]
        if row.id_number in warned:
            continue  # a rerun
        when = clock.now() - dt.timedelta(days=days_ago)
        raised = raise_signal(
            uows(FrozenClock(when, clock.tz)),
            actors["clerk"],
            Signal(
                row.id_number,
                signal,
                today - dt.timedelta(days=days_ago),
                detail,
                HOSPITAL_BILL if signal == "hospital_bill" else None,
            ),
        )
        report.warnings_raised += int(raised.raised)
        if visit and raised.warning_id is not None:
            follow_up_by_visit(
                uows(clock),
                actors[COORDINATOR],
                raised.warning_id,
                VisitInput(today, "入户核实：家庭收支情况属实，建议转低保申请并跟踪"),
            )
    return report
