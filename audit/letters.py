"""Decision letters (Art. 21, 38): each states one decision of record from the case's chain.

A letter is built from the audit entry that recorded the decision (its
reason, its receipt) and the amount stored with it, so that what the
applicant receives is what the trail holds; the letter prints the entry's
place in the chain and its hash. Household-level figures only: no member's
name, income, illness or disability appears on it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.models import AuditEntry
from engine.access import county_of
from engine.amounts import explain_amount
from engine.calendar import add_months
from engine.clock import local_date
from engine.documents.contacts import appeal_route, issuer_of, region
from engine.documents.notices import ensure_may_print
from engine.documents.views import (
    LETTER_KINDS,
    AmountLine,
    AppealRoute,
    DecisionLetter,
    DocumentKind,
    DocumentScope,
)
from engine.errors import Conflict, NotFound
from engine.identity import mask_public_name
from engine.models import BenefitDecision, BenefitKind, Case, Category, Member, Person, Relation
from engine.models import fen_to_yuan as yuan
from engine.policy import parameters_in_force
from engine.ports import Actor
from engine.privacy import PERSONAL_DATA_ROLES
from engine.queries import visible_case
from engine.rulebook import RuleBook

#: the triggers whose decision each letter states
LETTER_TRIGGERS: dict[DocumentKind, tuple[str, ...]] = {
    DocumentKind.APPROVAL: ("approve",),
    DocumentKind.REJECTION: ("reject",),
    DocumentKind.TERMINATION: ("terminate", "end_phase_out"),
    DocumentKind.ADJUSTMENT: ("adjust", "resume", "sanction_work_refusal"),
    DocumentKind.PHASE_OUT: ("start_phase_out",),
}
LETTER_NAMES = {
    DocumentKind.APPROVAL: ("审核确认", "approval"),
    DocumentKind.REJECTION: ("不予确认", "rejection"),
    DocumentKind.TERMINATION: ("终止保障", "termination"),
    DocumentKind.ADJUSTMENT: ("调整保障金额", "adjustment"),
    DocumentKind.PHASE_OUT: ("进入渐退期", "phase-out"),
}


def letter_kind(kind: str) -> DocumentKind:
    """The letter asked for, or NotFound (an unknown letter is an unknown resource)."""
    if kind not in LETTER_KINDS:
        raise NotFound(
            f"没有“{kind}”这种决定书（可选：{'、'.join(LETTER_KINDS)}）",
            f"no letter of kind {kind!r} (one of: {', '.join(LETTER_KINDS)})",
            code="letter_kind_unknown",
        )
    return DocumentKind(kind)


def decision_letter(
    session: Session,
    actor: Actor,
    case_id: int,
    kind: str,
    *,
    today: dt.date,
    rules: RuleBook,
    tz: dt.tzinfo,
) -> tuple[DecisionLetter, DocumentScope]:
    """The letter stating the case's latest decision of this kind; a conflict if it has none."""
    wanted = letter_kind(kind)
    case = visible_case(session, actor, case_id)
    # the letter names its addressee in full: only roles that see personal data print it
    ensure_may_print(actor, case.village_code, PERSONAL_DATA_ROLES)
    entry = session.scalar(
        select(AuditEntry)
        .where(AuditEntry.case_id == case.id, AuditEntry.trigger.in_(LETTER_TRIGGERS[wanted]))
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    )
    if entry is None:
        zh, en = LETTER_NAMES[wanted]
        raise Conflict(
            f"案件{case.id}没有“{zh}”的决定，不能印发该决定书",
            f"case {case.id} has no {en} decision to print a letter for",
            code="no_decision",
        )
    payload: dict[str, Any] = json.loads(entry.payload)
    village = region(session, case.village_code)
    township = region(session, village.parent_code or "")
    county = region(session, county_of(case.village_code))
    decided_on = local_date(entry.at, tz)
    figures = _figures(session, case, wanted, payload, tz)
    addressee = _applicant_name(session, case)
    letter = DecisionLetter(
        kind=wanted,
        category=str(case.category),
        case_id=case.id,
        decision_seq=entry.seq,
        decision_hash=entry.hash,
        decided_on=decided_on,
        addressee=addressee,
        county_name=county.name,
        township_name=township.name,
        village_name=village.name,
        applied_on=local_date(case.submitted_at, tz) if case.submitted_at else None,
        reason=entry.reason.strip(),
        # the route the decision recorded; computed only for decisions taken before it was
        document_number=payload.get("document_number"),
        appeal=AppealRoute(**payload["appeal"])
        if "appeal" in payload
        else appeal_route(session, case.village_code, rules, decided_on),
        issuer=issuer_of(session, county.code),
        township_issuer=issuer_of(session, township.code),
        issued_on=today,
        **figures,
    )
    scope = DocumentScope(
        kind=wanted,
        county_code=county.code,
        region_code=case.village_code,
        subject=mask_public_name(addressee),
        issuing_body=letter.issuer.authority,
        cases=(case.id,),
        case_id=case.id,
        decision_seq=entry.seq,
    )
    return letter, scope


def _applicant_name(session: Session, case: Case) -> str:
    """The applicant's name: the current one, else the last one recorded."""
    rows = session.scalars(
        select(Person.name)
        .join(Member, Member.person_id == Person.id)
        .where(Member.household_id == case.household_id, Member.relation == Relation.SELF)
        .order_by(Member.left_at.is_(None), Member.id)
    ).all()
    return rows[-1] if rows else ""


def _figures(
    session: Session, case: Case, kind: DocumentKind, payload: Mapping[str, Any], tz: dt.tzinfo
) -> dict[str, Any]:
    """The money and dates a letter of this kind states, from the decision's receipt."""
    empty: dict[str, Any] = {
        "monthly_yuan": None,
        "previous_monthly_yuan": None,
        "members": None,
        "lines": (),
        "first_month": None,
        "next_recheck_on": None,
        "recheck_months": None,
        "phase_out_months": None,
        "phase_out_last_month": None,
    }
    if kind in (DocumentKind.REJECTION, DocumentKind.TERMINATION):
        return empty
    if kind == DocumentKind.PHASE_OUT:
        phase = payload["phase_out"]
        row = session.get(BenefitDecision, phase["decision_id"])
        assert row is not None  # the receipt names the row written with it
        months = int(phase["months"])
        first = row.effective_month
        return {
            **empty,
            "monthly_yuan": Decimal(phase["monthly_yuan"]),
            "previous_monthly_yuan": Decimal(phase["previous_monthly_yuan"]),
            "first_month": first,
            "phase_out_months": months,
            "phase_out_last_month": add_months(first, months - 1) if first and months else None,
        }
    row = session.get(BenefitDecision, payload["benefit"]["decision_id"])
    assert row is not None
    recheck = payload.get("recheck") or {}
    previous = None
    if kind == DocumentKind.ADJUSTMENT:
        before = session.scalar(
            select(BenefitDecision.monthly_fen)
            .where(
                BenefitDecision.case_id == case.id,
                BenefitDecision.kind == BenefitKind.DECIDED,
                BenefitDecision.id < row.id,
            )
            .order_by(BenefitDecision.id.desc())
            .limit(1)
        )
        previous = yuan(before) if before is not None else None
    next_on = recheck.get("next_recheck_on")
    return {
        **empty,
        "monthly_yuan": row.monthly_yuan,
        "previous_monthly_yuan": previous,
        "members": row.members,
        "lines": amount_lines(row, str(case.category), _rounding(session, case, row, tz)),
        "first_month": row.effective_month,
        "next_recheck_on": dt.date.fromisoformat(next_on) if next_on else None,
        "recheck_months": recheck.get("months"),
    }


def _rounding(session: Session, case: Case, row: BenefitDecision, tz: dt.tzinfo) -> str:
    """The county's rounding rule on the decision date (as the case page reads it)."""
    on = local_date(row.decided_at, tz)
    return str(parameters_in_force(session, county_of(case.village_code), on)["rounding"])


def amount_lines(
    row: BenefitDecision, category: str, rounding: str | None = None
) -> tuple[AmountLine, ...]:
    """How the amount was reached, for the household as a whole (no member is named): the
    figures the case page shows (``engine.amounts``), so the letter adds up as the screen does,
    the rounding step included."""
    standard = yuan(row.standard_fen)
    shown = explain_amount(json.loads(row.breakdown), row.monthly_yuan, rounding)
    figures = {line.code: line.amount_yuan for line in shown.amount}
    total = shown.amount[-1].amount_yuan
    rounded = AmountLine("rounding", shown.amount[-2].amount_yuan, rule=rounding)
    need = figures.get("standard.total", standard * row.members)
    if category == Category.TEKUN:
        return (
            AmountLine("tekun_standard_total", need, standard, row.members),
            rounded,
            AmountLine("monthly", total),
        )
    if "base" not in figures:  # a phase-out amount: no top-up to show
        return (rounded, AmountLine("monthly", total))

    def summed(prefix: str) -> Decimal:
        return sum((x.amount_yuan for x in shown.amount if x.code.startswith(prefix)), Decimal(0))

    lines = [
        AmountLine("standard_total", need, standard, row.members),
        AmountLine("counted_income", -figures["counted.less"]),
        AmountLine("base", figures["base"]),
    ]
    if summed("sanction."):
        lines.append(AmountLine("sanction", -summed("sanction.")))
    if summed("supplement."):
        lines.append(AmountLine("supplement", summed("supplement.")))
    return (*lines, rounded, AmountLine("monthly", total))
