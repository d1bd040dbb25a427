"""National rules as dated data (``engine/data/national_rules.toml``), never literals in code."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Rule:
    """One dated version of a rule, with where it comes from."""

    name: str
    value: int
    unit: str
    effective_from: dt.date
    source: str
    note: str = ""


class RuleBook:
    """The rules in force on any date."""

    def __init__(self, rules: list[Rule]) -> None:
        self._by_name: dict[str, list[Rule]] = {}
        for rule in sorted(rules, key=lambda r: r.effective_from):
            self._by_name.setdefault(rule.name, []).append(rule)

    def rule(self, name: str, on: dt.date) -> Rule:
        """Return the version of rule ``name`` in force on ``on``."""
        versions = self._by_name.get(name)
        if not versions:
            raise KeyError(f"no rule named {name!r}")
        in_force = [r for r in versions if r.effective_from <= on]
        # Before the first version took effect, the first version still
        # describes the procedure best (the measures codified older practice).
        return in_force[-1] if in_force else versions[0]

    def value(self, name: str, on: dt.date) -> int:
        """Return the value of rule ``name`` in force on ``on``."""
        return self.rule(name, on).value

    def names(self) -> list[str]:
        """Return every rule name."""
        return sorted(self._by_name)


def parse_rules(text: str) -> list[Rule]:
    """Parse a rule file's TOML text."""
    data = tomllib.loads(text)
    return [
        Rule(
            name=item["name"],
            value=int(item["value"]),
            unit=item["unit"],
            effective_from=dt.date.fromisoformat(item["effective_from"]),
            source=item["source"],
            note=item.get("note", ""),
        )
        for item in data["rule"]
    ]


@cache
def national_rules() -> RuleBook:
    """Return the national rule book shipped with the engine."""
    text = resources.files("engine").joinpath("data/national_rules.toml").read_text("utf-8")
    return RuleBook(parse_rules(text))
