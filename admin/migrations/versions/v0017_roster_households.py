"""the households brought in from a county's existing roster, with the case each became and
the file and lines it came from (a second import of the file changes nothing)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-13
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roster_household",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("household_no", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("rows_sha256", sa.String(length=64), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("first_line", sa.Integer(), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_roster_household_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["imported_by_id"],
            ["app_user.id"],
            name=op.f("fk_roster_household_imported_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_household")),
        sa.UniqueConstraint(
            "county_code", "household_no", name=op.f("uq_roster_household_county_code")
        ),
    )
    op.create_index(op.f("ix_roster_household_case_id"), "roster_household", ["case_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_roster_household_case_id"), table_name="roster_household")
    op.drop_table("roster_household")
