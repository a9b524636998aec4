"""The /connect screens: bank search, countries, regions, the bank, its accounts, their ledger
accounts, the period to import, the last confirmation and the import's summary."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.banks.connector import AuthMethod, FetchedAccount
from bot.banks.directory.search import Institution, SearchHit
from bot.domain.periods import ImportPeriod
from bot.domain.views import ImportSummary, LedgerAccountView, mask_iban
from bot.i18n import country_name, day, money, t
from bot.services.connect_flow import ConnectFlow
from handlers import callbacks as cb
from handlers.render import pages
from handlers.render.common import (
    LABEL_CHARS,
    Keyboard,
    Screen,
    button,
    escape,
    rows,
    short,
    text,
    with_caption,
)
from handlers.render.pages import ROWS

COUNTRIES_PER_PAGE = 4 * 3
REGIONS_PER_PAGE = ROWS * 2
ACCOUNTS_PER_PAGE = ROWS
LEDGERS_PER_PAGE = ROWS * 2


def _country_label(flow: ConnectFlow, lang: str) -> str:
    return country_name(flow.country, lang) if flow.country else "?"


def _search_footer(flow: ConnectFlow, lang: str) -> list[list[InlineKeyboardButton]]:
    return [
        [
            button(
                t(lang, "btn.country", country=_country_label(flow, lang)),
                cb.CountryMenu(flow.flow_id, 0),
            )
        ],
        [button(t(lang, "btn.cant_find"), cb.CantFind(flow.flow_id))],
    ]


def search_prompt(flow: ConnectFlow, lang: str) -> Screen:
    body = text(lang, "connect.search", country=_country_label(flow, lang))
    return Screen(body, Keyboard(_search_footer(flow, lang)[:1]))


def search_results(flow: ConnectFlow, hits: Sequence[SearchHit], lang: str) -> Screen:
    values = {"query": flow.query, "country": _country_label(flow, lang)}
    if not hits:
        return Screen(
            text(lang, "connect.no_results", **values),
            Keyboard(_search_footer(flow, lang)),
        )
    picks: list[list[InlineKeyboardButton]] = [
        [
            button(
                hit.name,
                cb.PickGroup(flow.flow_id, hit.id, 0)
                if hit.is_group
                else cb.PickBank(flow.flow_id, hit.id),
            )
        ]
        for hit in hits
    ]
    return Screen(
        text(lang, "connect.results", **values),
        Keyboard(picks + _search_footer(flow, lang)),
    )


def country_menu(flow: ConnectFlow, countries: Sequence[str], page: int, lang: str) -> Screen:
    ordered = sorted(countries, key=lambda code: country_name(code, lang))
    shown = pages.paged(
        ordered, page, COUNTRIES_PER_PAGE, lambda n: cb.CountryMenu(flow.flow_id, n), lang
    )
    keyboard = rows(
        [
            button(country_name(code, lang), cb.PickCountry(flow.flow_id, code))
            for code in shown.items
        ],
        3,
    )
    nav = shown.around(button(t(lang, "btn.back"), cb.BackToSearch(flow.flow_id)))
    return Screen(t(lang, "connect.ask_country"), Keyboard([*keyboard, nav]))


def request_recorded(flow: ConnectFlow, lang: str) -> Screen:
    body = text(
        lang,
        "connect.request_recorded",
        query=flow.query or "…",
        country=_country_label(flow, lang),
    )
    return Screen(body, Keyboard(_search_footer(flow, lang)[:1]))


def regions(
    flow: ConnectFlow,
    group_id: str,
    group_name: str,
    members: Sequence[Institution],
    page: int,
    lang: str,
) -> Screen:
    """Regional banks of a group, paged: some groups have hundreds (Volksbanken)."""

    def region_label(name: str) -> str:
        if not name.lower().startswith(group_name.lower()):
            return name
        return name[len(group_name) :].strip(" -–") or name

    shown = pages.paged(
        members, page, REGIONS_PER_PAGE, lambda n: cb.PickGroup(flow.flow_id, group_id, n), lang
    )
    picks = [button(region_label(m.name), cb.PickBank(flow.flow_id, m.id)) for m in shown.items]
    nav = shown.around(button(t(lang, "btn.back"), cb.BackToSearch(flow.flow_id)))
    body = with_caption(text(lang, "connect.region", group=group_name), shown, lang)
    return Screen(body, Keyboard([*rows(picks, 2), nav]))


BANK_WORDS = {
    AuthMethod.CONSENT_LINK: "connect.bank_consent",
    AuthMethod.SETUP_TOKEN: "connect.bank_token",
}
"""What the bank screen says comes next, by how the connector signs in (else a password)."""


def bank(
    flow: ConnectFlow, institution: Institution, lang: str, auth: AuthMethod | None = None
) -> Screen:
    back = button(t(lang, "btn.back"), cb.BackToSearch(flow.flow_id))
    if institution.connector is None:
        request = button(t(lang, "btn.request_support"), cb.RequestSupport(flow.flow_id))
        return Screen(
            text(lang, "connect.bank_unsupported", bank=institution.name),
            Keyboard([[request], [back]]),
        )
    go = button(t(lang, "btn.continue"), cb.StartLogin(flow.flow_id))
    key = BANK_WORDS.get(auth, "connect.bank") if auth is not None else "connect.bank"
    return Screen(text(lang, key, bank=institution.name), Keyboard([[go, back]]))


def _cancel_row(flow: ConnectFlow, lang: str) -> InlineKeyboardMarkup:
    return Keyboard([[button(t(lang, "btn.cancel"), cb.CancelFlow(flow.flow_id))]])


def ask(flow: ConnectFlow, key: str, lang: str, **values: object) -> Screen:
    bank_name = flow.institution.name if flow.institution else ""
    return Screen(text(lang, key, bank=bank_name, **values), _cancel_row(flow, lang))


def account_label(account: FetchedAccount, lang: str) -> str:
    return f"{account.name} · {money(account.balance, lang)}"


def _account_line(n: int, account: FetchedAccount, lang: str) -> str:
    """The account in full in the text, so its button can hold the number and name alone."""
    masked = mask_iban(account.iban)
    return text(
        lang,
        "connect.account_line",
        n=n,
        account=account.name,
        iban=f" · {masked}" if masked else "",
        balance=money(account.balance, lang),
    )


def accounts_page_of(index: int) -> int:
    """The page showing the account at `index`: a toggle redraws the page it was pressed on."""
    return index // ACCOUNTS_PER_PAGE


def _tick(flow: ConnectFlow, index: int, linked: frozenset[int]) -> str:
    if index in linked:
        return "🔗 "
    return "☑️ " if index in flow.selected else "⬜ "


def accounts(
    flow: ConnectFlow, lang: str, page: int = 0, linked: frozenset[int] = frozenset()
) -> Screen:
    """The bank's accounts to tick; those `linked` (already fed by this connection) show 🔗."""
    shown = pages.paged(
        list(enumerate(flow.accounts)),
        page,
        ACCOUNTS_PER_PAGE,
        lambda n: cb.BankAccountsPage(flow.flow_id, n),
        lang,
    )
    toggles = [
        [
            button(
                short(f"{_tick(flow, i, linked)}{i + 1}. {a.name}", LABEL_CHARS),
                cb.ToggleAccount(flow.flow_id, i),
            )
        ]
        for i, a in shown.items
    ]
    actions = [
        button(t(lang, "btn.continue"), cb.AccountsChosen(flow.flow_id)),
        button(t(lang, "btn.cancel"), cb.CancelFlow(flow.flow_id)),
    ]
    bank_name = flow.institution.name if flow.institution else ""
    body = text(lang, "connect.choose_accounts", bank=bank_name)
    body += "\n\n" + "\n".join(_account_line(i + 1, a, lang) for i, a in shown.items)
    if linked:
        body += "\n\n" + t(lang, "connect.linked", count=len(linked))
    if shown.count > 1:
        body += "\n\n" + t(lang, "connect.selected", count=len(flow.selected))
    keyboard = [*toggles, *([shown.nav] if shown.nav else []), actions]
    return Screen(with_caption(body, shown, lang), Keyboard(keyboard))


def ledger_choice(
    flow: ConnectFlow,
    index: int,
    options: Sequence[LedgerAccountView],
    lang: str,
    page: int = 0,
    *,
    current: LedgerAccountView | None = None,
) -> Screen:
    """Where the account's lines go; one it already feeds is offered first, to keep, and the
    text says what choosing another one means."""
    account = flow.accounts[index]
    others = [o for o in options if current is None or o.id != current.id]
    shown = pages.paged(
        others, page, LEDGERS_PER_PAGE, lambda n: cb.LedgerPage(flow.flow_id, index, n), lang
    )
    picks = [
        button(short(option.label, LABEL_CHARS), cb.PickLedger(flow.flow_id, index, option.id))
        for option in shown.items
    ]
    keep = []
    if current is not None:
        label = t(lang, "btn.keep_ledger", code=current.code)
        keep = [[button(label, cb.PickLedger(flow.flow_id, index, current.id))]]
    keyboard = [
        *keep,
        *rows(picks, 2),
        *([shown.nav] if shown.nav else []),
        [
            button(t(lang, "btn.add"), cb.AddLedger(flow.flow_id, index)),
            button(t(lang, "btn.cancel"), cb.CancelFlow(flow.flow_id)),
        ],
    ]
    values = {"account": account.name, "balance": money(account.balance, lang)}
    if current is None:
        body = text(lang, "connect.choose_ledger", **values)
    else:
        body = text(lang, "connect.choose_ledger_kept", ledger=current.label, **values)
    return Screen(with_caption(body, shown, lang), Keyboard(keyboard))


def period_label(period: ImportPeriod, lang: str, *, button_text: bool = False) -> str:
    prefix = "btn.period" if button_text else "period"
    if period.days:
        return t(lang, f"{prefix}_days" if button_text else f"{prefix}.days", n=period.days)
    return t(lang, f"{prefix}_months" if button_text else f"{prefix}.months", n=period.months)


def periods(flow: ConnectFlow, choices: Sequence[ImportPeriod], lang: str) -> Screen:
    picks = [
        button(period_label(p, lang, button_text=True), cb.PickPeriod(flow.flow_id, p.key))
        for p in choices
    ]
    keyboard = [*rows(picks, 2), [button(t(lang, "btn.cancel"), cb.CancelFlow(flow.flow_id))]]
    return Screen(t(lang, "connect.choose_period"), Keyboard(keyboard))


def confirm(
    flow: ConnectFlow,
    ledgers: dict[int, LedgerAccountView],
    period: ImportPeriod,
    start: date,
    lang: str,
) -> Screen:
    lines = "\n".join(
        text(
            lang,
            "connect.confirm_account",
            account=flow.accounts[i].name,
            ledger=ledgers[flow.ledger_for[i]].label,
        )
        for i in flow.selected
    )
    bank_name = flow.institution.name if flow.institution else ""
    body = t(
        lang,
        "connect.confirm",
        bank=escape(bank_name),
        accounts=lines,
        period=escape(period_label(period, lang)),
        start=escape(day(start, lang)),
    )
    keyboard = [
        [
            button(t(lang, "btn.connect"), cb.ConfirmConnect(flow.flow_id)),
            button(t(lang, "btn.cancel"), cb.CancelFlow(flow.flow_id)),
        ]
    ]
    return Screen(body, Keyboard(keyboard))


def import_done(summary: ImportSummary, lang: str) -> Screen:
    parts = []
    for account in summary.accounts:
        if account.first_date and account.last_date:
            period = text(
                lang,
                "connect.done_period",
                start=day(account.first_date, lang),
                end=day(account.last_date, lang),
            )
        else:
            period = t(lang, "connect.done_empty")
        pending = (
            t(lang, "connect.done_pending", pending=account.pending) if account.pending else ""
        )
        up_to_date = account.imported == 0 and account.first_date is not None
        parts.append(
            t(
                lang,
                "connect.done_up_to_date" if up_to_date else "connect.done_account",
                account=escape(account.name),
                ledger=escape(account.ledger.label),
                count=account.imported,
                pending=pending,
                period=period,
                balance=escape(money(account.balance, lang)) if account.balance else "—",
            )
        )
    following = (
        t(lang, "connect.done_nothing_new")
        if not any(account.imported for account in summary.accounts)
        else t(
            lang,
            "connect.done_next",
            categorized=t(lang, "connect.done_categorized", count=summary.categorized),
            auto=t(lang, "connect.done_auto", count=summary.auto_accepted),
        )
    )
    body = t(
        lang,
        "connect.done",
        bank=escape(summary.institution_name),
        accounts="\n\n".join(parts),
        next=following,
    )
    return Screen(body)
