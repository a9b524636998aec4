"""lines to review by import time (the digest counts those imported after its anchor);
a payee's lines carry their state and account (the picker's "filed before")

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 14:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bank_transactions") as batch:
        batch.create_index(
            "ix_bank_transactions_review_imported", ["book_id", "review_state", "imported_at"]
        )
        batch.drop_index("ix_bank_transactions_book_payee")
        batch.create_index(
            "ix_bank_transactions_payee_filed",
            ["book_id", "payee", "review_state", "suggested_account_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("bank_transactions") as batch:
        batch.drop_index("ix_bank_transactions_payee_filed")
        batch.create_index("ix_bank_transactions_book_payee", ["book_id", "payee"])
        batch.drop_index("ix_bank_transactions_review_imported")
