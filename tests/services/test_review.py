"""Reviewing as use cases: a real database, the demo bank, no Telegram."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from bot.domain.clock import FixedClock
from bot.domain.money import Money
from bot.domain.states import EntryKind, ReviewState
from bot.services.connect import Services
from bot.services.connections import Connections
from bot.services.errors import NotFound
from bot.services.review import Review
from bot.services.rules import Rules
from storage.models import BankTransaction, JournalEntry, LedgerAccount, Rule
from storage.uow import Database
from tests.support.connecting import ALICE, BOB, connect_all


@pytest.fixture
async def connected(services: Services) -> int:
    connection_id = await connect_all(services, ALICE, date(2026, 8, 31))
    await services.import_connection(ALICE, connection_id)
    return connection_id


@pytest.fixture
def review(db: Database, clock: FixedClock) -> Review:
    return Review(db, clock)


@pytest.fixture
def rules(db: Database, clock: FixedClock) -> Rules:
    return Rules(db, clock)


async def entries(db: Database, kind: EntryKind | None = None) -> int:
    async with db.reading() as uow:
        query = select(func.count()).select_from(JournalEntry)
        if kind is not None:
            query = query.where(JournalEntry.kind == kind)
        return int(await uow.session.scalar(query) or 0)


async def first_line(review: Review, *, booked: bool = True) -> int:
    view = await review.digest(ALICE, review.new_anchor())
    for line in view.lines:
        if not booked or not line.pending:
            return line.id
    page = 1
    while page < view.pages:
        view = await review.digest(ALICE, view.anchor, page)
        for line in view.lines:
            if not line.pending:
                return line.id
        page += 1
    raise AssertionError("no booked line")


async def test_imported_lines_arrive_categorized(connected: int, db: Database) -> None:
    async with db.reading() as uow:
        rows = await uow.session.execute(
            select(BankTransaction.suggestion_source, func.count()).group_by(
                BankTransaction.suggestion_source
            )
        )
        sources: dict[str | None, int] = {source: count for source, count in rows.all()}
    categorized = sum(count for source, count in sources.items() if source not in (None, "none"))
    assert categorized / sum(sources.values()) > 0.6, sources
    assert sources.get("transfer", 0) >= 2


async def test_digest_pages_hold_every_line_once(connected: int, review: Review) -> None:
    anchor = review.new_anchor()
    first = await review.digest(ALICE, anchor, 0)
    seen: list[int] = []
    for page in range(first.pages):
        seen.extend(line.id for line in (await review.digest(ALICE, anchor, page)).lines)
    assert len(seen) == len(set(seen)) == first.to_review


async def test_second_press_on_accept_changes_nothing(
    connected: int, review: Review, db: Database
) -> None:
    line_id = await first_line(review)
    before = await entries(db)
    assert (await review.accept(ALICE, line_id)).changed
    assert not (await review.accept(ALICE, line_id)).changed
    assert await entries(db) == before + 1


async def test_fifty_concurrent_presses_post_one_entry(
    connected: int, review: Review, db: Database
) -> None:
    line_id = await first_line(review)
    before = await entries(db)
    results = await asyncio.gather(*(review.accept(ALICE, line_id) for _ in range(50)))
    assert sum(1 for r in results if r.changed) == 1
    assert await entries(db) == before + 1


async def test_accepted_line_stays_on_its_page_ticked(connected: int, review: Review) -> None:
    anchor = review.new_anchor()
    view = await review.digest(ALICE, anchor)
    target = next(line for line in view.lines if not line.pending)
    await review.accept(ALICE, target.id)
    again = await review.digest(ALICE, anchor, view.page)
    assert [line.id for line in again.lines] == [line.id for line in view.lines]
    assert next(line for line in again.lines if line.id == target.id).state == ReviewState.ACCEPTED


async def test_a_line_of_another_book_cannot_be_touched(
    connected: int, review: Review, services: Services
) -> None:
    await services.meet(BOB, BOB, "en")
    line_id = await first_line(review)
    for attempt in (
        review.accept(BOB, line_id),
        review.exclude(BOB, line_id),
        review.reopen(BOB, line_id),
    ):
        with pytest.raises(NotFound):
            await attempt
    assert (await review.digest(ALICE, review.new_anchor())).to_review > 0


async def test_exclude_posts_nothing_and_reopen_reverses(
    connected: int, review: Review, db: Database
) -> None:
    line_id = await first_line(review)
    before = await entries(db)
    assert (await review.exclude(ALICE, line_id)).changed
    assert await entries(db) == before
    assert (await review.reopen(ALICE, line_id)).changed
    assert (await review.accept(ALICE, line_id)).changed
    assert (await review.reopen(ALICE, line_id)).changed
    assert await entries(db, EntryKind.REVERSAL) >= 1
    async with db.reading() as uow:
        line = await uow.session.get(BankTransaction, line_id)
    assert (
        line is not None
        and line.review_state == ReviewState.TO_REVIEW
        and line.journal_entry_id is None
    )


async def test_recategorize_offers_a_rule_that_refiles_the_waiting_lines(
    connected: int, review: Review, rules: Rules, db: Database
) -> None:
    async with db.reading() as uow:
        payee, count = (
            await uow.session.execute(
                select(BankTransaction.payee, func.count())
                .where(
                    BankTransaction.review_state == ReviewState.TO_REVIEW,
                    BankTransaction.amount_minor < 0,
                )
                .group_by(BankTransaction.payee)
                .order_by(func.count().desc())
                .limit(1)
            )
        ).one()
        line_id = await uow.session.scalar(
            select(BankTransaction.id)
            .where(BankTransaction.payee == payee, BankTransaction.pending.is_(False))
            .limit(1)
        )
    assert count >= 2 and line_id is not None
    found = await review.search_categories(ALICE, "fourn")
    assert found
    decision = await review.file_under(ALICE, line_id, found[0].id)
    assert (
        decision.changed
        and decision.rule_offer is not None
        and decision.rule_offer.id == found[0].id
    )
    applied = await rules.make(ALICE, line_id, found[0].id)
    assert applied == count - 1
    listed = await rules.of(ALICE)
    assert len(listed) == 1 and listed[0].hits == count - 1 and listed[0].payee == payee
    await rules.toggle(ALICE, listed[0].id)
    assert not (await rules.of(ALICE))[0].enabled
    await rules.delete(ALICE, listed[0].id)
    async with db.reading() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Rule)) == 0


@pytest.mark.parametrize(
    ("query", "code"), [("resto", "6257"), ("tel", "626"), ("loyer", "6132"), ("assur", "616")]
)
async def test_category_search_finds_accounts_by_the_words_people_use(
    connected: int, review: Review, query: str, code: str
) -> None:
    found = await review.search_categories(ALICE, query)
    assert code in [account.code for account in found[:3]]


async def test_personal_files_under_the_owners_account(connected: int, review: Review) -> None:
    line_id = await first_line(review)
    decision = await review.personal(ALICE, line_id)
    assert (
        decision.changed
        and decision.line.account is not None
        and decision.line.account.code == "108"
    )


async def test_new_category_is_numbered_by_direction(connected: int, review: Review) -> None:
    line_id = await first_line(review)
    account = await review.add_category(ALICE, line_id, "Formation")
    assert account.code.startswith(("6588", "7588")) and account.name == "Formation"


async def test_accept_page_skips_lines_without_a_real_suggestion(
    connected: int, review: Review
) -> None:
    anchor = review.new_anchor()
    view = await review.digest(ALICE, anchor)
    accepted = await review.accept_page(ALICE, anchor, 0)
    after = await review.digest(ALICE, anchor)
    states = {line.id: line.state for line in after.lines}
    sure = [line for line in view.lines if line.account is not None and line.account.code != "471"]
    assert accepted == len(sure)
    assert all(states[line.id] == ReviewState.ACCEPTED for line in sure)


async def test_auto_accept_then_undo(
    services: Services, review: Review, db: Database, clock: FixedClock
) -> None:
    connection_id = await connect_all(services, ALICE, date(2026, 5, 31))
    first = await services.import_connection(ALICE, connection_id)
    assert first.auto_accepted == 0, "a new book never auto-accepts from built-in knowledge alone"
    anchor = review.new_anchor()
    for page in range((await review.digest(ALICE, anchor)).pages):
        await review.accept_page(ALICE, anchor, page)
    await services.update_settings(ALICE, auto_accept=True)
    clock.advance(timedelta(days=10))
    summary = await services.sync_connection(connection_id)
    assert summary.auto_accepted > 0
    clock.advance(timedelta(minutes=1))
    view = await review.digest(ALICE, review.new_anchor())
    assert view.auto_count == summary.auto_accepted
    undone = await review.undo_auto(ALICE, view.anchor)
    assert undone == summary.auto_accepted
    assert await entries(db, EntryKind.REVERSAL) == undone


async def test_daily_digests_in_batch_equal_the_one_by_one_digest(
    connected: int, review: Review, services: Services
) -> None:
    await services.meet(BOB, BOB, "en")
    anchor = review.new_anchor()
    batch = {
        tid: view
        async for chunk in review.daily_digests([ALICE, BOB], anchor)
        for tid, view in chunk
    }
    assert batch[ALICE] == await review.digest(ALICE, anchor)
    assert batch[BOB] == await review.digest(BOB, anchor)
    assert batch[BOB].lines == () and batch[ALICE].lines


async def test_daily_digests_come_a_chunk_at_a_time_in_the_order_asked(
    connected: int, review: Review, services: Services
) -> None:
    carol, stranger = 3003, 4004
    await services.meet(BOB, BOB, "en")
    await services.meet(carol, carol, "fr")
    anchor = review.new_anchor()
    asked = [BOB, ALICE, stranger, ALICE, carol]
    chunks = [chunk async for chunk in review.daily_digests(asked, anchor, chunk=2)]
    assert [[tid for tid, _ in chunk] for chunk in chunks] == [[BOB, ALICE], [carol]]
    for chunk in chunks:
        for telegram_id, view in chunk:
            assert view == await review.digest(telegram_id, anchor)


async def test_an_auto_accept_rule_accepts_the_waiting_lines_and_can_be_undone(
    connected: int, review: Review, rules: Rules, db: Database, clock: FixedClock
) -> None:
    async with db.reading() as uow:
        payee, line_id = (
            await uow.session.execute(
                select(BankTransaction.payee, func.min(BankTransaction.id))
                .where(
                    BankTransaction.review_state == ReviewState.TO_REVIEW,
                    BankTransaction.pending.is_(False),
                    BankTransaction.amount_minor < 0,
                )
                .group_by(BankTransaction.payee)
                .having(func.count() >= 3)
                .limit(1)
            )
        ).one()
    found = await review.search_categories(ALICE, "fourn")
    await review.file_under(ALICE, line_id, found[0].id)
    applied = await rules.make(ALICE, line_id, found[0].id, auto_accept=True)
    assert applied >= 2
    clock.advance(timedelta(seconds=5))
    view = await review.digest(ALICE, review.new_anchor())
    async with db.reading() as uow:
        count, total = (
            await uow.session.execute(
                select(func.count(), func.sum(BankTransaction.amount_minor)).where(
                    BankTransaction.payee == payee, BankTransaction.auto_accepted.is_(True)
                )
            )
        ).one()
    assert view.auto_count == count == applied
    assert view.auto_totals == (Money(total, "EUR"),)
    assert await review.undo_auto(ALICE, view.anchor) == view.auto_count


async def test_accept_on_an_uncategorised_line_asks_for_its_category_and_books_nothing(
    connected: int, review: Review, db: Database
) -> None:
    """✅ on "❓ à catégoriser" never posts to suspense (471) unless the user picks it."""
    async with db.reading() as uow:
        line_id = await uow.session.scalar(
            select(BankTransaction.id)
            .join(LedgerAccount, LedgerAccount.id == BankTransaction.suggested_account_id)
            .where(
                LedgerAccount.code == "471",
                BankTransaction.review_state == ReviewState.TO_REVIEW,
                BankTransaction.pending.is_(False),
            )
            .limit(1)
        )
    assert line_id is not None
    before = await entries(db)
    decision = await review.accept(ALICE, line_id)
    assert decision.needs_category and not decision.changed
    assert await entries(db) == before
    async with db.reading() as uow:
        state = await uow.session.scalar(
            select(BankTransaction.review_state).where(BankTransaction.id == line_id)
        )
        suspense = await uow.session.scalar(
            select(LedgerAccount.id).where(
                LedgerAccount.code == "471",
                LedgerAccount.book_id
                == select(BankTransaction.book_id)
                .where(BankTransaction.id == line_id)
                .scalar_subquery(),
            )
        )
    assert state == ReviewState.TO_REVIEW and suspense is not None
    chosen = await review.file_under(ALICE, line_id, suspense)  # chosen by the user: booked
    assert chosen.changed and await entries(db) == before + 1


async def test_a_book_with_nothing_yet_is_told_apart_from_one_all_caught_up(
    services: Services, review: Review, db: Database, clock: FixedClock
) -> None:
    await services.meet(BOB, BOB, "en")
    assert (await review.digest(BOB, review.new_anchor())).nothing_yet
    connection_id = await connect_all(services, ALICE, date(2026, 8, 31))
    await services.import_connection(ALICE, connection_id)
    async with db.writing() as uow:
        await uow.session.execute(
            update(BankTransaction).values(
                review_state=ReviewState.EXCLUDED, reviewed_at=clock.now() - timedelta(days=1)
            )
        )
        await uow.commit()
    caught_up = await review.digest(ALICE, review.new_anchor())
    assert (caught_up.lines, caught_up.auto_count, caught_up.nothing_yet) == ((), 0, False)


async def test_a_connection_without_lines_is_not_nothing_yet_even_once_disconnected(
    services: Services, review: Review
) -> None:
    connection_id = await connect_all(services, ALICE, date(2026, 8, 31))
    assert not (await review.digest(ALICE, review.new_anchor())).nothing_yet
    await Connections(services).disconnect(ALICE, connection_id)
    view = await review.digest(ALICE, review.new_anchor())
    assert (view.lines, view.nothing_yet) == ((), False)


async def test_the_picker_offers_where_the_payee_was_filed_most_then_the_most_used(
    connected: int, review: Review, db: Database
) -> None:
    async with db.reading() as uow:
        payee = await uow.session.scalar(
            select(BankTransaction.payee)
            .where(
                BankTransaction.review_state == ReviewState.TO_REVIEW,
                BankTransaction.pending.is_(False),
            )
            .group_by(BankTransaction.payee)
            .having(func.count() >= 4)
            .limit(1)
        )
        lines = list(
            await uow.session.scalars(
                select(BankTransaction.id)
                .where(BankTransaction.payee == payee, BankTransaction.pending.is_(False))
                .order_by(BankTransaction.id)
            )
        )
    assert payee is not None and len(lines) >= 4
    often, once = (
        (await review.search_categories(ALICE, "resto"))[0],
        (await review.search_categories(ALICE, "tel"))[0],
    )
    for line_id, account in zip(lines, (once, often, often), strict=False):
        assert (await review.file_under(ALICE, line_id, account.id)).changed
    choices = await review.choices(ALICE, lines[3])
    suggested = choices.line.account
    filed = [a.id for a in choices.best if a.id in (often.id, once.id)]
    assert filed == [often.id, once.id]
    assert suggested is None or choices.best[0].id in (suggested.id, often.id)
    assert not {a.id for a in choices.frequent} & {a.id for a in choices.best}
    assert len(choices.frequent) <= 4 and len(choices.best) <= 3
    assert choices.owner is not None and choices.owner.code.startswith("108")
    with pytest.raises(NotFound):
        await review.choices(BOB, lines[3])
