"""Pure functions from domain values to message text and inline keyboards."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.banks.connector import FetchedAccount
from bot.banks.directory import Institution, SearchHit
from bot.connect_flow import ConnectFlow
from bot.i18n import country_name, day, money, t
from bot.periods import ImportPeriod
from bot.views import ImportSummary, LedgerAccountView
from handlers import callbacks as cb

BUTTON_CHARS = 28
COUNTRIES_PER_PAGE = 12


@dataclass(frozen=True, slots=True)
class Screen:
    text: str
    keyboard: InlineKeyboardMarkup | None = None


def short(label: str, limit: int = BUTTON_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def button(label: str, value: cb.Button) -> InlineKeyboardButton:
    return InlineKeyboardButton(short(label), callback_data=value.pack())


def rows(buttons: Sequence[InlineKeyboardButton], per_row: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def text(lang: str, key: str, **values: object) -> str:
    """A catalog message whose values are HTML-escaped first."""
    return t(lang, key, **{k: escape(str(v)) for k, v in values.items()})


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
    return Screen(body, InlineKeyboardMarkup(_search_footer(flow, lang)[:1]))


def search_results(flow: ConnectFlow, hits: Sequence[SearchHit], lang: str) -> Screen:
    values = {"query": flow.query, "country": _country_label(flow, lang)}
    if not hits:
        return Screen(
            text(lang, "connect.no_results", **values),
            InlineKeyboardMarkup(_search_footer(flow, lang)),
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
        InlineKeyboardMarkup(picks + _search_footer(flow, lang)),
    )


def country_menu(flow: ConnectFlow, countries: Sequence[str], page: int, lang: str) -> Screen:
    ordered = sorted(countries, key=lambda code: country_name(code, lang))
    first = page * COUNTRIES_PER_PAGE
    shown = ordered[first : first + COUNTRIES_PER_PAGE]
    keyboard = rows(
        [button(country_name(code, lang), cb.PickCountry(flow.flow_id, code)) for code in shown], 3
    )
    nav = [button(t(lang, "btn.back"), cb.BackToSearch(flow.flow_id))]
    if first + COUNTRIES_PER_PAGE < len(ordered):
        nav.append(button(t(lang, "btn.more"), cb.CountryMenu(flow.flow_id, page + 1)))
    return Screen(t(lang, "connect.ask_country"), InlineKeyboardMarkup([*keyboard, nav]))


def request_recorded(flow: ConnectFlow, lang: str) -> Screen:
    body = text(
        lang,
        "connect.request_recorded",
        query=flow.query or "…",
        country=_country_label(flow, lang),
    )
    return Screen(body, InlineKeyboardMarkup(_search_footer(flow, lang)[:1]))


REGIONS_PER_PAGE = 20


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

    first = page * REGIONS_PER_PAGE
    shown = members[first : first + REGIONS_PER_PAGE]
    picks = [button(region_label(m.name), cb.PickBank(flow.flow_id, m.id)) for m in shown]
    nav = [button(t(lang, "btn.back"), cb.BackToSearch(flow.flow_id))]
    if first + REGIONS_PER_PAGE < len(members):
        nav.append(button(t(lang, "btn.more"), cb.PickGroup(flow.flow_id, group_id, page + 1)))
    body = text(lang, "connect.region", group=group_name)
    return Screen(body, InlineKeyboardMarkup([*rows(picks, 2), nav]))


def bank(flow: ConnectFlow, institution: Institution, lang: str) -> Screen:
    back = button(t(lang, "btn.back"), cb.BackToSearch(flow.flow_id))
    if institution.connector is None:
        request = button(t(lang, "btn.request_support"), cb.RequestSupport(flow.flow_id))
        return Screen(
            text(lang, "connect.bank_unsupported", bank=institution.name),
            InlineKeyboardMarkup([[request], [back]]),
        )
    go = button(t(lang, "btn.continue"), cb.StartLogin(flow.flow_id))
    return Screen(
        text(lang, "connect.bank", bank=institution.name), InlineKeyboardMarkup([[go, back]])
    )


def _cancel_row(flow: ConnectFlow, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(t(lang, "btn.cancel"), cb.CancelFlow(flow.flow_id))]])


def ask(flow: ConnectFlow, key: str, lang: str, **values: object) -> Screen:
    bank_name = flow.institution.name if flow.institution else ""
    return Screen(text(lang, key, bank=bank_name, **values), _cancel_row(flow, lang))


def plain(key: str, lang: str, **values: object) -> Screen:
    return Screen(text(lang, key, **values))


def account_label(account: FetchedAccount, lang: str) -> str:
    return f"{account.name} · {money(account.balance, lang)}"


def accounts(flow: ConnectFlow, lang: str) -> Screen:
    toggles = [
        [
            button(
                ("☑️ " if i in flow.selected else "⬜ ") + account_label(a, lang),
                cb.ToggleAccount(flow.flow_id, i),
            )
        ]
        for i, a in enumerate(flow.accounts)
    ]
    actions = [
        button(t(lang, "btn.continue"), cb.AccountsChosen(flow.flow_id)),
        button(t(lang, "btn.cancel"), cb.CancelFlow(flow.flow_id)),
    ]
    bank_name = flow.institution.name if flow.institution else ""
    return Screen(
        text(lang, "connect.choose_accounts", bank=bank_name),
        InlineKeyboardMarkup([*toggles, actions]),
    )


def ledger_choice(
    flow: ConnectFlow, index: int, options: Sequence[LedgerAccountView], lang: str
) -> Screen:
    account = flow.accounts[index]
    picks = [
        button(option.label, cb.PickLedger(flow.flow_id, index, option.id)) for option in options
    ]
    keyboard = [
        *rows(picks, 2),
        [
            button(t(lang, "btn.add"), cb.AddLedger(flow.flow_id, index)),
            button(t(lang, "btn.cancel"), cb.CancelFlow(flow.flow_id)),
        ],
    ]
    body = text(
        lang, "connect.choose_ledger", account=account.name, balance=money(account.balance, lang)
    )
    return Screen(body, InlineKeyboardMarkup(keyboard))


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
    return Screen(t(lang, "connect.choose_period"), InlineKeyboardMarkup(keyboard))


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
    return Screen(body, InlineKeyboardMarkup(keyboard))


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
        parts.append(
            t(
                lang,
                "connect.done_account",
                account=escape(account.name),
                ledger=escape(account.ledger.label),
                count=account.imported,
                pending=pending,
                period=period,
                balance=escape(money(account.balance, lang)) if account.balance else "—",
            )
        )
    return Screen(
        t(lang, "connect.done", bank=escape(summary.institution_name), accounts="\n\n".join(parts))
    )
