"""Case entries streamed by PostgreSQL's COPY, each entry's canonical text rebuilt from its
columns: the fast way to read a county's whole trail for verification."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from psycopg import sql as psycopg_sql
from sqlalchemy.orm import Session

from audit.chain import Link, QuotedNames, case_row_text

#: the case entries' columns, the time as canonical UTC text
_COPY_CASE_ENTRIES = """COPY (SELECT e.case_id, e.seq, e.trigger, e.from_state, e.to_state,
 e.actor_id, e.actor, e.role,
 to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
 e.reason, e.payload, e.prev_hash, e.hash
 FROM audit_entry e WHERE {conditions}
 ORDER BY e.case_id, e.seq) TO STDOUT"""
_IN_REGION = "e.case_id IN (SELECT id FROM case_file WHERE village_code LIKE {pattern})"

#: COPY's text format escapes (https://www.postgresql.org/docs/current/sql-copy.html)
_COPY_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_COPY_ESCAPE = re.compile(r"\\(.)")

#: bytes of COPY output parsed at a time: PostgreSQL sends a row per message, and splitting
#: many rows at once is far cheaper than handling each message by itself
_COPY_READ_SIZE = 1 << 18


def _copy_field(text: str) -> str | None:
    if text == "\\N":
        return None
    return _COPY_ESCAPE.sub(lambda m: _COPY_ESCAPES.get(m.group(1), m.group(1)), text)


def _copied_lines(session: Session, statement: psycopg_sql.Composable) -> Iterator[list[str]]:
    """The lines of a COPY … TO STDOUT in text format, decoded, many at a time."""
    driver = session.connection().connection.driver_connection
    assert driver is not None
    with driver.cursor().copy(statement) as copy:
        pending: list[Any] = []
        size = 0
        rest = b""
        for block in copy:
            pending.append(block)
            size += len(block)
            if size >= _COPY_READ_SIZE:
                data = rest + b"".join(pending)
                cut = data.rfind(b"\n") + 1
                rest = data[cut:]
                pending, size = [], 0
                yield data[:cut].decode("utf-8").split("\n")[:-1]
        data = rest + b"".join(pending)
        if data:
            yield data.decode("utf-8").split("\n")[:-1]


def _conditions(region_code: str, after: int | None, through: int | None) -> psycopg_sql.Composed:
    conditions: list[psycopg_sql.Composable] = [psycopg_sql.SQL("TRUE")]
    if region_code:
        escaped = re.sub(r"([\\%_])", r"\\\1", region_code)
        pattern = psycopg_sql.Literal(escaped + "%")
        conditions.append(psycopg_sql.SQL(_IN_REGION).format(pattern=pattern))
    if after is not None:
        conditions.append(psycopg_sql.SQL("e.case_id > {}").format(psycopg_sql.Literal(after)))
    if through is not None:
        conditions.append(psycopg_sql.SQL("e.case_id <= {}").format(psycopg_sql.Literal(through)))
    return psycopg_sql.SQL(" AND ").join(conditions)


def copied_case_chains(
    session: Session, region_code: str, after: int | None = None, through: int | None = None
) -> Iterator[tuple[str, list[Link]]]:
    """(case id as text, its links) per case in id order, the entries streamed by COPY.

    Two to three times faster than reading rows through the driver (measured with
    ``bench.audit_verify``): verifying a county's whole trail is bound by reading it. Each
    entry's text is rebuilt here from the columns (``case_row_text``); the database only
    formats the time. ``after`` and ``through`` bound the case ids (a worker's share).
    """
    statement = psycopg_sql.SQL(_COPY_CASE_ENTRIES).format(
        conditions=_conditions(region_code, after, through)
    )
    quoted = QuotedNames()
    current: str | None = None
    links: list[Link] = []
    for lines in _copied_lines(session, statement):
        for line in lines:
            fields: list[Any] = line.split("\t")
            if "\\" in line:  # a NULL (\N) or an escaped character
                fields = [_copy_field(f) for f in fields]
            (case_id, seq, trigger, from_state, to_state, actor_id,
             actor, role, at_text, reason, payload, prev_hash, digest) = fields  # fmt: skip
            if case_id != current:
                if current is not None:
                    yield current, links
                current, links = case_id, []
            text = case_row_text(
                quoted, case_id, seq, trigger, from_state, to_state, actor_id,
                actor, role, at_text, reason, payload,
            )  # fmt: skip
            links.append((int(seq), prev_hash, digest, text))
    if current is not None:
        # the case id stays text: the heads are looked up by it (``verify_all``)
        yield current, links
