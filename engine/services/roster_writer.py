"""Roster migration, the writes: checked households, a batch at a time, with a few multi-row
statements each (people, households, members, cases, claims, amounts, audit entries, the
cases' first deadlines, and the roster's own record of each household)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update

from engine.calendar import first_of_next_month
from engine.cells import SourceFile
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
    Relation,
    RosterHousehold,
    yuan_to_fen,
)
from engine.ports import Actor, CaseEvent, ChainHead
from engine.services.case_deadlines import DEADLINE_COLUMNS, DatedCase, next_due_dates
from engine.services.roster_plan import PlannedHousehold, chunks
from engine.uow import UnitOfWork

#: who may bring a county's roster in: its administrator or its approving office
IMPORTED_LINE = "imported"
IMPORT_REASON = "存量数据迁移"


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


class RosterWriter:
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

    def _person_ids(self, households: Sequence[PlannedHousehold]) -> None:
        numbers = [r.id_number for h in households for r in h.rows]
        wanted = [n for n in numbers if n not in self.persons]
        for part in chunks(wanted):
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

    def write(self, households: Sequence[PlannedHousehold]) -> list[int]:
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

    def _members(
        self, households: Sequence[PlannedHousehold], household_ids: Sequence[int]
    ) -> None:
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

    def _case(self, household: PlannedHousehold, household_id: int) -> dict[str, Any]:
        first = household.first
        return {
            "household_id": household_id,
            "category": first.category,
            "state": household.state,
            "version": 1,
            "village_code": first.village_code,
            "area_type": household.area_type,
            "created_by_id": self.actor.user_id,
            "origin": "roster",
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

    def _decision(self, household: PlannedHousehold, case_id: int) -> dict[str, Any]:
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
        self, household: PlannedHousehold, case_id: int, household_id: int, decision_id: int
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

    def _dated(self, household: PlannedHousehold, case_id: int) -> SimpleNamespace:
        """The new case's dated columns, for its first deadline."""
        values: dict[str, Any] = dict.fromkeys(DEADLINE_COLUMNS)
        case = self._case(household, 0)
        values.update({k: v for k, v in case.items() if k in values})
        values["id"] = case_id
        return SimpleNamespace(**values)
