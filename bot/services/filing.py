"""Filing stored bank lines: the suggestion cascade, transfer pairs and auto-accept, per book."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple, Protocol

from bot.categorize.cascade import (
    AUTO_ACCEPT_THRESHOLD,
    LineFacts,
    Memory,
    RuleSpec,
    Source,
    Suggestion,
    suggest,
)
from bot.categorize.conditions import Days
from bot.charts import TEMPLATES, ChartTemplate
from bot.domain.ledger import acceptance_entry
from bot.domain.lines import NewLine
from bot.domain.money import Money
from bot.domain.states import ReviewState
from bot.domain.transfers import Transferable, pair_transfers
from bot.services.cooperative import Slices
from bot.services.learning import Learning, keep, load_memory, remember
from bot.services.line_facts import Booked, facts_of
from bot.services.sync import Prepared
from storage.models import BankAccount, BankTransaction, Book, LedgerAccount, Rule
from storage.uow import UnitOfWork

TRANSFER_CONFIDENCE = 0.9
TRANSFER_WINDOW_DAYS = 3

FiledLine = BankTransaction | NewLine
"""A line being filed: loaded from the database, or new and plain (a bank file's)."""


@dataclass
class BookFiling:
    """What the cascade needs for one book, loaded once per unit of work."""

    book: Book
    chart: ChartTemplate
    accounts_by_id: dict[int, LedgerAccount]
    ids_by_code: dict[str, int]
    rules: list[RuleSpec]
    memory: Memory
    threshold: float | None
    learning: Learning | None = None
    """The memory as stored or rebuilt: the import's writer keeps it and teaches it."""

    def suggestion_for(self, line: FiledLine) -> Suggestion:
        return self.suggestion_of(facts_of(line))

    def suggestion_of(self, facts: LineFacts) -> Suggestion:
        return suggest(
            facts,
            rules=self.rules,
            memory=self.memory,
            chart=self.chart,
            codes=set(self.ids_by_code),
        )


async def load_filing(uow: UnitOfWork, book: Book, threshold: float | None) -> BookFiling:
    accounts = await uow.ledger.all_of(book.id)
    by_id = {account.id: account for account in accounts}
    ids_by_code = {account.code: account.id for account in accounts}
    rules = [
        rule_spec(rule, by_id[rule.account_id].code)
        for rule in await uow.rules.enabled(book.id)
        if rule.account_id in by_id
    ]
    learning = await load_memory(uow, book.id, {a.id: a.code for a in accounts})
    return BookFiling(
        book=book,
        chart=TEMPLATES[book.chart_template],
        accounts_by_id=by_id,
        ids_by_code=ids_by_code,
        rules=rules,
        memory=learning.memory,
        threshold=threshold if book.auto_accept else None,
        learning=learning,
    )


def rule_spec(rule: Rule, account_code: str) -> RuleSpec:
    return RuleSpec(
        id=rule.id,
        account_code=account_code,
        payee=rule.payee,
        label_contains=rule.label_contains,
        min_minor=rule.min_minor,
        max_minor=rule.max_minor,
        direction=rule.direction,
        bank_account_id=rule.bank_account_id,
        auto_accept=rule.auto_accept,
        days=Days(rule.days) if rule.days else None,
    )


def apply_suggestion(line: FiledLine, suggestion: Suggestion, filing: BookFiling) -> None:
    line.suggested_account_id = filing.ids_by_code.get(suggestion.account_code)
    line.suggestion_source = suggestion.source.value
    line.suggestion_confidence = suggestion.confidence
    line.suggestion_rule_id = suggestion.rule_id


def should_auto_accept(line: FiledLine, suggestion: Suggestion, filing: BookFiling) -> bool:
    if line.pending or suggestion.source in (Source.NONE, Source.TRANSFER):
        return False
    if suggestion.auto_accept:
        return True
    return filing.threshold is not None and suggestion.confidence >= filing.threshold


async def suggest_ahead(
    filing: BookFiling, bank_account_id: int, fetched: Prepared
) -> dict[str, Suggestion]:
    """Each fetched line's suggestion by its bank id, worked out before the writer is taken:
    the cascade is an import's heaviest step (0.2 ms a line), and every press that accepts
    waits while the writer is held. suggest_lines then only looks them up."""
    ahead = {}
    slices = Slices()
    for line in fetched.lines:
        await slices.tick()
        ahead[line.external_id] = filing.suggestion_of(
            LineFacts(
                label=line.label,
                payee=fetched.payees[line.external_id],
                amount=line.amount,
                booking_date=line.booking_date,
                bank_account_id=bank_account_id,
            )
        )
    return ahead


async def suggest_lines(
    filing: BookFiling,
    lines: Sequence[FiledLine],
    ahead: Mapping[str, Suggestion] | None = None,
) -> list[Suggestion]:
    """Suggest an account for each line and set it on the line: no I/O, so an import runs it
    on its new lines before they are inserted, and each is written once. A line of `ahead`
    (suggest_ahead, by bank id) takes the suggestion found there.

    Equal suggestions are kept once: a file's 80,000 lines come to a few thousand distinct
    ones, and every object kept is walked again by each full collection, which holds the loop."""
    suggestions = []
    distinct: dict[Suggestion, Suggestion] = {}
    slices = Slices()
    for line in lines:
        await slices.tick()
        known = ahead.get(line.external_id) if ahead is not None else None
        suggestion = known if known is not None else filing.suggestion_for(line)
        suggestion = distinct.setdefault(suggestion, suggestion)
        apply_suggestion(line, suggestion, filing)
        suggestions.append(suggestion)
    return suggestions


async def file_lines(
    uow: UnitOfWork,
    filing: BookFiling,
    lines: Sequence[FiledLine],
    bank_accounts: dict[int, BankAccount],
    now: datetime,
    suggested: Sequence[Suggestion],
) -> int:
    """After suggest_lines gave `suggested` and the lines were inserted: pair transfers and
    accept what may be; returns how many were accepted."""
    suggestions = {line.id: suggestion for line, suggestion in zip(lines, suggested, strict=True)}
    slices = Slices()
    paired = await _pair_transfers(uow, filing, lines)
    sure = []
    for line in lines:
        await slices.tick()
        target = line.suggested_account_id
        if line.id in paired or line.review_state != ReviewState.TO_REVIEW or target is None:
            continue
        if should_auto_accept(line, suggestions[line.id], filing):
            sure.append((line, target))
    ledger_ids = {a.id: a.ledger_account_id for a in bank_accounts.values()}
    accepted = await accept_lines(uow, sure, ledger_ids, now, auto=True, learning=filing.learning)
    if filing.learning is not None:
        await keep(uow, filing.book.id, filing.learning, now)
    return accepted


async def _pair_transfers(
    uow: UnitOfWork, filing: BookFiling, lines: Sequence[FiledLine]
) -> set[int]:
    """Lines of two own accounts, same amount, opposite signs, within 3 days: a transfer (580).

    A line a rule filed stays with its rule: the user said where it goes. The lines in hand
    are changed in place; stored ones (an earlier import's) by one bulk statement.
    """
    if not lines:
        return set()
    transfer_id = filing.ids_by_code.get(filing.chart.transfer_code)
    if transfer_id is None:
        return set()
    slices = Slices()
    first = last = lines[0].booking_date
    in_hand: dict[int, FiledLine] = {}
    for line in lines:  # 80,000 lines of a file take longer than the loop may be held
        await slices.tick()
        first, last = min(first, line.booking_date), max(last, line.booking_date)
        if line.transfer_peer_id is None:
            in_hand[line.id] = line
    window = timedelta(days=TRANSFER_WINDOW_DAYS)
    stored = await uow.lines.unpaired_to_review(
        filing.book.id,
        first - window,
        last + window,
        not_from=Source.RULE.value,
        besides=id_runs(in_hand),
    )
    candidates: list[Transferable] = [c for c in stored if c.id not in in_hand]
    for line in in_hand.values():
        await slices.tick()
        if line.review_state == ReviewState.TO_REVIEW and line.suggestion_source != (
            Source.RULE.value
        ):
            candidates.append(line)
    paired: set[int] = set()
    stored_peers: dict[int, int] = {}
    pairs = await asyncio.to_thread(  # a file's 80,000 lines: longer than the loop may be held
        pair_transfers, candidates, window_days=TRANSFER_WINDOW_DAYS
    )
    for left, right in pairs:
        for this, other in ((left, right), (right, left)):
            mine = in_hand.get(this)
            if mine is None:
                stored_peers[this] = other
                continue
            mine.transfer_peer_id = other
            mine.suggested_account_id = transfer_id
            mine.suggestion_source = Source.TRANSFER.value
            mine.suggestion_confidence = TRANSFER_CONFIDENCE
            mine.suggestion_rule_id = None
            paired.add(this)
    await uow.lines.pair_stored(
        stored_peers, transfer_id, TRANSFER_CONFIDENCE, Source.TRANSFER.value
    )
    return paired


MAX_ID_RUNS = 20
"""Ranges of ids a query leaves out at most; past that, the lines in hand are left out here."""


def id_runs(ids: Iterable[int], most: int = MAX_ID_RUNS) -> list[tuple[int, int]]:
    """The ids as runs of consecutive ones, (first, last) each; none if they take more than
    `most` runs. An import's new lines come in one run or a few: the query that reads the
    stored lines can skip them instead of building tens of thousands of candidates to drop."""
    runs: list[tuple[int, int]] = []
    for n in sorted(ids):
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
            if len(runs) > most:
                return []
    return runs


class _Line(Booked, Protocol):
    """A stored bank line: loaded, or read as one plain row (BankLines.to_decide)."""

    @property
    def id(self) -> int: ...
    @property
    def book_id(self) -> int: ...
    @property
    def pending(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Fileable:
    """What accepting a line needs: built from an ORM line, or read as one plain row on the
    button-press path (BankLines.to_decide)."""

    line_id: int
    book_id: int
    bank_ledger_id: int
    amount: Money
    booking_date: date
    memo: str
    pending: bool

    @classmethod
    def of(cls, line: _Line, bank_ledger_id: int) -> Fileable:
        return cls(
            line.id,
            line.book_id,
            bank_ledger_id,
            Money(line.amount_minor, line.currency),
            line.booking_date,
            line.payee or line.raw_label[:200],
            line.pending,
        )


class Accepted(NamedTuple):
    entry_id: int | None
    """None while the line is pending: its entry is posted when it books."""


async def accept(
    uow: UnitOfWork, line: Fileable, account_id: int, now: datetime
) -> Accepted | None:
    """Accept one pressed line in as few statements as can be, since each is a trip to the
    database's thread while every other writer waits: its entry is posted first, then the
    line changes only if it is still waiting, its entry set in the same statement. None when
    it was not waiting any more: the caller must not commit, and the entry is rolled back."""
    entry_id = None
    if not line.pending:
        (entry_id,) = await _post_entries(uow, [(line, account_id)])
    if not await uow.lines.accept_one(line.line_id, account_id, now, entry_id):
        return None
    return Accepted(entry_id)


async def accept_all(
    uow: UnitOfWork,
    chosen: Sequence[tuple[Fileable, int]],
    now: datetime,
    *,
    auto: bool = False,
    loaded: Mapping[int, FiledLine] | None = None,
    learning: Learning | None = None,
) -> dict[int, int | None]:
    """Accept lines of one book, each under its account, in a few statements whatever their
    number: the state changes are conditional (a line no longer waiting is left alone), and
    entries are posted for the lines that changed, and the book's stored memory learns them
    (`learning`: an import's, in hand). Returns each accepted line's entry id (None while
    pending). Lines in `loaded` are session objects: they show what was written."""
    if not chosen:
        return {}
    await uow.books.lock(chosen[0][0].book_id)  # as a press takes them: the book, then lines
    by_account: dict[int, list[int]] = defaultdict(list)
    for line, account_id in chosen:
        by_account[account_id].append(line.line_id)
    changed: set[int] = set()
    for account_id, ids in by_account.items():
        changed |= await uow.lines.mark_all_accepted(ids, account_id, now, auto=auto)
    booked = [
        (line, account_id)
        for line, account_id in chosen
        if line.line_id in changed and not line.pending
    ]
    entries = await post_all(uow, booked, loaded or {})
    if changed:
        await remember(uow, chosen[0][0].book_id, changed, now, learning)
    return {line_id: entries.get(line_id) for line_id in changed}


async def post_all(
    uow: UnitOfWork,
    filed: Sequence[tuple[Fileable, int]],
    loaded: Mapping[int, FiledLine],
) -> dict[int, int]:
    """Post the acceptance entries of lines of one book; each line's entry id."""
    if not filed:
        return {}
    entry_ids = await _post_entries(uow, filed)
    entries = {line.line_id: entry for (line, _), entry in zip(filed, entry_ids, strict=True)}
    unloaded = {}
    for line_id, entry_id in entries.items():
        row = loaded.get(line_id)
        if row is not None:
            row.journal_entry_id = entry_id
        else:
            unloaded[line_id] = entry_id
    await uow.lines.set_entries(unloaded)
    return entries


async def _post_entries(uow: UnitOfWork, filed: Sequence[tuple[Fileable, int]]) -> list[int]:
    """The acceptance entries of lines of one book, posted; their ids, in order."""
    drafts = [
        acceptance_entry(
            bank_ledger_id=line.bank_ledger_id,
            category_id=account_id,
            amount=line.amount,
            on=line.booking_date,
            memo=line.memo,
        )
        for line, account_id in filed
    ]
    return await uow.journal.post_all(filed[0][0].book_id, drafts)


async def accept_lines(
    uow: UnitOfWork,
    lines: Sequence[tuple[FiledLine, int]],
    bank_ledger_ids: Mapping[int, int],
    now: datetime,
    *,
    auto: bool = False,
    learning: Learning | None = None,
) -> int:
    """`accept_all` for loaded lines (with their target accounts), whose attributes then
    show what was written; `bank_ledger_ids` maps bank account ids to their ledger account."""
    chosen = [
        (Fileable.of(line, bank_ledger_ids[line.bank_account_id]), account_id)
        for line, account_id in lines
    ]
    loaded = {line.id: line for line, _ in lines}
    return len(await accept_all(uow, chosen, now, auto=auto, loaded=loaded, learning=learning))


async def post_acceptances(
    uow: UnitOfWork, lines: Sequence[BankTransaction], bank_ledger_ids: Mapping[int, int]
) -> None:
    """Entries for accepted lines that were pending and have booked."""
    filed = []
    for line in lines:
        assert line.suggested_account_id is not None
        filed.append(
            (Fileable.of(line, bank_ledger_ids[line.bank_account_id]), line.suggested_account_id)
        )
    await post_all(uow, filed, {line.id: line for line in lines})


DEFAULT_THRESHOLD = AUTO_ACCEPT_THRESHOLD
