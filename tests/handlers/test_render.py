"""Screens fit Telegram: 4,096 characters, 100 buttons, 64-byte data, escaped bank labels."""

from __future__ import annotations

from datetime import date
from html import escape

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.banks.connector import AccountType, FetchedAccount
from bot.categorize.cascade import Source
from bot.charts import AccountKind
from bot.domain.money import Money
from bot.domain.states import ReviewState
from bot.domain.views import (
    AccountImport,
    CategoryChoices,
    DigestView,
    ImportSummary,
    LedgerAccountView,
    ReviewLine,
)
from bot.i18n import money, t
from bot.services.connect_flow import ConnectFlow
from bot.services.review import PAGE_SIZE
from handlers import callbacks as cb
from handlers import render
from handlers.render.review import WHY

NASTY = "M&S <PARIS> " + "Ü" * 300


def review_line(n: int, state: ReviewState = ReviewState.TO_REVIEW) -> ReviewLine:
    return ReviewLine(
        id=1_000_000 + n,
        booking_date=date(2026, 3, 12),
        amount=Money(-123_456_78, "EUR"),
        payee=NASTY,
        label=NASTY,
        pending=n % 2 == 0,
        state=state,
        account=LedgerAccountView(
            7, "6064", "Fournitures <administratives> & co" * 3, AccountKind.EXPENSE
        ),
        source="known",
        auto_accepted=False,
    )


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_full_digest_page_fits_one_message(lang: str) -> None:
    view = DigestView(
        anchor=1795855891,
        page=3,
        pages=9,
        lines=tuple(review_line(n) for n in range(PAGE_SIZE)),
        to_review=9 * PAGE_SIZE,
        auto_count=4000,
        auto_totals=(Money(-123456789, "EUR"), Money(4200, "USD"), Money(-99, "GBP")),
    )
    screen = render.digest(view, lang, daily=True)
    assert len(screen.text) <= 4096
    assert screen.keyboard is not None
    buttons = [b for row in screen.keyboard.inline_keyboard for b in row]
    assert len(buttons) <= 100
    assert all(len(str(b.callback_data or "").encode()) <= 64 for b in buttons)
    assert all(len(row) <= 3 for row in screen.keyboard.inline_keyboard)
    assert "<PARIS>" not in screen.text and escape("M&S <PARIS>") in screen.text


def test_nothing_to_review_has_no_empty_keyboard() -> None:
    view = DigestView(anchor=1, page=0, pages=1, lines=(), to_review=0)
    screen = render.digest(view, "fr")
    assert screen.keyboard is None and "Rien à passer en revue" in screen.text


def test_button_labels_stay_short_on_a_phone() -> None:
    view = DigestView(anchor=1, page=0, pages=2, lines=(review_line(1),), to_review=7)
    screen = render.digest(view, "en")
    assert screen.keyboard is not None
    assert all(
        len(b.text) <= render.BUTTON_CHARS for row in screen.keyboard.inline_keyboard for b in row
    )


def test_keyboards_serialize_exactly_as_ptb_would() -> None:
    view = DigestView(
        anchor=1795855891,
        page=1,
        pages=3,
        lines=tuple(review_line(n) for n in range(PAGE_SIZE)),
        to_review=3 * PAGE_SIZE,
        auto_count=2,
        auto_totals=(Money(-4200, "EUR"),),
    )
    keyboard = render.digest(view, "fr").keyboard
    assert isinstance(keyboard, render.Keyboard)
    linked = render.Keyboard([[InlineKeyboardButton("Banque", url="https://example.org/")]])
    for markup in (keyboard, linked):
        assert markup.to_dict() == InlineKeyboardMarkup(markup.inline_keyboard).to_dict()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_middle_digest_page_has_the_shared_arrows_around_accept_all(lang: str) -> None:
    """The digest is paged by its service; its ◀️ / ▶️ come from the same helper as any list."""
    anchor = 1795855891
    view = DigestView(
        anchor=anchor, page=2, pages=5, lines=(review_line(1),), to_review=5 * PAGE_SIZE
    )
    screen = render.digest(view, lang)
    assert screen.keyboard is not None
    accept_all = t(lang, "btn.accept_all")
    footer = next(
        row for row in screen.keyboard.inline_keyboard if any(b.text == accept_all for b in row)
    )
    assert [b.text for b in footer] == [
        t(lang, "btn.prev"),
        t(lang, "btn.accept_all"),
        t(lang, "btn.next"),
    ]
    assert footer[0].callback_data == cb.ReviewPage(anchor, 1).pack()
    assert footer[2].callback_data == cb.ReviewPage(anchor, 3).pack()
    last = render.digest(DigestView(anchor, 4, 5, (review_line(1),), 5 * PAGE_SIZE), lang)
    assert last.keyboard is not None
    assert not any(
        b.text == t(lang, "btn.next") for row in last.keyboard.inline_keyboard for b in row
    )


def import_summary(imported: int) -> ImportSummary:
    account = AccountImport(
        bank_account_id=1,
        name="Compte courant pro",
        iban_masked="FR76 •••• 0042",
        ledger=LedgerAccountView(1, "512", "Banque", AccountKind.BANK),
        imported=imported,
        pending=0,
        first_date=date(2026, 9, 4),
        last_date=date(2026, 12, 2),
        balance=Money(1_298_615, "EUR"),
    )
    return ImportSummary(7, "Demo Bank", (account,), categorized=imported)


def test_a_reconnect_with_nothing_new_reads_as_up_to_date() -> None:
    fr = render.import_done(import_summary(0), "fr").text
    assert "À jour : rien de nouveau depuis le dernier import" in fr
    assert "Rien de nouveau à passer en revue" in fr
    assert "0 opération" not in fr and "0 catégorisée" not in fr
    en = render.import_done(import_summary(0), "en").text
    assert "Up to date: nothing new since the last import" in en


def test_an_import_with_new_lines_counts_them() -> None:
    fr = render.import_done(import_summary(12), "fr").text
    assert "12 opérations importées" in fr and "À jour" not in fr


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_account_buttons_keep_their_number_and_the_text_keeps_every_balance(lang: str) -> None:
    """Names sharing a long start (Compte courant professionnel…) are told apart by their
    number, first on the button; the balance, which a cut would lose, is in the text."""
    names = ("Compte courant professionnel principal", "Compte courant professionnel euros")
    flow = ConnectFlow(telegram_id=1, country="FR", flow_id="a1b2c3")
    flow.accounts = [
        FetchedAccount(
            f"x{n}",
            name,
            AccountType.CHECKING,
            "FR7630006000011234567890189",
            "EUR",
            Money(1_234_567_89 * (n + 1), "EUR"),
        )
        for n, name in enumerate(names)
    ]
    flow.selected = [0]
    screen = render.accounts(flow, lang)
    assert screen.keyboard is not None
    toggles = [b.text for row in screen.keyboard.inline_keyboard for b in row][: len(names)]
    assert toggles[0].startswith("☑️ 1. Compte") and toggles[1].startswith("⬜ 2. Compte")
    assert all(len(label) <= render.LABEL_CHARS for label in toggles)
    for account in flow.accounts:
        assert money(account.balance, lang) in screen.text
        assert "FR76 •••• 0189" in screen.text


def test_a_category_button_starts_with_its_code_within_a_phones_width() -> None:
    line = review_line(1)
    long = LedgerAccountView(9, "6226", "Honoraires comptables et juridiques", AccountKind.EXPENSE)
    choices = CategoryChoices(line=line, best=(long,), frequent=(), owner=None)
    screen = render.category_picker(choices, 1795855891, 0, "fr")
    assert screen.keyboard is not None
    labels = [b.text for row in screen.keyboard.inline_keyboard for b in row]
    label = next(label for label in labels if "Honoraires" in label)
    assert label.startswith("6226 ") and len(label) <= render.LABEL_CHARS


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_source_of_a_suggestion_says_why_in_words(lang: str) -> None:
    """The learned model's sources too (amount, weekend, weekday, label word)."""
    for source in Source:
        key = WHY.get(source.value, "why.none")
        assert t(lang, key) and not t(lang, key).startswith("why."), source
    assert len(set(WHY.values())) == len(Source) - 1
