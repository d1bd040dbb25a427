"""Batch decisions: one trigger on cases selected together, each through ``advance`` alone.

The county confirms many routine cases at a time. Each selected case is still
advanced on its own: its own lock, version check, guards, audit entry and
transaction. A refusal of one case (a guard, a stale version, a recusal) is
reported beside it and the others go on; nothing of a refused case is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from engine.access import ensure_role_may_fire
from engine.db import DB_INT_MAX
from engine.errors import DomainError, GuardFailed, Problem, invalid_field, raise_invalid
from engine.ports import Actor
from engine.services.cases import advance
from engine.services.workflow_step import reason_problems
from engine.states import RULES, Role, TransitionRule
from engine.uow import UnitOfWork
from engine.workflow import rule_for

#: the most cases one batch may hold (a larger selection is refused whole, before any case)
MAX_BATCH = 100
#: the routine decisions that may be taken on many cases at once: the county's confirmation
#: and a recheck that found nothing changed; anything needing written reasons goes case by case
BATCH_TRIGGERS = ("approve", "confirm_unchanged")


@dataclass(frozen=True)
class CaseOutcome:
    """What the batch did to one case: done (its new state and version), or why not."""

    case_id: int
    done: bool
    state: str | None = None
    version: int | None = None
    code: str | None = None
    message: str = ""
    message_en: str = ""
    problems: tuple[Problem, ...] = ()

    def text(self, lang: str = "zh") -> str:
        """Why the case was refused, in ``lang`` ("zh" or "en")."""
        return self.message_en if lang == "en" else self.message

    def details(self) -> tuple[Problem, ...]:
        """The problems to list below the message (a guard refusal already names them)."""
        return () if self.code == GuardFailed.code else self.problems


@dataclass(frozen=True)
class BatchResult:
    """Each selected case's outcome, in the order selected."""

    trigger: str
    outcomes: list[CaseOutcome] = field(default_factory=list)

    @property
    def done(self) -> int:
        """How many cases the trigger was fired on."""
        return sum(1 for o in self.outcomes if o.done)

    @property
    def refused(self) -> int:
        """How many cases were left as they were."""
        return len(self.outcomes) - self.done


def batch_rules(role: Role) -> tuple[TransitionRule, ...]:
    """The triggers the role may fire on a batch of cases."""
    return tuple(RULES[t] for t in BATCH_TRIGGERS if RULES[t].role is role)


def _selection_problems(
    case_ids: Sequence[object], expected_versions: Mapping[int, int] | None
) -> list[Problem]:
    if not case_ids:
        return [
            invalid_field(
                "case_ids",
                "请至少选择一个案件",
                "select at least one case",
                code="nothing_selected",
            )
        ]
    if len(case_ids) > MAX_BATCH:
        return [
            invalid_field(
                "case_ids",
                f"一次最多批量办理{MAX_BATCH}件（已选{len(case_ids)}件），请分批办理",
                f"at most {MAX_BATCH} cases at a time ({len(case_ids)} selected)",
                code="too_many_cases",
            )
        ]
    problems = []
    bad = [i for i in case_ids if not _case_number(i)]
    if bad:
        problems.append(
            invalid_field(
                "case_ids",
                f"案件编号须为1至{DB_INT_MAX}的整数",
                f"case numbers are whole numbers from 1 to {DB_INT_MAX}",
                code="invalid_case_id",
            )
        )
    versions = expected_versions or {}
    if any(i not in case_ids for i in versions) or any(
        not _case_number(v) for v in versions.values()
    ):
        problems.append(
            invalid_field(
                "expected_versions",
                "版本号只能给所选案件填写，且须为正整数",
                "versions are given for selected cases only, as positive whole numbers",
                code="invalid_version",
            )
        )
    return problems


def _case_number(value: object) -> bool:
    return type(value) is int and 1 <= value <= DB_INT_MAX


def decide_batch(
    uows: Callable[[], UnitOfWork],
    actor: Actor,
    trigger: str,
    case_ids: Sequence[int],
    reason: str = "",
    expected_versions: Mapping[int, int] | None = None,
) -> BatchResult:
    """Fire ``trigger`` on each selected case through ``advance``, one transaction and one
    audit entry per case; return each case's outcome.

    The selection as a whole is refused before any case when the trigger may not be
    batched or fired by the actor's role (InvalidData, Forbidden), when it is empty, larger
    than ``MAX_BATCH`` or malformed, or when the reason is. A case selected twice is
    decided once.
    """
    if not trigger:
        raise_invalid(
            [
                invalid_field(
                    "trigger",
                    "请选择要批量办理的操作",
                    "choose what to do with the selected cases",
                    code="trigger_missing",
                )
            ]
        )
    rule = rule_for(trigger)
    if trigger not in BATCH_TRIGGERS:
        raise_invalid(
            [
                invalid_field(
                    "trigger",
                    f"“{rule.label_zh}”不能批量办理，请逐案办理",
                    f"{trigger!r} cannot be fired on a batch; decide each case on its own",
                    code="not_batchable",
                )
            ]
        )
    ensure_role_may_fire(actor, rule)
    raise_invalid(_selection_problems(case_ids, expected_versions))
    raise_invalid(reason_problems(rule, reason))
    ids = list(dict.fromkeys(case_ids))
    versions = expected_versions or {}
    result = BatchResult(trigger)
    for case_id in ids:
        try:
            ref = advance(
                uows(),
                case_id,
                trigger,
                actor,
                reason=reason,
                # the trail shows the decision was one of a batch, and of how many
                data={"batch": len(ids)},
                expected_version=versions.get(case_id),
            )
        except DomainError as err:
            result.outcomes.append(
                CaseOutcome(
                    case_id,
                    done=False,
                    code=err.code,
                    message=err.message,
                    message_en=err.message_en,
                    problems=err.problems,
                )
            )
        else:
            result.outcomes.append(CaseOutcome(case_id, True, ref.state, ref.version))
    return result
