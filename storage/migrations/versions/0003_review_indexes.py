"""indexes for the digest and the picker: lines to review in date order, lines decided
since, lines of a payee

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 11:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bank_transactions") as batch:
        batch.drop_index("ix_bank_transactions_book_state")
        batch.create_index(
            "ix_bank_transactions_review_order",
            ["book_id", "review_state", "booking_date", "imported_at"],
        )
        batch.create_index("ix_bank_transactions_book_reviewed", ["book_id", "reviewed_at"])
        batch.create_index("ix_bank_transactions_book_payee", ["book_id", "payee"])


def downgrade() -> None:
    with op.batch_alter_table("bank_transactions") as batch:
        batch.drop_index("ix_bank_transactions_book_payee")
        batch.drop_index("ix_bank_transactions_book_reviewed")
        batch.drop_index("ix_bank_transactions_review_order")
        batch.create_index("ix_bank_transactions_book_state", ["book_id", "review_state"])
