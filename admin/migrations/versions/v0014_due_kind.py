"""which deadline a case's ``due_on`` is, so that the queue names it

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-10

Cases already open keep ``due_kind`` empty until their next step (or a calendar
change) recomputes their deadlines; the queue shows their date without the name
meanwhile, and the case page computes it afresh.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_file") as batch:
        batch.add_column(sa.Column("due_kind", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_file") as batch:
        batch.drop_column("due_kind")
