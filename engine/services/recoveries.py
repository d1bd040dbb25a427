"""Money obtained by concealment, ordered back, and what is repaid (2022 notice §5(五)).

When a recheck or a report finds concealed income or false statements, the
county terminates or adjusts the benefit and, in the same decision, orders the
money wrongly received paid back (``data.recovery_yuan`` and ``data.finding``
on ``terminate`` or ``adjust``; 《社会救助暂行办法》 Art. 68). The order can
never exceed what the rolls paid the case. Repayments are recorded against the
order; both go into the case's trail and the county's ``payments:`` ledger,
beside the payment rolls, so that the ledger shows what is owed and repaid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select

from engine.access import county_of, ensure_role
from engine.calendar import first_of_next_month
from engine.clock import local_date
from engine.errors import Conflict, NotFound, invalid_field, raise_invalid
from engine.inputs import free_text_problem
from engine.models import Case, Recovery, Repayment, fen_to_yuan, yuan_to_fen
from engine.ports import Actor, LedgerEvent
from engine.services.payments import paid_to_date
from engine.services.workflow_step import CaseRef, locked_case, record_case_event
from engine.states import Role
from engine.uow import UnitOfWork

RECOVERY_ROLES = frozenset({Role.APPROVER})
MAX_TEXT = 2000
CENT = Decimal("0.01")


@dataclass(frozen=True)
class RepaymentRef:
    """The repayment and the case's new version."""

    id: int
    case: CaseRef


def _amount(value: object, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = Decimal(-1)
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise_invalid(
            [invalid_field(field, "金额须为大于0的元数（至多两位小数）", "a yuan amount above 0")]
        )
    return amount


def _text(value: object, field: str) -> str:
    problem = free_text_problem(value, field, MAX_TEXT, required=True)
    raise_invalid([problem] if problem is not None else [])
    return str(value).strip()


def order_recovery(
    uow: UnitOfWork, case: Case, actor: Actor, trigger: str, data: Mapping[str, Any]
) -> dict[str, Any]:
    """Record the recovery a terminate or adjust decision orders, if it orders one."""
    if "recovery_yuan" not in data:
        return {}
    amount = _amount(data["recovery_yuan"], "data.recovery_yuan")
    finding = _text(data.get("finding"), "data.finding")
    today = local_date(uow.clock.now(), uow.clock.tz)
    # this month's payment included: its roll may be out already
    paid = paid_to_date(uow.session, case, first_of_next_month(today), uow.clock.tz)
    already = _owed_before(uow, case)
    if amount + already > paid:
        raise_invalid(
            [
                invalid_field(
                    "data.recovery_yuan",
                    f"追回金额{amount}元（已责令退回{already}元）超过已发放的{paid}元"
                    "（民发〔2022〕83号第五条第（五）项）",
                    f"the recovery {amount} (with {already} already ordered) exceeds the "
                    f"{paid} yuan paid (2022 notice §5(5))",
                    code="recovery_above_paid",
                )
            ]
        )
    row = Recovery(
        case_id=case.id,
        trigger=trigger,
        owed_fen=yuan_to_fen(amount),
        finding=finding,
        ordered_by_id=actor.user_id,
        ordered_at=uow.clock.now(),
    )
    uow.session.add(row)
    uow.session.flush()
    _ledger(uow, case, actor, "recovery_ordered", {"recovery_id": row.id, "owed_yuan": amount})
    return {"recovery": {"id": row.id, "owed_yuan": amount, "paid_yuan": paid, "finding": finding}}


def _owed_before(uow: UnitOfWork, case: Case) -> Decimal:
    owed = uow.session.scalar(
        select(func.coalesce(func.sum(Recovery.owed_fen), 0)).where(Recovery.case_id == case.id)
    )
    return fen_to_yuan(int(owed or 0))


def _ledger(
    uow: UnitOfWork, case: Case, actor: Actor, event: str, payload: Mapping[str, Any]
) -> None:
    uow.audit.record(
        uow.session,
        f"payments:{county_of(case.village_code)}",
        LedgerEvent(
            event=event,
            actor=actor,
            at=uow.clock.now(),
            payload={"case_id": case.id, **payload},
        ),
    )


def repaid(uow: UnitOfWork, recovery_id: int) -> Decimal:
    """What has been repaid against a recovery order."""
    total = uow.session.scalar(
        select(func.coalesce(func.sum(Repayment.amount_fen), 0)).where(
            Repayment.recovery_id == recovery_id
        )
    )
    return fen_to_yuan(int(total or 0))


def record_repayment(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    recovery_id: int,
    amount_yuan: object,
    paid_on: dt.date,
    note: str = "",
    expected_version: int | None = None,
) -> RepaymentRef:
    """Record money paid back against a recovery order; never more than is still owed."""
    ensure_role(actor, RECOVERY_ROLES, "登记退回款", "record repayments")
    amount = _amount(amount_yuan, "amount_yuan")
    if note:
        _text(note, "note")
    with locked_case(uow, case_id, actor, "record_repayment", expected_version) as case:
        order = uow.session.get(Recovery, recovery_id)
        if order is None or order.case_id != case.id:
            raise NotFound(
                f"案件{case.id}没有追回决定{recovery_id}",
                f"case {case.id} has no recovery order {recovery_id}",
            )
        today = local_date(uow.clock.now(), uow.clock.tz)
        if paid_on > today or paid_on < local_date(order.ordered_at, uow.clock.tz):
            raise_invalid(
                [
                    invalid_field(
                        "paid_on",
                        "退回日期须在责令退回之后、今天或之前",
                        "paid_on must lie between the order and today",
                    )
                ]
            )
        outstanding = order.owed_yuan - repaid(uow, order.id)
        if amount > outstanding:
            raise Conflict(
                f"退回{amount}元超过尚欠的{outstanding}元",
                f"the repayment {amount} exceeds the {outstanding} still owed",
                code="repayment_above_owed",
            )
        row = Repayment(
            recovery_id=order.id,
            amount_fen=yuan_to_fen(amount),
            paid_on=paid_on,
            note=note.strip(),
            recorded_by_id=actor.user_id,
            recorded_at=uow.clock.now(),
        )
        uow.session.add(row)
        uow.session.flush()
        left = outstanding - amount
        payload = {"recovery_id": order.id, "repaid_yuan": amount, "outstanding_yuan": left}
        _ledger(uow, case, actor, "repayment", {**payload, "paid_on": paid_on})
        record_case_event(
            uow, case, actor, "record_repayment", {**payload, "paid_on": paid_on, "note": row.note}
        )
        uow.commit()
        return RepaymentRef(row.id, CaseRef(case.id, str(case.state), case.version))
