"""the household members present at an investigation, and the photos and scans attached to it
(kept outside the database under their SHA-256; the rows are evidence, only ever added)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

GUARDED = "investigation_attachment"


def upgrade() -> None:
    op.create_table(
        "investigation_presence",
        sa.Column("investigation_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["investigation_id"],
            ["investigation.id"],
            name=op.f("fk_investigation_presence_investigation_id_investigation"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_investigation_presence_member_id_member")
        ),
        sa.PrimaryKeyConstraint(
            "investigation_id", "member_id", name=op.f("pk_investigation_presence")
        ),
    )
    op.create_index(
        op.f("ix_investigation_presence_member_id"), "investigation_presence", ["member_id"]
    )
    op.create_table(
        "investigation_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("investigation_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["investigation_id"],
            ["investigation.id"],
            name=op.f("fk_investigation_attachment_investigation_id_investigation"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_file.id"],
            name=op.f("fk_investigation_attachment_case_id_case_file"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investigation_attachment")),
    )
    op.create_index(
        op.f("ix_investigation_attachment_investigation_id"),
        "investigation_attachment",
        ["investigation_id"],
    )
    op.create_index(
        op.f("ix_investigation_attachment_case_id"), "investigation_attachment", ["case_id"]
    )
    # evidence: the database refuses to change or remove a record of an attached file
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("update", "delete"):
            op.execute(
                f"CREATE TRIGGER {GUARDED}_no_{verb} BEFORE {verb.upper()} ON {GUARDED} "
                f"BEGIN SELECT RAISE(ABORT, '{GUARDED} is append-only'); END"
            )
    elif dialect == "postgresql":
        # doudi_refuse_audit_change() names the table in its refusal (migration 0010)
        op.execute(
            f"CREATE TRIGGER {GUARDED}_no_update_delete BEFORE UPDATE OR DELETE ON {GUARDED} "
            "FOR EACH ROW EXECUTE FUNCTION doudi_refuse_audit_change()"
        )
        op.execute(
            f"CREATE TRIGGER {GUARDED}_no_truncate BEFORE TRUNCATE ON {GUARDED} "
            "FOR EACH STATEMENT EXECUTE FUNCTION doudi_refuse_audit_change()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(f"DROP TRIGGER IF EXISTS {GUARDED}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {GUARDED}_no_delete")
    elif dialect == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {GUARDED}_no_update_delete ON {GUARDED}")
        op.execute(f"DROP TRIGGER IF EXISTS {GUARDED}_no_truncate ON {GUARDED}")
    op.drop_index(
        op.f("ix_investigation_attachment_case_id"), table_name="investigation_attachment"
    )
    op.drop_index(
        op.f("ix_investigation_attachment_investigation_id"), table_name="investigation_attachment"
    )
    op.drop_table("investigation_attachment")
    op.drop_index(op.f("ix_investigation_presence_member_id"), table_name="investigation_presence")
    op.drop_table("investigation_presence")
