"""What deciding triggers do besides changing the state: amounts, receipts, rechecks, sampling.

Each function is registered as the effect of its trigger and runs inside the
same transaction as the state change; what it returns is added to the audit
entry's payload, so the entry is the decision's receipt.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from engine.calendar import add_months, first_of_next_month
from engine.errors import Conflict
from engine.guards import GuardContext
from engine.identity import mask_id_number
from engine.means import MeansFacts, load_means
from engine.models import (
    BenefitDecision,
    BenefitKind,
    Case,
    Category,
    fen_to_yuan,
    yuan_to_fen,
)
from engine.rules import Benefit, Line, phase_out_amount
from engine.services.household_members import current_member
from engine.services.recoveries import order_recovery
from engine.services.workflow_step import effect
from engine.uow import UnitOfWork


def _means(ctx: GuardContext) -> MeansFacts:
    means = ctx.facts.means
    # the guards benefit_computable and benefit_eligible ran before any effect
    assert means is not None and means.standard is not None and means.benefit is not None
    return means


def _breakdown_text(lines: tuple[Line, ...]) -> str:
    return json.dumps(
        [{**line.as_dict(), "amount_yuan": str(line.amount_yuan)} for line in lines],
        ensure_ascii=False,
    )


def _record(
    uow: UnitOfWork,
    case: Case,
    ctx: GuardContext,
    kind: BenefitKind,
    trigger: str,
    benefit: Benefit,
    means: MeansFacts,
    monthly: Decimal | None = None,
    lines: tuple[Line, ...] | None = None,
) -> BenefitDecision:
    """Store an amount on the case (the receipt goes into the audit entry)."""
    assert means.standard is not None
    amount = benefit.monthly_yuan if monthly is None else monthly
    row = BenefitDecision(
        case_id=case.id,
        kind=kind,
        trigger=trigger,
        decided_at=ctx.now,
        effective_month=first_of_next_month(ctx.today) if kind == BenefitKind.DECIDED else None,
        monthly_fen=yuan_to_fen(amount.quantize(Decimal("0.01"))),
        standard_id=means.standard.id,
        standard_fen=yuan_to_fen(benefit.standard_yuan),
        members=benefit.members,
        counted_income_fen=yuan_to_fen(benefit.counted_income_yuan.quantize(Decimal("0.01"))),
        base_fen=yuan_to_fen(benefit.base_yuan.quantize(Decimal("0.01"))),
        supplement_fen=yuan_to_fen(benefit.supplement_yuan.quantize(Decimal("0.01"))),
        breakdown=_breakdown_text(lines if lines is not None else benefit.breakdown),
    )
    uow.session.add(row)
    uow.session.flush()
    return row


def last_decision(uow: UnitOfWork, case: Case) -> BenefitDecision | None:
    """Return the case's latest decided amount."""
    return uow.session.scalar(
        select(BenefitDecision)
        .where(BenefitDecision.case_id == case.id, BenefitDecision.kind == BenefitKind.DECIDED)
        .order_by(BenefitDecision.id.desc())
        .limit(1)
    )


def _schedule_recheck(case: Case, ctx: GuardContext, means: MeansFacts) -> dict[str, Any]:
    """Set the next periodic recheck from the household profile (Art. 31)."""
    plan = means.recheck
    case.recheck_interval_months = plan.months
    case.next_recheck_on = add_months(ctx.today, plan.months)
    return {
        "next_recheck_on": case.next_recheck_on,
        "months": plan.months,
        "unstable": plan.unstable,
        "reason": plan.reason_zh,
    }


def _decide(uow: UnitOfWork, case: Case, ctx: GuardContext, trigger: str) -> dict[str, Any]:
    means = _means(ctx)
    assert means.benefit is not None
    row = _record(uow, case, ctx, BenefitKind.DECIDED, trigger, means.benefit, means)
    return {
        "benefit": {
            **means.receipt(),
            "decision_id": row.id,
            "effective_month": row.effective_month,
        },
        "recheck": _schedule_recheck(case, ctx, means),
    }


@effect("propose")
def _propose(uow: UnitOfWork, case: Case, ctx: GuardContext, reason: str) -> Mapping[str, Any]:
    """The township's initial review proposes an amount (Art. 18)."""
    means = _means(ctx)
    assert means.benefit is not None
    row = _record(uow, case, ctx, BenefitKind.PROPOSED, "propose", means.benefit, means)
    return {"benefit": {**means.receipt(), "decision_id": row.id}}


@effect("approve")
def _approve(uow: UnitOfWork, case: Case, ctx: GuardContext, reason: str) -> Mapping[str, Any]:
    """The county fixes the amount, paid from the next month (Art. 20-21)."""
    return _decide(uow, case, ctx, "approve")


@effect("adjust")
def _adjust(uow: UnitOfWork, case: Case, ctx: GuardContext, reason: str) -> Mapping[str, Any]:
    """A recheck found a material change: the amount is recomputed (Art. 31-32); money wrongly
    received may be ordered back with it (2022 notice §5(五))."""
    return {
        **_decide(uow, case, ctx, "adjust"),
        **order_recovery(uow, case, ctx.actor, "adjust", ctx.data),
    }


@effect("terminate")
def _terminate(uow: UnitOfWork, case: Case, ctx: GuardContext, reason: str) -> Mapping[str, Any]:
    """The benefit ends; money obtained by concealment may be ordered back with it."""
    return order_recovery(uow, case, ctx.actor, "terminate", ctx.data)


@effect("sanction_work_refusal")
def _sanction(uow: UnitOfWork, case: Case, ctx: GuardContext, reason: str) -> Mapping[str, Any]:
    """Stop the member's own share and decide the household's new amount (Art. 34)."""
    number = str(ctx.data["member"]).strip().upper()
    member = current_member(
        uow.session, case, number, ctx.today, field="data.member", code="not_a_member"
    )
    if member.work_sanctioned_at is not None:
        raise Conflict(
            "该成员的保障金已停发", "the member's share is stopped already", code="sanctioned"
        )
    member.work_sanctioned_at = ctx.now
    uow.session.flush()
    means = load_means(uow.session, case, ctx.today)
    assert means.benefit is not None
    row = _record(
        uow, case, ctx, BenefitKind.DECIDED, "sanction_work_refusal", means.benefit, means
    )
    return {
        "sanctioned_member": mask_id_number(number),
        "consecutive_refusals": ctx.facts.work_refusals.get(number, 0),
        "benefit": {
            **means.receipt(),
            "decision_id": row.id,
            "effective_month": row.effective_month,
        },
    }


@effect("lift_work_refusal_sanction")
def _lift_sanction(
    uow: UnitOfWork, case: Case, ctx: GuardContext, reason: str
) -> Mapping[str, Any]:
    """Pay a sanctioned member's own share again and decide the household's new amount."""
    number = str(ctx.data.get("member", "")).strip().upper()
    member = current_member(
        uow.session, case, number, ctx.today, field="data.member", code="not_a_member"
    )
    if member.work_sanctioned_at is None:
        raise Conflict(
            "该成员的保障金未被停发",
            "the member's share is not stopped",
            code="not_sanctioned",
        )
    stopped_since = member.work_sanctioned_at
    member.work_sanctioned_at = None
    uow.session.flush()
    means = load_means(uow.session, case, ctx.today)
    assert means.benefit is not None
    row = _record(
        uow, case, ctx, BenefitKind.DECIDED, "lift_work_refusal_sanction", means.benefit, means
    )
    return {
        "member": mask_id_number(number),
        "stopped_since": stopped_since,
        "benefit": {
            **means.receipt(),
            "decision_id": row.id,
            "effective_month": row.effective_month,
        },
    }


@effect("resume")
def _resume(uow: UnitOfWork, case: Case, ctx: GuardContext, reason: str) -> Mapping[str, Any]:
    """Income fell again during phase-out: full assistance resumes at a recomputed amount."""
    return _decide(uow, case, ctx, "resume")


@effect("confirm_unchanged")
def _unchanged(uow: UnitOfWork, case: Case, ctx: GuardContext, reason: str) -> Mapping[str, Any]:
    """No material change, no change of amount; the next recheck is scheduled (Art. 31)."""
    means = ctx.facts.means
    last = last_decision(uow, case)
    out: dict[str, Any] = {
        "amount_unchanged": {
            "decision_id": last.id if last else None,
            "monthly_yuan": last.monthly_yuan if last else None,
        }
    }
    if means is not None:
        out["recheck"] = _schedule_recheck(case, ctx, means)
    return out


@effect("start_phase_out")
def _phase_out(uow: UnitOfWork, case: Case, ctx: GuardContext, reason: str) -> Mapping[str, Any]:
    """Employment lifted income above the standard: pay on for a while (2022 notice)."""
    means = _means(ctx)
    assert means.benefit is not None
    params = means.parameters
    months = int(params.decimal("phase_out_months"))
    rule = str(params["phase_out_amount"])
    last = last_decision(uow, case)
    last_amount = last.monthly_yuan if last else fen_to_yuan(0)
    amount = phase_out_amount(last_amount, rule, str(params["rounding"]))
    line = Line("phase_out", f"渐退期保障金（{rule}，{months}个月）", amount)
    row = _record(
        uow,
        case,
        ctx,
        BenefitKind.DECIDED,
        "start_phase_out",
        means.benefit,
        means,
        monthly=amount,
        lines=(line,),
    )
    case.next_recheck_on = None
    return {
        "phase_out": {
            "months": months,
            "amount_rule": rule,
            "previous_monthly_yuan": last_amount,
            "monthly_yuan": amount,
            "decision_id": row.id,
            "parameters": {
                "phase_out_months": params.versions["phase_out_months"].as_payload(),
                "phase_out_amount": params.versions["phase_out_amount"].as_payload(),
            },
            "per_capita_income_yuan": means.benefit.per_capita_income_yuan,
            "standard_yuan": means.benefit.standard_yuan,
        }
    }


#: the draw's resolution: a millionth, as printed in the audit entry
DRAW_SCALE = 10**6


def sampling_draw() -> Decimal:
    """A fresh random draw in [0, 1) for the county's own check (TK Art. 16).

    Drawn from the operating system's generator when the file reaches the county, so
    that nobody can know at submission whether a case will be checked; the draw is
    recorded in the audit entry, where anyone can see that it decided the case.
    """
    return Decimal(secrets.randbelow(DRAW_SCALE)) / DRAW_SCALE


def _sample(uow: UnitOfWork, case: Case, ctx: GuardContext, reason: str) -> Mapping[str, Any]:
    """The file goes to the county, which draws whether to check it itself (TK Art. 16)."""
    means = ctx.facts.means
    if means is None:
        return {}
    name = "tekun_sampling_ratio" if case.category == Category.TEKUN else "dibao_sampling_ratio"
    ratio = means.parameters.decimal(name)
    draw = sampling_draw()
    case.sampled_for_county_check = draw < ratio
    return {
        "sampling": {
            "parameter": name,
            "ratio": ratio,
            "draw": draw,
            "sampled": case.sampled_for_county_check,
            "version": means.parameters.versions[name].as_payload(),
        }
    }


for _trigger in ("close_notice", "refer_to_county"):
    effect(_trigger)(_sample)


@effect("extend_deadline")
def _extend(uow: UnitOfWork, case: Case, ctx: GuardContext, reason: str) -> Mapping[str, Any]:
    """Record the ground on which the case may take 45 working days (Art. 22)."""
    case.extension_ground = str(ctx.data["ground"])
    return {"extension_ground": case.extension_ground}
