"""The self-care assessment of tekun persons (《特困人员认定办法》 Arts. 20-23).

The county assesses six everyday activities — eating, dressing, getting in and
out of bed, toileting, walking indoors, bathing. None failed: the person is
self-caring (全自理); one to three failed: partly lost (部分丧失); four or more:
fully lost (完全丧失). The result sets the level of care. Every supported person
is assessed before the county confirms a tekun case, and a reported change is
reassessed within 10 working days (the ``self_care_reassessment`` deadline).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from engine.access import ensure_role
from engine.clock import local_date
from engine.errors import Conflict, Problem, invalid_field, raise_invalid
from engine.identity import InvalidIdNumber, mask_id_number, parse_id_number
from engine.inputs import free_text_problem
from engine.models import Case, Category, SelfCareAssessment
from engine.ports import Actor
from engine.rulebook import RuleBook
from engine.services.household_members import current_member
from engine.services.workflow_step import CaseRef, locked_case, record_case_event
from engine.states import Role
from engine.uow import UnitOfWork

#: the six indicators of TK Art. 21
INDICATORS = ("eating", "dressing", "bed_transfer", "toileting", "indoor_walking", "bathing")
RESULTS = ("self_caring", "partly_lost", "fully_lost")
#: the county assesses; the township reports changes it learns of
ASSESSORS = frozenset({Role.APPROVER})
REPORTERS = frozenset({Role.CLERK, Role.REVIEWER, Role.APPROVER})
MAX_NOTE = 2000


@dataclass(frozen=True)
class AssessmentRef:
    """The assessment and the case's new version."""

    id: int
    result: str
    case: CaseRef


def self_care_result(failed: int, rules: RuleBook, on: dt.date) -> str:
    """全自理, 部分丧失 or 完全丧失 from the number of indicators failed (TK Art. 21)."""
    if failed == 0:
        return "self_caring"
    if failed <= rules.value("self_care_partly_lost_max_failed", on):
        return "partly_lost"
    return "fully_lost"


def _problems(number: str, failed: Sequence[str], note: str, today: dt.date) -> list[Problem]:
    problems: list[Problem] = []
    try:
        parse_id_number(number, today=today, field="member_id_number")
    except InvalidIdNumber as err:
        problems.append(err.problem)
    unknown = [f for f in failed if f not in INDICATORS]
    if unknown or len(set(failed)) != len(failed):
        problems.append(
            invalid_field(
                "failed",
                f"不能自理的项目须从六项指标中选择且不重复：{'、'.join(INDICATORS)}"
                "（《特困人员认定办法》第二十一条）",
                f"failed: the six indicators of TK Art. 21 ({', '.join(INDICATORS)}), each once",
                code="unknown_indicator",
            )
        )
    if (problem := free_text_problem(note, "note", MAX_NOTE, required=False)) is not None:
        problems.append(problem)
    return problems


def _ensure_tekun(case: Case) -> None:
    if case.category != Category.TEKUN:
        raise Conflict(
            "生活自理能力评估只适用于特困人员（《特困人员认定办法》第二十条）",
            "the self-care assessment applies to tekun cases (TK Art. 20)",
            code="not_tekun",
        )


def record_self_care_assessment(
    uow: UnitOfWork,
    actor: Actor,
    case_id: int,
    member_id_number: str,
    assessed_on: dt.date,
    failed: Sequence[str],
    note: str = "",
    expected_version: int | None = None,
) -> AssessmentRef:
    """Record the county's assessment of one supported person; its result sets the care level."""
    ensure_role(actor, ASSESSORS, "评估生活自理能力", "assess self-care")
    today = local_date(uow.clock.now(), uow.clock.tz)
    raise_invalid(_problems(member_id_number, failed, note, today))
    if assessed_on > today:
        raise_invalid([invalid_field("assessed_on", "评估日期不能晚于今天", "in the future")])
    number = parse_id_number(member_id_number, today=today).number
    with locked_case(uow, case_id, actor, "self_care_assessment", expected_version) as case:
        _ensure_tekun(case)
        member = current_member(
            uow.session, case, number, today, field="member_id_number", code="not_a_member"
        )
        result = self_care_result(len(failed), uow.rules, assessed_on)
        row = SelfCareAssessment(
            case_id=case.id,
            person_id=member.person_id,
            assessed_on=assessed_on,
            failed=",".join(failed),
            result=result,
            note=note.strip(),
            recorded_by_id=actor.user_id,
            recorded_at=uow.clock.now(),
        )
        uow.session.add(row)
        uow.session.flush()
        record_case_event(
            uow,
            case,
            actor,
            "self_care_assessment",
            {
                "assessment_id": row.id,
                "member": mask_id_number(number),
                "assessed_on": assessed_on,
                "failed_indicators": list(failed),
                "self_care_result": result,
                "note": row.note,
            },
        )
        uow.commit()
        return AssessmentRef(row.id, result, CaseRef(case.id, str(case.state), case.version))


def report_care_change(
    uow: UnitOfWork, actor: Actor, case_id: int, note: str, expected_version: int | None = None
) -> CaseRef:
    """Record that a tekun person's ability to care for themself changed: the county
    reassesses within 10 working days (TK Art. 22)."""
    ensure_role(actor, REPORTERS, "报告自理能力变化", "report a change in self-care")
    if (problem := free_text_problem(note, "note", MAX_NOTE, required=True)) is not None:
        raise_invalid([problem])
    with locked_case(uow, case_id, actor, "report_care_change", expected_version) as case:
        _ensure_tekun(case)
        case.care_change_reported_at = uow.clock.now()
        record_case_event(uow, case, actor, "report_care_change", {"note": note.strip()})
        uow.commit()
        return CaseRef(case.id, str(case.state), case.version)
