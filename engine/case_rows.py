"""A locked case's row, read and written with no more machinery than a transition needs.

Reading (``locked_case_row``): on PostgreSQL the row is fetched with the driver (SELECT …
FOR UPDATE) and the loaded ORM object is built from it, each value through its column
type's result processor as SQLAlchemy's own loading does; the ORM's per-statement steps
(result metadata, column descriptions, loading) cost a third of a transition's Python.
Elsewhere, or when the session already holds the case, the ORM loads it.

Writing: a transition changes a handful of the case's columns (state, stamps, version, chain
head, next deadline). The ORM's flush would find them, but it costs more than the rest of
the transition's Python together; ``pending_changes`` reads them from the loaded case and
``case_update`` writes them in one statement that still checks the version the case was
read at (optimistic locking, as the flush does). ``mark_written`` then tells the session
the case holds what the database holds, so its flush at commit has nothing left to do.
Later changes to the same case in the transaction are flushed by the ORM as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any, cast

from sqlalchemy import Dialect, Table, Update, bindparam, inspect, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import manager_of_class
from sqlalchemy.orm.util import identity_key

from engine.driver import DriverStatement
from engine.models import Case

_Processors = tuple[Callable[[Any], Any] | None, ...]

CASE_TABLE = cast(Table, Case.__table__)
#: the case's column attributes (each named as its column): the only changes written here
CASE_COLUMNS = frozenset(attr.key for attr in inspect(Case).column_attrs)
_CASE_CLASS = manager_of_class(Case)
#: the bind names of the case's id and of the version it was read at, in ``case_update``
CASE_ID, READ_VERSION = "case_row_id", "case_read_version"


@lru_cache(maxsize=4)
def _row_reader(dialect: Dialect) -> tuple[DriverStatement, tuple[str, ...], _Processors]:
    """The driver's SELECT … FOR UPDATE of a case row, the attribute each value goes to, and
    the column types' result processors, for this kind of database."""
    columns = list(CASE_TABLE.columns)
    names = ", ".join(column.name for column in columns)
    lock = DriverStatement(
        f"SELECT {names} FROM case_file WHERE id = $1 FOR UPDATE",  # noqa: S608 (the table's own names)
        dialect,
    )
    processors = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
    )
    return lock, tuple(column.key for column in columns), processors


def reads_directly(session: Session, case_id: int) -> bool:
    """Whether ``locked_case_row`` may read the case: PostgreSQL, a session holding neither
    this case nor any change of its own (the ORM's query would write those first)."""
    return (
        session.get_bind().dialect.name == "postgresql"
        and not (session.new or session.dirty or session.deleted)
        and identity_key(Case, case_id) not in session.identity_map
    )


def locked_case_row(session: Session, case_id: int) -> Case | None:
    """The case read with a row lock by the driver and put in the session as the ORM would
    have loaded it; None if there is no such case (see ``reads_directly``)."""
    connection = session.connection()
    lock, keys, processors = _row_reader(connection.dialect)
    row = lock.first(connection, (case_id,))
    if row is None:
        return None
    case = _CASE_CLASS.new_instance()
    case.__dict__.update(
        {
            key: value if process is None else process(value)
            for key, process, value in zip(keys, processors, row, strict=True)
        }
    )
    # as loaded: every column committed, relationships left to load when asked for
    make_transient_to_detached(case)
    session.add(case)
    return case


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
    # name for it); tests/integration/engine/test_case_rows.py holds it to that
    state._commit_all(state.dict, session.identity_map)
