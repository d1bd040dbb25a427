"""Information checks against other departments' records (信息核对, Art. 17).

A department's file (vehicles, businesses, real estate, deaths and cremations, public
employees and salaries, other subsidies paid through 一卡通) is read whole and checked
first; any bad row refuses it with nothing raised. Each record whose ID number belongs to a
member of an open or enrolled case in the importer's region becomes a flag on that case
with the record as evidence, written in the case's trail; the same record never raises a
flag twice on the same case, so a file imported again raises nothing. A death also ends the
person's membership and opens the 3-month reassessment (2022 notice). Staff resolve each
flag with a reason: explained, or a recheck (due at once on an enrolled case).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from engine.access import county_of, covers, ensure_role
from engine.cells import SourceFile
from engine.clock import local_date
from engine.errors import Conflict, InvalidData, NotFound, invalid_field, raise_invalid
from engine.identity import mask_id_number
from engine.inputs import free_text_problem
from engine.models import (
    Case,
    CaseClaim,
    CrosscheckFlag,
    Member,
    MonitoredPerson,
    MonitoringWarning,
    Person,
)
from engine.policy import parameters_in_force
from engine.ports import Actor, LedgerEvent
from engine.services.crosscheck_rows import CrosscheckRow, Kind, kind_of
from engine.services.household_events import end_membership_by_death
from engine.services.warning_state import raise_warning
from engine.services.workflow_step import CaseRef, lock_cases, locked_case, record_case_event
from engine.states import CaseState, Role
from engine.uow import UnitOfWork, db_conflicts

#: who imports a department's file: the county's staff who run information checks
IMPORTERS = frozenset({Role.CLERK, Role.APPROVER, Role.ADMIN})
#: who resolves a flag: the staff handling the case, township and county
RESOLVERS = frozenset({Role.CLERK, Role.REVIEWER, Role.APPROVER})
#: how a flag is resolved: the record is explained, or the case is rechecked
OUTCOMES = {
    "explained": ("已核实说明", "explained"),
    "recheck": ("转入核查", "leads to a recheck"),
}
MAX_REASON = 2000
CHUNK = 1000


@dataclass
class CrosscheckReport:
    """What an import raised."""

    kind: str
    rows: int = 0
    #: records about a member of an open or enrolled case in the region
    matched: int = 0
    raised: int = 0
    #: records that had raised their flag before (a file imported again)
    already: int = 0
    deaths_recorded: int = 0
    #: records about people on the monitoring register who are in no open case: warnings
    warnings_raised: int = 0
    case_ids: list[int] = field(default_factory=list)


def evidence_text(record: dict[str, str], id_number: str) -> str:
    """The record as stored evidence: canonical JSON, keys sorted."""
    cells = {**record, "id_number": id_number}
    return json.dumps(cells, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def match_key(kind: str, case_id: int, evidence: str) -> str:
    """What makes a flag the same flag: the kind, the case and the record."""
    return hashlib.sha256(f"{kind}\n{case_id}\n{evidence}".encode()).hexdigest()


def _claims(uow: UnitOfWork, numbers: Sequence[str]) -> dict[str, list[tuple[int, int, str]]]:
    """Each ID number's (person, case, village) among open and enrolled cases."""
    found: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for start in range(0, len(numbers), CHUNK):
        part = numbers[start : start + CHUNK]
        for number, person_id, case_id, village in uow.session.execute(
            select(Person.id_number, Person.id, Case.id, Case.village_code)
            .join(CaseClaim, CaseClaim.person_id == Person.id)
            .join(Case, Case.id == CaseClaim.case_id)
            .where(Person.id_number.in_(part), CaseClaim.released_at.is_(None))
        ):
            found[number].append((person_id, case_id, village))
    return found


def import_crosscheck(
    uow: UnitOfWork, actor: Actor, kind: str, rows: Sequence[CrosscheckRow], source: SourceFile
) -> CrosscheckReport:
    """Raise a flag on each open or enrolled case a record of the file names a member of (see
    the module); InvalidData listing every bad row, with nothing raised, if any is bad."""
    chosen = kind_of(kind)
    ensure_role(actor, IMPORTERS, "导入核对数据", "import records for information checks")
    problems = [p for row in rows for p in row.problems]
    if problems:
        raise InvalidData(
            f"{len(problems)}处错误，未导入任何内容",
            f"{len(problems)} problem(s); nothing was imported",
            code="invalid_rows",
            problems=problems,
        )
    report = CrosscheckReport(kind=kind, rows=len(rows))
    with uow, db_conflicts():
        session = uow.session
        now = uow.clock.now()
        claims = _claims(uow, sorted({r.id_number for r in rows}))
        wanted: list[tuple[CrosscheckRow, int, int, str]] = []
        for row in rows:
            evidence = evidence_text(dict(row.record), row.id_number)
            for person_id, case_id, village in claims.get(row.id_number, []):
                if covers(actor.region_code, village):
                    wanted.append((row, person_id, case_id, evidence))
        report.matched = len(wanted)
        keys = [match_key(kind, case_id, evidence) for _, _, case_id, evidence in wanted]
        seen: set[str] = set()
        for start in range(0, len(keys), CHUNK):
            seen.update(
                session.scalars(
                    select(CrosscheckFlag.match_key).where(
                        CrosscheckFlag.match_key.in_(keys[start : start + CHUNK])
                    )
                )
            )
        by_case: dict[int, list[tuple[CrosscheckFlag, CrosscheckRow]]] = defaultdict(list)
        for (row, person_id, case_id, evidence), key in zip(wanted, keys, strict=True):
            if key in seen:
                report.already += 1
                continue
            seen.add(key)  # the same record twice in one file raises one flag
            flag = CrosscheckFlag(
                case_id=case_id,
                person_id=person_id,
                kind=kind,
                evidence=evidence,
                match_key=key,
                file_name=source.file_name,
                file_sha256=source.sha256,
                line=row.line,
                raised_by_id=actor.user_id,
                raised_at=now,
            )
            by_case[case_id].append((flag, row))
        # the cases are locked in id order, as every other writer locks them
        for case in lock_cases(session, sorted(by_case)):
            raised = by_case[case.id]
            session.add_all(flag for flag, _ in raised)
            session.flush()
            record_case_event(
                uow,
                case,
                actor,
                "crosscheck_flag",
                {
                    "kind": kind,
                    "source": chosen.source_zh,
                    "file": source.file_name,
                    "file_sha256": source.sha256,
                    "flags": [
                        {
                            "flag_id": flag.id,
                            "line": row.line,
                            "member": mask_id_number(row.id_number),
                            "record": dict(row.record),
                        }
                        for flag, row in raised
                    ],
                },
            )
            report.raised += len(raised)
            report.case_ids.append(case.id)
            if kind == "deaths":
                report.deaths_recorded += _record_deaths(uow, case, actor, raised)
        report.warnings_raised = _warn_monitored(uow, actor, chosen, rows, claims, source)
        # the importer's county (the operator at the terminal imports for every county)
        county = county_of(actor.region_code) or "all"
        uow.audit.record(
            session,
            f"crosschecks:{county}",
            LedgerEvent(
                event="crosscheck_imported",
                actor=actor,
                at=now,
                reason=chosen.label_zh,
                payload={
                    "kind": kind,
                    "file": source.file_name,
                    "sha256": source.sha256,
                    "rows": report.rows,
                    "matched": report.matched,
                    "raised": report.raised,
                    "already": report.already,
                    "deaths_recorded": report.deaths_recorded,
                    "warnings_raised": report.warnings_raised,
                },
            ),
        )
        uow.commit()
    return report


def _warn_monitored(
    uow: UnitOfWork,
    actor: Actor,
    kind: Kind,
    rows: Sequence[CrosscheckRow],
    claims: dict[str, list[tuple[int, int, str]]],
    source: SourceFile,
) -> int:
    """A record about a person on the monitoring register who is in no open or enrolled case
    of the region raises a monitoring warning (signal ``crosscheck``) for the village to
    follow up; the same record raises it once."""
    session, now = uow.session, uow.clock.now()
    today = local_date(now, uow.clock.tz)
    in_cases = {
        number
        for number, found in claims.items()
        if any(covers(actor.region_code, village) for _, _, village in found)
    }
    numbers = sorted({r.id_number for r in rows} - in_cases)
    monitored: dict[str, MonitoredPerson] = {}
    for start in range(0, len(numbers), CHUNK):
        found = session.execute(
            select(Person.id_number, MonitoredPerson)
            .join(MonitoredPerson, MonitoredPerson.person_id == Person.id)
            .where(
                Person.id_number.in_(numbers[start : start + CHUNK]),
                MonitoredPerson.village_code.startswith(actor.region_code, autoescape=True),
            )
            # locked as a signal locks them: a warning is never raised twice at once
            .with_for_update(of=MonitoredPerson)
        ).all()
        monitored.update((row[0], row[1]) for row in found)
    raised = 0
    #: each county's follow-up time, read once
    follow_up_days: dict[str, int] = {}
    for row in rows:
        entry = monitored.get(row.id_number)
        if entry is None:
            continue
        detail = f"{kind.label_zh}：{evidence_text(dict(row.record), row.id_number)}"
        seen = session.scalar(
            select(MonitoringWarning.id).where(
                MonitoringWarning.monitored_id == entry.id,
                MonitoringWarning.signal == "crosscheck",
                MonitoringWarning.detail == detail,
            )
        )
        if seen is not None:
            continue
        county = county_of(entry.village_code)
        if county not in follow_up_days:
            params = parameters_in_force(session, county, today)
            follow_up_days[county] = int(params.decimal("warning_follow_up_days"))
        raise_warning(
            uow,
            actor,
            entry,
            row.id_number,
            signal="crosscheck",
            signal_on=row.died_on or today,
            detail=detail,
            follow_up_days=follow_up_days[county],
            reason=kind.label_zh,
            payload={"file": source.file_name, "file_sha256": source.sha256, "line": row.line},
        )
        raised += 1
    return raised


def _record_deaths(
    uow: UnitOfWork, case: Case, actor: Actor, raised: list[tuple[CrosscheckFlag, CrosscheckRow]]
) -> int:
    """End the membership of each member the deaths file reports dead (case locked)."""
    done = 0
    for flag, row in raised:
        member = uow.session.scalar(
            select(Member).where(
                Member.household_id == case.household_id,
                Member.person_id == flag.person_id,
                Member.left_at.is_(None),
            )
        )
        if member is None or row.died_on is None:
            continue
        end_membership_by_death(uow, case, actor, member, row.id_number, row.died_on)
        done += 1
    return done


def resolve_crosscheck(
    uow: UnitOfWork,
    actor: Actor,
    flag_id: int,
    outcome: str,
    reason: str,
    expected_version: int | None = None,
    case_id: int | None = None,
) -> CaseRef:
    """Resolve a flag with a reason: ``explained``, or ``recheck`` (an enrolled case's
    recheck falls due today, shown as its deadline); written in the case's trail. With
    ``case_id`` (a case page's form), a flag of another case is not found."""
    ensure_role(actor, RESOLVERS, "处理核对标记", "resolve information-check flags")
    problems = []
    if outcome not in OUTCOMES:
        problems.append(
            invalid_field(
                "outcome",
                f"处理结果须为：{'、'.join(OUTCOMES)}",
                f"outcome must be one of {', '.join(OUTCOMES)}",
            )
        )
    found = free_text_problem(reason, "reason", MAX_REASON, required=True)
    if found is not None:
        problems.append(found)
    raise_invalid(problems)
    with uow.again() as probe:
        flag_row = probe.session.get(CrosscheckFlag, flag_id)
        if flag_row is None or case_id not in (None, flag_row.case_id):
            raise NotFound(
                f"核对标记{flag_id}不存在", f"flag {flag_id} does not exist", code="flag_not_found"
            )
        flagged_case = flag_row.case_id
    with locked_case(uow, flagged_case, actor, "resolve_crosscheck", expected_version) as case:
        session = uow.session
        flag = session.get(CrosscheckFlag, flag_id, with_for_update=True, populate_existing=True)
        assert flag is not None
        if flag.resolved_at is not None:
            raise Conflict("该标记已处理", "the flag is already resolved", code="already_resolved")
        now = uow.clock.now()
        flag.outcome, flag.resolution = outcome, reason.strip()
        flag.resolved_by_id, flag.resolved_at = actor.user_id, now
        payload: dict[str, Any] = {"flag_id": flag.id, "kind": flag.kind, "outcome": outcome}
        if outcome == "recheck" and case.state == CaseState.ACTIVE:
            today = local_date(now, uow.clock.tz)
            if case.next_recheck_on is None or case.next_recheck_on > today:
                case.next_recheck_on = today
            payload["next_recheck_on"] = case.next_recheck_on
        session.flush()
        # the event re-dates the case's next deadline (a recheck due today)
        record_case_event(uow, case, actor, "resolve_crosscheck", payload, reason=reason.strip())
        uow.commit()
        return CaseRef(case.id, str(case.state), case.version)
