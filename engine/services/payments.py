"""The monthly payment roll: who is paid how much for a month, and the audited record of it.

Payment starts the month after approval (Art. 21) and stops after the case
ends; each month is paid at the latest amount decided before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import county_of, ensure_role
from engine.calendar import add_months
from engine.clock import as_utc, local_date
from engine.errors import InvalidData, invalid_field
from engine.identity import mask_account
from engine.models import (
    BenefitDecision,
    BenefitKind,
    Case,
    Household,
    Member,
    Person,
    Region,
    Relation,
)
from engine.policy import parameters_in_force
from engine.ports import Actor, LedgerEvent
from engine.states import CaseState, Role
from engine.uow import UnitOfWork, db_conflicts

PAYMENT_ROLES = frozenset({Role.APPROVER, Role.ADMIN})


@dataclass(frozen=True)
class RollLine:
    """One payment in a month's roll."""

    case_id: int
    village_code: str
    village_name: str
    payee: str
    account: str
    category: str
    people: int
    monthly_yuan: Decimal
    state: str


def parse_month(text: str) -> dt.date:
    """Read ``YYYY-MM`` as the first day of that month."""
    try:
        year, month = (int(part) for part in text.strip().split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        problem = invalid_field("month", "月份格式须为 YYYY-MM", "month must be YYYY-MM")
        raise InvalidData(problem.message, problem.message_en, problems=[problem]) from None


def payment_lines(session: Session, county: str, month: dt.date, tz: dt.tzinfo) -> list[RollLine]:
    """Return the month's payments in the county, by village and case."""
    decisions = session.execute(
        select(BenefitDecision, Case)
        .join(Case, Case.id == BenefitDecision.case_id)
        .where(
            BenefitDecision.kind == BenefitKind.DECIDED,
            BenefitDecision.effective_month <= month,
            Case.village_code.startswith(county, autoescape=True),
        )
        .order_by(BenefitDecision.case_id, BenefitDecision.id)
    ).all()
    latest: dict[int, tuple[BenefitDecision, Case]] = {}
    for decision, case in decisions:
        latest[case.id] = (decision, case)  # ordered by id: the last one wins
    payable = {
        case_id: pair
        for case_id, pair in latest.items()
        if (pair[1].ended_at is None or local_date(pair[1].ended_at, tz) >= month)
        and not _past_phase_out(session, pair[1], month, tz)
    }
    if not payable:
        return []
    households = [pair[1].household_id for pair in payable.values()]
    payees = dict(
        session.execute(
            select(Member.household_id, Person.name)
            .join(Person, Person.id == Member.person_id)
            .where(Member.household_id.in_(households), Member.relation == Relation.SELF)
        ).all()
    )
    accounts = dict(
        session.execute(
            select(Household.id, Household.bank_account).where(Household.id.in_(households))
        ).all()
    )
    villages = dict(
        session.execute(
            select(Region.code, Region.name).where(
                Region.code.in_({pair[1].village_code for pair in payable.values()})
            )
        ).all()
    )
    lines = [
        RollLine(
            case_id=case.id,
            village_code=case.village_code,
            village_name=villages.get(case.village_code, ""),
            payee=payees.get(case.household_id, ""),
            account=_masked(accounts.get(case.household_id)),
            category=str(case.category),
            people=decision.members,
            monthly_yuan=decision.monthly_yuan,
            state=str(case.state),
        )
        for decision, case in payable.values()
    ]
    return sorted(lines, key=lambda line: (line.village_code, line.case_id))


def phase_out_last_month(session: Session, case: Case, tz: dt.tzinfo) -> dt.date | None:
    """The last month a case's current phase-out is paid (None: it is not phasing out).

    The phase-out runs the county's ``phase_out_months`` (at most 6, 2022 notice) from its
    start; the month in which it runs out is the last paid, whether or not anyone has ended
    it yet. A phase-out that was followed by a new decision (``resume``) no longer counts.
    """
    started = case.phase_out_started_at
    if started is None or case.state not in (CaseState.PHASING_OUT, CaseState.TERMINATED):
        return None
    if case.decided_at is not None and as_utc(case.decided_at) > as_utc(started):
        return None
    start_on = local_date(started, tz)
    months = int(
        parameters_in_force(session, county_of(case.village_code), start_on).decimal(
            "phase_out_months"
        )
    )
    return add_months(start_on, months).replace(day=1)


def _past_phase_out(session: Session, case: Case, month: dt.date, tz: dt.tzinfo) -> bool:
    last = phase_out_last_month(session, case, tz)
    return last is not None and month > last


def paid_to_date(session: Session, case: Case, month: dt.date, tz: dt.tzinfo) -> Decimal:
    """What the rolls paid the case for every month before ``month``, by the rules the roll
    follows: from the month after each decision, at the latest amount decided before that
    month, not after the case ended nor beyond its phase-out."""
    decisions = session.scalars(
        select(BenefitDecision)
        .where(
            BenefitDecision.case_id == case.id,
            BenefitDecision.kind == BenefitKind.DECIDED,
            BenefitDecision.effective_month < month,
        )
        .order_by(BenefitDecision.id)
    ).all()
    if not decisions:
        return Decimal(0)
    ended = local_date(case.ended_at, tz) if case.ended_at is not None else None
    last_phase_out = phase_out_last_month(session, case, tz)
    total = Decimal(0)
    current = min(d.effective_month for d in decisions if d.effective_month is not None)
    while current < month:
        if (ended is not None and ended < current) or (
            last_phase_out is not None and current > last_phase_out
        ):
            break
        in_force = [d for d in decisions if d.effective_month and d.effective_month <= current]
        if in_force:
            total += in_force[-1].monthly_yuan
        current = add_months(current, 1)
    return total


def _masked(account: str | None) -> str:
    return mask_account(account) if account else ""


def record_roll(
    uow: UnitOfWork,
    actor: Actor,
    county: str,
    month: dt.date,
    lines: list[RollLine],
    sha256: str,
    file_name: str,
    file_format: str,
) -> None:
    """Record a generated roll and its file's SHA-256 in the county's payments ledger."""
    ensure_role(actor, PAYMENT_ROLES, "生成发放花名册", "generate payment rolls")
    with uow, db_conflicts():
        uow.audit.record(
            uow.session,
            f"payments:{county}",
            LedgerEvent(
                event="payment_roll",
                actor=actor,
                at=uow.clock.now(),
                payload={
                    "county": county,
                    "month": month.strftime("%Y-%m"),
                    "rows": len(lines),
                    "total_yuan": sum((line.monthly_yuan for line in lines), Decimal(0)),
                    "sha256": sha256,
                    "file_name": file_name,
                    "format": file_format,
                },
            ),
        )
        uow.commit()
