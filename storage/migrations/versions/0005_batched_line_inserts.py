"""bank lines get SQLAlchemy's insert sentinel column, so an import's flush is batched on
SQLite

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("bank_transactions", sa.Column("insert_sentinel", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bank_transactions") as batch:
        batch.drop_column("insert_sentinel")
