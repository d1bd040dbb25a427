"""procedure: the first investigation start kept, re-investigations and democratic reviews on
objections, the revised initial opinion, the referral to the county, complaints received
while the county confirms

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

CASE_COLUMNS = ("reinvestigating_since", "opinion_revised_at", "referred_at")


def upgrade() -> None:
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        for name in CASE_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("objection", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=12), server_default="objection", nullable=False)
        )
    # a file closed from the notice went to the county then
    op.execute("UPDATE case_file SET referred_at = notice_closed_at")
    op.create_table(
        "democratic_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("participants", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_democratic_review_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["app_user.id"],
            name=op.f("fk_democratic_review_recorded_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_democratic_review")),
    )
    op.create_index(op.f("ix_democratic_review_case_id"), "democratic_review", ["case_id"])


def downgrade() -> None:
    with op.batch_alter_table("objection", schema=None) as batch_op:
        batch_op.drop_column("kind")
    op.drop_index(op.f("ix_democratic_review_case_id"), table_name="democratic_review")
    op.drop_table("democratic_review")
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        for name in reversed(CASE_COLUMNS):
            batch_op.drop_column(name)
