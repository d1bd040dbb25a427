"""every evidence table append-only (the ledgers and the read log too, TRUNCATE refused on
PostgreSQL); the read log hash-chained per county like a ledger; signed checkpoints over all
chain heads and the leaves they recorded

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

from audit.chain import GENESIS_HASH, ReadBody, entry_hash

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
#: tables that become append-only here (audit_entry, sign_in_event and issued_document
#: already refuse UPDATE and DELETE)
NEW_GUARDED = ("ledger_entry", "access_log", "audit_checkpoint", "checkpoint_leaf")
#: PostgreSQL also refuses TRUNCATE on every evidence table
TRUNCATE_GUARDED = (*NEW_GUARDED, "sign_in_event")


def _sqlite_guards(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        for verb in ("update", "delete")
    ]


def _chain_existing_reads() -> None:
    """Give every read already logged its place in its county's chain, oldest first."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT a.id, a.at, a.user_id, a.username, a.role, a.action, a.case_id, "
            "a.household_id, a.channel, u.region_code FROM access_log a "
            "LEFT JOIN app_user u ON u.id = a.user_id ORDER BY a.id"
        )
    ).all()
    heads: dict[str, tuple[int, str]] = {}
    updates = []
    for row in rows:
        log = f"reads:{(row.region_code or '000000')[:6]}"
        seq, prev = heads.get(log, (0, GENESIS_HASH))
        at = row.at if isinstance(row.at, dt.datetime) else dt.datetime.fromisoformat(row.at)
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        body = ReadBody(
            log=log,
            seq=seq + 1,
            at=at,
            user_id=row.user_id,
            username=row.username,
            role=row.role,
            action=row.action,
            case_id=row.case_id,
            household_id=row.household_id,
            channel=row.channel,
        )
        digest = entry_hash(prev, body)
        updates.append({"id": row.id, "log": log, "seq": seq + 1, "prev": prev, "hash": digest})
        heads[log] = (seq + 1, digest)
    if updates:
        bind.execute(
            sa.text(
                "UPDATE access_log SET log = :log, seq = :seq, prev_hash = :prev, hash = :hash "
                "WHERE id = :id"
            ),
            updates,
        )
    if heads:
        bind.execute(
            sa.text("INSERT INTO access_log_head (log, seq, head) VALUES (:log, :seq, :head)"),
            [{"log": log, "seq": seq, "head": head} for log, (seq, head) in heads.items()],
        )


def upgrade() -> None:
    op.create_table(
        "access_log_head",
        sa.Column("log", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("head", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("log", name=op.f("pk_access_log_head")),
    )
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("log", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _chain_existing_reads()
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        for name in ("log", "seq", "prev_hash", "hash"):
            batch_op.alter_column(name, nullable=False)
        batch_op.create_unique_constraint("uq_access_log_log_seq", ["log", "seq"])
    op.create_table(
        "audit_checkpoint",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("chains", sa.Integer(), nullable=False),
        sa.Column("prev", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_checkpoint")),
    )
    op.create_table(
        "checkpoint_leaf",
        sa.Column("id", BIGID, nullable=False),
        sa.Column("checkpoint_seq", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("chain", sa.String(length=100), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("head", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoint_leaf")),
    )
    op.create_index("ix_checkpoint_leaf_checkpoint_seq", "checkpoint_leaf", ["checkpoint_seq"])
    op.create_table(
        "checkpoint_state",
        sa.Column("chain", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("head", sa.String(length=64), nullable=False),
        sa.Column("leaf", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("chain", name=op.f("pk_checkpoint_state")),
        sa.UniqueConstraint("position", name=op.f("uq_checkpoint_state_position")),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in NEW_GUARDED:
            for statement in _sqlite_guards(table):
                op.execute(statement)
    elif dialect == "postgresql":
        # name the table in the refusal (the function first served audit_entry alone)
        op.execute(
            """
            CREATE OR REPLACE FUNCTION doudi_refuse_audit_change() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$
            """
        )
        for table in NEW_GUARDED:
            op.execute(
                f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION doudi_refuse_audit_change()"
            )
        for table in TRUNCATE_GUARDED:
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION doudi_refuse_audit_change()"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in NEW_GUARDED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    elif dialect == "postgresql":
        for table in NEW_GUARDED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}")
        for table in TRUNCATE_GUARDED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    op.drop_table("checkpoint_state")
    op.drop_index("ix_checkpoint_leaf_checkpoint_seq", table_name="checkpoint_leaf")
    op.drop_table("checkpoint_leaf")
    op.drop_table("audit_checkpoint")
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.drop_constraint("uq_access_log_log_seq", type_="unique")
        for name in ("hash", "prev_hash", "seq", "log"):
            batch_op.drop_column(name)
    op.drop_table("access_log_head")
