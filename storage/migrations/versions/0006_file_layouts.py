"""bank accounts remember the CSV layout of their bank's files

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("bank_accounts", sa.Column("file_layout", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bank_accounts") as batch:
        batch.drop_column("file_layout")
