"""sign-in events: every attempt through the UI or the API, append-only

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SQLITE_GUARDS = (
    """
    CREATE TRIGGER sign_in_event_no_update BEFORE UPDATE ON sign_in_event
    BEGIN SELECT RAISE(ABORT, 'sign_in_event is append-only'); END
    """,
    """
    CREATE TRIGGER sign_in_event_no_delete BEFORE DELETE ON sign_in_event
    BEGIN SELECT RAISE(ABORT, 'sign_in_event is append-only'); END
    """,
)
POSTGRESQL_GUARDS = (
    # doudi_refuse_audit_change() comes with the audit trail (0001)
    """
    CREATE TRIGGER sign_in_event_no_update_delete BEFORE UPDATE OR DELETE ON sign_in_event
    FOR EACH ROW EXECUTE FUNCTION doudi_refuse_audit_change()
    """,
)


def upgrade() -> None:
    op.create_table(
        "sign_in_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_event")),
    )
    op.create_index("ix_sign_in_event_username_at", "sign_in_event", ["username", "at"])
    op.create_index("ix_sign_in_event_address_at", "sign_in_event", ["address", "at"])
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_GUARDS, "postgresql": POSTGRESQL_GUARDS}.get(dialect, ()):
        op.execute(statement)


def downgrade() -> None:
    op.drop_index("ix_sign_in_event_address_at", table_name="sign_in_event")
    op.drop_index("ix_sign_in_event_username_at", table_name="sign_in_event")
    op.drop_table("sign_in_event")
