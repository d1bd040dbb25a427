"""tekun: the intended termination is noticed in the village before the county decides
(TK Art. 26), and a member's schooling keeps a supported minor's support past 18 (TK Art. 24)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_BEFORE = (
    "draft",
    "submitted",
    "awaiting_materials",
    "accepted",
    "investigating",
    "initial_reviewed",
    "in_public_notice",
    "pending_confirmation",
    "active",
    "under_recheck",
    "phasing_out",
    "rejected",
    "terminated",
    "withdrawn",
    "procedure_ended",
)
_AFTER = (*_BEFORE[:11], "termination_notice", *_BEFORE[11:])


def _states_check(states: tuple[str, ...]) -> str:
    return "state IN (" + ", ".join(f"'{s}'" for s in states) + ")"


def _replace_states_check(states: tuple[str, ...]) -> None:
    # the column is a VARCHAR with a named CHECK constraint (no native enum): swap the check
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("case_file", recreate="always") as batch_op:
            batch_op.drop_constraint(op.f("ck_case_file_case_state"), type_="check")
            batch_op.create_check_constraint("case_state", _states_check(states))
        return
    op.drop_constraint(op.f("ck_case_file_case_state"), "case_file", type_="check")
    op.create_check_constraint("case_state", "case_file", _states_check(states))


def upgrade() -> None:
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("termination_noticed_at", sa.DateTime(timezone=True), nullable=True)
        )
    _replace_states_check(_AFTER)
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("in_school", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("in_school")
    op.execute("UPDATE case_file SET state = 'active' WHERE state = 'termination_notice'")
    _replace_states_check(_BEFORE)
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_column("termination_noticed_at")
