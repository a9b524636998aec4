"""rules on the side of the week (rules.days); each book's learned suggestion state
(book_models), so an import need not replay every decision

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-15 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("rules", sa.Column("days", sa.String(length=8), nullable=True))
    op.create_table(
        "book_models",
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("decisions_seen", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["book_id"],
            ["books.id"],
            name=op.f("fk_book_models_book_id_books"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("book_id", name=op.f("pk_book_models")),
    )


def downgrade() -> None:
    op.drop_table("book_models")
    with op.batch_alter_table("rules") as batch:
        batch.drop_column("days")
