"""A monitoring warning's state: locked for its follow-up, and marked handled in the county's
monitoring ledger (shared by the follow-ups and by the application a referral opens)."""

from __future__ import annotations

from engine.access import county_of, ensure_in_region, ensure_role
from engine.clock import local_date
from engine.errors import Conflict, NotFound
from engine.models import MonitoringWarning
from engine.ports import Actor, LedgerEvent
from engine.states import Role
from engine.uow import UnitOfWork

#: who follows warnings up: the coordinator of the village and the staff above them
FOLLOWERS = frozenset({Role.CLERK, Role.REVIEWER, Role.APPROVER, Role.COORDINATOR})


def ledger(county: str) -> str:
    """The county's monitoring ledger."""
    return f"monitoring:{county}"


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
