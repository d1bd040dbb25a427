"""Roster migration, the checks: every row read against the county (its villages, the standards
in force on each approval date, the people already registered and enrolled, the households
imported before) before anything is written."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar import add_months
from engine.cells import by_line
from engine.clock import local_date
from engine.errors import Problem
from engine.models import (
    Case,
    CaseClaim,
    Category,
    IncomeType,
    Person,
    Region,
    RegionLevel,
    Relation,
    RosterHousehold,
    Standard,
)
from engine.policy import StandardRef, parameter_history, rules_policy, standard_category
from engine.rules import Benefit, HouseholdMeans, Income, MemberMeans, compute_benefit
from engine.services.roster_rows import COLUMNS, HOUSEHOLD_COLUMNS, RosterRow, row_problem
from engine.states import CaseState
from engine.uow import UnitOfWork

#: who may bring a county's roster in: its administrator or its approving office
CHUNK = 1000


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
class PlannedHousehold:
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


def _households(rows: Sequence[RosterRow], problems: list[Problem]) -> list[PlannedHousehold]:
    """Group rows by household number; the household's own columns must agree on every row,
    one member is the applicant, and nobody appears twice in the file."""
    groups: dict[str, PlannedHousehold] = {}
    for row in rows:
        problems.extend(row.problems)
        if row.household_no:
            groups.setdefault(row.household_no, PlannedHousehold(row.household_no, [])).rows.append(
                row
            )
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


def chunks(values: Sequence[Any]) -> list[Sequence[Any]]:
    """The values in slices of ``CHUNK`` (one IN list each)."""
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
        for part in chunks(list(numbers)):
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


def _means(household: PlannedHousehold, with_income: bool) -> HouseholdMeans:
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
    household: PlannedHousehold,
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
    county: _County, household: PlannedHousehold, approved: dt.date, problems: list[Problem]
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


def plan_roster(
    uow: UnitOfWork, county_code: str, rows: Sequence[RosterRow], report: RosterReport
) -> list[PlannedHousehold]:
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
    problems.sort(key=by_line)
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
