"""One way to page: `pages.paged()` alone, then every list screen of render.py with generated
data, walked page by page through its own ▶️ buttons."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest
from telegram import InlineKeyboardButton

from bot.banks.connector import AccountType, FetchedAccount
from bot.banks.directory.search import Institution
from bot.charts import AccountKind
from bot.domain.money import Money
from bot.domain.states import ConnectionStatus, ReviewState
from bot.domain.views import CategoryChoices, LedgerAccountView, ReviewLine, RuleView
from bot.i18n import t
from bot.services.connect_flow import ConnectFlow
from bot.services.connection_views import AccountCard, ConnectionCard, Overview, Target
from handlers import callbacks as cb
from handlers import render
from handlers.render import pages

LANGS = ["fr", "en"]
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
MAX_ROWS = 10
"""About eight rows of items, plus navigation and actions."""


def ledger(n: int, kind: AccountKind = AccountKind.BANK) -> LedgerAccountView:
    return LedgerAccountView(1000 + n, f"512{n:03}", f"Banque <{n}> & co", kind)


def flow_with(accounts: int) -> ConnectFlow:
    flow = ConnectFlow(telegram_id=1, country="FR", flow_id="a1b2c3")
    flow.institution = Institution("demo", "Demo Bank", "FR", None, "demo", 730, None)
    flow.accounts = [
        FetchedAccount(f"x-{n}", f"Compte {n}", AccountType.CHECKING, None, "EUR", Money(n, "EUR"))
        for n in range(accounts)
    ]
    return flow


def buttons_of(screen: render.Screen) -> list[list[InlineKeyboardButton]]:
    assert screen.keyboard is not None
    return [list(row) for row in screen.keyboard.inline_keyboard]


def assert_fits(screen: render.Screen) -> None:
    keyboard = buttons_of(screen)
    assert sum(len(row) for row in keyboard) <= pages.MAX_BUTTONS
    assert len(keyboard) <= MAX_ROWS
    assert all(len(row) <= 3 for row in keyboard)
    for row in keyboard:
        for b in row:
            assert len(str(b.callback_data or "").encode()) <= cb.MAX_BYTES
            assert len(b.text) <= render.BUTTON_CHARS
    assert len(screen.text) <= 4096


def of_kind(screen: render.Screen, kind: type[cb.B]) -> list[cb.B]:
    return [
        button
        for row in buttons_of(screen)
        for b in row
        if b.callback_data is not None
        and isinstance(button := cb.parse(str(b.callback_data)), kind)
    ]


def labelled(screen: render.Screen, label: str) -> cb.Button | None:
    for row in buttons_of(screen):
        for b in row:
            if b.text == label and b.callback_data is not None:
                return cb.parse(str(b.callback_data))
    return None


def walk(
    draw: Callable[[int], render.Screen], lang: str, number: Callable[[Any], int]
) -> list[render.Screen]:
    """Page 0, then each page its ▶️ button names, checking ◀️ leads back."""
    screens = [draw(0)]
    while (following := labelled(screens[-1], t(lang, "btn.next"))) is not None:
        page = number(following)
        assert page == len(screens)
        screens.append(draw(page))
        back = labelled(screens[-1], t(lang, "btn.prev"))
        assert back is not None and number(back) == page - 1
    for screen in screens:
        assert_fits(screen)
    assert labelled(screens[0], t(lang, "btn.prev")) is None
    return screens


def page_of(button: Any) -> int:
    return int(button.page)


# --- the helper alone -------------------------------------------------------------------------


def test_pages_cut_a_list_in_order_and_say_where_they_are() -> None:
    items = list(range(20))
    first = pages.paged(items, 0, 8, cb.RulesPage, "en")
    last = pages.paged(items, 2, 8, cb.RulesPage, "en")
    assert first.items == tuple(range(8)) and first.count == 3 and first.first == 0
    assert last.items == (16, 17, 18, 19) and last.first == 16
    assert first.prev is None and first.next is not None
    assert cb.parse(str(first.next.callback_data)) == cb.RulesPage(1)
    assert last.next is None and last.prev is not None
    assert cb.parse(str(last.prev.callback_data)) == cb.RulesPage(1)
    assert first.caption("en") == "Page 1/3" and last.caption("fr") == "Page 3/3"


@pytest.mark.parametrize(("asked", "shown"), [(-5, 0), (3, 2), (99_999, 2)])
def test_a_page_out_of_range_shows_the_nearest(asked: int, shown: int) -> None:
    page = pages.paged(list(range(20)), asked, 8, cb.RulesPage, "en")
    assert page.number == shown and page.items


def test_a_short_list_has_one_page_and_no_buttons() -> None:
    for items in ([], [1], list(range(8))):
        page = pages.paged(items, 0, 8, cb.RulesPage, "fr")
        assert page.count == 1 and page.nav == [] and page.caption("fr") == ""
    middle = InlineKeyboardButton("x", callback_data="y")
    assert pages.paged([1], 0, 8, cb.RulesPage, "fr").around(middle) == [middle]


def test_a_page_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError):
        pages.paged([1], 0, 0, cb.RulesPage, "fr")


def test_around_puts_the_middle_between_the_arrows() -> None:
    page = pages.paged(list(range(30)), 1, 8, cb.RulesPage, "en")
    back = InlineKeyboardButton("back", callback_data="b")
    row = page.around(back)
    assert row[1] is back and row[0] is page.prev and row[2] is page.next


def test_capped_counts_what_it_leaves_out() -> None:
    assert pages.capped([1, 2, 3], 2) == ((1, 2), 1)
    assert pages.capped([1], 2) == ((1,), 0)


# --- every list screen ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_ledger_choice_offers_every_account_a_page_at_a_time(lang: str) -> None:
    flow = flow_with(1)
    options = [ledger(n) for n in range(120)]
    screens = walk(lambda p: render.ledger_choice(flow, 0, options, lang, p), lang, page_of)
    picked = [b.ledger for s in screens for b in of_kind(s, cb.PickLedger)]
    assert picked == [o.id for o in options]
    assert all(of_kind(s, cb.AddLedger) and of_kind(s, cb.CancelFlow) for s in screens)


@pytest.mark.parametrize("lang", LANGS)
def test_accounts_at_the_bank_page_and_a_toggle_stays_on_its_page(lang: str) -> None:
    flow = flow_with(45)
    flow.selected = [0, 44]
    screens = walk(lambda p: render.accounts(flow, lang, p), lang, page_of)
    assert [b.index for s in screens for b in of_kind(s, cb.ToggleAccount)] == list(range(45))
    assert all(of_kind(s, cb.AccountsChosen) for s in screens)
    redrawn = render.accounts(flow, lang, render.accounts_page_of(44))
    assert [b.index for b in of_kind(redrawn, cb.ToggleAccount)] == [40, 41, 42, 43, 44]
    assert t(lang, "connect.selected", count=2) in redrawn.text


def test_three_accounts_need_no_paging() -> None:
    screen = render.accounts(flow_with(3), "fr")
    assert of_kind(screen, cb.BankAccountsPage) == [] and "Page" not in screen.text


@pytest.mark.parametrize("lang", LANGS)
def test_rules_page_with_their_numbers_running_on(lang: str) -> None:
    rules = [
        RuleView(n + 1, f"PAYEE {n}", None, ledger(n, AccountKind.EXPENSE), False, n % 2 == 0, n)
        for n in range(50)
    ]
    screens = walk(lambda p: render.rules_list(rules, lang, p), lang, page_of)
    assert [b.rule for s in screens for b in of_kind(s, cb.ToggleRule)] == [r.id for r in rules]
    assert [b.rule for s in screens for b in of_kind(s, cb.DeleteRule)] == [r.id for r in rules]
    assert "50. PAYEE 49" in screens[-1].text
    assert render.rules_page_of(rules, 50) == len(screens) - 1
    assert render.rules_page_of(rules, 9999) == 0


@pytest.mark.parametrize("press", [cb.UpdateSignIn, cb.AskDisconnect])
def test_which_bank_pages_through_every_connection(
    press: type[cb.UpdateSignIn] | type[cb.AskDisconnect],
) -> None:
    question = cb.Question.CREDENTIALS if press is cb.UpdateSignIn else cb.Question.DISCONNECT
    targets = [Target(n, f"Banque {n}", ConnectionStatus.ACTIVE) for n in range(1, 31)]
    screens = walk(
        lambda p: render.pick_connection(targets, question, "fr", p),
        "fr",
        page_of,
    )
    assert [b.connection for s in screens for b in of_kind(s, press)] == list(range(1, 31))
    assert {b.question for s in screens for b in of_kind(s, cb.ConnectionsPage)} == {question}
    assert all(of_kind(s, cb.KeepAsIs) for s in screens)


def card(n: int, accounts: int, status: ConnectionStatus) -> ConnectionCard:
    return ConnectionCard(
        id=n,
        institution_name=f"Banque {n}",
        status=status,
        last_sync_at=NOW,
        consent_expires=date(2027, 5, 1),
        last_error="bad_credentials" if status is ConnectionStatus.NEEDS_REAUTH else None,
        failing_since=None,
        next_refresh_at=None,
        accounts=tuple(account(n * 100 + i) for i in range(accounts)),
    )


def account(n: int) -> AccountCard:
    return AccountCard(n, f"Compte {n}", "FR76 •••• 0001", Money(n, "EUR"), ledger(n), True)


@pytest.mark.parametrize("lang", LANGS)
def test_accounts_overview_pages_banks_and_caps_their_accounts(lang: str) -> None:
    statuses = list(ConnectionStatus)
    view = Overview(
        timezone="Europe/Paris",
        connections=tuple(card(n, 30, statuses[n % len(statuses)]) for n in range(1, 41)),
        unconnected=tuple(account(9000 + n) for n in range(40)),
    )
    screens = walk(lambda p: render.accounts_overview(view, NOW, lang, p), lang, page_of)
    shown = [n for s in screens for n in range(1, 41) if f"Banque {n}</b>" in s.text]
    assert shown == list(range(1, 41))
    acted = {
        *(b.connection for s in screens for b in of_kind(s, cb.RefreshConnection)),
        *(b.connection for s in screens for b in of_kind(s, cb.UpdateSignIn)),
        *(b.connection for s in screens for b in of_kind(s, cb.AskDisconnect)),
    }
    expected = {c.id for c in view.connections if c.status is not ConnectionStatus.DISCONNECTED}
    assert acted - {0} == expected
    assert all(of_kind(s, cb.ShowHelp) for s in screens)
    assert t(lang, "list.more", count=30 - render.LINES_PER_CARD) in screens[0].text
    assert t(lang, "accounts.unconnected") in screens[-1].text
    assert all(t(lang, "accounts.unconnected") not in s.text for s in screens[:-1])


@pytest.mark.parametrize("lang", LANGS)
def test_picker_search_hits_page_under_the_pickers_own_buttons(lang: str) -> None:
    line = ReviewLine(
        id=77,
        booking_date=date(2026, 3, 12),
        amount=Money(-1234, "EUR"),
        payee="M&S <PARIS>",
        label="M&S <PARIS>",
        pending=False,
        state=ReviewState.TO_REVIEW,
        account=None,
        source=None,
        auto_accepted=False,
    )
    owner = ledger(0, AccountKind.EQUITY)
    choices = CategoryChoices(line=line, best=(), frequent=(), owner=owner)
    found = [ledger(n, AccountKind.EXPENSE) for n in range(1, 60)]
    anchor = 1795855891

    def draw(results: int) -> render.Screen:
        return render.category_picker(
            choices, anchor, 3, lang, found=found, query="zèbre", results=results
        )

    screens = walk(draw, lang, lambda b: int(b.results))
    assert [b.account for s in screens for b in of_kind(s, cb.FileUnder)] == [a.id for a in found]
    assert {(b.line, b.anchor, b.page) for s in screens for b in of_kind(s, cb.SearchPage)} == {
        (77, anchor, 3)
    }
    for screen in screens:
        assert of_kind(screen, cb.SearchAccounts)
        assert of_kind(screen, cb.Exclude)
        assert of_kind(screen, cb.Personal)
        assert of_kind(screen, cb.ReviewPage)


@pytest.mark.parametrize("lang", LANGS)
def test_time_zones_page(lang: str) -> None:
    zones = [f"Region/City_{n}" for n in range(40)]
    screens = walk(lambda p: render.timezones(zones, lang, p), lang, page_of)
    assert [b.index for s in screens for b in of_kind(s, cb.SetTimezone)] == list(range(40))
    assert all(cb.SettingsMenu(cb.Menu.SETTINGS) in of_kind(s, cb.SettingsMenu) for s in screens)


def test_the_bots_own_time_zones_fit_one_page() -> None:
    from bot.services.users import TIMEZONES

    screen = render.timezones(TIMEZONES, "fr")
    assert of_kind(screen, cb.TimezonesPage) == [] and len(of_kind(screen, cb.SetTimezone)) == 10


@pytest.mark.parametrize("lang", LANGS)
def test_regions_and_countries_page_the_same_way(lang: str) -> None:
    flow = flow_with(0)
    members: Sequence[Institution] = [
        Institution(f"r{n}", f"Groupe Région {n}", "FR", None, None, 0, "g") for n in range(45)
    ]
    screens = walk(lambda p: render.regions(flow, "g", "Groupe", members, p, lang), lang, page_of)
    assert [b.bank for s in screens for b in of_kind(s, cb.PickBank)] == [m.id for m in members]
    countries = ["FR", "GB", "DE", "ES", "IT", "BE", "NL", "PT", "IE", "AT", "LU", "CH", "PL"]
    menus = walk(lambda p: render.country_menu(flow, countries, p, lang), lang, page_of)
    assert sorted(b.country for s in menus for b in of_kind(s, cb.PickCountry)) == sorted(countries)
    assert all(of_kind(s, cb.BackToSearch) for s in [*screens, *menus])
