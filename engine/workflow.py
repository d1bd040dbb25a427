"""The lifecycle as one pytransitions machine, built once from ``engine.states``.

The machine is module-wide with ``model=None``: nothing is bound to ORM
objects, and a trigger costs microseconds, so bulk operations stay cheap. It
fires on a small state holder; the service copies the resulting state to the
case. A refusal always raises: ``Conflict`` when the trigger cannot fire from
the state, ``GuardFailed`` listing every failed guard.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from transitions import EventData, Machine, MachineError

from engine import guards as guard_registry
from engine.errors import Conflict, GuardFailed, InvalidData, Problem
from engine.guards import GuardContext
from engine.states import RULES, STATE_LABELS, TRANSITIONS, CaseState, TransitionRule


@dataclass
class StateHolder:
    """The model the machine fires on: just a state name."""

    state: str
    failures: list[Problem] = field(default_factory=list)


def _guards_pass(event: EventData) -> bool:
    """The machine's single condition: run every guard the rule names, keep all failures."""
    holder = event.model
    assert isinstance(holder, StateHolder)
    ctx: GuardContext = event.kwargs["ctx"]
    rule = RULES[event.event.name]
    holder.failures = guard_registry.check(rule.guards, ctx)
    return not holder.failures


@cache
def machine() -> Machine:
    """Return the process-wide machine (built on first use, never per case)."""
    unknown = {g for rule in TRANSITIONS for g in rule.guards} - set(guard_registry.GUARDS)
    if unknown:
        raise RuntimeError(f"transition table names unknown guards: {sorted(unknown)}")
    return Machine(
        model=None,
        states=[s.value for s in CaseState],
        transitions=[
            {
                "trigger": rule.trigger,
                "source": [s.value for s in rule.sources],
                "dest": rule.dest.value if rule.dest is not None else None,
                "conditions": [_guards_pass],
            }
            for rule in TRANSITIONS
        ],
        initial=None,
        auto_transitions=False,
        send_event=True,
        model_attribute="state",
    )


def rule_for(trigger: str) -> TransitionRule:
    """Return the rule for ``trigger`` or refuse an unknown trigger name."""
    rule = RULES.get(trigger)
    if rule is None:
        raise InvalidData(
            f"未知的操作：{trigger}",
            f"unknown trigger: {trigger}",
            problems=[
                Problem(
                    code="unknown_trigger",
                    message=f"未知的操作：{trigger}",
                    message_en=f"unknown trigger {trigger!r}; known: {', '.join(sorted(RULES))}",
                    field="trigger",
                )
            ],
        )
    return rule


def state_conflict(state: str, trigger: str) -> Conflict:
    """Build the refusal for a trigger that cannot fire from ``state``."""
    state = str(state)
    label = STATE_LABELS[CaseState(state)][0]
    return Conflict(
        f"案件当前状态为“{label}”，不能执行“{RULES[trigger].label_zh}”",
        f"trigger {trigger!r} is not allowed from state {state!r}",
        code="invalid_state",
        details={"state": state, "trigger": trigger},
    )


def fire(state: str, trigger: str, ctx: GuardContext) -> str:
    """Fire ``trigger`` from ``state`` and return the new state, or raise why not."""
    rule_for(trigger)
    holder = StateHolder(state=str(state))
    try:
        fired = machine().events[trigger].trigger(holder, ctx=ctx)
    except MachineError:
        raise state_conflict(state, trigger) from None
    if not fired:
        names = "；".join(p.message for p in holder.failures)
        raise GuardFailed(
            f"不满足条件：{names}",
            "guard failed: " + "; ".join(p.message_en for p in holder.failures),
            problems=holder.failures,
        )
    return holder.state


def triggers_from(state: str) -> list[str]:
    """Return the triggers the machine accepts from ``state`` (table order)."""
    return [rule.trigger for rule in TRANSITIONS if CaseState(state) in rule.sources]
