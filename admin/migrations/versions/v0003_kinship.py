"""kinship: the officials registry, declared relatives, flags and filings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "official",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "position",
            sa.Enum(
                "county_officer",
                "township_officer",
                "village_director",
                "village_deputy",
                "village_member",
                name="official_position",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("term_start", sa.Date(), nullable=True),
        sa.Column("term_end", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_official_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_official_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_official")),
        sa.UniqueConstraint("person_id", "position", "region_code", name="uq_official_post"),
    )
    with op.batch_alter_table("official", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_official_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_official_region_code"), ["region_code"], unique=False)

    op.create_table(
        "kinship_filing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("filed_by_id", sa.Integer(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_kinship_filing_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_id"], ["app_user.id"], name=op.f("fk_kinship_filing_filed_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kinship_filing")),
    )
    with op.batch_alter_table("kinship_filing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kinship_filing_case_id"), ["case_id"], unique=False)

    op.create_table(
        "kinship_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column("member_person_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column(
            "strength",
            sa.Enum(
                "id", "name_birth", name="match_strength", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("path_en", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("vanished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_kinship_flag_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["member_person_id"],
            ["person.id"],
            name=op.f("fk_kinship_flag_member_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["official_id"], ["official.id"], name=op.f("fk_kinship_flag_official_id_official")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kinship_flag")),
    )
    with op.batch_alter_table("kinship_flag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kinship_flag_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_kinship_flag_official_id"), ["official_id"], unique=False
        )
        batch_op.create_index(
            "uq_kinship_flag_active",
            ["case_id", "official_id", "member_person_id"],
            unique=True,
            sqlite_where=sa.text("vanished_at IS NULL"),
            postgresql_where=sa.text("vanished_at IS NULL"),
        )

    op.create_table(
        "relative_declaration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("official_id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "official",
                "applicant",
                name="declaration_source",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("relative_id_number", sa.String(length=18), nullable=True),
        sa.Column("relative_name", sa.String(length=50), nullable=False),
        sa.Column("relative_birth_date", sa.Date(), nullable=True),
        sa.Column(
            "relation",
            sa.Enum(
                "spouse",
                "parent",
                "child",
                "sibling",
                "grandparent",
                "grandchild",
                "parent_in_law",
                "child_in_law",
                "sibling_in_law",
                "uncle_aunt",
                "nephew_niece",
                "step_parent",
                "step_child",
                "adoptive_parent",
                "adoptive_child",
                name="kin_relation",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("declared_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_relative_declaration_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["declared_by_id"],
            ["app_user.id"],
            name=op.f("fk_relative_declaration_declared_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["official_id"],
            ["official.id"],
            name=op.f("fk_relative_declaration_official_id_official"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relative_declaration")),
    )
    with op.batch_alter_table("relative_declaration", schema=None) as batch_op:
        batch_op.create_index(
            "ix_relative_declaration_name_birth",
            ["relative_name", "relative_birth_date"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_relative_declaration_official_id"), ["official_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_relative_declaration_relative_id_number"),
            ["relative_id_number"],
            unique=False,
        )

    with op.batch_alter_table("policy_parameter", schema=None) as batch_op:
        batch_op.alter_column(
            "value",
            existing_type=sa.VARCHAR(length=60),
            type_=sa.String(length=200),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("policy_parameter", schema=None) as batch_op:
        batch_op.alter_column(
            "value",
            existing_type=sa.String(length=200),
            type_=sa.VARCHAR(length=60),
            existing_nullable=False,
        )

    with op.batch_alter_table("relative_declaration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_relative_declaration_relative_id_number"))
        batch_op.drop_index(batch_op.f("ix_relative_declaration_official_id"))
        batch_op.drop_index("ix_relative_declaration_name_birth")

    op.drop_table("relative_declaration")
    with op.batch_alter_table("kinship_flag", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_kinship_flag_active",
            sqlite_where=sa.text("vanished_at IS NULL"),
            postgresql_where=sa.text("vanished_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_kinship_flag_official_id"))
        batch_op.drop_index(batch_op.f("ix_kinship_flag_case_id"))

    op.drop_table("kinship_flag")
    with op.batch_alter_table("kinship_filing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kinship_filing_case_id"))

    op.drop_table("kinship_filing")
    with op.batch_alter_table("official", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_official_region_code"))
        batch_op.drop_index(batch_op.f("ix_official_person_id"))

    op.drop_table("official")
