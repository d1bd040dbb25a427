"""Builders shared by the tests: a small county, its staff, valid people and applications."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from admin.imports import read_records
from admin.runtime import Runtime
from engine.attachments import Upload
from engine.cells import SourceFile
from engine.clock import FrozenClock, local_date
from engine.identity import with_check_digit
from engine.models import Case, Member, Person, User
from engine.ports import Actor
from engine.services import (
    Application,
    IncomeInput,
    InvestigationInput,
    MeansChange,
    MemberChange,
    MemberInput,
    advance,
    record_change,
    record_investigation,
    submit_application,
)
from engine.services.crosscheck_rows import KINDS, crosscheck_rows
from engine.services.crosschecks import import_crosscheck
from engine.services.monitoring import TAGS, RegisterReport, register
from engine.services.monitoring_rows import COLUMNS as REGISTER_COLUMNS
from engine.services.monitoring_rows import monitoring_rows
from engine.services.policy import NewStandard, set_standard
from engine.services.regions import import_regions, parse_region_csv
from engine.services.self_care import record_self_care_assessment
from engine.services.users import NewUser, actor_of, create_user
from engine.states import CaseState

PASSWORD = "correct-horse-battery"

COUNTY = "512022"
TOWNSHIP_A = "512022101"
TOWNSHIP_B = "512022102"
VILLAGE_A1 = "512022101201"
VILLAGE_A2 = "512022101202"
VILLAGE_B1 = "512022102201"

APPEAL_COLUMNS = "reconsideration_body,court"
APPEAL_BODIES = "乐至县人民政府,乐至县人民法院"
#: the county and townships carry the contacts documents print (the county, its appeal bodies)
REGIONS_CSV = f"""code,name,parent_code,level,area_type,authority,office,phone,{APPEAL_COLUMNS}
{COUNTY},乐至县,,county,rural,乐至县民政局,乐至县民政局社会救助股,028-0000 0100,{APPEAL_BODIES}
{TOWNSHIP_A},童家镇,{COUNTY},township,rural,童家镇人民政府,童家镇社会事务办公室,028-0000 0121,,
{VILLAGE_A1},白塔村,{TOWNSHIP_A},village,rural,,,,,
{VILLAGE_A2},观音桥村,{TOWNSHIP_A},village,rural,,,,,
{TOWNSHIP_B},石佛镇,{COUNTY},township,rural,石佛镇人民政府,石佛镇社会事务办公室,028-0000 0131,,
{VILLAGE_B1},龙泉村,{TOWNSHIP_B},village,rural,,,,,
"""

#: username -> (role, region)
STAFF = {
    "clerk": ("clerk", TOWNSHIP_A),
    "clerk2": ("clerk", TOWNSHIP_A),
    "reviewer": ("reviewer", TOWNSHIP_A),
    "approver": ("approver", COUNTY),
    "approver2": ("approver", COUNTY),
    "inspector": ("inspector", COUNTY),
    "admin": ("admin", COUNTY),
    "clerk_b": ("clerk", TOWNSHIP_B),
    "reviewer_b": ("reviewer", TOWNSHIP_B),
    "village_clerk": ("clerk", VILLAGE_A1),
}

#: a fixed "now" for tests: Monday 2 March 2026, 10:00 in China
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))

_serial = itertools.count(1)


def id_number(
    birth: dt.date = dt.date(1970, 5, 17), male: bool = True, region: str = COUNTY
) -> str:
    """Return a fresh valid resident ID number."""
    n = next(_serial) % 500
    sequence = n * 2 + (1 if male else 0)
    return with_check_digit(f"{region}{birth:%Y%m%d}{sequence:03d}")


#: birth dates that make each relation to an applicant born in 1970 plausible
BIRTH_BY_RELATION = {
    "parent": dt.date(1945, 3, 8),
    "grandparent": dt.date(1925, 6, 1),
    "child": dt.date(1998, 9, 1),
    "grandchild": dt.date(2020, 2, 2),
}


def member(
    relation: str = "self", income: str = "0", name: str | None = None, **extra: object
) -> MemberInput:
    """Return a member with a fresh ID number, born when the relation makes plausible."""
    return MemberInput(
        id_number=id_number(BIRTH_BY_RELATION.get(relation, dt.date(1970, 5, 17))),
        name=name or f"成员{next(_serial)}",
        relation=relation,
        monthly_income=Decimal(income),
        **extra,  # type: ignore[arg-type]
    )


def application(
    members: int = 2, village: str = VILLAGE_A1, category: str = "dibao", draft: bool = False
) -> Application:
    """Return a valid application with ``members`` people (the first is the applicant); a
    tekun applicant has no legal supporter (TK Art. 7)."""
    people = [member("self", "300")] + [
        member("spouse" if i == 0 else "child", "200") for i in range(members - 1)
    ]
    return Application(
        category=category,
        village_code=village,
        members=people,
        draft=draft,
        tekun_supporter="none" if category == "tekun" else None,
    )


@dataclass
class World:
    """A seeded runtime with its actors and frozen clock."""

    rt: Runtime
    clock: FrozenClock
    actors: dict[str, Actor]

    def uow(self):  # type: ignore[no-untyped-def]
        return self.rt.uow()

    def apply(self, app: Application | None = None, by: str = "clerk") -> int:
        """Submit an application; return the case id."""
        return submit_application(self.rt.uow(), self.actors[by], app or application()).id

    def fire(
        self, case_id: int, trigger: str, by: str, reason: str = "", **kw: object
    ) -> CaseState:
        """Fire a trigger through the service; return the new state."""
        ref = advance(self.rt.uow(), case_id, trigger, self.actors[by], reason=reason, **kw)  # type: ignore[arg-type]
        return CaseState(ref.state)

    def investigate(
        self,
        case_id: int,
        level: str = "township",
        investigators: tuple[str, ...] = ("clerk", "clerk2"),
        by: str = "clerk",
        attachments: tuple[Upload, ...] = (),
    ) -> int:
        """Record an investigation dated today (with photos or scans kept in the store)."""
        ref = record_investigation(
            self.rt.uow(),
            self.actors[by],
            case_id,
            InvestigationInput(
                date=local_date(self.clock.now(), self.clock.tz),
                method="home_visit",
                investigators=list(investigators),
                findings="入户调查：收入与申报一致",
                level=level,
                attachments=attachments,
            ),
            store=self.rt.attachments,
        )
        return ref.id

    def today(self) -> dt.date:
        """The local calendar day of the frozen clock."""
        return local_date(self.clock.now(), self.clock.tz)

    def pass_days(self, days: float) -> None:
        """Move the clock forward."""
        self.clock.advance(dt.timedelta(days=days))

    def to_state(self, case_id: int, target: CaseState) -> None:
        """Drive a submitted case along the main path until it reaches ``target``."""
        for step in path_to(target):
            step(self, case_id)


def _s(trigger: str, by: str, reason: str = ""):  # type: ignore[no-untyped-def]
    def step(w: World, case_id: int) -> None:
        w.fire(case_id, trigger, by, reason)

    return step


def _investigate(w: World, case_id: int) -> None:
    w.investigate(case_id)


def _employment(w: World, case_id: int) -> None:
    """Every member found employed at twice the highest standard (a recorded change)."""
    found_work(w, case_id, dict.fromkeys(_members(w, case_id), 2000), "务工收入稳定")


def found_work(w: World, case_id: int, wages: dict[str, int], note: str = "务工") -> None:
    """Record that these members (by ID number) found work at these monthly wages."""
    record_change(
        w.rt.uow(),
        w.actors["clerk"],
        case_id,
        MeansChange(
            kind="employment",
            note=note,
            members=[
                MemberChange(n, incomes=[IncomeInput("wages", Decimal(yuan))])
                for n, yuan in wages.items()
            ],
        ),
    )


def _wait_notice(w: World, case_id: int) -> None:
    w.pass_days(8)


def _members(w: World, case_id: int) -> list[str]:
    """The ID numbers of the case's current members."""
    with w.rt.reader() as uow:
        case = uow.session.get(Case, case_id)
        assert case is not None
        return list(
            uow.session.scalars(
                select(Person.id_number)
                .join(Member, Member.person_id == Person.id)
                .where(Member.household_id == case.household_id, Member.left_at.is_(None))
            )
        )


def approve_tekun(w: World, case_id: int) -> None:
    """Approve a tekun case pending confirmation: each person's self-care assessed and the
    county's own visit first (TK Arts. 16, 20)."""
    for number in _members(w, case_id):
        record_self_care_assessment(
            w.rt.uow(), w.actors["approver2"], case_id, number, w.today(), []
        )
    w.investigate(case_id, level="county", investigators=("approver", "approver2"), by="approver")
    w.pass_days(0.1)  # the decision follows the visit
    w.fire(case_id, "approve", "approver")
    w.pass_days(1)


def notice_termination(w: World, case_id: int) -> None:
    """Notice the intended end of an approved tekun case's support (TK Art. 26)."""
    w.fire(case_id, "propose_termination", "approver", "收入超过标准", data={"ground": "means"})


#: the shortest way from submitted to each state, as steps
PATHS: dict[CaseState, list] = {}  # type: ignore[type-arg]
_main = [
    (CaseState.ACCEPTED, [_s("accept", "clerk")]),
    (CaseState.INVESTIGATING, [_s("start_investigation", "clerk")]),
    (CaseState.INITIAL_REVIEWED, [_investigate, _s("propose", "reviewer")]),
    (CaseState.IN_PUBLIC_NOTICE, [_s("publish_notice", "reviewer")]),
    (CaseState.PENDING_CONFIRMATION, [_wait_notice, _s("close_notice", "reviewer")]),
    (CaseState.ACTIVE, [_s("approve", "approver")]),
    (CaseState.UNDER_RECHECK, [_s("start_recheck", "reviewer")]),
    (CaseState.PHASING_OUT, [_employment, _s("start_phase_out", "approver", "就业后收入超过标准")]),
]


def path_to(target: CaseState) -> list:  # type: ignore[type-arg]
    """Return the steps from ``submitted`` to ``target``."""
    if target == CaseState.SUBMITTED:
        return []
    if target == CaseState.AWAITING_MATERIALS:
        return [_s("return_for_materials", "clerk", "缺户口簿")]
    if target == CaseState.WITHDRAWN:
        return [_s("withdraw", "clerk", "申请人撤回")]
    if target == CaseState.PROCEDURE_ENDED:
        return [_s("end_procedure", "approver", "不配合调查")]
    if target == CaseState.REJECTED:
        return [*path_to(CaseState.PENDING_CONFIRMATION), _s("reject", "approver", "收入超标")]
    if target == CaseState.TERMINATION_NOTICE:  # a tekun case
        return [*path_to(CaseState.PENDING_CONFIRMATION), approve_tekun, notice_termination]
    if target == CaseState.TERMINATED:
        return [*path_to(CaseState.ACTIVE), _s("terminate", "approver", "家庭收入超过标准")]
    steps: list = []  # type: ignore[type-arg]
    for state, more in _main:
        steps += more
        if state == target:
            return steps
    raise ValueError(f"no path to {target}")


#: the standards of the test county (乐至县 2024: rural 533, urban 740; tekun ≈ 1.3×)
STANDARDS = {
    ("rural", "dibao"): 533,
    ("urban", "dibao"): 740,
    ("rural", "tekun"): 693,
    ("urban", "tekun"): 962,
}
STANDARDS_FROM = dt.date(2024, 1, 1)


def seed(rt: Runtime) -> dict[str, Actor]:
    """Import the small county, create the staff and set the standards; return the actors."""
    import_regions(rt.uow(), parse_region_csv(REGIONS_CSV))
    for username, (role, region) in STAFF.items():
        create_user(rt.uow(), NewUser(username, role, region, PASSWORD))
    actors = load_actors(rt)
    for (area, category), yuan in STANDARDS.items():
        set_standard(
            rt.uow(),
            actors["admin"],
            NewStandard(
                COUNTY,
                area,
                category,
                Decimal(yuan),
                STANDARDS_FROM,
                "乐至县2024年保障标准（测试）",
            ),
        )
    return actors


def load_actors(rt: Runtime) -> dict[str, Actor]:
    """Return every user's actor by username."""
    with rt.reader() as uow:
        return {u.username: actor_of(u) for u in uow.session.scalars(select(User))}


def all_states() -> Iterator[CaseState]:
    """Every state, in table order."""
    return iter(CaseState)


def tamper(database_url: str, *statements: str) -> None:
    """Change the evidence tables directly, as someone with database access could.

    The append-only triggers are bypassed the way such a person would: by
    replication role on PostgreSQL, by dropping them on SQLite.
    """
    from sqlalchemy import text

    from engine.db import make_engine

    engine = make_engine(database_url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            triggers = conn.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            for name in list(triggers):
                conn.execute(text(f'DROP TRIGGER "{name}"'))
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def flagged_case(
    w: World,
    village: str,
    name: str,
    *,
    by: str = "clerk",
    filer: str = "reviewer",
    note: str = "单独备案",
) -> int:
    """A case whose applicant is a village cadre's sibling, flagged and filed (备案)."""
    from audit.officials import import_officials, official_row
    from engine.services.filings import file_kinship

    app = Application("dibao", village, [member("self", "100", name=name)])
    case_id = w.apply(app, by=by)
    cadre = official_row(
        official_id_number=id_number(dt.date(1976, 4, 4)),
        official_name="王建军",
        position="village_member",
        region_code=village,
        relative_id_number=app.members[0].id_number,
        relative_name=name,
        relation="sibling",
    )
    import_officials(w.uow(), w.actors["admin"], [cadre])
    file_kinship(w.uow(), w.actors[filer], case_id, note)
    return case_id


#: one record of each kind of information-check data, beside the ID number and name
RECORDS = {
    "vehicles": {"plate_no": "川M12345", "vehicle_type": "小型轿车", "registered_on": "2024-05-01"},
    "businesses": {"business_name": "乐至县某某商店", "credit_code": "92512022MA00000000"},
    "real_estate": {"certificate_no": "川(2023)乐至县不动产权第0001号", "location": "天池镇"},
    "deaths": {"died_on": "2026-02-20"},
    "public_employees": {"employer": "乐至县某局", "monthly_salary": "5200"},
    "subsidies": {"subsidy": "耕地地力保护补贴", "monthly_yuan": "85.50", "paid_month": "2026-01"},
}


def department_file(kind: str, people: list[tuple[str, str]], **extra: str) -> bytes:
    """A department's CSV with one record of ``kind`` per (ID number, name)."""
    columns = KINDS[kind].columns
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for number, name in people:
        writer.writerow({"id_number": number, "name": name, **RECORDS[kind], **extra})
    return out.getvalue().encode()


def flagged_by_crosscheck(w: World, kind: str = "public_employees") -> int:
    """An enrolled case flagged by a department's record about its second member."""
    app = application(2)
    case_id = w.apply(app)
    w.to_state(case_id, CaseState.ACTIVE)
    data = department_file(kind, [(app.members[1].id_number, app.members[1].name)])
    rows = crosscheck_rows(kind, *read_records("x.csv", data), w.today())
    source = SourceFile("x.csv", hashlib.sha256(data).hexdigest())
    import_crosscheck(w.uow(), w.actors["approver"], kind, rows, source)
    return case_id


def register_file(rows: list[dict[str, str]]) -> bytes:
    """A monitoring-register CSV of these rows."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(REGISTER_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def put_on_register(w: World, rows: list[dict[str, str]], by: str = "clerk") -> RegisterReport:
    """Put these rows on the monitoring register (as the import does)."""
    data = register_file(rows)
    parsed = monitoring_rows(*read_records("register.csv", data), w.today(), TAGS)
    source = SourceFile("register.csv", hashlib.sha256(data).hexdigest())
    return register(w.uow(), w.actors[by], parsed, source)


def person(tag: str = "poverty_return_watch", village: str = VILLAGE_A1) -> dict[str, str]:
    """A monitoring-register row for a fresh person."""
    return {
        "id_number": id_number(dt.date(1962, 7, 7)),
        "name": "赵大山",
        "village_code": village,
        "tag": tag,
        "source": "防返贫监测信息系统",
        "tagged_on": "2025-06-01",
    }
