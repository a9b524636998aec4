"""SQLAlchemy 2 typed ORM models: users, books, chart, connections, bank lines and journal."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, orm_insert_sentinel

from bot.charts import AccountKind
from bot.domain.states import ConnectionStatus, EntryKind, MemberRole, ReviewState

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite hands back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum(enum: type[StrEnum], length: int = 16) -> SAEnum:
    return SAEnum(
        enum,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    language: Mapped[str] = mapped_column(String(8))
    country: Mapped[str | None] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    digest_time: Mapped[str] = mapped_column(String(5), default="08:00")
    auto_accept_threshold: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    chart_template: Mapped[str] = mapped_column(String(32))
    auto_accept: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class BookMember(Base):
    __tablename__ = "book_members"
    __table_args__ = (
        # A user's books: without it, finding a user's book scans every book (each press).
        Index("ix_book_members_user_book", "user_id", "book_id"),
    )

    book_id: Mapped[int] = mapped_column(
        ForeignKey("books.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[MemberRole] = mapped_column(_enum(MemberRole), default=MemberRole.OWNER)


class LedgerAccount(Base):
    __tablename__ = "ledger_accounts"
    __table_args__ = (UniqueConstraint("book_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[AccountKind] = mapped_column(_enum(AccountKind))


class Connection(Base):
    __tablename__ = "connections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    institution_id: Mapped[str] = mapped_column(String(32))
    institution_name: Mapped[str] = mapped_column(String(160))
    connector: Mapped[str] = mapped_column(String(32))
    status: Mapped[ConnectionStatus] = mapped_column(_enum(ConnectionStatus))
    secret_key_id: Mapped[str | None] = mapped_column(String(32))
    secret_blob: Mapped[bytes | None] = mapped_column(LargeBinary)
    consent_expires: Mapped[date | None] = mapped_column(Date)
    last_sync_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_sync_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(64))
    failing_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attention_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expiry_reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sync_lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class BankAccount(Base):
    __tablename__ = "bank_accounts"
    __table_args__ = (UniqueConstraint("book_id", "institution_id", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id", ondelete="CASCADE"), index=True)
    connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("connections.id", ondelete="SET NULL"), index=True
    )
    institution_id: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(160))
    account_type: Mapped[str] = mapped_column(String(16))
    iban_masked: Mapped[str | None] = mapped_column(String(48))
    currency: Mapped[str] = mapped_column(String(3))
    balance_minor: Mapped[int | None] = mapped_column(BigInteger)
    balance_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ledger_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    import_start: Mapped[date] = mapped_column(Date)
    connected: Mapped[bool] = mapped_column(Boolean, default=True)
    file_layout: Mapped[str | None] = mapped_column(Text)
    """JSON: the CSV layout of this account's last bank file, and when it was used, so the
    next file from that bank needs no question."""


class JournalEntry(Base):
    __tablename__ = "journal_entries"
    __table_args__ = (UniqueConstraint("book_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    entry_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[EntryKind] = mapped_column(_enum(EntryKind))
    memo: Mapped[str] = mapped_column(String(200), default="")
    bank_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("bank_accounts.id", ondelete="CASCADE"), index=True
    )
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class JournalLine(Base):
    __tablename__ = "journal_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="CASCADE"), index=True
    )
    ledger_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))


class BankTransaction(Base):
    __tablename__ = "bank_transactions"
    __table_args__ = (
        UniqueConstraint("bank_account_id", "external_id"),
        Index(
            "ix_bank_transactions_review_order",
            "book_id",
            "review_state",
            "booking_date",
            "imported_at",
        ),
        Index("ix_bank_transactions_review_imported", "book_id", "review_state", "imported_at"),
        Index("ix_bank_transactions_book_reviewed", "book_id", "reviewed_at"),
        Index(
            "ix_bank_transactions_payee_filed",
            "book_id",
            "payee",
            "review_state",
            "suggested_account_id",
        ),
        Index("ix_bank_transactions_fingerprint", "bank_account_id", "fingerprint"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id", ondelete="CASCADE"))
    bank_account_id: Mapped[int] = mapped_column(ForeignKey("bank_accounts.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(128))
    fingerprint: Mapped[str] = mapped_column(String(64))
    booking_date: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    raw_label: Mapped[str] = mapped_column(Text)
    payee: Mapped[str] = mapped_column(String(160), default="")
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    review_state: Mapped[ReviewState] = mapped_column(_enum(ReviewState))
    suggested_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_accounts.id", ondelete="SET NULL")
    )
    suggestion_source: Mapped[str | None] = mapped_column(String(16))
    suggestion_confidence: Mapped[float | None] = mapped_column(Float)
    suggestion_rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("rules.id", ondelete="SET NULL")
    )
    auto_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    transfer_peer_id: Mapped[int | None] = mapped_column(Integer)
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    seen_in_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    journal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    insert_sentinel: Mapped[int | None] = orm_insert_sentinel()
    """SQLAlchemy's documented sentinel: with it, a flush of an import's new lines inserts
    them in batches on SQLite too, where ROWIDs alone would make it one INSERT a line."""


class BankRequest(Base):
    __tablename__ = "bank_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    query: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Rule(Base):
    """Conditions on a bank line that file it under an account, optionally accepting it."""

    __tablename__ = "rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    payee: Mapped[str | None] = mapped_column(String(160))
    label_contains: Mapped[str | None] = mapped_column(String(160))
    min_minor: Mapped[int | None] = mapped_column(BigInteger)
    max_minor: Mapped[int | None] = mapped_column(BigInteger)
    direction: Mapped[str | None] = mapped_column(String(8))
    days: Mapped[str | None] = mapped_column(String(8))
    """"weekdays" or "weekend" (bot.categorize.conditions.Days), of the purchase day."""
    bank_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("bank_accounts.id", ondelete="CASCADE")
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id", ondelete="CASCADE"))
    auto_accept: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SyncRun(Base):
    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    new_lines: Mapped[int] = mapped_column(Integer, default=0)
    updated_lines: Mapped[int] = mapped_column(Integer, default=0)
    removed_lines: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(64))


class DigestRun(Base):
    """One digest per user and local date: claimed, then sent (DESIGN §7)."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("user_id", "local_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    message_id: Mapped[int | None] = mapped_column(BigInteger)


class PtbState(Base):
    """python-telegram-bot persistence: conversations and chat/user data, as JSON, no pickle."""

    __tablename__ = "ptb_state"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class InstitutionList(Base):
    """One bank provider's institution list for one country, as last fetched: the directory
    reads it at startup and it is fetched again once a week (bot/services/institutions.py)."""

    __tablename__ = "institution_lists"

    connector: Mapped[str] = mapped_column(String(32), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    fetched_at: Mapped[datetime] = mapped_column(UtcDateTime)
    institutions: Mapped[str] = mapped_column(Text)
    """JSON, the list as the service wrote it; storage does not read inside."""


class BookModel(Base):
    """A book's learned suggestion state (memory and model), kept so an import need not replay
    every decision; it is rebuilt from the decided lines whenever it is missing, of another
    version, or counts other decisions than the book has."""

    __tablename__ = "book_models"

    book_id: Mapped[int] = mapped_column(
        ForeignKey("books.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(Text)
    """JSON written by bot.categorize (Memory.to_state); storage does not read inside."""
    decisions_seen: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
