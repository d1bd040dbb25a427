"""Roster migration (存量数据迁移): bring in the cases a county already has, all rows or none.

Every row is read and checked against the county first (its villages, the standards in
force on each approval date, the people already registered and enrolled, the households
already imported); any problem refuses the whole file, naming line and column. A clean
file becomes, in one transaction: the people, households and members, one case per
household in ``active`` (or ``phasing_out``) with its decided amount, the members' claims,
one ``imported`` audit entry per case recording the file's SHA-256 and the household's
lines, the case's next deadline, and the kinship check over the imported households. A
household imported before with the same rows is left as it is, so a rerun changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from engine.access import ensure_in_region, ensure_role
from engine.calendar import add_months, first_of_next_month
from engine.cells import SourceFile
from engine.clock import local_date
from engine.errors import InvalidData, Problem
from engine.models import (
    BenefitDecision,
    BenefitKind,
    Case,
    CaseClaim,
    Category,
    Household,
    IncomeType,
    Member,
    MemberIncome,
    Person,
    Region,
    RegionLevel,
    Relation,
    RosterHousehold,
    Standard,
    yuan_to_fen,
)
from engine.policy import StandardRef, parameter_history, rules_policy, standard_category
from engine.ports import Actor, CaseEvent, ChainHead, LedgerEvent
from engine.rules import Benefit, HouseholdMeans, Income, MemberMeans, compute_benefit
from engine.services.case_deadlines import DEADLINE_COLUMNS, DatedCase, next_due_dates
from engine.services.roster_rows import COLUMNS, HOUSEHOLD_COLUMNS, RosterRow, row_problem
from engine.states import CaseState, Role
from engine.uow import UnitOfWork, db_conflicts

#: who may bring a county's roster in: its administrator or its approving office
ROSTER_IMPORTERS = frozenset({Role.ADMIN, Role.APPROVER})
#: households written per round of statements (one transaction for the whole file)
BATCH = 2000
#: ids per IN list when reading what the database already holds
CHUNK = 1000
#: the breakdown line of an amount taken over as the earlier system decided it
IMPORTED_LINE = "imported"
IMPORT_REASON = "存量数据迁移"


@dataclass(frozen=True)
class AmountDifference:
    """A household whose amount differs from what the rules give for its rows' figures."""

    line: int
    household_no: str
    monthly_yuan: Decimal
    rules_yuan: Decimal


@dataclass
class RosterReport:
    """What an import did (or, in a dry run, would do)."""

    dry_run: bool
    households: int = 0
    members: int = 0
    #: households imported before with the same rows: left as they are
    unchanged: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    by_state: dict[str, int] = field(default_factory=dict)
    amount_differences: list[AmountDifference] = field(default_factory=list)
    kinship_flags: int = 0
    case_ids: list[int] = field(default_factory=list)
    #: every problem found (a dry run reports them; an import refuses the file)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Household:
    """One household's rows, and what the checks worked out for it."""

    no: str
    rows: list[RosterRow]
    digest: str = ""
    area_type: str = ""
    state: CaseState = CaseState.ACTIVE
    standard: StandardRef | None = None
    benefit: Benefit | None = None
    rules_yuan: Decimal | None = None
    recheck_months: int = 0
    next_recheck_on: dt.date | None = None

    @property
    def first(self) -> RosterRow:
        """The household's first row: its own columns as the file gives them."""
        return self.rows[0]


def _digest(rows: Sequence[RosterRow]) -> str:
    """The household's rows as read, lines left out: the same rows give the same digest."""
    cells = sorted(
        [str(getattr(r, c)) if getattr(r, c) is not None else "" for c in COLUMNS] for r in rows
    )
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode()).hexdigest()


def _households(rows: Sequence[RosterRow], problems: list[Problem]) -> list[_Household]:
    """Group rows by household number; the household's own columns must agree on every row,
    one member is the applicant, and nobody appears twice in the file."""
    groups: dict[str, _Household] = {}
    for row in rows:
        problems.extend(row.problems)
        if row.household_no:
            groups.setdefault(row.household_no, _Household(row.household_no, [])).rows.append(row)
    seen: dict[str, int] = {}
    for row in rows:
        if row.birth_date is None:
            continue  # no valid ID number: its own problem says so
        if row.id_number in seen:
            problems.append(
                row_problem(
                    row.line,
                    "id_number",
                    f"此人已在第{seen[row.id_number]}行登记：一人只能在一户中享受",
                    f"this person is already listed on line {seen[row.id_number]}: "
                    "a person is enrolled once",
                    "enrolled_twice",
                )
            )
        else:
            seen[row.id_number] = row.line
    for household in groups.values():
        first = household.first
        for row in household.rows[1:]:
            for column in HOUSEHOLD_COLUMNS:
                if getattr(row, column) != getattr(first, column):
                    problems.append(
                        row_problem(
                            row.line,
                            column,
                            f"与本户第{first.line}行不一致（户的各列须在每行相同）",
                            f"differs from line {first.line} of the same household "
                            "(a household's own columns repeat on each row)",
                            "household_differs",
                        )
                    )
        applicants = [r for r in household.rows if r.relation == Relation.SELF]
        if len(applicants) != 1:
            problems.append(
                row_problem(
                    first.line,
                    "relation",
                    f"户编号{household.no}须有且只有一名申请人（本人），现有{len(applicants)}名",
                    f"household {household.no} needs exactly one applicant (self), "
                    f"has {len(applicants)}",
                    "applicant_count",
                )
            )
        household.digest = _digest(household.rows)
    return list(groups.values())


def _chunks(values: Sequence[Any]) -> list[Sequence[Any]]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


class _County:
    """What the checks read from the database about the county, read once."""

    def __init__(self, session: Session, county: str, numbers: Sequence[str]) -> None:
        self.villages = {
            r.code: r
            for r in session.scalars(
                select(Region).where(
                    Region.code.startswith(county, autoescape=True),
                    Region.level == RegionLevel.VILLAGE,
                )
            )
        }
        self.standards: dict[tuple[str, str], list[Standard]] = defaultdict(list)
        for standard in session.scalars(
            select(Standard)
            .where(Standard.county_code == county)
            .order_by(Standard.effective_from.desc())
        ):
            self.standards[(str(standard.area_type), str(standard.category))].append(standard)
        self.parameters = parameter_history(session, county)
        self.imported = {
            r.household_no: r
            for r in session.scalars(
                select(RosterHousehold).where(RosterHousehold.county_code == county)
            )
        }
        self.persons: dict[str, Person] = {}
        self.claims: dict[int, tuple[int, str]] = {}
        for part in _chunks(list(numbers)):
            found = session.scalars(select(Person).where(Person.id_number.in_(part))).all()
            self.persons.update((p.id_number, p) for p in found)
            for person_id, case_id, state in session.execute(
                select(CaseClaim.person_id, Case.id, Case.state)
                .join(Case, Case.id == CaseClaim.case_id)
                .where(
                    CaseClaim.person_id.in_([p.id for p in found]),
                    CaseClaim.released_at.is_(None),
                )
            ):
                self.claims[person_id] = (case_id, str(state))

    def standard(self, area_type: str, category: str, on: dt.date) -> StandardRef | None:
        """The standard in force on ``on`` (as ``engine.policy.standard_in_force``)."""
        for row in self.standards.get((area_type, str(standard_category(category))), []):
            if row.effective_from <= on:
                return StandardRef(row.id, row.monthly_yuan, row.effective_from, row.source)
        return None

    def elsewhere(self, session: Session, code: str) -> bool:
        """Whether a village with this code exists outside the county."""
        region = session.get(Region, code)
        return region is not None and region.level == RegionLevel.VILLAGE


def _means(household: _Household, with_income: bool) -> HouseholdMeans:
    """The household as the benefit rules see it (the applicant is the person a single-person
    case covers); without income, the most its standard can produce."""
    return HouseholdMeans(
        category=household.first.category,
        members=tuple(
            MemberMeans(
                label=r.name,
                relation=r.relation,
                incomes=(Income(IncomeType.OTHER, r.monthly_income),)
                if with_income and r.monthly_income
                else (),
                disability_grade=r.disability_grade,
                serious_illness=r.serious_illness,
                able_to_work=r.able_to_work,
                covered=household.first.category == Category.SINGLE_PERSON
                and r.relation == Relation.SELF,
            )
            for r in household.rows
        ),
    )


def _check_household(
    session: Session,
    county: _County,
    county_code: str,
    household: _Household,
    today: dt.date,
    problems: list[Problem],
) -> None:
    """Check a household against the county: village, dates, standard, amount, people."""
    first = household.first
    line = first.line
    village = county.villages.get(first.village_code)
    if first.village_code and village is None:
        outside = county.elsewhere(session, first.village_code)
        problems.append(
            row_problem(
                line,
                "village_code",
                f"村（社区）{first.village_code}不在本县（{county_code}）"
                if outside
                else f"没有代码为{first.village_code}的村（社区）",
                f"village {first.village_code} is outside county {county_code}"
                if outside
                else f"no village with code {first.village_code}",
                "outside_county" if outside else "unknown_village",
            )
        )
    household.area_type = first.area_type or (str(village.area_type) if village else "")
    approved = first.approved_on
    if approved is not None and approved > today:
        problems.append(
            row_problem(line, "approved_on", "批准日期晚于今天", "approval date is in the future")
        )
    if first.next_recheck_on is not None and approved and first.next_recheck_on <= approved:
        problems.append(
            row_problem(
                line,
                "next_recheck_on",
                "下次核查日期须晚于批准日期",
                "the next recheck must fall after the approval date",
            )
        )
    started = first.phase_out_started_on
    if started is not None and approved and not approved <= started <= today:
        problems.append(
            row_problem(
                line,
                "phase_out_started_on",
                "渐退开始日期须在批准日期与今天之间",
                "the phase-out must start between the approval date and today",
            )
        )
    household.state = CaseState.PHASING_OUT if started else CaseState.ACTIVE
    if approved is not None and household.area_type and first.category:
        _check_amount(county, household, approved, problems)
    for row in household.rows:
        _check_person(county, row, problems)


def _check_amount(
    county: _County, household: _Household, approved: dt.date, problems: list[Problem]
) -> None:
    """The amount must be one the standard in force on the approval date can produce: more
    than nothing and at most what a household with no counted income would get."""
    first = household.first
    standard = county.standard(household.area_type, first.category, approved)
    if standard is None:
        problems.append(
            row_problem(
                first.line,
                "approved_on",
                f"{approved.isoformat()}本县没有适用的保障标准",
                f"no standard of the county was in force on {approved.isoformat()}",
                "no_standard",
            )
        )
        return
    params = county.parameters.on(approved)
    policy = rules_policy(standard, params, approved)
    most = compute_benefit(_means(household, with_income=False), policy).monthly_yuan
    household.standard = standard
    household.benefit = compute_benefit(_means(household, with_income=True), policy)
    household.rules_yuan = household.benefit.monthly_yuan
    household.recheck_months = int(params.decimal("recheck_months_stable"))
    household.next_recheck_on = first.next_recheck_on or add_months(
        approved, household.recheck_months
    )
    amount = first.monthly_yuan
    if amount is not None and not Decimal(0) < amount <= most:
        problems.append(
            row_problem(
                first.line,
                "monthly_yuan",
                f"{amount}元不是{approved.isoformat()}的保障标准（{standard.monthly_yuan}元）"
                f"所能核定的金额（本户最多{most}元）",
                f"{amount} yuan is not an amount the standard in force on {approved.isoformat()} "
                f"({standard.monthly_yuan} yuan) can produce (at most {most} for this household)",
                "amount_not_producible",
            )
        )


def _check_person(county: _County, row: RosterRow, problems: list[Problem]) -> None:
    """A registered person's name must match, and nobody may already be in an open case."""
    person = county.persons.get(row.id_number)
    if person is None:
        return
    if row.name and person.name != row.name:
        problems.append(
            row_problem(
                row.line,
                "name",
                "姓名与该身份证号码已登记的姓名不一致",
                "name differs from the name registered for this ID number",
                "name_mismatch",
            )
        )
    claim = county.claims.get(person.id)
    if claim is not None:
        problems.append(
            row_problem(
                row.line,
                "id_number",
                f"此人已在案件{claim[0]}（{claim[1]}）中，不能重复享受",
                f"this person is already in case {claim[0]} ({claim[1]}): enrolled twice",
                "enrolled_twice",
            )
        )


def _plan(
    uow: UnitOfWork, county_code: str, rows: Sequence[RosterRow], report: RosterReport
) -> list[_Household]:
    """Check everything; return the households to import (the report collects problems)."""
    session = uow.session
    today = local_date(uow.clock.now(), uow.clock.tz)
    problems = report.problems
    households = _households(rows, problems)
    county = _County(session, county_code, [r.id_number for r in rows if r.id_number])
    todo = []
    for household in households:
        done = county.imported.get(household.no)
        if done is not None:
            if done.rows_sha256 == household.digest:
                report.unchanged += 1
            else:
                problems.append(
                    row_problem(
                        household.first.line,
                        "household_no",
                        f"户编号{household.no}已导入为案件{done.case_id}，本次内容不同；"
                        "已导入案件的变化须经核查程序办理",
                        f"household {household.no} was imported as case {done.case_id} with "
                        "other rows; changes to an imported case go through a recheck",
                        "already_imported",
                    )
                )
            continue
        _check_household(session, county, county_code, household, today, problems)
        todo.append(household)
    problems.sort(key=lambda p: (_line_of(p), p.field or ""))
    for household in todo:
        first = household.first
        report.households += 1
        report.members += len(household.rows)
        report.by_category[first.category] = report.by_category.get(first.category, 0) + 1
        report.by_state[str(household.state)] = report.by_state.get(str(household.state), 0) + 1
        if household.rules_yuan is not None and first.monthly_yuan != household.rules_yuan:
            report.amount_differences.append(
                AmountDifference(
                    first.line, household.no, first.monthly_yuan or Decimal(0), household.rules_yuan
                )
            )
    return todo


def _line_of(problem: Problem) -> int:
    field_name = problem.field or ""
    number = field_name.removeprefix("line ").partition(".")[0]
    return int(number) if number.isdigit() else 0


def import_roster(
    uow: UnitOfWork,
    actor: Actor,
    county: str,
    rows: Sequence[RosterRow],
    source: SourceFile,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> RosterReport:
    """Import a county's roster (see the module); a dry run checks and reports only.

    Raises InvalidData listing every problem (nothing is written) unless ``dry_run``,
    which returns them in the report instead.
    """
    ensure_role(actor, ROSTER_IMPORTERS, "导入存量保障对象", "import a county's roster")
    report = RosterReport(dry_run=dry_run)
    # a second import of the same households running at the same time loses on the unique
    # household number (or a person's open claim) and is told so
    with uow, db_conflicts():
        session = uow.session
        region = session.get(Region, county)
        if region is None or region.level != RegionLevel.COUNTY:
            raise InvalidData(
                f"没有代码为{county}的县", f"no county with code {county}", code="unknown_county"
            )
        ensure_in_region(actor, county)
        todo = _plan(uow, county, rows, report)
        if dry_run:
            return report
        if report.problems:
            raise InvalidData(
                f"{len(report.problems)}处错误，未导入任何内容",
                f"{len(report.problems)} problem(s); nothing was imported",
                code="invalid_rows",
                problems=report.problems,
            )
        writer = _Writer(uow, actor, county, source)
        for start in range(0, len(todo), BATCH):
            part = todo[start : start + BATCH]
            report.case_ids += writer.write(part)
            if progress is not None:
                progress(len(part))
        report.kinship_flags = uow.kinship.scan_cases(uow, actor, report.case_ids)
        uow.audit.record(
            session,
            f"roster:{county}",
            LedgerEvent(
                event="roster_imported",
                actor=actor,
                at=writer.now,
                reason=IMPORT_REASON,
                payload={
                    "file": source.file_name,
                    "sha256": source.sha256,
                    "households": report.households,
                    "members": report.members,
                    "unchanged": report.unchanged,
                    "by_category": report.by_category,
                    "by_state": report.by_state,
                    "amounts_differing_from_rules": len(report.amount_differences),
                    "kinship_flags": report.kinship_flags,
                },
            ),
        )
        uow.commit()
    return report


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


class _Writer:
    """Writes checked households, a batch at a time, with a few multi-row statements."""

    def __init__(self, uow: UnitOfWork, actor: Actor, county: str, source: SourceFile) -> None:
        self.uow = uow
        self.session = uow.session
        self.actor = actor
        self.county = county
        self.source = source
        self.now = uow.clock.now()
        self.tz = uow.clock.tz
        self.persons: dict[str, int] = {}

    def _insert(self, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
        """Insert rows and return their new ids in the order given."""
        if not rows:
            return []
        table = _table(model)
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(self.session.execute(stmt, rows).scalars())

    def _midnight(self, day: dt.date | None) -> dt.datetime | None:
        return None if day is None else dt.datetime.combine(day, dt.time(), tzinfo=self.tz)

    def _person_ids(self, households: Sequence[_Household]) -> None:
        numbers = [r.id_number for h in households for r in h.rows]
        wanted = [n for n in numbers if n not in self.persons]
        for part in _chunks(wanted):
            self.persons.update(
                (number, person_id)
                for number, person_id in self.session.execute(
                    select(Person.id_number, Person.id).where(Person.id_number.in_(part))
                )
            )
        new = [r for h in households for r in h.rows if r.id_number not in self.persons]
        ids = self._insert(
            Person,
            [
                {
                    "id_number": r.id_number,
                    "name": r.name,
                    "birth_date": r.birth_date,
                    "sex": r.sex,
                    "created_at": self.now,
                }
                for r in new
            ],
        )
        self.persons.update(zip((r.id_number for r in new), ids, strict=True))

    def write(self, households: Sequence[_Household]) -> list[int]:
        """Write a batch of households and their cases; return the cases' ids."""
        self._person_ids(households)
        household_ids = self._insert(
            Household,
            [
                {
                    "village_code": h.first.village_code,
                    "area_type": h.area_type,
                    "created_at": self.now,
                    "income_stable": True,
                    "rigid_expenses_fen": 0,
                }
                for h in households
            ],
        )
        self._members(households, household_ids)
        case_ids = self._insert(
            Case, [self._case(h, i) for h, i in zip(households, household_ids, strict=True)]
        )
        self.session.execute(
            insert(_table(CaseClaim)),
            [
                {"person_id": self.persons[r.id_number], "case_id": case_id, "claimed_at": self.now}
                for h, case_id in zip(households, case_ids, strict=True)
                for r in h.rows
            ],
        )
        decision_ids = self._insert(
            BenefitDecision,
            [self._decision(h, c) for h, c in zip(households, case_ids, strict=True)],
        )
        heads = self.uow.audit.append_many(
            self.session,
            [
                (ChainHead(case_id, 0, None), self._event(h, case_id, hid, did))
                for h, case_id, hid, did in zip(
                    households, case_ids, household_ids, decision_ids, strict=True
                )
            ],
        )
        dated = [
            cast(DatedCase, self._dated(h, case_id))
            for h, case_id in zip(households, case_ids, strict=True)
        ]
        due = next_due_dates(self.uow, dated)
        table = _table(Case)
        self.session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                chain_seq=bindparam("b_seq"),
                chain_head=bindparam("b_head"),
                due_on=bindparam("b_due_on"),
                due_kind=bindparam("b_due_kind"),
            ),
            [
                {
                    "b_id": head.case_id,
                    "b_seq": head.seq,
                    "b_head": head.head,
                    "b_due_on": due_on,
                    "b_due_kind": due_kind,
                }
                for head, (due_on, due_kind) in zip(heads, due, strict=True)
            ],
        )
        self.session.execute(
            insert(_table(RosterHousehold)),
            [
                {
                    "county_code": self.county,
                    "household_no": h.no,
                    "case_id": case_id,
                    "rows_sha256": h.digest,
                    "source_sha256": self.source.sha256,
                    "first_line": h.first.line,
                    "imported_by_id": self.actor.user_id,
                    "imported_at": self.now,
                }
                for h, case_id in zip(households, case_ids, strict=True)
            ],
        )
        return case_ids

    def _members(self, households: Sequence[_Household], household_ids: Sequence[int]) -> None:
        rows = [
            (r, household_id, h.first.category)
            for h, household_id in zip(households, household_ids, strict=True)
            for r in h.rows
        ]
        member_ids = self._insert(
            Member,
            [
                {
                    "household_id": household_id,
                    "person_id": self.persons[r.id_number],
                    "relation": r.relation,
                    "disability_grade": r.disability_grade,
                    "serious_illness": r.serious_illness,
                    "able_to_work": r.able_to_work,
                    "in_school": False,
                    "covered": category == Category.SINGLE_PERSON and r.relation == Relation.SELF,
                    "joined_at": self.now,
                }
                for r, household_id, category in rows
            ],
        )
        incomes = [
            {
                "member_id": member_id,
                "type": IncomeType.OTHER,
                "monthly_fen": yuan_to_fen(r.monthly_income),
            }
            for (r, _, _), member_id in zip(rows, member_ids, strict=True)
            if r.monthly_income
        ]
        if incomes:
            self.session.execute(insert(_table(MemberIncome)), incomes)

    def _case(self, household: _Household, household_id: int) -> dict[str, Any]:
        first = household.first
        return {
            "household_id": household_id,
            "category": first.category,
            "state": household.state,
            "version": 1,
            "village_code": first.village_code,
            "area_type": household.area_type,
            "created_by_id": self.actor.user_id,
            "chain_seq": 0,
            "created_at": self.now,
            "updated_at": self.now,
            "decided_at": self._midnight(first.approved_on),
            "phase_out_started_at": self._midnight(first.phase_out_started_on),
            # a phase-out starts only when work lifts the income (2022 notice)
            "last_change_kind": "employment" if first.phase_out_started_on else None,
            "next_recheck_on": household.next_recheck_on,
            "recheck_interval_months": household.recheck_months,
        }

    def _decision(self, household: _Household, case_id: int) -> dict[str, Any]:
        first = household.first
        benefit, standard = household.benefit, household.standard
        assert benefit is not None and standard is not None and first.approved_on is not None
        amount = first.monthly_yuan or Decimal(0)
        # the rules' own lines where they give the same amount; else the amount as decided
        lines = (
            [{**line.as_dict(), "amount_yuan": str(line.amount_yuan)} for line in benefit.breakdown]
            if amount == benefit.monthly_yuan
            else [
                {
                    "code": IMPORTED_LINE,
                    "label": "原系统核定金额（存量数据迁移）",
                    "amount_yuan": str(amount),
                    "member": None,
                }
            ]
        )
        matches = amount == benefit.monthly_yuan
        return {
            "case_id": case_id,
            "kind": BenefitKind.DECIDED,
            "trigger": "imported",
            "decided_at": self._midnight(first.approved_on),
            "effective_month": first_of_next_month(first.approved_on),
            "monthly_fen": yuan_to_fen(amount),
            "standard_id": standard.id,
            "standard_fen": yuan_to_fen(standard.monthly_yuan),
            "members": benefit.members,
            "counted_income_fen": yuan_to_fen(
                benefit.counted_income_yuan.quantize(Decimal("0.01"))
            ),
            "base_fen": yuan_to_fen(benefit.base_yuan.quantize(Decimal("0.01")))
            if matches
            else yuan_to_fen(amount),
            "supplement_fen": yuan_to_fen(benefit.supplement_yuan.quantize(Decimal("0.01")))
            if matches
            else 0,
            "breakdown": json.dumps(lines, ensure_ascii=False),
        }

    def _event(
        self, household: _Household, case_id: int, household_id: int, decision_id: int
    ) -> CaseEvent:
        first = household.first
        assert household.standard is not None
        return CaseEvent(
            trigger="imported",
            from_state=None,
            to_state=household.state,
            actor=self.actor,
            at=self.now,
            reason=IMPORT_REASON,
            payload={
                "source": {
                    "file": self.source.file_name,
                    "sha256": self.source.sha256,
                    "lines": [r.line for r in household.rows],
                },
                "household_no": household.no,
                "household_id": household_id,
                "category": first.category,
                "village_code": first.village_code,
                "area_type": household.area_type,
                "members": [
                    {
                        "id_number": r.id_number,
                        "name": r.name,
                        "relation": r.relation,
                        "monthly_income_yuan": r.monthly_income,
                        "disability_grade": r.disability_grade,
                        "serious_illness": r.serious_illness,
                        "able_to_work": r.able_to_work,
                    }
                    for r in household.rows
                ],
                "monthly_yuan": first.monthly_yuan,
                "rules_yuan": household.rules_yuan,
                "decision_id": decision_id,
                "approved_on": first.approved_on,
                "effective_month": first_of_next_month(first.approved_on)
                if first.approved_on
                else None,
                "next_recheck_on": household.next_recheck_on,
                "recheck_months": household.recheck_months,
                "phase_out_started_on": first.phase_out_started_on,
                "standard": household.standard.as_payload(),
            },
        )

    def _dated(self, household: _Household, case_id: int) -> SimpleNamespace:
        """The new case's dated columns, for its first deadline."""
        values: dict[str, Any] = dict.fromkeys(DEADLINE_COLUMNS)
        case = self._case(household, 0)
        values.update({k: v for k, v in case.items() if k in values})
        values["id"] = case_id
        return SimpleNamespace(**values)
