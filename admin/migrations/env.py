"""Alembic environment: runs migrations on the connection or URL doudi passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import audit.models  # noqa: F401  (registers the audit tables on the shared metadata)
from engine.db import make_engine
from engine.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against the given connection, or open one from the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("doudi migrations run online only: use `doudi db upgrade`")
run_migrations_online()
