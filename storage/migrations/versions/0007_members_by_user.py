"""a user's books found through an index: each press looked its user's book up by a scan of
every book

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_book_members_user_book", "book_members", ["user_id", "book_id"])


def downgrade() -> None:
    op.drop_index("ix_book_members_user_book", table_name="book_members")
