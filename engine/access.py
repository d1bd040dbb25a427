"""Who may see and act on what: regions by code prefix, roles from the transition table."""

from __future__ import annotations

from engine.errors import Forbidden
from engine.ports import Actor
from engine.states import ROLE_LABELS, TRIGGERS_BY_ROLE, Role, TransitionRule

#: roles that work cases and may take part in investigations
STAFF_ROLES: frozenset[Role] = frozenset({Role.CLERK, Role.REVIEWER, Role.APPROVER})


def covers(region_code: str, village_code: str) -> bool:
    """Return whether a user of ``region_code`` has the village in their region.

    Statistical region codes nest by prefix: county 512022, township
    512022100, village 512022100201 (the import refuses codes that do not).
    """
    return village_code.startswith(region_code)


def county_of(region_code: str) -> str:
    """Return the county code of any region code (its first six digits)."""
    return region_code[:6]


def ensure_in_region(actor: Actor, village_code: str) -> None:
    """Refuse an actor whose region does not contain the village."""
    if not covers(actor.region_code, village_code):
        raise Forbidden(
            f"案件所在村（{village_code}）不在您的辖区（{actor.region_code}）内",
            f"the case's village {village_code} is outside your region {actor.region_code}",
            code="outside_region",
        )


def ensure_role_may_fire(actor: Actor, rule: TransitionRule) -> None:
    """Refuse an actor whose role may not fire the rule's trigger."""
    if rule.trigger not in TRIGGERS_BY_ROLE[actor.role]:
        role_zh = ROLE_LABELS[actor.role][0]
        needed_zh = ROLE_LABELS[rule.role][0]
        raise Forbidden(
            f"{role_zh}无权执行“{rule.label_zh}”（应由{needed_zh}执行）",
            f"role {actor.role} may not fire {rule.trigger!r} (it is the {rule.role}'s)",
            code="role_not_allowed",
        )


def ensure_role(actor: Actor, allowed: frozenset[Role], what_zh: str, what_en: str) -> None:
    """Refuse an actor whose role is not in ``allowed`` for an action."""
    if actor.role not in allowed:
        names = "、".join(ROLE_LABELS[r][0] for r in sorted(allowed))
        raise Forbidden(
            f"{ROLE_LABELS[actor.role][0]}无权{what_zh}（限{names}）",
            f"role {actor.role} may not {what_en} (allowed: {', '.join(sorted(allowed))})",
            code="role_not_allowed",
        )
