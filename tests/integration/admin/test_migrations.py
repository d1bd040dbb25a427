"""Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

import audit.models  # noqa: F401  (audit tables on the metadata)
from admin.migrate import current_revision, downgrade, head_revision, upgrade
from engine.db import make_engine
from engine.models import Base


# SQLite cannot reflect expression indexes; the one on reversed ID numbers is PostgreSQL's only
@pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index:UserWarning"
)
def test_upgrade_from_empty_matches_the_models(empty_url: str) -> None:
    engine = make_engine(empty_url)
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []
    engine.dispose()


def test_downgrade_to_base_and_back(empty_url: str) -> None:
    engine = make_engine(empty_url)
    upgrade(engine)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert "audit_entry" in inspect(engine).get_table_names()
    engine.dispose()
