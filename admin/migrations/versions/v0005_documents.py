"""documents: contacts printed on notices and letters; the record of issued documents

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CONTACT_COLUMNS = (
    ("authority", 100),
    ("office", 200),
    ("phone", 40),
    ("reconsideration_body", 100),
    ("court", 100),
)

SQLITE_GUARDS = (
    """
    CREATE TRIGGER issued_document_no_update BEFORE UPDATE ON issued_document
    BEGIN SELECT RAISE(ABORT, 'issued_document is append-only'); END
    """,
    """
    CREATE TRIGGER issued_document_no_delete BEFORE DELETE ON issued_document
    BEGIN SELECT RAISE(ABORT, 'issued_document is append-only'); END
    """,
)
POSTGRESQL_GUARDS = (
    # doudi_refuse_audit_change() comes with the audit trail (0001)
    """
    CREATE TRIGGER issued_document_no_update_delete BEFORE UPDATE OR DELETE ON issued_document
    FOR EACH ROW EXECUTE FUNCTION doudi_refuse_audit_change()
    """,
    """
    CREATE TRIGGER issued_document_no_truncate BEFORE TRUNCATE ON issued_document
    FOR EACH STATEMENT EXECUTE FUNCTION doudi_refuse_audit_change()
    """,
)


def upgrade() -> None:
    with op.batch_alter_table("region", schema=None) as batch_op:
        for name, length in CONTACT_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    op.create_table(
        "issued_document",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("decision_seq", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("issuing_body", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ledger_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_document")),
        sa.UniqueConstraint("code", name=op.f("uq_issued_document_code")),
    )
    op.create_index("ix_issued_document_sha256", "issued_document", ["sha256"])
    op.create_index("ix_issued_document_case_id", "issued_document", ["case_id"])
    op.create_index(
        "ix_issued_document_county_code_issued_at", "issued_document", ["county_code", "issued_at"]
    )
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_GUARDS, "postgresql": POSTGRESQL_GUARDS}.get(dialect, ()):
        op.execute(statement)


def downgrade() -> None:
    op.drop_index("ix_issued_document_county_code_issued_at", table_name="issued_document")
    op.drop_index("ix_issued_document_case_id", table_name="issued_document")
    op.drop_index("ix_issued_document_sha256", table_name="issued_document")
    op.drop_table("issued_document")
    with op.batch_alter_table("region", schema=None) as batch_op:
        for name, _length in reversed(CONTACT_COLUMNS):
            batch_op.drop_column(name)
