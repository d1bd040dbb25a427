"""A locked case's own changes written as one UPDATE, without the unit of work's flush.

A transition changes a handful of the case's columns (state, stamps, version, chain head,
next deadline). The ORM's flush would find them, but it costs more than the rest of the
transition's Python together; ``pending_changes`` reads them from the loaded case and
``case_update`` writes them in one statement that still checks the version the case was
read at (optimistic locking, as the flush does). ``mark_written`` then tells the session
the case holds what the database holds, so its flush at commit has nothing left to do.
Later changes to the same case in the transaction are flushed by the ORM as usual.
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from sqlalchemy import Table, Update, bindparam, inspect, update
from sqlalchemy.orm import Session

from engine.models import Case

CASE_TABLE = cast(Table, Case.__table__)
#: the case's column attributes (each named as its column): the only changes written here
CASE_COLUMNS = frozenset(attr.key for attr in inspect(Case).column_attrs)
#: the bind names of the case's id and of the version it was read at, in ``case_update``
CASE_ID, READ_VERSION = "case_row_id", "case_read_version"


def pending_changes(case: Case) -> dict[str, Any] | None:
    """The columns of a loaded case changed since it was read or last written, with their
    values; None when only the unit of work may write it (a new case, an unloaded version,
    a relationship changed)."""
    state = inspect(case)
    if not state.persistent or "version" in state.expired_attributes:
        return None
    changed = state.committed_state
    if not changed.keys() <= CASE_COLUMNS:
        return None
    return {key: state.dict[key] for key in changed}


def read_version(case: Case) -> int:
    """The version the case had when it was read (or last written)."""
    state = inspect(case)
    return int(state.committed_state.get("version", case.version))


@cache
def case_update(columns: tuple[str, ...]) -> Update:
    """UPDATE of these case columns for the case whose id and read version are bound as
    ``CASE_ID`` and ``READ_VERSION`` (each column's value bound as ``case_<column>``); built
    once per set of columns, so SQLAlchemy compiles it once."""
    return (
        update(CASE_TABLE)
        .where(
            CASE_TABLE.c.id == bindparam(CASE_ID),
            CASE_TABLE.c.version == bindparam(READ_VERSION),
        )
        .values(
            {name: bindparam(f"case_{name}", type_=CASE_TABLE.c[name].type) for name in columns}
        )
    )


def update_params(case: Case, changes: dict[str, Any]) -> dict[str, Any]:
    """The bound values of ``case_update(sorted(changes))`` for this case."""
    params = {f"case_{name}": value for name, value in changes.items()}
    params[CASE_ID] = case.id
    params[READ_VERSION] = read_version(case)
    return params


def mark_written(session: Session, case: Case) -> None:
    """Record that the database now holds the case as loaded here (after ``case_update``):
    the session's flush will not write these changes again."""
    state = inspect(case)
    # the same step the flush takes for each object it wrote (SQLAlchemy has no public
    # name for it); tests/engine/test_case_writes.py holds it to that
    state._commit_all(state.dict, session.identity_map)
