"""the bank providers' institution lists, kept so the directory has them at startup and they
are fetched once a week

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "institution_lists",
        sa.Column("connector", sa.String(length=32), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("institutions", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("connector", "country", name=op.f("pk_institution_lists")),
    )


def downgrade() -> None:
    op.drop_table("institution_lists")
