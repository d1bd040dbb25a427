"""the latest information check's request and start on the case row, for its deadline

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-12

A case's next deadline includes the start of its latest requested check (Art. 17); every
transition dates it. Kept on the case (the service that requests and starts a check
writes both), it costs no query per transition. Filled here from each case's latest
``data_check`` row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

#: each case's latest check (portable: no UPDATE … FROM)
FILL = """
UPDATE case_file SET
    data_check_requested_at = (SELECT requested_at FROM data_check WHERE data_check.id =
        (SELECT max(id) FROM data_check WHERE data_check.case_id = case_file.id)),
    data_check_started_at = (SELECT started_at FROM data_check WHERE data_check.id =
        (SELECT max(id) FROM data_check WHERE data_check.case_id = case_file.id))
WHERE EXISTS (SELECT 1 FROM data_check WHERE data_check.case_id = case_file.id)
"""


def upgrade() -> None:
    with op.batch_alter_table("case_file") as batch:
        batch.add_column(
            sa.Column("data_check_requested_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("data_check_started_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.execute(FILL)


def downgrade() -> None:
    with op.batch_alter_table("case_file") as batch:
        batch.drop_column("data_check_started_at")
        batch.drop_column("data_check_requested_at")
