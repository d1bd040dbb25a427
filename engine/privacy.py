"""Who sees which personal data: decided here, from the reader's role and the purpose, once.

PIPL Art. 28 counts assistance status, health, disability and bank accounts
as sensitive personal information. Staff working cases and inspectors
auditing them see it in full, and each such read is logged; every other role
(the administrator keeping accounts, regions and the officials registry)
sees names and ID numbers masked and health, means and free text withheld —
in pages, API responses, exports and the audit trail's payloads alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.identity import mask_account, mask_id_number, mask_name
from engine.ports import Actor
from engine.states import Role

#: roles whose work needs members' full ID numbers and health data; their reads are logged
PERSONAL_DATA_ROLES: frozenset[Role] = frozenset(
    {Role.CLERK, Role.REVIEWER, Role.APPROVER, Role.INSPECTOR, Role.COORDINATOR}
)
#: roles that keep or audit the officials registry and so see officials' identities
REGISTRY_ROLES: frozenset[Role] = frozenset({Role.INSPECTOR, Role.ADMIN})
#: what a masked reader sees instead of withheld data
WITHHELD = "（已隐去）"

#: payload keys by what they hold
ID_KEYS = frozenset({"id_number", "official_id_number", "member_id_number", "relative_id_number"})
NAME_KEYS = frozenset(
    {"name", "label", "objector", "member_name", "official_name", "relative_name"}
)
ACCOUNT_KEYS = frozenset({"bank_account"})
#: health, means and free text: withheld whole from masked readers
WITHHELD_KEYS = frozenset(
    {
        "incomes",
        "monthly_income",
        "disability_grade",
        "disability_type",
        "serious_illness",
        "able_to_work",
        "covered",
        "rigid_expenses_yuan",
        "deposits_yuan",
        "vehicles",
        "extra_housing_units",
        "property",
        "findings",
        "file_name",
        "address",
        "content",
        "resolution",
        "note",
        "members_before",
        "members_after",
        "household_before",
        "household_after",
        "evidence",
        "breakdown",
        "counted_income_yuan",
        "discrepancy",
        "offer",
        "failed_indicators",
        "self_care_result",
        "owed_yuan",
        "repaid_yuan",
        "outstanding_yuan",
        "paid_yuan",
        "recovery_yuan",
        "per_capita_income_yuan",
    }
)


def sees_personal_data(actor: Actor) -> bool:
    """Whether the actor's role sees unmasked personal data (and has its reads logged)."""
    return actor.role in PERSONAL_DATA_ROLES


@dataclass(frozen=True)
class Disclosure:
    """What one reader may see; every page, response and export asks it."""

    actor: Actor

    @property
    def full(self) -> bool:
        """Whether this reader sees personal data unmasked (and each read is logged)."""
        return sees_personal_data(self.actor)

    def name(self, value: str) -> str:
        """A person's name as this reader may see it."""
        return value if self.full else mask_name(value)

    def id_number(self, value: str) -> str:
        """A resident ID number as this reader may see it."""
        return value if self.full else mask_id_number(value)

    def text(self, value: str | None) -> str | None:
        """Free text written about a household (findings, notes, reasons)."""
        return value if self.full or not value else WITHHELD

    def official(self, name: str, number: str) -> tuple[str, str]:
        """An official's name and ID number in a kinship flag: auditors see them; case workers
        see them masked (they need only the relation); a reader who sees masked data sees
        neither, since a flag ties the official's family to a household on assistance and the
        registry they keep would name the relative."""
        if not self.full:
            return WITHHELD, WITHHELD
        if self.actor.role in REGISTRY_ROLES:
            return name, number
        return mask_name(name), mask_id_number(number)

    def official_name(self, name: str) -> str:
        """An official's name in a kinship flag, as ``official`` shows it."""
        return self.official(name, "")[0]

    def flag_member(self, name: str) -> str:
        """The household member a kinship flag names: withheld from masked readers (see
        ``official``)."""
        return name if self.full else WITHHELD

    def flag_path(self, path: str, official: str, members: Iterable[str]) -> str:
        """A kinship flag's relation path with each name in it as this reader sees that person
        elsewhere on the page: the official as ``official_name``, the members it names as
        ``flag_member`` (the scan stores the path with every name masked)."""
        if not self.full:
            return WITHHELD
        shown = {name: self.flag_member(name) for name in members}
        shown[official] = self.official_name(official)
        return show_masked_names(path, shown)

    def payload(self, value: Any) -> Any:
        """An audit payload (any JSON) with what this reader may not see masked or withheld."""
        return value if self.full else _masked(value)


def show_masked_names(text: str, shown: Mapping[str, str]) -> str:
    """Replace each masked name in ``text`` (``mask_name`` of a key of ``shown``) by the form
    ``shown`` gives for that person. A masked form two people share with different shown forms
    stays masked: which of them it names is unknown."""
    forms: dict[str, str | None] = {}
    for name, form in shown.items():
        masked = mask_name(name)
        if len(name) < 2:  # a one-character name is its own masked form
            continue
        forms[masked] = form if forms.get(masked, form) == form else None
    unique = {masked: form for masked, form in forms.items() if form not in (None, masked)}
    if not unique:
        return text
    # a masked name stands alone: "李*" is not the start of "李*明"
    alternatives = "|".join(re.escape(m) for m in sorted(unique, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w*])(?:{alternatives})(?![\w*])")
    return pattern.sub(lambda found: unique[found.group(0)], text)


def _masked(value: Any, key: str = "") -> Any:
    if isinstance(value, Mapping):
        return {k: _masked_item(str(k), v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, key) for v in value]
    return value


def _masked_item(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key in WITHHELD_KEYS:
        return WITHHELD
    if isinstance(value, str):
        if key in ID_KEYS or key == "member":
            return mask_id_number(value)
        if key in NAME_KEYS:
            return mask_name(value)
        if key in ACCOUNT_KEYS:
            return mask_account(value)
        return value
    return _masked(value, key)
