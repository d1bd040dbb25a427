"""A case entry built by ``audit.recorder.link`` hashes exactly as verification recomputes it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.chain import GENESIS_HASH, EntryBody, canonical_text, hash_text
from audit.recorder import link
from engine.ports import Actor, CaseEvent, ChainHead
from engine.states import Role

texts = st.text(max_size=30)
payloads = st.dictionaries(
    st.text(max_size=8),
    st.none() | st.booleans() | st.integers() | texts | st.lists(st.integers(), max_size=3),
    max_size=4,
)
#: times in any zone: the entry holds them in UTC
zones = st.sampled_from(
    [dt.UTC, dt.timezone(dt.timedelta(hours=8)), dt.timezone(-dt.timedelta(hours=5))]
)


@settings(max_examples=300, deadline=None)
@given(
    case_id=st.integers(1, 10**9),
    seq=st.integers(0, 10**6),
    head=st.none() | st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    trigger=texts,
    states=st.tuples(st.none() | texts, st.none() | texts),
    actor=texts,
    actor_id=st.none() | st.integers(0, 10**6),
    role=st.sampled_from(list(Role)),
    reason=texts,
    payload=payloads,
    at=st.datetimes(timezones=zones),
)
def test_a_linked_entry_is_the_canonical_encoding_of_its_body(
    case_id: int,
    seq: int,
    head: str | None,
    trigger: str,
    states: tuple[str | None, str | None],
    actor: str,
    actor_id: int | None,
    role: Role,
    reason: str,
    payload: dict[str, object],
    at: dt.datetime,
) -> None:
    event = CaseEvent(
        trigger=trigger,
        from_state=states[0],
        to_state=states[1],
        actor=Actor(user_id=actor_id, username=actor, role=role, region_code="512022"),
        at=at,
        reason=reason,
        payload=payload,
    )
    row = link(ChainHead(case_id, seq, head), event)
    body = EntryBody(
        case_id=case_id,
        seq=seq + 1,
        trigger=trigger,
        from_state=states[0],
        to_state=states[1],
        actor_id=actor_id,
        actor=actor,
        role=str(role),
        at=at,
        reason=reason,
        payload=payload,
    )
    prev = head or GENESIS_HASH
    assert row["hash"] == hash_text(prev, canonical_text(body.as_dict()))
    assert row["payload"] == canonical_text(payload)
    assert (row["seq"], row["prev_hash"], row["role"]) == (seq + 1, prev, str(role))


def test_a_time_without_its_zone_is_refused() -> None:
    event = CaseEvent(
        trigger="accept",
        from_state="submitted",
        to_state="accepted",
        actor=Actor(user_id=1, username="clerk", role=Role.REVIEWER, region_code="512022"),
        at=dt.datetime(2026, 3, 2, 10, 0),  # noqa: DTZ001 (the value refused)
    )
    with pytest.raises(TypeError, match="naive"):
        link(ChainHead(7, 0, None), event)
