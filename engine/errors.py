"""Domain errors: each carries an English code, a Chinese and an English message.

Entry points (API, CLI, UI) map the error class to a status code, an exit code
or a flash message; the domain never knows about HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request: a failed guard or an invalid field."""

    code: str
    message: str
    message_en: str
    field: str | None = None
    context: Mapping[str, Any] = dc_field(default_factory=dict)

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        """Return the problem as JSON-ready data in the requested language."""
        out: dict[str, Any] = {
            "code": self.code,
            "message": self.message_en if lang == "en" else self.message,
        }
        if self.field is not None:
            out["field"] = self.field
        if self.context:
            out["context"] = dict(self.context)
        return out


class DomainError(Exception):
    """Base of every refusal the domain raises."""

    code = "domain_error"

    def __init__(
        self,
        message: str,
        message_en: str,
        *,
        code: str | None = None,
        problems: Sequence[Problem] = (),
        details: Any = None,
    ) -> None:
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en
        if code is not None:
            self.code = code
        self.problems = tuple(problems)
        self.details = details

    def text(self, lang: str = "zh") -> str:
        """Return the message in ``lang`` ("zh" or "en")."""
        return self.message_en if lang == "en" else self.message

    def details_for(self, lang: str = "zh") -> Any:
        """Return the details: each problem, or the free-form details."""
        if self.problems:
            return [p.as_dict(lang) for p in self.problems]
        return self.details


class NotFound(DomainError):
    """The object does not exist (or the caller may not know it exists)."""

    code = "not_found"


class Forbidden(DomainError):
    """The actor's role, region or a recusal rule forbids the action."""

    code = "forbidden"


class Recused(Forbidden):
    """The actor is related to the household (or lives in it) and must recuse themself."""

    code = "recusal"


class Conflict(DomainError):
    """The action clashes with the current state: wrong state, stale version, duplicate."""

    code = "conflict"


class InvalidData(DomainError):
    """The input is malformed or violates a domain rule; problems name the fields."""

    code = "invalid"


class GuardFailed(DomainError):
    """A trigger is allowed from the state but one or more guards refuse it."""

    code = "guard_failed"


def invalid_field(field_name: str, message: str, message_en: str, code: str = "invalid") -> Problem:
    """Build a problem for one invalid field."""
    return Problem(code=code, message=message, message_en=message_en, field=field_name)


def raise_invalid(problems: Sequence[Problem]) -> None:
    """Raise InvalidData listing ``problems`` when there are any."""
    if problems:
        fields = ", ".join(p.field or "?" for p in problems)
        raise InvalidData(
            f"输入有误：{fields}",
            f"invalid input: {fields}",
            problems=problems,
        )
