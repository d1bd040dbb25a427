"""Recording household investigations (家庭经济状况调查, Art. 15-17)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import STAFF_ROLES, covers, ensure_role
from engine.attachments import Attachment, Upload, check_uploads, kept_on_commit
from engine.clock import local_date
from engine.errors import Conflict, Problem, Recused, invalid_field, raise_invalid
from engine.models import (
    Case,
    Investigation,
    InvestigationAttachment,
    InvestigationInvestigator,
    InvestigationLevel,
    InvestigationMethod,
    InvestigationPresence,
    Member,
    Region,
    RegionLevel,
    User,
)
from engine.ports import Actor, AttachmentStore
from engine.services.workflow_step import CaseRef, locked_case, record_case_event
from engine.states import STATE_LABELS, CaseState
from engine.uow import UnitOfWork

MAX_FINDINGS_CHARS = 10_000

#: where each level of investigation may be recorded
INVESTIGATION_STATES: dict[InvestigationLevel, frozenset[CaseState]] = {
    # the township investigates the application, and again at each recheck
    InvestigationLevel.TOWNSHIP: frozenset({CaseState.INVESTIGATING, CaseState.UNDER_RECHECK}),
    # the county checks on its own until it decides (Art. 20), at rechecks, and on an
    # objection to a tekun termination notice (TK Art. 26)
    InvestigationLevel.COUNTY: frozenset(
        {
            CaseState.INVESTIGATING,
            CaseState.INITIAL_REVIEWED,
            CaseState.IN_PUBLIC_NOTICE,
            CaseState.PENDING_CONFIRMATION,
            CaseState.UNDER_RECHECK,
            CaseState.TERMINATION_NOTICE,
        }
    ),
}


@dataclass(frozen=True)
class InvestigationInput:
    """An investigation as the recording officer enters it."""

    date: dt.date
    method: str
    investigators: Sequence[str]
    findings: str
    level: str = InvestigationLevel.TOWNSHIP.value
    #: the household's current members who were present (their member ids)
    present: Sequence[int] = ()
    #: photos or scans of signed forms and papers seen (JPEG, PNG or PDF)
    attachments: Sequence[Upload] = ()


@dataclass(frozen=True)
class InvestigationRef:
    """The recorded investigation and the case's new version."""

    id: int
    case: CaseRef


def _field_problems(inv: InvestigationInput, min_investigators: int) -> list[Problem]:
    problems: list[Problem] = []
    if inv.level not in [lv.value for lv in InvestigationLevel]:
        problems.append(
            invalid_field("level", "调查层级须为 township 或 county", "level: township or county")
        )
    methods = [m.value for m in InvestigationMethod]
    if inv.method not in methods:
        problems.append(
            invalid_field(
                "method",
                f"调查方式无效，可选：{'、'.join(methods)}",
                f"invalid method; expected one of: {', '.join(methods)}",
            )
        )
    if not inv.findings.strip() or len(inv.findings) > MAX_FINDINGS_CHARS:
        problems.append(
            invalid_field(
                "findings",
                f"调查结论不能为空且不超过{MAX_FINDINGS_CHARS}字",
                f"findings must be 1-{MAX_FINDINGS_CHARS} characters",
            )
        )
    names = [n.strip() for n in inv.investigators]
    if len(set(names)) != len(names):
        problems.append(
            invalid_field("investigators", "调查人员重复", "investigators are listed twice")
        )
    if len(set(names)) < min_investigators:
        problems.append(
            invalid_field(
                "investigators",
                f"调查人员不少于{min_investigators}人（《最低生活保障审核确认办法》第十六条）",
                f"at least {min_investigators} distinct investigators are required (Art. 16)",
                code="too_few_investigators",
            )
        )
    return problems


def _investigators(
    session: Session, case: Case, names: Sequence[str], level: InvestigationLevel
) -> list[User]:
    """Resolve usernames to active staff who may investigate this case at this level."""
    users = {
        u.username: u
        for u in session.scalars(select(User).where(User.username.in_(list(names)))).all()
    }
    county_codes = set(
        session.scalars(select(Region.code).where(Region.level == RegionLevel.COUNTY)).all()
    )
    problems: list[Problem] = []
    found: list[User] = []
    for i, name in enumerate(names):
        user = users.get(name)
        where = f"investigators.{i}"
        if user is None or not user.active:
            problems.append(
                invalid_field(where, f"用户{name}不存在或已停用", f"no active user {name!r}")
            )
            continue
        if user.role not in STAFF_ROLES:
            problems.append(
                invalid_field(
                    where,
                    f"用户{name}不是经办人员，不能作为调查人员",
                    f"user {name!r} is not case staff and cannot investigate",
                )
            )
        elif not covers(user.region_code, case.village_code):
            problems.append(
                invalid_field(
                    where,
                    f"用户{name}的辖区不包含该案件",
                    f"user {name!r} works outside the case's region",
                )
            )
        elif level == InvestigationLevel.COUNTY and user.region_code not in county_codes:
            problems.append(
                invalid_field(
                    where,
                    f"县级调查须由县级人员进行，用户{name}不是县级人员",
                    f"a county investigation needs county staff; {name!r} is not",
                )
            )
        found.append(user)
    raise_invalid(problems)
    return found


def _present(session: Session, case: Case, member_ids: Sequence[int]) -> list[int]:
    """The ids of the members present, each one of the household's current members."""
    current = set(
        session.scalars(
            select(Member.id).where(
                Member.household_id == case.household_id, Member.left_at.is_(None)
            )
        ).all()
    )
    raise_invalid(
        [
            invalid_field(
                f"present.{i}",
                "在场人员须为该户现有家庭成员",
                "a member present must be one of the household's current members",
                code="not_a_member",
            )
            for i, member_id in enumerate(member_ids)
            if member_id not in current
        ]
    )
    return sorted(set(member_ids))


def record_investigation(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    inv: InvestigationInput,
    expected_version: int | None = None,
    store: AttachmentStore | None = None,
) -> InvestigationRef:
    """Record an investigation of the case, who of the household was present and the files
    attached, and audit it; ``store`` keeps the files once the record commits."""
    ensure_role(actor, STAFF_ROLES, "记录调查", "record investigations")
    files = check_uploads(inv.attachments)
    if files and store is None:
        raise RuntimeError("attachments need a store to keep them in")
    with locked_case(uow, case_id, actor, "record_investigation", expected_version) as case:
        session = uow.session
        now = uow.clock.now()
        today = local_date(now, uow.clock.tz)
        raise_invalid(_field_problems(inv, uow.rules.value("min_investigators", today)))
        level = InvestigationLevel(inv.level)
        if case.state not in INVESTIGATION_STATES[level]:
            label = STATE_LABELS[CaseState(case.state)][0]
            raise Conflict(
                f"案件当前状态为“{label}”，不能记录{'县级' if level == 'county' else '乡镇级'}调查",
                f"cannot record a {level} investigation in state {str(case.state)!r}",
                code="invalid_state",
                details={"state": str(case.state), "level": str(level)},
            )
        started = case.submitted_at or case.created_at
        if inv.date > today or inv.date < local_date(started, uow.clock.tz):
            raise_invalid(
                [
                    invalid_field(
                        "date",
                        "调查日期须在申请提交之后、今天或之前",
                        "date must lie between the application's submission and today",
                    )
                ]
            )
        users = _investigators(session, case, [n.strip() for n in inv.investigators], level)
        present = _present(session, case, inv.present)
        for user in users:  # nobody related to the household may be assigned to it
            problem = uow.kinship.recusal(session, case, user.person_id, today)
            if problem is not None:
                raise Recused(
                    f"调查人员{user.username}须回避：{problem.message}",
                    f"investigator {user.username} must recuse themself: {problem.message_en}",
                    problems=[problem],
                    details={"action": "assign_investigator", "investigator": user.username},
                )
        record = Investigation(
            case_id=case.id,
            level=level,
            date=inv.date,
            method=InvestigationMethod(inv.method),
            findings=inv.findings.strip(),
            recorded_by_id=actor.user_id,
            recorded_at=now,
        )
        session.add(record)
        session.flush()
        session.add_all(
            InvestigationInvestigator(investigation_id=record.id, user_id=u.id) for u in users
        )
        session.add_all(
            InvestigationPresence(investigation_id=record.id, member_id=m) for m in present
        )
        session.add_all(_attachment_rows(record, files))
        record_case_event(
            uow,
            case,
            actor,
            "record_investigation",
            {
                "investigation_id": record.id,
                "level": level,
                "date": inv.date,
                "method": inv.method,
                "investigators": sorted(u.username for u in users),
                "investigator_ids": sorted(u.id for u in users),
                "findings": record.findings,
                "present_member_ids": present,
                "attachments": [f.record() for f in files],
            },
        )
        with kept_on_commit(store, files):
            uow.commit()
        return InvestigationRef(record.id, CaseRef(case.id, str(case.state), case.version))


def _attachment_rows(
    record: Investigation, files: Sequence[Attachment]
) -> list[InvestigationAttachment]:
    return [
        InvestigationAttachment(
            investigation_id=record.id,
            case_id=record.case_id,
            position=i,
            sha256=f.sha256,
            size_bytes=f.size,
            media_type=f.media_type,
            file_name=f.file_name,
            recorded_at=record.recorded_at,
        )
        for i, f in enumerate(files)
    ]
