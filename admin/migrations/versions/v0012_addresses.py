"""households' addresses, and officials' home addresses and bank accounts, so that an
inspector sees a household enrolled at an official's address or paid into an official's
account

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("household") as batch:
        batch.add_column(sa.Column("address", sa.String(length=200), nullable=True))
    with op.batch_alter_table("official") as batch:
        batch.add_column(sa.Column("home_address", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("bank_account", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("official") as batch:
        batch.drop_column("bank_account")
        batch.drop_column("home_address")
    with op.batch_alter_table("household") as batch:
        batch.drop_column("address")
