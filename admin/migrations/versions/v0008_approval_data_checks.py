"""accounts that see personal data wait for a second administrator when an administrator set
their password (four eyes); information checks (信息核对) requested, started and answered;
each county's yearly serial of decision numbers; a tekun household's supporters (TK Arts. 7-8);
work offered to members able to work and the sanction for refusing it (Art. 34); money ordered
back after concealment and what was repaid (2022 notice §5(五)); tekun self-care assessments
and reported changes (TK Arts. 20-23)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("pending_by_id", sa.Integer(), nullable=True))
    op.create_table(
        "data_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("sources", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("discrepancy", sa.Boolean(), nullable=True),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_data_check_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["app_user.id"],
            name=op.f("fk_data_check_requested_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["app_user.id"], name=op.f("fk_data_check_started_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["completed_by_id"],
            ["app_user.id"],
            name=op.f("fk_data_check_completed_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_check")),
    )
    op.create_index(op.f("ix_data_check_case_id"), "data_check", ["case_id"])
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tekun_supporter", sa.String(length=48), nullable=True))
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("work_sanctioned_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "work_offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("offered_on", sa.Date(), nullable=False),
        sa.Column("offer", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_work_offer_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_work_offer_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["app_user.id"],
            name=op.f("fk_work_offer_recorded_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_offer")),
    )
    op.create_index(op.f("ix_work_offer_case_id"), "work_offer", ["case_id"])
    op.create_table(
        "recovery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=40), nullable=False),
        sa.Column("owed_fen", sa.BigInteger(), nullable=False),
        sa.Column("finding", sa.Text(), nullable=False),
        sa.Column("ordered_by_id", sa.Integer(), nullable=False),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_recovery_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["ordered_by_id"], ["app_user.id"], name=op.f("fk_recovery_ordered_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery")),
    )
    op.create_index(op.f("ix_recovery_case_id"), "recovery", ["case_id"])
    op.create_table(
        "repayment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recovery_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recovery_id"], ["recovery.id"], name=op.f("fk_repayment_recovery_id_recovery")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["app_user.id"],
            name=op.f("fk_repayment_recorded_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repayment")),
    )
    op.create_index(op.f("ix_repayment_recovery_id"), "repayment", ["recovery_id"])
    op.create_table(
        "self_care_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("failed", sa.String(length=120), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_self_care_assessment_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_self_care_assessment_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["app_user.id"],
            name=op.f("fk_self_care_assessment_recorded_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_care_assessment")),
    )
    op.create_index(op.f("ix_self_care_assessment_case_id"), "self_care_assessment", ["case_id"])
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("care_change_reported_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "decision_serial",
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("county_code", "year", name=op.f("pk_decision_serial")),
    )


def downgrade() -> None:
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_column("care_change_reported_at")
    op.drop_index(op.f("ix_self_care_assessment_case_id"), table_name="self_care_assessment")
    op.drop_table("self_care_assessment")
    op.drop_index(op.f("ix_repayment_recovery_id"), table_name="repayment")
    op.drop_table("repayment")
    op.drop_index(op.f("ix_recovery_case_id"), table_name="recovery")
    op.drop_table("recovery")
    op.drop_index(op.f("ix_work_offer_case_id"), table_name="work_offer")
    op.drop_table("work_offer")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("work_sanctioned_at")
    op.drop_table("decision_serial")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_column("tekun_supporter")
    op.drop_index(op.f("ix_data_check_case_id"), table_name="data_check")
    op.drop_table("data_check")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("pending_by_id")
        batch_op.drop_column("pending_since")
