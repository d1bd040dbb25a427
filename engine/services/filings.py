"""Kinship filing (近亲属备案): a flagged case is recorded in the separate register."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from engine.access import ensure_role
from engine.errors import Conflict, invalid_field, raise_invalid
from engine.models import KinshipFiling, KinshipFlag
from engine.ports import Actor
from engine.services.workflow_step import CaseRef, locked_case, record_case_event
from engine.states import FINAL_STATES, Role
from engine.uow import UnitOfWork

FILING_ROLES = frozenset({Role.CLERK, Role.REVIEWER})
MAX_NOTE = 2000


@dataclass(frozen=True)
class FilingRef:
    """The filing and the case's new version."""

    id: int
    case: CaseRef


def file_kinship(
    uow: UnitOfWork, actor: Actor, case_id: int, note: str, expected_version: int | None = None
) -> FilingRef:
    """Record the filing of a kinship-flagged case; its notice cannot close without one."""
    ensure_role(actor, FILING_ROLES, "办理近亲属备案", "file kinship cases")
    if not note.strip() or len(note) > MAX_NOTE:
        raise_invalid(
            [
                invalid_field(
                    "note",
                    f"备案说明不能为空且不超过{MAX_NOTE}字",
                    f"note: 1-{MAX_NOTE} characters",
                )
            ]
        )
    with locked_case(uow, case_id, actor, "file_kinship", expected_version) as case:
        session = uow.session
        if case.state in FINAL_STATES:
            raise Conflict("案件已结束", "the case has ended", code="invalid_state")
        flags = (
            session.scalar(
                select(func.count())
                .select_from(KinshipFlag)
                .where(KinshipFlag.case_id == case.id, KinshipFlag.vanished_at.is_(None))
            )
            or 0
        )
        if not flags:
            raise Conflict(
                "本案没有近亲属关联，无需备案",
                "the case has no kinship flag to file",
                code="no_kinship_flag",
            )
        filing = KinshipFiling(
            case_id=case.id, filed_by_id=actor.user_id, filed_at=uow.clock.now(), note=note.strip()
        )
        session.add(filing)
        session.flush()
        record_case_event(
            uow,
            case,
            actor,
            "kinship_filing",
            {"filing_id": filing.id, "flags": flags},
            reason=filing.note,
        )
        uow.commit()
        return FilingRef(filing.id, CaseRef(case.id, str(case.state), case.version))
