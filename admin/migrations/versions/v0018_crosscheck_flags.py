"""records other departments hold about members of open and enrolled cases, raised on the case
as flags with the record as evidence until staff resolve them (信息核对, Art. 17)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-13
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crosscheck_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("match_key", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_crosscheck_flag_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_crosscheck_flag_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"],
            ["app_user.id"],
            name=op.f("fk_crosscheck_flag_raised_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["app_user.id"],
            name=op.f("fk_crosscheck_flag_resolved_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crosscheck_flag")),
        sa.UniqueConstraint("match_key", name=op.f("uq_crosscheck_flag_match_key")),
    )
    op.create_index(op.f("ix_crosscheck_flag_case_id"), "crosscheck_flag", ["case_id"])
    op.create_index(op.f("ix_crosscheck_flag_person_id"), "crosscheck_flag", ["person_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_crosscheck_flag_person_id"), table_name="crosscheck_flag")
    op.drop_index(op.f("ix_crosscheck_flag_case_id"), table_name="crosscheck_flag")
    op.drop_table("crosscheck_flag")
