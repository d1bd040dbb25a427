"""rules: standards, parameters, incomes, benefits, calendar, ledgers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _member_0001() -> sa.Table:
    """The member table as revision 0001 left it, without the CHECK on the dropped column."""
    return sa.Table(
        "member",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "relation",
            sa.Enum(
                "self",
                "spouse",
                "child",
                "parent",
                "sibling",
                "grandparent",
                "grandchild",
                "other",
                name="relation",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("monthly_income_fen", sa.BigInteger(), nullable=False),
        sa.Column("disability_grade", sa.SmallInteger(), nullable=True),
        sa.Column(
            "disability_type",
            sa.Enum(
                "visual",
                "hearing",
                "speech",
                "physical",
                "intellectual",
                "mental",
                "multiple",
                name="disability_type",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("serious_illness", sa.Boolean(), nullable=False),
        sa.Column("able_to_work", sa.Boolean(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_reason", sa.String(length=200), nullable=True),
        sa.CheckConstraint("disability_grade BETWEEN 1 AND 4", name="ck_member_disability_grade"),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name="fk_member_household_id_household"
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name="fk_member_person_id_person"),
        sa.PrimaryKeyConstraint("id", name="pk_member"),
        sa.Index("ix_member_household_id", "household_id"),
        sa.Index("ix_member_person_id", "person_id"),
        sa.Index(
            "uq_member_current",
            "household_id",
            "person_id",
            unique=True,
            sqlite_where=sa.text("left_at IS NULL"),
            postgresql_where=sa.text("left_at IS NULL"),
        ),
    )


def upgrade() -> None:
    op.create_table(
        "ledger_entry",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("ledger", sa.String(length=80), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entry")),
        sa.UniqueConstraint("ledger", "seq", name="uq_ledger_entry_ledger_seq"),
    )
    op.create_table(
        "ledger_head",
        sa.Column("ledger", sa.String(length=80), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("head", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("ledger", name=op.f("pk_ledger_head")),
    )
    op.create_table(
        "calendar_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=12), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["county_code"], ["region.code"], name=op.f("fk_calendar_day_county_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_day")),
    )
    with op.batch_alter_table("calendar_day", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_day_day"), ["day"], unique=False)
        batch_op.create_index("uq_calendar_day", ["county_code", "day"], unique=True)

    op.create_table(
        "policy_parameter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=60), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["county_code"], ["region.code"], name=op.f("fk_policy_parameter_county_code_region")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["app_user.id"],
            name=op.f("fk_policy_parameter_created_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_parameter")),
        sa.UniqueConstraint(
            "county_code", "name", "effective_from", name="uq_policy_parameter_version"
        ),
    )
    with op.batch_alter_table("policy_parameter", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_policy_parameter_county_code"), ["county_code"], unique=False
        )

    op.create_table(
        "standard",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=12), nullable=False),
        sa.Column(
            "area_type",
            sa.Enum("urban", "rural", name="area_type", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column(
            "category",
            sa.Enum(
                "dibao",
                "tekun",
                name="standard_category",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("monthly_fen", sa.BigInteger(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("monthly_fen > 0", name=op.f("ck_standard_amount_positive")),
        sa.ForeignKeyConstraint(
            ["county_code"], ["region.code"], name=op.f("fk_standard_county_code_region")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_standard_created_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standard")),
        sa.UniqueConstraint(
            "county_code", "area_type", "category", "effective_from", name="uq_standard_version"
        ),
    )
    with op.batch_alter_table("standard", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_standard_county_code"), ["county_code"], unique=False)

    op.create_table(
        "benefit_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "proposed",
                "decided",
                name="benefit_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("trigger", sa.String(length=40), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("effective_month", sa.Date(), nullable=True),
        sa.Column("monthly_fen", sa.BigInteger(), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=True),
        sa.Column("standard_fen", sa.BigInteger(), nullable=False),
        sa.Column("members", sa.SmallInteger(), nullable=False),
        sa.Column("counted_income_fen", sa.BigInteger(), nullable=False),
        sa.Column("base_fen", sa.BigInteger(), nullable=False),
        sa.Column("supplement_fen", sa.BigInteger(), nullable=False),
        sa.Column("breakdown", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_benefit_decision_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"], ["standard.id"], name=op.f("fk_benefit_decision_standard_id_standard")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefit_decision")),
    )
    with op.batch_alter_table("benefit_decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_benefit_decision_case_id"), ["case_id"], unique=False)

    op.create_table(
        "member_income",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "wages",
                "business",
                "property",
                "transfer",
                "pension",
                "other",
                "pension_basic",
                "award",
                "assistance",
                "veterans",
                "family_planning",
                name="income_type",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("monthly_fen", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("monthly_fen >= 0", name=op.f("ck_member_income_income_not_negative")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_member_income_member_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_income")),
    )
    with op.batch_alter_table("member_income", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_income_member_id"), ["member_id"], unique=False)

    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision_served_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("last_change_kind", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("extension_ground", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("sampled_for_county_check", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("next_recheck_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("recheck_interval_months", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("reassess_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_case_file_due_on"), ["due_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_file_next_recheck_on"), ["next_recheck_on"], unique=False
        )

    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("income_stable", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(
            sa.Column("rigid_expenses_fen", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("bank_account", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("deposits_fen", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("vehicles", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("extra_housing_units", sa.SmallInteger(), nullable=True))

    # a member's single income figure becomes a typed item: wages
    op.execute(
        "INSERT INTO member_income (member_id, type, monthly_fen) "
        "SELECT id, 'wages', monthly_income_fen FROM member WHERE monthly_income_fen > 0"
    )
    # SQLite rebuilds the table from this description (its income CHECK goes with the column)
    with op.batch_alter_table("member", schema=None, copy_from=_member_0001()) as batch_op:
        batch_op.add_column(
            sa.Column("covered", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("died_on", sa.Date(), nullable=True))
        batch_op.drop_column("monthly_income_fen")

    with op.batch_alter_table("region", schema=None) as batch_op:
        batch_op.add_column(sa.Column("population", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("region", schema=None) as batch_op:
        batch_op.drop_column("population")

    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("monthly_income_fen", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.drop_column("died_on")
        batch_op.drop_column("covered")
    op.execute(
        "UPDATE member SET monthly_income_fen = (SELECT coalesce(sum(monthly_fen), 0) "
        "FROM member_income WHERE member_income.member_id = member.id)"
    )

    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_column("extra_housing_units")
        batch_op.drop_column("vehicles")
        batch_op.drop_column("deposits_fen")
        batch_op.drop_column("bank_account")
        batch_op.drop_column("rigid_expenses_fen")
        batch_op.drop_column("income_stable")

    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_file_next_recheck_on"))
        batch_op.drop_index(batch_op.f("ix_case_file_due_on"))
        batch_op.drop_column("due_on")
        batch_op.drop_column("reassess_from")
        batch_op.drop_column("recheck_interval_months")
        batch_op.drop_column("next_recheck_on")
        batch_op.drop_column("sampled_for_county_check")
        batch_op.drop_column("extension_ground")
        batch_op.drop_column("last_change_kind")
        batch_op.drop_column("decision_served_on")

    with op.batch_alter_table("member_income", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_income_member_id"))

    op.drop_table("member_income")
    with op.batch_alter_table("benefit_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_benefit_decision_case_id"))

    op.drop_table("benefit_decision")
    with op.batch_alter_table("standard", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standard_county_code"))

    op.drop_table("standard")
    with op.batch_alter_table("policy_parameter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_parameter_county_code"))

    op.drop_table("policy_parameter")
    with op.batch_alter_table("calendar_day", schema=None) as batch_op:
        batch_op.drop_index("uq_calendar_day")
        batch_op.drop_index(batch_op.f("ix_calendar_day_day"))

    op.drop_table("calendar_day")
    op.drop_table("ledger_head")
    op.drop_table("ledger_entry")
