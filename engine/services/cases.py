"""Use cases on a case: apply for assistance and advance through the lifecycle."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import county_of, covers, ensure_in_region, ensure_role
from engine.clock import local_date
from engine.errors import (
    Conflict,
    Forbidden,
    InvalidData,
    Problem,
    Recused,
    invalid_field,
    raise_invalid,
)
from engine.identity import mask_account, mask_id_number, parse_id_number
from engine.inputs import data_problems
from engine.models import (
    AreaType,
    Case,
    CaseClaim,
    Category,
    DisabilityType,
    Household,
    IncomeType,
    Member,
    MemberIncome,
    Person,
    Region,
    RegionLevel,
    Relation,
    yuan_to_fen,
)
from engine.ports import Actor, CaseEvent, LedgerEvent
from engine.services.applications import (
    CENT,
    Application,
    MemberInput,
    validate_application,
)
from engine.services.identity_checks import (
    NameMismatchElsewhere,
    ensure_name_tries_left,
    record_name_mismatch,
    registered_elsewhere,
)
from engine.services.warning_state import handled, locked_warning
from engine.services.workflow_step import (
    CaseRef,
    check_version,
    ensure_not_recused,
    fire_on,
    lock_case,
    record_case_event,
    refusals_recorded,
)
from engine.states import RULES, CaseState, Role
from engine.uow import UnitOfWork, db_conflicts
from engine.workflow import rule_for


def _village(session: Session, code: str) -> Region:
    region = session.get(Region, code)
    if region is None or region.level != RegionLevel.VILLAGE:
        raise_invalid(
            [
                invalid_field(
                    "village_code",
                    f"村（社区）代码{code}不存在",
                    f"no village with code {code}",
                )
            ]
        )
    assert region is not None
    return region


def find_or_register_persons(
    uow: UnitOfWork,
    actor: Actor,
    members: Sequence[MemberInput],
    today: dt.date,
    now: dt.datetime,
    where: str = "members.{}",
) -> list[Person]:
    """Find or register each member's person; a name must match the registered one.

    Names of people registered only in other regions are compared within the
    actor's daily allowance (``identity_checks``): a refusal is an answer.
    """
    session = uow.session
    numbers = [parse_id_number(m.id_number, today=today).number for m in members]
    existing = {
        p.id_number: p
        for p in session.scalars(select(Person).where(Person.id_number.in_(numbers))).all()
    }
    elsewhere = registered_elsewhere(session, [p.id for p in existing.values()], actor)
    if elsewhere:
        ensure_name_tries_left(uow, actor, now)
    problems: list[Problem] = []
    probed: list[str] = []
    persons: list[Person] = []
    for i, (number, m) in enumerate(zip(numbers, members, strict=True)):
        person = existing.get(number)
        if person is None:
            rid = parse_id_number(number, today=today)
            person = Person(
                id_number=number,
                name=m.name.strip(),
                birth_date=rid.birth_date,
                sex=str(rid.sex),
                created_at=now,
            )
            session.add(person)
        elif person.name != m.name.strip():
            problems.append(
                invalid_field(
                    f"{where.format(i)}.name",
                    "姓名与该身份证号码已登记的姓名不一致",
                    "name differs from the name registered for this ID number",
                    code="name_mismatch",
                )
            )
            if person.id in elsewhere:
                probed.append(number)
        persons.append(person)
    try:
        raise_invalid(problems)
    except InvalidData as err:
        if probed:
            raise NameMismatchElsewhere(err, probed) from None
        raise
    session.flush()
    return persons


def ensure_unclaimed(session: Session, persons: Sequence[Person], actor: Actor) -> None:
    """Refuse when a member is already in another open or enrolled case.

    The other case is named only when it lies in the actor's region: a clerk
    learns that a person is taken, not where another township handles them.
    """
    claims = session.execute(
        select(CaseClaim.case_id, Case.village_code, Person.id_number)
        .join(Person, Person.id == CaseClaim.person_id)
        .join(Case, Case.id == CaseClaim.case_id)
        .where(
            CaseClaim.person_id.in_([p.id for p in persons]),
            CaseClaim.released_at.is_(None),
        )
    ).all()
    if claims:
        raise Conflict(
            f"{len(claims)}名成员已在其他未结案件中，不能重复申请",
            f"{len(claims)} member(s) already in another open or active case",
            code="person_in_open_case",
            details=[
                {
                    "id_number": mask_id_number(number),
                    "case_id": case_id if covers(actor.region_code, village) else None,
                    "in_your_region": covers(actor.region_code, village),
                }
                for case_id, village, number in claims
            ],
        )


def _household_for(
    session: Session, applicant: Person, village: Region, area_type: AreaType, now: dt.datetime
) -> tuple[Household, int | None]:
    """Reuse the applicant's household (linking to its last case) or start a new one."""
    household = session.scalar(
        select(Household)
        .join(Member, Member.household_id == Household.id)
        .where(
            Member.person_id == applicant.id,
            Member.relation == Relation.SELF,
            Member.left_at.is_(None),
        )
        .order_by(Household.id.desc())
        .limit(1)
    )
    if household is None:
        household = Household(village_code=village.code, area_type=area_type, created_at=now)
        session.add(household)
        session.flush()
        return household, None
    household.village_code = village.code
    household.area_type = area_type
    previous = session.scalar(
        select(Case.id).where(Case.household_id == household.id).order_by(Case.id.desc()).limit(1)
    )
    return household, previous


def _set_members(
    session: Session,
    household: Household,
    members: Sequence[MemberInput],
    persons: Sequence[Person],
    now: dt.datetime,
    cover_applicant: bool = False,
    left_reason: str = "not listed in a new application",
) -> None:
    """Make the household's current members exactly those of the application."""
    current = {
        m.person_id: m
        for m in session.scalars(
            select(Member).where(Member.household_id == household.id, Member.left_at.is_(None))
        ).all()
    }
    wanted = {p.id for p in persons}
    for person_id, member in current.items():
        if person_id not in wanted:
            member.left_at = now
            member.left_reason = left_reason
    for m, person in zip(members, persons, strict=True):
        row = current.get(person.id)
        if row is None:
            row = Member(household_id=household.id, person_id=person.id, joined_at=now)
            session.add(row)
        fill_member(row, m, cover_applicant and m.relation == Relation.SELF)


def fill_member(row: Member, m: MemberInput, covered: bool = False) -> None:
    """Copy a member's relation, incomes, health and work capacity onto their row."""
    row.relation = Relation(m.relation)
    row.incomes = [
        MemberIncome(type=IncomeType(i.type), monthly_fen=yuan_to_fen(Decimal(i.monthly_yuan)))
        for i in m.income_items()
    ]
    row.covered = bool(m.covered) or covered
    row.disability_grade = m.disability_grade
    row.disability_type = DisabilityType(m.disability_type) if m.disability_type else None
    row.serious_illness = bool(m.serious_illness)
    row.able_to_work = bool(m.able_to_work)
    row.in_school = bool(m.in_school)


def _set_profile(household: Household, app: Application) -> None:
    """Record what the means test and the recheck interval need about the household."""
    household.income_stable = bool(app.income_stable)
    household.rigid_expenses_fen = yuan_to_fen(Decimal(app.rigid_expenses_yuan))
    if app.bank_account is not None:
        household.bank_account = app.bank_account
    if app.address is not None:
        household.address = app.address.strip() or None
    prop = app.property
    household.deposits_fen = (
        None if prop.deposits_yuan is None else yuan_to_fen(Decimal(prop.deposits_yuan))
    )
    household.vehicles = prop.vehicles
    household.extra_housing_units = prop.extra_housing_units
    household.tekun_supporter = app.tekun_supporter


def _application_payload(app: Application, area_type: AreaType) -> dict[str, Any]:
    return {
        "category": app.category,
        "tekun_supporter": app.tekun_supporter,
        "village_code": app.village_code,
        "area_type": area_type,
        "members": [
            {
                "id_number": m.id_number.strip().upper(),
                "name": m.name.strip(),
                "relation": m.relation,
                "incomes": [
                    {"type": i.type, "monthly_yuan": Decimal(i.monthly_yuan).quantize(CENT)}
                    for i in m.income_items()
                ],
                "disability_grade": m.disability_grade,
                "disability_type": m.disability_type,
                "serious_illness": bool(m.serious_illness),
                "able_to_work": bool(m.able_to_work),
                "in_school": bool(m.in_school),
                "covered": bool(m.covered),
            }
            for m in app.members
        ],
        "income_stable": app.income_stable,
        "rigid_expenses_yuan": Decimal(app.rigid_expenses_yuan).quantize(CENT),
        "bank_account": mask_account(app.bank_account) if app.bank_account else None,
        "address": app.address.strip() if app.address else None,
        "referral": app.referral.as_payload() if app.referral else None,
        "property": {
            "deposits_yuan": app.property.deposits_yuan,
            "vehicles": app.property.vehicles,
            "extra_housing_units": app.property.extra_housing_units,
        },
    }


#: who registers applications: the clerk, and the village coordinator on a household's
#: behalf (代办, as a draft)
APPLICATION_ROLES = frozenset({Role.CLERK, Role.COORDINATOR})


def _origin(actor: Actor, app: Application) -> str:
    """How the case came: a referral, a coordinator's outreach, or the household's own
    application at the office."""
    if app.referral is not None:
        return "referral"
    return "outreach" if actor.role == Role.COORDINATOR else "application"


def submit_application(uow: UnitOfWork, actor: Actor, app: Application) -> CaseRef:
    """Register a household's application and submit it (or keep it as a draft).

    Writes the household, its members, the case and its first audit entries
    ("create", then "submit") in one transaction.
    """
    ensure_role(actor, APPLICATION_ROLES, "登记申请", "register applications")
    if actor.role == Role.COORDINATOR and not app.draft:
        raise Forbidden(
            "救助协理员代办的申请保存为草稿，由乡镇受理员提交",
            "a coordinator registers an application as a draft for the township clerk to submit",
            code="coordinator_drafts_only",
        )
    try:
        return _submit(uow, actor, app)
    except NameMismatchElsewhere as err:
        record_name_mismatch(uow, actor, err, "submit_application")
        raise
    except Recused as err:
        # the case was rolled back: the refusal goes into the county's recusal ledger
        with uow.again() as second:
            second.audit.record(
                second.session,
                f"recusals:{county_of(app.village_code)}",
                LedgerEvent(
                    event="recusal_refused",
                    actor=actor,
                    at=second.clock.now(),
                    reason=err.message,
                    payload={
                        "attempted": "submit_application",
                        "village_code": app.village_code,
                        "applicant": mask_id_number(
                            next(m.id_number for m in app.members if m.relation == Relation.SELF)
                        ),
                        "problem": [p.as_dict() for p in err.problems],
                    },
                ),
            )
            second.commit()
        raise


def _submit(uow: UnitOfWork, actor: Actor, app: Application) -> CaseRef:
    with uow, db_conflicts():
        session = uow.session
        now = uow.clock.now()
        today = local_date(now, uow.clock.tz)
        problems = validate_application(app, today)
        raise_invalid(problems)
        village = _village(session, app.village_code)
        ensure_in_region(actor, village.code)
        area_type = AreaType(app.area_type) if app.area_type else village.area_type

        persons = find_or_register_persons(uow, actor, app.members, today, now)
        ensure_unclaimed(session, persons, actor)
        applicant = next(
            p for p, m in zip(persons, app.members, strict=True) if m.relation == Relation.SELF
        )
        household, previous = _household_for(session, applicant, village, area_type, now)
        _set_profile(household, app)
        cover_applicant = app.category == Category.SINGLE_PERSON and not any(
            m.covered for m in app.members
        )
        _set_members(session, household, app.members, persons, now, cover_applicant)

        case = Case(
            household_id=household.id,
            category=Category(app.category),
            state=CaseState.DRAFT,
            version=1,
            village_code=village.code,
            area_type=area_type,
            previous_case_id=previous,
            created_by_id=actor.user_id,
            origin=_origin(actor, app),
            chain_seq=0,
            created_at=now,
            updated_at=now,
        )
        session.add(case)
        session.flush()
        session.add_all(CaseClaim(person_id=p.id, case_id=case.id, claimed_at=now) for p in persons)
        uow.audit.append(
            session,
            case,
            CaseEvent(
                trigger="create",
                from_state=None,
                to_state=CaseState.DRAFT,
                actor=actor,
                at=now,
                payload={
                    "application": _application_payload(app, area_type),
                    "origin": case.origin,
                    "household_id": household.id,
                    "previous_case_id": previous,
                },
            ),
        )
        if app.referral is not None and app.referral.source_case_id is not None:
            # the source case's trail names the application it was handed off to
            source = lock_case(session, app.referral.source_case_id)
            record_case_event(
                uow,
                source,
                actor,
                "hand_off",
                {"to_case_id": case.id, "category": app.category, "kind": app.referral.kind},
                reason=app.referral.note,
            )
        if app.referral is not None and app.referral.warning_id is not None:
            # the monitoring warning this application follows up is handled with it
            warning = locked_warning(uow, actor, app.referral.warning_id)
            warning.case_id = case.id
            handled(uow, actor, warning, "referred", app.referral.note, case_id=case.id)
        if app.draft:
            ensure_not_recused(uow, case, actor, "create")
        else:
            fire_on(uow, case, RULES["submit"], actor, "", {})
        session.flush()
        uow.kinship.refresh_case(uow, case, actor)
        uow.commit()
        return CaseRef(case.id, str(case.state), case.version)


def advance(
    uow: UnitOfWork,
    case_id: int,
    trigger: str,
    actor: Actor,
    reason: str = "",
    data: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> CaseRef:
    """Fire ``trigger`` on the case as ``actor``: lock, check, fire, audit, commit.

    Raises NotFound, Forbidden (role, region), Conflict (state, version),
    InvalidData (reason, data) or GuardFailed (every failed guard); on any
    error nothing is written.
    """
    rule = rule_for(trigger)
    if data is not None and not isinstance(data, Mapping):
        raise InvalidData(
            "data 必须是对象",
            "data must be an object",
            problems=[invalid_field("data", "data 必须是对象", "data must be a JSON object")],
        )
    # what goes into the append-only trail must stay readable for ever
    raise_invalid(data_problems(data or {}))
    with refusals_recorded(uow, case_id, actor), uow, db_conflicts():
        case = lock_case(uow.session, case_id)
        check_version(case, expected_version)
        fire_on(uow, case, rule, actor, reason or "", data or {})
        uow.commit()
        return CaseRef(case.id, str(case.state), case.version)
