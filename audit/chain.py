"""Hash chains over audit entries: canonical encoding, entry hash, verification.

hash = SHA-256(prev_hash ‖ canonical JSON of the entry body). The canonical
JSON has sorted keys, no insignificant whitespace, UTF-8 text, times as UTC
ISO 8601 with microseconds and a "Z", decimals as strings, and no floats (a
float has no single canonical spelling across languages). Anyone can
recompute a chain from an export with ``hashlib`` and ``json`` alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any

#: prev_hash of a chain's first entry
GENESIS_HASH = "0" * 64


_PLAIN = (str, int, bool, type(None))


def _normalize(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:  # the common case first: it is already JSON
        return value
    if kind is dict:  # next: a payload (a Mapping, without the abstract class's check)
        return _normalize_mapping(value)
    if kind is dt.datetime:  # then the stamps a payload's facts carry
        return utc_text(value)
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, Enum):
        return _normalize(value.value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return utc_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return _normalize_mapping(value)
    if isinstance(value, list | tuple | set | frozenset):
        items = [_normalize(v) for v in value]
        return sorted(items, key=canonical_text) if isinstance(value, set | frozenset) else items
    raise TypeError(f"{type(value).__name__} cannot be written to an audit entry")


def _normalize_mapping(value: Mapping[Any, Any]) -> dict[str, Any]:
    out = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError(f"audit payload keys must be strings, got {key!r}")
        out[key] = item if type(item) in _PLAIN else _normalize(item)
    return out


@lru_cache(maxsize=256)
def utc_text(value: dt.datetime) -> str:
    """A time as its canonical text: UTC ISO 8601 with microseconds and a "Z" (remembered:
    bulk entries share one time)."""
    if value.tzinfo is None:
        raise TypeError("naive datetime in an audit entry")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


#: the canonical encoder, made once (``json.dumps`` with options makes a new one per call)
_CANONICAL = json.JSONEncoder(
    sort_keys=True,
    separators=(",", ":"),
    ensure_ascii=False,
    allow_nan=False,
)


def canonical_text(value: Any) -> str:
    """Return the canonical JSON text of ``value``."""
    return _CANONICAL.encode(_normalize(value))


def canonical_json(value: Any) -> bytes:
    """Return the canonical JSON encoding of ``value`` as UTF-8 bytes."""
    return canonical_text(value).encode("utf-8")


@dataclass(frozen=True)
class EntryBody:
    """The hashed content of one entry of a case's chain."""

    case_id: int
    seq: int
    trigger: str
    from_state: str | None
    to_state: str | None
    actor_id: int | None
    actor: str
    role: str
    at: dt.datetime
    reason: str
    payload: Mapping[str, Any]

    @property
    def chain(self) -> str:
        """The name of the chain this entry belongs to."""
        return f"case {self.case_id}"

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a mapping for encoding."""
        return {
            "case_id": self.case_id,
            "seq": self.seq,
            "trigger": self.trigger,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "actor_id": self.actor_id,
            "actor": self.actor,
            "role": self.role,
            "at": self.at,
            "reason": self.reason,
            "payload": self.payload,
        }


@dataclass(frozen=True)
class LedgerBody:
    """The hashed content of one entry of a ledger: a chain of events outside any case.

    Ledgers record policy changes (standards, parameters, the calendar),
    payment rolls and the like, each county's in its own named chain.
    """

    ledger: str
    seq: int
    event: str
    actor_id: int | None
    actor: str
    role: str
    at: dt.datetime
    reason: str
    payload: Mapping[str, Any]

    @property
    def chain(self) -> str:
        """The name of the chain this entry belongs to."""
        return f"ledger {self.ledger}"

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a mapping for encoding."""
        return {
            "ledger": self.ledger,
            "seq": self.seq,
            "event": self.event,
            "actor_id": self.actor_id,
            "actor": self.actor,
            "role": self.role,
            "at": self.at,
            "reason": self.reason,
            "payload": self.payload,
        }


@dataclass(frozen=True)
class ReadBody:
    """The hashed content of one entry of a county's read log: who read whose personal data."""

    log: str
    seq: int
    at: dt.datetime
    user_id: int | None
    username: str
    role: str
    action: str
    case_id: int | None
    household_id: int | None
    channel: str

    @property
    def chain(self) -> str:
        """The name of the chain this entry belongs to."""
        return f"log {self.log}"

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a mapping for encoding."""
        return {
            "log": self.log,
            "seq": self.seq,
            "at": self.at,
            "user_id": self.user_id,
            "username": self.username,
            "role": self.role,
            "action": self.action,
            "case_id": self.case_id,
            "household_id": self.household_id,
            "channel": self.channel,
        }


Body = EntryBody | LedgerBody | ReadBody


#: stands in for the payload while the rest of a body is encoded (see ``body_text``)
_PAYLOAD_MARK = "\x00payload\x00"
_PAYLOAD_MARK_JSON = json.dumps(_PAYLOAD_MARK)


def body_text(body: Body, payload_text: str | None = None) -> str:
    """Return the canonical JSON of an entry body.

    Given the payload's canonical text (as it is stored), it is spliced in
    instead of being encoded again, which is exactly equivalent: canonical
    JSON of canonical JSON's parse is the same text. The marker cannot occur
    earlier in the text: the keys sort "actor", "actor_id"/"ledger", "at",
    "case_id", "event"/"from_state", then "payload", and those fields hold
    names, times and numbers.
    """
    if payload_text is None or isinstance(body, ReadBody):
        return canonical_text(body.as_dict())
    fields = body.as_dict()
    fields["payload"] = _PAYLOAD_MARK
    return canonical_text(fields).replace(_PAYLOAD_MARK_JSON, payload_text, 1)


def _member(key: str, normalized: Any) -> str:
    return canonical_text(key) + ":" + canonical_text(normalized)


class CaseEntryEncoder:
    """Encodes many case entries that differ only in case, sequence and payload.

    A bulk run writes thousands of entries with the same trigger, states,
    actor, time and reason: those members are encoded once, and each entry's
    canonical JSON is assembled around its own case id, seq and payload text.
    The result is byte for byte ``body_text`` (a property test checks it).
    """

    #: the members that vary, in the order their keys sort
    VARYING = ("case_id", "payload", "seq")

    def __init__(self, common: Mapping[str, Any]) -> None:
        fields = _normalize(dict(common))
        if not fields.keys().isdisjoint(self.VARYING):
            raise ValueError(f"common members may not include {self.VARYING}")
        # the constant text before, between and after the varying members' values
        pieces: list[str] = []
        text = "{"
        for index, key in enumerate(sorted([*fields, *self.VARYING])):
            text += "," if index else ""
            if key in self.VARYING:
                pieces.append(text + canonical_text(key) + ":")
                text = ""
            else:
                text += _member(key, fields[key])
        pieces.append(text + "}")
        self._before_case, self._before_payload, self._before_seq, self._after = pieces

    def text(self, case_id: int, seq: int, payload_text: str) -> str:
        """Return the canonical JSON of the entry body."""
        return (
            f"{self._before_case}{case_id:d}{self._before_payload}{payload_text}"
            f"{self._before_seq}{seq:d}{self._after}"
        )


class QuotedNames(dict[str | None, str]):
    """JSON literals of the strings a chain repeats (triggers, states, names, reasons), each
    encoded once; ``None`` is ``null``. Bounded: it starts afresh past ``LIMIT`` strings."""

    LIMIT = 100_000

    def __missing__(self, value: str | None) -> str:
        if len(self) >= self.LIMIT:
            self.clear()
        literal = "null" if value is None else encode_basestring(value)
        self[value] = literal
        return literal


class RecentNames(QuotedNames):
    """``QuotedNames`` for a process's single entries, whose reasons are free text: it keeps
    fewer (a reason may be 2,000 characters)."""

    LIMIT = 1_000


def case_row_text(
    quoted: QuotedNames,
    case_id: int | str,
    seq: int | str,
    trigger: str,
    from_state: str | None,
    to_state: str | None,
    actor_id: int | str | None,
    actor: str,
    role: str,
    at_text: str,
    reason: str,
    payload_text: str,
) -> str:
    """The canonical JSON of a case entry given as stored: numbers as their decimal text, the
    time already as canonical UTC text, the payload as its stored canonical text.

    Byte for byte ``body_text`` of the same entry (a property test checks it), without
    building the body: verification of the whole trail spends its time here.
    """
    return (
        f'{{"actor":{quoted[actor]},"actor_id":{"null" if actor_id is None else actor_id},'
        f'"at":"{at_text}","case_id":{case_id},"from_state":{quoted[from_state]},'
        f'"payload":{payload_text},"reason":{quoted[reason]},"role":{quoted[role]},'
        f'"seq":{seq},"to_state":{quoted[to_state]},"trigger":{quoted[trigger]}}}'
    )


def hash_text(prev_hash: str, text: str) -> str:
    """Return SHA-256(prev_hash ‖ text) in hex."""
    return hashlib.sha256(prev_hash.encode("ascii") + text.encode("utf-8")).hexdigest()


def entry_hash(prev_hash: str, body: Body, payload_text: str | None = None) -> str:
    """Return SHA-256(prev_hash ‖ canonical JSON of ``body``) in hex."""
    return hash_text(prev_hash, body_text(body, payload_text))


@dataclass(frozen=True)
class StoredEntry:
    """An entry as read back from storage."""

    body: Body
    prev_hash: str
    hash: str
    #: the payload exactly as stored (canonical JSON text): hashed as it is, byte for byte,
    #: instead of parsing and encoding it again
    payload_text: str | None = None


@dataclass(frozen=True)
class ChainBreak:
    """The first place where a chain does not verify."""

    chain: str
    seq: int
    kind: str
    message: str


#: one entry as verification needs it: (seq, prev_hash, hash, canonical body text)
Link = tuple[int, str, str, str]


def verify_links(
    chain: str, links: Iterable[Link], head_seq: int, head_hash: str | None
) -> ChainBreak | None:
    """Check one chain's links (in seq order) against each other and the recorded head.

    Detects an edited entry (its hash no longer matches its text), a deleted or
    reordered one (sequence gap or broken link) and a truncated tail (the
    recorded head names an entry that is gone). The text of an entry builds only
    when the loop reaches it: after a break, the rest is left unread.
    """
    prev = GENESIS_HASH
    expected_seq = 1
    sha256 = hashlib.sha256
    for seq, prev_hash, digest, text in links:
        if seq != expected_seq:
            return ChainBreak(
                chain, expected_seq, "missing", f"entry {expected_seq} is missing (found {seq})"
            )
        if prev_hash != prev:
            return ChainBreak(
                chain, seq, "broken_link", f"entry {seq} does not link to entry {seq - 1}"
            )
        if sha256((prev_hash + text).encode("utf-8")).hexdigest() != digest:
            return ChainBreak(
                chain, seq, "hash_mismatch", f"entry {seq} was altered (hash mismatch)"
            )
        prev = digest
        expected_seq += 1
    last = expected_seq - 1
    if last != head_seq:
        missing = last + 1 if last < head_seq else head_seq + 1
        return ChainBreak(
            chain,
            missing,
            "truncated" if last < head_seq else "beyond_head",
            f"chain ends at entry {last} but its head records {head_seq} entries",
        )
    if head_seq and prev != head_hash:
        return ChainBreak(
            chain, last, "head_mismatch", f"entry {last} does not match the chain head"
        )
    return None


def link_of(entry: StoredEntry) -> Link:
    """A stored entry as verification needs it, its body encoded."""
    return (entry.body.seq, entry.prev_hash, entry.hash, body_text(entry.body, entry.payload_text))


def stored_links(entries: Iterable[StoredEntry]) -> Iterator[Link]:
    """The links of stored entries, each body encoded when it is reached."""
    return map(link_of, entries)


def verify_chain(
    chain: str,
    entries: Iterable[StoredEntry],
    head_seq: int,
    head_hash: str | None,
) -> ChainBreak | None:
    """Check one chain's stored entries (in seq order): ``verify_links``, and also that each
    entry belongs to ``chain`` ("case 17", "ledger policy:512022"), so that an entry moved
    from another chain is named as such."""
    stray: list[int] = []

    def own(entries: Iterable[StoredEntry]) -> Iterator[StoredEntry]:
        for entry in entries:
            if entry.body.chain != chain:
                stray.append(entry.body.seq)
                return
            yield entry

    problem = verify_links(chain, stored_links(own(entries)), head_seq, head_hash)
    if stray:
        return ChainBreak(
            chain, stray[0], "wrong_chain", f"entry {stray[0]} belongs to another chain"
        )
    return problem
