"""Editing a draft application (草稿) before it is submitted.

A draft is an application the clerk has registered but not yet submitted. Its
household, members and means may be corrected as often as needed; each save
is one audited ``update_draft`` entry holding the whole application as it now
stands, in the same transaction as the change, and may submit the case too.
"""

from __future__ import annotations

from sqlalchemy import select, update

from engine.access import ensure_in_region, ensure_role
from engine.clock import local_date
from engine.errors import Conflict, raise_invalid
from engine.identity import mask_id_number
from engine.models import AreaType, Case, CaseClaim, Category, Household
from engine.ports import Actor
from engine.services.applications import Application, validate_application
from engine.services.cases import (
    APPLICATION_ROLES,
    _application_payload,
    _set_members,
    _set_profile,
    _village,
    ensure_unclaimed,
    find_or_register_persons,
)
from engine.services.identity_checks import NameMismatchElsewhere, record_name_mismatch
from engine.services.workflow_step import (
    CaseRef,
    ensure_not_recused,
    fire_on,
    locked_case,
    record_case_event,
)
from engine.states import RULES, STATE_LABELS, CaseState
from engine.uow import UnitOfWork

#: why a member removed from a draft left the household
REMOVED_FROM_DRAFT = "removed from the draft application"


def update_draft(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    app: Application,
    expected_version: int | None = None,
) -> CaseRef:
    """Replace a draft's application and, unless ``app.draft``, submit it (clerk).

    The household's members and means become exactly those of ``app``; members
    added are claimed by the case (409 when in another open case), members
    removed are released. Anything refused writes nothing.
    """
    ensure_role(actor, APPLICATION_ROLES, "修改申请草稿", "edit draft applications")
    raise_invalid(validate_application(app, local_date(uow.clock.now(), uow.clock.tz)))
    try:
        return _update(uow, actor, case_id, app, expected_version)
    except NameMismatchElsewhere as err:
        record_name_mismatch(uow, actor, err, "update_draft")
        raise


def _ensure_draft(case: Case) -> None:
    if case.state != CaseState.DRAFT:
        label = STATE_LABELS[CaseState(case.state)][0]
        raise Conflict(
            f"案件当前状态为“{label}”，只有草稿可以修改；已提交的申请请登记家庭情况变化",
            f"only a draft can be edited; the case is {str(case.state)!r}",
            code="not_a_draft",
        )


def _update(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    app: Application,
    expected_version: int | None,
) -> CaseRef:
    with locked_case(uow, case_id, actor, "update_draft", expected_version) as case:
        _ensure_draft(case)
        session = uow.session
        now = uow.clock.now()
        today = local_date(now, uow.clock.tz)
        village = _village(session, app.village_code)
        ensure_in_region(actor, village.code)
        if app.area_type:
            area_type = AreaType(app.area_type)
        else:
            area_type = case.area_type if village.code == case.village_code else village.area_type
        persons = find_or_register_persons(uow, actor, app.members, today, now)
        claimed = set(
            session.scalars(
                select(CaseClaim.person_id).where(
                    CaseClaim.case_id == case.id, CaseClaim.released_at.is_(None)
                )
            )
        )
        wanted = {p.id for p in persons}
        ensure_unclaimed(session, [p for p in persons if p.id not in claimed], actor)
        household = session.get(Household, case.household_id)
        assert household is not None
        household.village_code = village.code
        household.area_type = area_type
        _set_profile(household, app)
        cover_applicant = app.category == Category.SINGLE_PERSON and not any(
            m.covered for m in app.members
        )
        _set_members(
            session, household, app.members, persons, now, cover_applicant, REMOVED_FROM_DRAFT
        )
        removed = claimed - wanted
        if removed:
            session.execute(
                update(CaseClaim)
                .where(
                    CaseClaim.case_id == case.id,
                    CaseClaim.person_id.in_(removed),
                    CaseClaim.released_at.is_(None),
                )
                .values(released_at=now)
            )
        session.add_all(
            CaseClaim(person_id=p.id, case_id=case.id, claimed_at=now)
            for p in persons
            if p.id not in claimed
        )
        case.category = Category(app.category)
        case.village_code = village.code
        case.area_type = area_type
        session.flush()
        # a member added may make the clerk a relative of the household (回避)
        ensure_not_recused(uow, case, actor, "update_draft")
        record_case_event(
            uow,
            case,
            actor,
            "update_draft",
            {
                "application": _application_payload(app, area_type),
                "members_added": sorted(
                    mask_id_number(p.id_number) for p in persons if p.id not in claimed
                ),
                "members_removed": len(removed),
            },
        )
        if not app.draft:
            fire_on(uow, case, RULES["submit"], actor, "", {})
        session.flush()
        uow.kinship.refresh_case(uow, case, actor)
        uow.commit()
        return CaseRef(case.id, str(case.state), case.version)
