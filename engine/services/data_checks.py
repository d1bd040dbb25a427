"""Information checks (信息核对, 《最低生活保障审核确认办法》Art. 17).

The township asks the county to check the household's economic information
against other departments' records; the county starts the check within 3
working days of the request (the ``data_check`` deadline runs from the
request to the start, so a case with no request misses nothing) and answers
with the result. Each step is an entry in the case's trail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from engine.access import county_of, ensure_role
from engine.errors import Conflict, Forbidden, NotFound, Problem, invalid_field, raise_invalid
from engine.inputs import free_text_problem
from engine.models import Case, DataCheck
from engine.ports import Actor
from engine.services.workflow_step import CaseRef, locked_case, record_case_event
from engine.states import STATE_LABELS, CaseState, Role
from engine.uow import UnitOfWork

#: the records Art. 17 names (and, with the members' authorisation, their deposits)
DATA_SOURCES: dict[str, str] = {
    "household_registration": "户籍",
    "tax": "纳税记录",
    "social_insurance": "社会保险缴纳",
    "real_estate": "不动产登记",
    "business_registration": "市场主体登记",
    "housing_fund": "住房公积金缴纳",
    "vehicles": "车辆",
    "deposits": "存款等金融资产（经授权）",
}
#: who asks for a check: the township's staff handling the case
REQUEST_ROLES = frozenset({Role.CLERK, Role.REVIEWER})
#: who runs it: the county civil-affairs office's staff
COUNTY_ROLES = frozenset({Role.CLERK, Role.APPROVER})
#: while the household's means are being established: from acceptance to the county's
#: decision (a re-investigation after an objection included), and in a recheck
REQUEST_STATES = (
    CaseState.ACCEPTED,
    CaseState.INVESTIGATING,
    CaseState.INITIAL_REVIEWED,
    CaseState.IN_PUBLIC_NOTICE,
    CaseState.PENDING_CONFIRMATION,
    CaseState.UNDER_RECHECK,
)
MAX_TEXT = 5000


@dataclass(frozen=True)
class DataCheckRef:
    """The check and the case's new version."""

    id: int
    case: CaseRef


def _source_problems(sources: Sequence[str]) -> list[Problem]:
    unknown = [s for s in sources if s not in DATA_SOURCES]
    if not sources or unknown or len(set(sources)) != len(sources):
        return [
            invalid_field(
                "sources",
                f"核对事项须从以下选择且不重复：{'、'.join(DATA_SOURCES)}",
                f"sources: one or more of {', '.join(DATA_SOURCES)}, each once",
            )
        ]
    return []


def _text_problems(field: str, value: str, required: bool) -> list[Problem]:
    problem = free_text_problem(value, field, MAX_TEXT, required)
    return [] if problem is None else [problem]


def is_county_staff(actor: Actor, village_code: str) -> bool:
    """Whether the actor works in the county office of this village (Art. 17's county)."""
    return actor.role in COUNTY_ROLES and actor.region_code == county_of(village_code)


def _ensure_county_staff(actor: Actor, case: Case) -> None:
    if actor.region_code != county_of(case.village_code):
        raise Forbidden(
            "信息核对由县级民政部门启动并反馈结果（第十七条）",
            "the county civil-affairs office starts the check and records its result (Art. 17)",
            code="county_only",
        )


def request_data_check(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    sources: Sequence[str],
    note: str = "",
    expected_version: int | None = None,
) -> DataCheckRef:
    """Record the township's request to the county to check the household's records."""
    ensure_role(actor, REQUEST_ROLES, "提请信息核对", "request an information check")
    raise_invalid(_source_problems(sources) + _text_problems("note", note, required=False))
    with locked_case(uow, case_id, actor, "request_data_check", expected_version) as case:
        if case.state not in REQUEST_STATES:
            raise Conflict(
                f"案件当前状态为“{STATE_LABELS[CaseState(case.state)][0]}”，"
                "只有调查核实家庭经济状况期间（受理后至确认前、复核期间）才能提请信息核对",
                "a check is requested while the household's means are established (after "
                f"acceptance until the decision, or in a recheck); the case is {str(case.state)!r}",
                code="invalid_state",
            )
        open_check = uow.session.scalar(
            select(DataCheck.id).where(
                DataCheck.case_id == case.id, DataCheck.completed_at.is_(None)
            )
        )
        if open_check is not None:
            raise Conflict(
                f"信息核对{open_check}尚未反馈结果",
                f"information check {open_check} has no result yet",
                code="check_open",
            )
        row = DataCheck(
            case_id=case.id,
            sources=",".join(sources),
            note=note.strip(),
            requested_by_id=actor.user_id,
            requested_at=uow.clock.now(),
        )
        uow.session.add(row)
        uow.session.flush()
        case.data_check_requested_at, case.data_check_started_at = row.requested_at, None
        record_case_event(
            uow,
            case,
            actor,
            "request_data_check",
            {"check_id": row.id, "sources": list(sources), "note": row.note},
        )
        uow.commit()
        return DataCheckRef(row.id, CaseRef(case.id, str(case.state), case.version))


def _check_of(uow: UnitOfWork, case: Case, check_id: int) -> DataCheck:
    row = uow.session.get(DataCheck, check_id)
    if row is None or row.case_id != case.id:
        raise NotFound(
            f"案件{case.id}没有信息核对{check_id}",
            f"case {case.id} has no information check {check_id}",
        )
    if row.completed_at is not None:
        raise Conflict(
            f"信息核对{check_id}已反馈结果", f"check {check_id} has its result", code="check_done"
        )
    return row


def start_data_check(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    check_id: int,
    expected_version: int | None = None,
) -> DataCheckRef:
    """Record that the county started the requested check (due within 3 working days)."""
    ensure_role(actor, COUNTY_ROLES, "启动信息核对", "start an information check")
    with locked_case(uow, case_id, actor, "start_data_check", expected_version) as case:
        _ensure_county_staff(actor, case)
        row = _check_of(uow, case, check_id)
        if row.started_at is not None:
            raise Conflict(
                f"信息核对{check_id}已启动", f"check {check_id} is started", code="check_started"
            )
        row.started_at = uow.clock.now()
        row.started_by_id = actor.user_id
        case.data_check_started_at = row.started_at  # the open check is the latest
        record_case_event(uow, case, actor, "start_data_check", {"check_id": row.id})
        uow.commit()
        return DataCheckRef(row.id, CaseRef(case.id, str(case.state), case.version))


def record_data_check_result(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    check_id: int,
    discrepancy: bool,
    findings: str,
    expected_version: int | None = None,
) -> DataCheckRef:
    """Record the check's result: whether the records contradict the declaration, and what
    they show. A result for a check not yet marked started starts it at the same moment."""
    ensure_role(actor, COUNTY_ROLES, "反馈信息核对结果", "record an information check's result")
    raise_invalid(_text_problems("findings", findings, required=True))
    with locked_case(uow, case_id, actor, "record_data_check_result", expected_version) as case:
        _ensure_county_staff(actor, case)
        row = _check_of(uow, case, check_id)
        now = uow.clock.now()
        if row.started_at is None:
            row.started_at, row.started_by_id = now, actor.user_id
            case.data_check_started_at = now  # the open check is the latest
        row.completed_at, row.completed_by_id = now, actor.user_id
        row.discrepancy = discrepancy
        row.findings = findings.strip()
        record_case_event(
            uow,
            case,
            actor,
            "record_data_check_result",
            {"check_id": row.id, "discrepancy": discrepancy, "findings": row.findings},
        )
        uow.commit()
        return DataCheckRef(row.id, CaseRef(case.id, str(case.state), case.version))
