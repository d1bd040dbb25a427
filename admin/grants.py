"""The application's PostgreSQL role: full rights on working tables, append-only on evidence.

In production the migration role owns the schema and runs ``doudi db
upgrade``; the web application connects as a second role that may only
INSERT and SELECT the evidence tables, so that not even a compromised
application can rewrite or erase what was recorded (the triggers refuse too,
but their owner could drop them; the application's role cannot).
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, MetaData, text

from audit.models import EVIDENCE_TABLES

#: a plain PostgreSQL role name: nothing that needs quoting rules beyond double quotes
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class GrantError(ValueError):
    """The grants cannot be applied (wrong database, bad role name)."""


def grant_statements(metadata: MetaData, role: str) -> list[str]:
    """The SQL that gives ``role`` exactly the rights the application needs."""
    if not ROLE_NAME.fullmatch(role):
        raise GrantError(
            f"role name {role!r} must be lower-case letters, digits and underscores "
            "(at most 63), starting with a letter or underscore"
        )
    who = f'"{role}"'
    working = sorted(t.name for t in metadata.sorted_tables if t.name not in EVIDENCE_TABLES)
    evidence = sorted(t.name for t in metadata.sorted_tables if t.name in EVIDENCE_TABLES)
    return [
        f"GRANT USAGE ON SCHEMA public TO {who}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {who}",
        *(f'GRANT SELECT, INSERT, UPDATE, DELETE ON "{t}" TO {who}' for t in working),
        *(f'GRANT SELECT, INSERT ON "{t}" TO {who}' for t in evidence),
        f"GRANT SELECT ON alembic_version TO {who}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {who}",
    ]


def apply_grants(engine: Engine, metadata: MetaData, role: str) -> list[str]:
    """Apply the grants in one transaction (PostgreSQL only) and return them."""
    if engine.dialect.name != "postgresql":
        raise GrantError("database roles exist only on PostgreSQL; SQLite has no grants")
    statements = grant_statements(metadata, role)
    with engine.begin() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        if exists.first() is None:
            raise GrantError(f"role {role!r} does not exist: CREATE ROLE {role} LOGIN first")
        for statement in statements:
            conn.execute(text(statement))
    return statements
