"""Queries by aggregate, the only place with SQL; they flush when an id is needed, never commit."""

from storage.repositories.base import CHUNK, FLUSH_CHUNK, PARTITION
from storage.repositories.book_models import BookModels, NewDecision
from storage.repositories.books import Books, LedgerAccounts
from storage.repositories.connections import BankAccounts, BankConnections, BankRequests, SyncRuns
from storage.repositories.erasure import Erasure
from storage.repositories.institutions import InstitutionLists, StoredList
from storage.repositories.journal import Journal
from storage.repositories.lines import BankLines
from storage.repositories.rows import (
    LINE_COLUMNS,
    AccountRow,
    BookRef,
    DecidedLine,
    LineRow,
    LineToDecide,
    line_rows,
)
from storage.repositories.rules import Rules
from storage.repositories.users import Users

__all__ = [
    "CHUNK",
    "FLUSH_CHUNK",
    "LINE_COLUMNS",
    "PARTITION",
    "AccountRow",
    "BankAccounts",
    "BankConnections",
    "BankLines",
    "BankRequests",
    "BookModels",
    "BookRef",
    "Books",
    "DecidedLine",
    "Erasure",
    "InstitutionLists",
    "Journal",
    "LedgerAccounts",
    "LineRow",
    "LineToDecide",
    "NewDecision",
    "Rules",
    "StoredList",
    "SyncRuns",
    "Users",
    "line_rows",
]
