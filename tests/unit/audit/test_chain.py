"""Hash chains: canonical encoding, entry hashes and what verification catches."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.chain import (
    GENESIS_HASH,
    CaseEntryEncoder,
    EntryBody,
    QuotedNames,
    StoredEntry,
    body_text,
    canonical_json,
    canonical_text,
    case_row_text,
    entry_hash,
    hash_text,
    verify_chain,
)

AT = dt.datetime(2026, 3, 2, 2, 0, 0, 123456, tzinfo=dt.UTC)


def body(seq: int, case_id: int = 7, trigger: str = "accept", **kw: object) -> EntryBody:
    values = {
        "case_id": case_id,
        "seq": seq,
        "trigger": trigger,
        "from_state": "submitted",
        "to_state": "accepted",
        "actor_id": 1,
        "actor": "clerk",
        "role": "clerk",
        "at": AT + dt.timedelta(minutes=seq),
        "reason": "",
        "payload": {"n": seq},
    }
    values.update(kw)
    return EntryBody(**values)  # type: ignore[arg-type]


def chain(n: int, case_id: int = 7) -> list[StoredEntry]:
    out, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        b = body(seq, case_id)
        digest = entry_hash(prev, b)
        out.append(StoredEntry(b, prev, digest))
        prev = digest
    return out


def test_canonical_json_sorts_keys_and_has_no_whitespace() -> None:
    assert canonical_text({"b": 1, "a": [True, None, "中"]}) == '{"a":[true,null,"中"],"b":1}'


def test_times_are_utc_with_microseconds_and_decimals_are_strings() -> None:
    cst = dt.timezone(dt.timedelta(hours=8))
    value = {
        "at": dt.datetime(2026, 3, 2, 10, 0, tzinfo=cst),
        "yuan": Decimal("533.50"),
        "on": dt.date(2026, 3, 2),
    }
    assert canonical_text(value) == (
        '{"at":"2026-03-02T02:00:00.000000Z","on":"2026-03-02","yuan":"533.50"}'
    )


NAIVE = dt.datetime(2026, 1, 1)  # noqa: DTZ001  (a naive time is what this test refuses)


@pytest.mark.parametrize("bad", [1.5, NAIVE, {1: "x"}, object()])
def test_values_without_one_canonical_form_are_refused(bad: object) -> None:
    with pytest.raises(TypeError):
        canonical_json({"x": bad})


def test_entry_hash_is_sha256_of_prev_hash_and_canonical_body() -> None:
    b = body(1)
    expected = hashlib.sha256(
        GENESIS_HASH.encode()
        + json.dumps(
            json.loads(canonical_text(b.as_dict())),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()
    ).hexdigest()
    assert entry_hash(GENESIS_HASH, b) == expected


def test_an_intact_chain_verifies() -> None:
    entries = chain(4)
    assert verify_chain("case 7", entries, 4, entries[-1].hash) is None


def test_an_edited_entry_is_named() -> None:
    entries = chain(4)
    edited = dataclasses.replace(entries[2], body=body(3, reason="changed later"))
    problem = verify_chain("case 7", [*entries[:2], edited, entries[3]], 4, entries[-1].hash)
    assert problem is not None and (problem.seq, problem.kind) == (3, "hash_mismatch")


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link() -> None:
    entries = chain(4)
    b = body(2, reason="forged")
    forged = StoredEntry(b, entries[1].prev_hash, entry_hash(entries[1].prev_hash, b))
    problem = verify_chain("case 7", [entries[0], forged, *entries[2:]], 4, entries[-1].hash)
    assert problem is not None and (problem.seq, problem.kind) == (3, "broken_link")


def test_a_deleted_entry_is_named() -> None:
    entries = chain(4)
    problem = verify_chain("case 7", [entries[0], entries[2], entries[3]], 4, entries[-1].hash)
    assert problem is not None and (problem.seq, problem.kind) == (2, "missing")


def test_reordered_entries_are_caught() -> None:
    entries = chain(3)
    problem = verify_chain("case 7", [entries[1], entries[0], entries[2]], 3, entries[-1].hash)
    assert problem is not None and problem.seq == 1


def test_a_truncated_tail_is_caught_against_the_case_head() -> None:
    entries = chain(4)
    problem = verify_chain("case 7", entries[:3], 4, entries[-1].hash)
    assert problem is not None and (problem.seq, problem.kind) == (4, "truncated")


def test_a_rewritten_whole_chain_does_not_match_the_recorded_head() -> None:
    entries = chain(2)
    problem = verify_chain("case 7", entries, 2, "f" * 64)
    assert problem is not None and problem.kind == "head_mismatch"


def test_an_entry_moved_from_another_case_is_caught() -> None:
    other = chain(1, case_id=8)
    problem = verify_chain("case 7", other, 1, other[0].hash)
    assert problem is not None and problem.kind == "wrong_chain"


# --- the bulk encoder writes exactly what verification recomputes ---------------------------

texts = st.text(max_size=30)
payloads = st.dictionaries(
    st.text(max_size=8),
    st.none() | st.booleans() | st.integers() | texts | st.lists(st.integers(), max_size=3),
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(
    case_id=st.integers(1, 10**9),
    seq=st.integers(1, 10**6),
    trigger=texts,
    states=st.tuples(st.none() | texts, st.none() | texts),
    actor=texts,
    actor_id=st.none() | st.integers(0, 10**6),
    reason=texts,
    payload=payloads,
    at=st.datetimes(timezones=st.just(dt.UTC)),
)
def test_the_bulk_and_row_encoders_match_the_entry_encoding(
    case_id: int,
    seq: int,
    trigger: str,
    states: tuple[str | None, str | None],
    actor: str,
    actor_id: int | None,
    reason: str,
    payload: dict[str, object],
    at: dt.datetime,
) -> None:
    common = {
        "trigger": trigger,
        "from_state": states[0],
        "to_state": states[1],
        "actor_id": actor_id,
        "actor": actor,
        "role": "reviewer",
        "at": at,
        "reason": reason,
    }
    b = EntryBody(case_id=case_id, seq=seq, payload=payload, **common)  # type: ignore[arg-type]
    payload_text = canonical_text(payload)
    expected = canonical_text(b.as_dict())
    assert body_text(b, payload_text) == expected
    assert CaseEntryEncoder(common).text(case_id, seq, payload_text) == expected
    # as verification rebuilds it from stored columns (numbers as text, the time formatted)
    stored = (str(case_id), str(seq), trigger, *states, None if actor_id is None else str(actor_id))
    at_text = canonical_text(at)[1:-1]
    row = (*stored, actor, "reviewer", at_text, reason, payload_text)
    assert case_row_text(QuotedNames(), *row) == expected
    assert hash_text(GENESIS_HASH, expected) == entry_hash(GENESIS_HASH, b)
