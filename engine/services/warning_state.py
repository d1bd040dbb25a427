"""A monitoring warning's state: raised (by a signal or another department's record), locked
for its follow-up, and marked handled, each in the county's monitoring ledger (shared by the
signals, the information checks, the follow-ups and the application a referral opens)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from engine.access import county_of, ensure_in_region, ensure_role
from engine.clock import local_date
from engine.errors import Conflict, NotFound
from engine.identity import mask_id_number
from engine.models import MonitoredPerson, MonitoringWarning
from engine.ports import Actor, LedgerEvent
from engine.states import Role
from engine.uow import UnitOfWork

#: who follows warnings up: the coordinator of the village and the staff above them
FOLLOWERS = frozenset({Role.CLERK, Role.REVIEWER, Role.APPROVER, Role.COORDINATOR})


def ledger(county: str) -> str:
    """The county's monitoring ledger."""
    return f"monitoring:{county}"


def raise_warning(
    uow: UnitOfWork,
    actor: Actor,
    monitored: MonitoredPerson,
    id_number: str,
    *,
    signal: str,
    signal_on: dt.date,
    detail: str,
    follow_up_days: int,
    reason: str,
    amount_fen: int | None = None,
    payload: Mapping[str, Any] | None = None,
) -> MonitoringWarning:
    """Open a warning about a monitored person, due ``follow_up_days`` from today, and write
    it in the county's monitoring ledger (``payload``: what else the entry records)."""
    session, now = uow.session, uow.clock.now()
    warning = MonitoringWarning(
        monitored_id=monitored.id,
        village_code=monitored.village_code,
        signal=signal,
        signal_on=signal_on,
        detail=detail,
        amount_fen=amount_fen,
        raised_by_id=actor.user_id,
        raised_at=now,
        due_on=local_date(now, uow.clock.tz) + dt.timedelta(days=follow_up_days),
        status="open",
    )
    session.add(warning)
    session.flush()
    uow.audit.record(
        session,
        ledger(county_of(monitored.village_code)),
        LedgerEvent(
            event="warning_raised",
            actor=actor,
            at=now,
            reason=reason,
            payload={
                "warning_id": warning.id,
                "person": mask_id_number(id_number),
                "signal": signal,
                **(payload or {}),
                "due_on": warning.due_on,
            },
        ),
    )
    return warning


def locked_warning(uow: UnitOfWork, actor: Actor, warning_id: int) -> MonitoringWarning:
    """The open warning, locked, if the actor may follow it up."""
    ensure_role(actor, FOLLOWERS, "处置监测预警", "follow up monitoring warnings")
    warning = uow.session.get(
        MonitoringWarning, warning_id, with_for_update=True, populate_existing=True
    )
    if warning is None:
        raise NotFound(
            f"预警{warning_id}不存在", f"warning {warning_id} does not exist", code="not_found"
        )
    ensure_in_region(actor, warning.village_code)
    if warning.status != "open":
        raise Conflict(
            "该预警已处置", "the warning has been followed up already", code="already_handled"
        )
    return warning


def handled(
    uow: UnitOfWork,
    actor: Actor,
    warning: MonitoringWarning,
    outcome: str,
    note: str,
    **extra: object,
) -> None:
    """Mark the warning followed up and write it in the county's monitoring ledger."""
    now = uow.clock.now()
    warning.status = outcome
    warning.handled_by_id = actor.user_id
    warning.handled_at = now
    warning.outcome_note = note
    uow.audit.record(
        uow.session,
        ledger(county_of(warning.village_code)),
        LedgerEvent(
            event=f"warning_{outcome}",
            actor=actor,
            at=now,
            reason=note,
            payload={
                "warning_id": warning.id,
                "due_on": warning.due_on,
                "late": local_date(now, uow.clock.tz) > warning.due_on,
                **extra,
            },
        ),
    )
