"""village coordinators (救助协理员) as a role; how each case came (application, outreach,
referral, roster); the low-income monitoring register with its tags and warnings; home visits

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-13
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

ROLES_BEFORE = ("clerk", "reviewer", "approver", "inspector", "admin")
ROLES = (*ROLES_BEFORE, "coordinator")


def _roles(roles: tuple[str, ...]) -> str:
    return "role IN (" + ", ".join(f"'{r}'" for r in roles) + ")"


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_constraint(op.f("ck_app_user_role"), type_="check")
        batch.alter_column("role", existing_type=sa.String(length=9), type_=sa.String(length=11))
        batch.create_check_constraint(op.f("ck_app_user_role"), _roles(ROLES))
    with op.batch_alter_table("case_file") as batch:
        batch.add_column(
            sa.Column("origin", sa.String(length=12), nullable=False, server_default="application")
        )
    # cases brought in from a county's roster say so
    op.execute(
        "UPDATE case_file SET origin = 'roster' WHERE id IN (SELECT case_id FROM roster_household)"
    )
    op.create_table(
        "monitored_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("village_code", sa.String(length=12), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_monitored_person_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["village_code"],
            ["region.code"],
            name=op.f("fk_monitored_person_village_code_region"),
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["app_user.id"],
            name=op.f("fk_monitored_person_added_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitored_person")),
        sa.UniqueConstraint("person_id", name=op.f("uq_monitored_person_person_id")),
    )
    op.create_index(op.f("ix_monitored_person_village_code"), "monitored_person", ["village_code"])
    op.create_table(
        "monitoring_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("monitored_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=24), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("tagged_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["monitored_id"],
            ["monitored_person.id"],
            name=op.f("fk_monitoring_tag_monitored_id_monitored_person"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["app_user.id"],
            name=op.f("fk_monitoring_tag_recorded_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_tag")),
    )
    op.create_index(op.f("ix_monitoring_tag_monitored_id"), "monitoring_tag", ["monitored_id"])
    op.create_index(
        "uq_monitoring_tag_current",
        "monitoring_tag",
        ["monitored_id", "tag"],
        unique=True,
        sqlite_where=sa.text("ended_on IS NULL"),
        postgresql_where=sa.text("ended_on IS NULL"),
    )
    op.create_table(
        "monitoring_warning",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("monitored_id", sa.Integer(), nullable=False),
        sa.Column("village_code", sa.String(length=12), nullable=False),
        sa.Column("signal", sa.String(length=24), nullable=False),
        sa.Column("signal_on", sa.Date(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("raised_by_id", sa.Integer(), nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["monitored_id"],
            ["monitored_person.id"],
            name=op.f("fk_monitoring_warning_monitored_id_monitored_person"),
        ),
        sa.ForeignKeyConstraint(
            ["village_code"],
            ["region.code"],
            name=op.f("fk_monitoring_warning_village_code_region"),
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"],
            ["app_user.id"],
            name=op.f("fk_monitoring_warning_raised_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["handled_by_id"],
            ["app_user.id"],
            name=op.f("fk_monitoring_warning_handled_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_monitoring_warning_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_warning")),
    )
    for column in ("monitored_id", "village_code", "due_on", "status"):
        op.create_index(op.f(f"ix_monitoring_warning_{column}"), "monitoring_warning", [column])
    op.create_table(
        "home_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_code", sa.String(length=12), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("purpose", sa.String(length=12), nullable=False),
        sa.Column("household", sa.String(length=100), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("warning_id", sa.Integer(), nullable=True),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("photo_sha256", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["village_code"], ["region.code"], name=op.f("fk_home_visit_village_code_region")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_home_visit_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_home_visit_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["warning_id"],
            ["monitoring_warning.id"],
            name=op.f("fk_home_visit_warning_id_monitoring_warning"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["app_user.id"],
            name=op.f("fk_home_visit_recorded_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_home_visit")),
    )
    for column in ("village_code", "visited_on", "case_id"):
        op.create_index(op.f(f"ix_home_visit_{column}"), "home_visit", [column])


def downgrade() -> None:
    for column in ("village_code", "visited_on", "case_id"):
        op.drop_index(op.f(f"ix_home_visit_{column}"), table_name="home_visit")
    op.drop_table("home_visit")
    for column in ("monitored_id", "village_code", "due_on", "status"):
        op.drop_index(op.f(f"ix_monitoring_warning_{column}"), table_name="monitoring_warning")
    op.drop_table("monitoring_warning")
    op.drop_index("uq_monitoring_tag_current", table_name="monitoring_tag")
    op.drop_index(op.f("ix_monitoring_tag_monitored_id"), table_name="monitoring_tag")
    op.drop_table("monitoring_tag")
    op.drop_index(op.f("ix_monitored_person_village_code"), table_name="monitored_person")
    op.drop_table("monitored_person")
    with op.batch_alter_table("case_file") as batch:
        batch.drop_column("origin")
    # refused by the database while coordinators' accounts exist: nothing is deleted
    with op.batch_alter_table("app_user") as batch:
        batch.drop_constraint(op.f("ck_app_user_role"), type_="check")
        batch.alter_column("role", existing_type=sa.String(length=11), type_=sa.String(length=9))
        batch.create_check_constraint(op.f("ck_app_user_role"), _roles(ROLES_BEFORE))
