"""Bulk operations: start the rechecks that are due, end the phase-outs that have run out.

Each runs in batches, one transaction per batch: the batch's case rows are
locked, the trigger is fired on each through the same machine, and one audit
entry per case is appended with a single multi-row INSERT, then the rows are
updated with one executemany. A crash loses at most the batch in progress;
rerunning selects only the cases still due, so nothing is done twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from sqlalchemy import Select, Table, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from engine import workflow
from engine.access import county_of, ensure_role_may_fire
from engine.calendar import add_months
from engine.clock import local_date
from engine.collector import cycle_collection_paused
from engine.errors import Conflict
from engine.guards import CaseFacts, GuardContext
from engine.models import Case
from engine.policy import parameters_in_force
from engine.ports import Actor, CaseEvent, ChainHead
from engine.services.case_deadlines import dated_columns, next_due_dates
from engine.services.decision_record import DECISION_TRIGGERS, decision_records
from engine.services.workflow_step import (
    EFFECTS,
    lock_case,
    record_case_event,
    settle,
    settled_values,
)
from engine.states import RULES, CaseState, TransitionRule
from engine.uow import UnitOfWork

DEFAULT_BATCH = 5000
AnySelect = Select[*tuple[Any, ...]]


@dataclass
class BulkReport:
    """What a bulk run did."""

    done: int = 0
    batches: int = 0
    case_ids: list[int] = field(default_factory=list)
    #: cases left alone because the user must recuse themself (each refusal is audited)
    refused: list[int] = field(default_factory=list)


class _Row(NamedTuple):
    # a tuple, not a dataclass: a batch makes thousands, and a tuple is made at C speed
    id: int
    state: str
    version: int
    chain_seq: int
    chain_head: str | None
    village_code: str
    #: the case's dated columns (``DEADLINE_COLUMNS``) as read
    dates: Mapping[str, Any]


class _After:
    """A bulk row's dated columns as the transition leaves them, for its next deadline."""

    def __init__(self, dates: Mapping[Any, Any], changes: Mapping[str, Any]) -> None:
        self.__dict__.update(dates)
        self.__dict__.update(changes)

    def __getattr__(self, name: str) -> Any:
        # only the columns given are attributes (declared so that type checkers take this
        # for a ``DatedCase``)
        raise AttributeError(name)


def _run(
    uows: Callable[[], UnitOfWork],
    actor: Actor,
    rule: TransitionRule,
    due: Callable[[AnySelect], AnySelect],
    reason: str,
    payload: Mapping[str, Any],
    batch: int,
    progress: Callable[[int], None] | None,
) -> BulkReport:
    """Fire ``rule`` on every case ``due`` selects, in batches, resumably, with one written
    ``reason`` and one ``payload`` for all of them (each entry adds the case's version)."""
    if rule.guards:
        raise ValueError(f"{rule.trigger!r} has guards and cannot run in bulk")
    if rule.trigger in EFFECTS:
        raise ValueError(f"{rule.trigger!r} has effects of its own and cannot run in bulk")
    if rule.dest is None:
        raise ValueError(f"{rule.trigger!r} leaves the state as it is and cannot run in bulk")
    ensure_role_may_fire(actor, rule)
    report = BulkReport()
    after_id = 0
    while True:
        # a batch allocates a dozen objects per case and makes no cycles worth collecting
        with cycle_collection_paused(), uows() as uow:
            session = uow.session
            # the dated columns include the id, state and village
            base: AnySelect = select(
                Case.version,
                Case.chain_seq,
                Case.chain_head,
                *dated_columns(),
            ).where(
                Case.id > after_id,
                Case.village_code.startswith(actor.region_code, autoescape=True),
            )
            stmt = due(base)
            # plain rows through the session's connection: the ORM's loading steps would
            # cost more than dating the deadlines
            result = session.connection().execute(
                stmt.order_by(Case.id).limit(batch).with_for_update()
            )
            names = tuple(result.keys())
            rows = [
                _Row(r.id, r.state, r.version, r.chain_seq, r.chain_head, r.village_code, dates)
                for r in result.all()
                for dates in (dict(zip(names, r, strict=True)),)
            ]
            if not rows:
                return report
            now = uow.clock.now()
            refused = _refuse_recused(uow, actor, rule, rows)
            report.refused += sorted(refused)
            after_id = rows[-1].id
            rows = [r for r in rows if r.id not in refused]
            items = []
            # decisions of record are numbered and carry their appeal route, as one by one
            records = (
                decision_records(uow, [r.village_code for r in rows], local_date(now, uow.clock.tz))
                if rule.trigger in DECISION_TRIGGERS
                else [{} for _ in rows]
            )
            # Bulk rules have no guards, so the machine's answer depends on the state
            # alone: ask it once per state and batch instead of once per case.
            verdicts: dict[str, str] = {}
            payloads: dict[int, Mapping[str, Any]] = {}
            for row, record in zip(rows, records, strict=True):
                state = str(row.state)
                if state not in verdicts:
                    ctx = GuardContext(
                        facts=CaseFacts(case_id=row.id, state=state),
                        actor=actor,
                        now=now,
                        tz=uow.clock.tz,
                        rules=uow.rules,
                    )
                    verdicts[state] = workflow.fire(state, rule.trigger, ctx)
                to_state = verdicts[state]
                event = CaseEvent(
                    trigger=rule.trigger,
                    from_state=str(row.state),
                    to_state=to_state,
                    actor=actor,
                    at=now,
                    reason=reason,
                    payload=_entry_payload(payload, record, row.version + 1, payloads),
                )
                items.append((ChainHead(row.id, row.chain_seq, row.chain_head), event))
            heads = uow.audit.append_many(session, items)
            values: dict[str, Any] = dict.fromkeys(rule.stamps, now)
            # the next deadline of each case as it will stand, as ``advance`` computes it
            changes = {"state": rule.dest, "updated_at": now, **values}
            changes |= settled_values(rule)
            next_due = next_due_dates(uow, [_After(r.dates, changes) for r in rows])
            updated = (
                _update_cases(session, rule, now, rows, heads, next_due, values) if rows else 0
            )
            if updated not in (-1, len(rows)):
                raise Conflict(
                    "批量处理期间案件被修改，请重新运行",
                    "cases changed during the bulk run; run it again",
                    code="version_conflict",
                )
            settle(uow, rule, [r.id for r in rows])
            uow.commit()
        report.done += len(rows)
        report.batches += 1
        report.case_ids += [r.id for r in rows]
        if progress is not None:
            progress(len(rows) + len(refused))


def _entry_payload(
    payload: Mapping[str, Any],
    record: Mapping[str, Any],
    version: int,
    shared: dict[int, Mapping[str, Any]],
) -> Mapping[str, Any]:
    """An entry's payload: the run's, marked as bulk, with the case's new version and any
    decision record. Without a record, the cases reaching the same version share one payload
    object, which the audit log then encodes once."""
    if record:
        return {**payload, **record, "bulk": True, "version": version}
    if version not in shared:
        shared[version] = {**payload, "bulk": True, "version": version}
    return shared[version]


def _refuse_recused(
    uow: UnitOfWork, actor: Actor, rule: TransitionRule, rows: list[_Row]
) -> set[int]:
    """Leave out the cases the actor is related to, recording each refusal in its trail."""
    today = uow.clock.now().astimezone(uow.clock.tz).date()
    recused = uow.kinship.recused_among(uow.session, actor.person_id, [r.id for r in rows], today)
    for case_id, problem in sorted(recused.items()):
        case = lock_case(uow.session, case_id)
        record_case_event(
            uow,
            case,
            actor,
            "recusal_refused",
            {"attempted": rule.trigger, "bulk": True, "problem": [problem.as_dict()]},
            reason=problem.message,
            bump_version=False,
        )
    return set(recused)


def _update_cases(
    session: Session,
    rule: TransitionRule,
    now: dt.datetime,
    rows: list[_Row],
    heads: list[ChainHead],
    due: list[tuple[dt.date | None, str | None]],
    values: Mapping[str, Any],
) -> int:
    """Write the new state, version, chain head and next deadline of each row; return how
    many matched.

    Each row is updated only if its version is still the one read (optimistic
    check on top of the row lock). PostgreSQL takes the whole batch in one
    ``UPDATE … FROM unnest(…)``; other databases get an executemany.
    """
    table = cast(Table, Case.__table__)
    dest = rule.dest.value if rule.dest is not None else None
    unknown = set(values) - set(table.c.keys())
    if unknown:
        raise ValueError(f"not case columns: {sorted(unknown)}")
    if session.connection().dialect.name == "postgresql":
        # column names come from the transition table and this module, checked above
        sets = ", ".join(f"{name} = :{name}" for name in values)
        result = session.execute(
            text(
                "UPDATE case_file AS c SET state = :state, updated_at = :now, "  # noqa: S608
                "version = v.version + 1, chain_seq = v.seq, chain_head = v.head, "
                "due_on = v.due_on, due_kind = v.due_kind"
                + (f", {sets}" if sets else "")
                + " FROM unnest(CAST(:ids AS integer[]), CAST(:versions AS integer[]), "
                "CAST(:seqs AS integer[]), CAST(:heads AS varchar[]), "
                "CAST(:due_ons AS date[]), CAST(:due_kinds AS varchar[])) "
                "AS v(id, version, seq, head, due_on, due_kind) "
                "WHERE c.id = v.id AND c.version = v.version"
            ),
            {
                "state": dest,
                "now": now,
                "ids": [r.id for r in rows],
                "versions": [r.version for r in rows],
                "seqs": [h.seq for h in heads],
                "heads": [h.head for h in heads],
                "due_ons": [d for d, _ in due],
                "due_kinds": [k for _, k in due],
                **values,
            },
        )
        return int(getattr(result, "rowcount", -1))
    result = session.execute(
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
        .values(state=dest, updated_at=now, **values),
        [
            {
                "b_id": row.id,
                "b_version": row.version,
                "version": row.version + 1,
                "chain_seq": head.seq,
                "chain_head": head.head,
                "due_on": due_on,
                "due_kind": due_kind,
            }
            for row, head, (due_on, due_kind) in zip(rows, heads, due, strict=True)
        ],
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", -1))


def count_due_rechecks(uow: UnitOfWork, actor: Actor, as_of: dt.date) -> int:
    """How many active cases in the actor's region are due for their periodic recheck."""
    with uow:
        return _count(uow, actor, _rechecks_due(as_of))


def _count(uow: UnitOfWork, actor: Actor, due: Callable[[AnySelect], AnySelect]) -> int:
    stmt: AnySelect = (
        select(func.count())
        .select_from(Case)
        .where(Case.village_code.startswith(actor.region_code, autoescape=True))
    )
    return uow.session.scalar(due(stmt)) or 0


def _rechecks_due(as_of: dt.date) -> Callable[[AnySelect], AnySelect]:
    def due(stmt: AnySelect) -> AnySelect:
        return stmt.where(Case.state == CaseState.ACTIVE, Case.next_recheck_on <= as_of)

    return due


def start_due_rechecks(
    uows: Callable[[], UnitOfWork],
    actor: Actor,
    as_of: dt.date,
    batch: int = DEFAULT_BATCH,
    progress: Callable[[int], None] | None = None,
) -> BulkReport:
    """Move every active case whose recheck is due on ``as_of`` into ``under_recheck`` (Art. 31)."""
    return _run(
        uows,
        actor,
        RULES["start_recheck"],
        _rechecks_due(as_of),
        reason=f"定期核查到期（截至{as_of.isoformat()}）",
        payload={"as_of": as_of},
        batch=batch,
        progress=progress,
    )


def phase_out_cutoffs(uow: UnitOfWork, actor: Actor, as_of: dt.date) -> dict[str, dt.datetime]:
    """Per county: phase-outs started before this moment have run their months by ``as_of``."""
    with uow:
        counties = {
            county_of(code)
            for code in uow.session.scalars(
                select(Case.village_code)
                .where(
                    Case.state == CaseState.PHASING_OUT,
                    Case.village_code.startswith(actor.region_code, autoescape=True),
                )
                .distinct()
            )
        }
        cutoffs = {}
        for county in counties:
            months = int(
                parameters_in_force(uow.session, county, as_of).decimal("phase_out_months")
            )
            last_start = add_months(as_of, -months)
            cutoffs[county] = dt.datetime.combine(
                last_start + dt.timedelta(days=1), dt.time(), tzinfo=uow.clock.tz
            )
        return cutoffs


def _phase_outs_due(county: str, cutoff: dt.datetime) -> Callable[[AnySelect], AnySelect]:
    def due(stmt: AnySelect) -> AnySelect:
        return stmt.where(
            Case.state == CaseState.PHASING_OUT,
            Case.village_code.startswith(county, autoescape=True),
            Case.phase_out_started_at < cutoff,
        )

    return due


def count_due_phase_outs(uows: Callable[[], UnitOfWork], actor: Actor, as_of: dt.date) -> int:
    """How many phase-outs in the actor's region have run their months by ``as_of``."""
    total = 0
    for county, cutoff in phase_out_cutoffs(uows(), actor, as_of).items():
        with uows() as uow:
            total += _count(uow, actor, _phase_outs_due(county, cutoff))
    return total


def end_due_phase_outs(
    uows: Callable[[], UnitOfWork],
    actor: Actor,
    as_of: dt.date,
    batch: int = DEFAULT_BATCH,
    progress: Callable[[int], None] | None = None,
) -> BulkReport:
    """End every phase-out that has run its months by ``as_of`` (2022 notice: at most 6)."""
    report = BulkReport()
    for county, cutoff in sorted(phase_out_cutoffs(uows(), actor, as_of).items()):

        def due(stmt: AnySelect, county: str = county, cutoff: dt.datetime = cutoff) -> AnySelect:
            return stmt.where(
                Case.state == CaseState.PHASING_OUT,
                Case.village_code.startswith(county, autoescape=True),
                Case.phase_out_started_at < cutoff,
            )

        part = _run(
            uows,
            actor,
            RULES["end_phase_out"],
            _phase_outs_due(county, cutoff),
            reason=f"渐退期满，停发保障金（截至{as_of.isoformat()}）",
            payload={"as_of": as_of},
            batch=batch,
            progress=progress,
        )
        report.done += part.done
        report.batches += part.batches
        report.case_ids += part.case_ids
    return report
