"""Pure functions from domain values to message text and inline keyboards."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_time
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.banks.connector import FetchedAccount
from bot.banks.directory.search import Institution, SearchHit
from bot.domain.periods import ImportPeriod
from bot.domain.states import ConnectionStatus, ReviewState
from bot.domain.views import (
    CategoryChoices,
    Decision,
    DigestView,
    ImportSummary,
    LedgerAccountView,
    ReviewLine,
    RuleView,
    SettingsView,
)
from bot.i18n import LOCALES, country_name, day, has, money, t
from bot.services.connect_flow import ConnectFlow
from bot.services.connections import (
    AccountCard,
    Disconnected,
    Health,
    Notice,
    NoticeKind,
    Overview,
    SyncOutcome,
    Target,
)
from bot.services.review import PAGE_SIZE
from handlers import callbacks as cb
from handlers import pages
from handlers.pages import ROWS

BUTTON_CHARS = 28
COUNTRIES_PER_PAGE = 4 * 3
REGIONS_PER_PAGE = ROWS * 2
ACCOUNTS_PER_PAGE = ROWS
LEDGERS_PER_PAGE = ROWS * 2
HITS_PER_PAGE = 4 * 2
"""Search hits in the picker: four rows of two, under its own tools and actions."""
RULES_PER_PAGE = ROWS
CONNECTIONS_PER_PAGE = ROWS
CARDS_PER_PAGE = 3
"""/accounts: a bank gets two rows of buttons and up to a dozen lines of text."""
LINES_PER_CARD = 6
"""Accounts listed under one bank, or with no bank (text only); the rest is counted, so that
a page stays within Telegram's 4,096 characters."""
ZONES_PER_PAGE = ROWS * 2


def escape(value: str) -> str:
    """For Telegram's HTML: <, > and & only; quotes stay readable ("d'entretien")."""
    return html.escape(value, quote=False)


@dataclass(frozen=True, slots=True)
class Screen:
    text: str
    keyboard: InlineKeyboardMarkup | None = None


def short(label: str, limit: int = BUTTON_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


class Keyboard(InlineKeyboardMarkup):
    """PTB's keyboard, serialized directly: the generic TelegramObject.to_dict walk costs
    more than the rest of a digest redraw. Buttons here carry a callback or a link only."""

    __slots__ = ()

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        return {"inline_keyboard": [[_button_dict(b) for b in row] for row in self.inline_keyboard]}


def _button_dict(b: InlineKeyboardButton) -> dict[str, Any]:
    if b.url is not None:
        return {"text": b.text, "url": b.url}
    return {"text": b.text, "callback_data": b.callback_data}


def button(label: str, value: cb.Button) -> InlineKeyboardButton:
    return _button(short(label), value.pack())


@lru_cache(maxsize=4096)
def _button(label: str, data: str) -> InlineKeyboardButton:
    """Buttons are immutable; a redraw after a press reuses nearly all of the last ones."""
    return InlineKeyboardButton(label, callback_data=data)


def rows(buttons: Sequence[InlineKeyboardButton], per_row: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def text(lang: str, key: str, **values: object) -> str:
    """A catalog message whose values are HTML-escaped first (an int stays one: it may be the
    count a plural message takes its form from)."""
    return t(
        lang, key, **{k: v if isinstance(v, int) else escape(str(v)) for k, v in values.items()}
    )


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
    body = _with_caption(text(lang, "connect.region", group=group_name), shown, lang)
    return Screen(body, Keyboard([*rows(picks, 2), nav]))


def _with_caption(body: str, page: pages.Page[Any], lang: str) -> str:
    caption = page.caption(lang)
    return f"{body}\n\n{caption}" if caption else body


def bank(flow: ConnectFlow, institution: Institution, lang: str) -> Screen:
    back = button(t(lang, "btn.back"), cb.BackToSearch(flow.flow_id))
    if institution.connector is None:
        request = button(t(lang, "btn.request_support"), cb.RequestSupport(flow.flow_id))
        return Screen(
            text(lang, "connect.bank_unsupported", bank=institution.name),
            Keyboard([[request], [back]]),
        )
    go = button(t(lang, "btn.continue"), cb.StartLogin(flow.flow_id))
    return Screen(text(lang, "connect.bank", bank=institution.name), Keyboard([[go, back]]))


def _cancel_row(flow: ConnectFlow, lang: str) -> InlineKeyboardMarkup:
    return Keyboard([[button(t(lang, "btn.cancel"), cb.CancelFlow(flow.flow_id))]])


def ask(flow: ConnectFlow, key: str, lang: str, **values: object) -> Screen:
    bank_name = flow.institution.name if flow.institution else ""
    return Screen(text(lang, key, bank=bank_name, **values), _cancel_row(flow, lang))


def plain(key: str, lang: str, **values: object) -> Screen:
    return Screen(text(lang, key, **values))


def with_retry(screen: Screen, retry: cb.Button, lang: str, *more: InlineKeyboardButton) -> Screen:
    """The same words with a "Try again" button first (a bank that did not answer)."""
    return Screen(screen.text, Keyboard([[button(t(lang, "btn.retry"), retry), *more]]))


def account_label(account: FetchedAccount, lang: str) -> str:
    return f"{account.name} · {money(account.balance, lang)}"


def accounts_page_of(index: int) -> int:
    """The page showing the account at `index`: a toggle redraws the page it was pressed on."""
    return index // ACCOUNTS_PER_PAGE


def accounts(flow: ConnectFlow, lang: str, page: int = 0) -> Screen:
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
                ("☑️ " if i in flow.selected else "⬜ ") + account_label(a, lang),
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
    if shown.count > 1:
        body += "\n\n" + t(lang, "connect.selected", count=len(flow.selected))
    keyboard = [*toggles, *([shown.nav] if shown.nav else []), actions]
    return Screen(_with_caption(body, shown, lang), Keyboard(keyboard))


def ledger_choice(
    flow: ConnectFlow,
    index: int,
    options: Sequence[LedgerAccountView],
    lang: str,
    page: int = 0,
) -> Screen:
    account = flow.accounts[index]
    shown = pages.paged(
        options, page, LEDGERS_PER_PAGE, lambda n: cb.LedgerPage(flow.flow_id, index, n), lang
    )
    picks = [
        button(option.label, cb.PickLedger(flow.flow_id, index, option.id))
        for option in shown.items
    ]
    keyboard = [
        *rows(picks, 2),
        *([shown.nav] if shown.nav else []),
        [
            button(t(lang, "btn.add"), cb.AddLedger(flow.flow_id, index)),
            button(t(lang, "btn.cancel"), cb.CancelFlow(flow.flow_id)),
        ],
    ]
    body = text(
        lang, "connect.choose_ledger", account=account.name, balance=money(account.balance, lang)
    )
    return Screen(_with_caption(body, shown, lang), Keyboard(keyboard))


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
    following = t(
        lang,
        "connect.done_next",
        categorized=t(lang, "connect.done_categorized", count=summary.categorized),
        auto=t(lang, "connect.done_auto", count=summary.auto_accepted),
    )
    body = t(
        lang,
        "connect.done",
        bank=escape(summary.institution_name),
        accounts="\n\n".join(parts),
        next=following,
    )
    return Screen(body)


# --- reviewing -------------------------------------------------------------------------

WHY = {"rule": "why.rule", "memory": "why.memory", "known": "why.known", "transfer": "why.transfer"}


def _line_text(n: int, line: ReviewLine, lang: str) -> str:
    """Only the payee and the account come from outside and are escaped: the rest is digits
    and Babel's formats (this runs for every line of every daily digest)."""
    values = {
        "n": n,
        "date": day(line.booking_date, lang),
        "amount": money(line.amount, lang),
        "payee": escape(short(line.payee, 40)),
    }
    account = escape(line.account.label) if line.account else ""
    if line.state == ReviewState.ACCEPTED:
        return t(lang, "review.accepted", account=account, **values)
    if line.state == ReviewState.EXCLUDED:
        return t(lang, "review.excluded", **values)
    head = t(lang, "review.line_pending" if line.pending else "review.line", **values)
    if line.account is None or line.source in (None, "none"):
        return f"{head}\n{t(lang, 'review.no_suggestion')}"
    why = t(lang, WHY.get(line.source or "", "why.none"))
    return f"{head}\n{t(lang, 'review.suggested', account=account, why=why)}"


def digest(view: DigestView, lang: str, *, daily: bool = False) -> Screen:
    """The digest page: each line to review gets its own row (accept, category)."""
    if not view.lines and not view.auto_count:
        return Screen(t(lang, "review.nothing"))
    parts = [t(lang, "review.title" if daily else "review.title_on_demand", count=view.to_review)]
    keyboard: list[list[InlineKeyboardButton]] = []
    first = view.page * PAGE_SIZE + 1
    for n, line in enumerate(view.lines, start=first):
        parts.append(_line_text(n, line, lang))
        if line.state == ReviewState.TO_REVIEW:
            keyboard.append(
                [
                    button(
                        t(lang, "btn.accept_n", n=n), cb.AcceptLine(line.id, view.anchor, view.page)
                    ),
                    button(
                        t(lang, "btn.change_n", n=n), cb.ChangeLine(line.id, view.anchor, view.page)
                    ),
                ]
            )
    if view.auto_count:
        total = " + ".join(money(amount, lang) for amount in view.auto_totals)
        parts.append(t(lang, "review.auto_summary", count=view.auto_count, total=escape(total)))
    footer: list[InlineKeyboardButton] = []
    if any(line.state == ReviewState.TO_REVIEW for line in view.lines):
        footer.append(button(t(lang, "btn.accept_all"), cb.AcceptPage(view.anchor, view.page)))
    if view.pages > 1:
        parts.append(t(lang, "review.page", page=view.page + 1, pages=view.pages))
        prev, following = pages.nav_buttons(
            view.page, view.pages, lambda n: cb.ReviewPage(view.anchor, n), lang
        )
        footer = [*([prev] if prev else []), *footer, *([following] if following else [])]
    if footer:
        keyboard.append(footer)
    extra = [button(t(lang, "btn.show_done"), cb.ShowDone(view.anchor))]
    if view.auto_count:
        extra.insert(0, button(t(lang, "btn.undo_auto"), cb.UndoAuto(view.anchor)))
    keyboard.append(extra)
    return Screen("\n\n".join(parts), Keyboard(keyboard))


def category_picker(
    choices: CategoryChoices,
    anchor: int,
    page: int,
    lang: str,
    *,
    found: Sequence[LedgerAccountView] | None = None,
    query: str = "",
    results: int = 0,
) -> Screen:
    """The categories to file a line under; a search's hits come `HITS_PER_PAGE` a page."""
    line = choices.line
    body = text(
        lang,
        "picker.title",
        date=day(line.booking_date, lang),
        amount=money(line.amount, lang),
        payee=line.payee,
        label=line.label,
    )
    if found is not None:
        body += "\n\n" + text(lang, "picker.results" if found else "picker.no_results", query=query)
    options = list(found) if found is not None else [*choices.best, *choices.frequent]
    shown = pages.paged(
        options, results, HITS_PER_PAGE, lambda n: cb.SearchPage(line.id, anchor, page, n), lang
    )
    body = _with_caption(body, shown, lang)
    picks = [button(a.label, cb.FileUnder(line.id, a.id, anchor, page)) for a in shown.items]
    keyboard = rows(picks, 2)
    if shown.nav:
        keyboard.append(shown.nav)
    tools = [
        button(t(lang, "btn.search"), cb.SearchAccounts(line.id, anchor, page)),
        button(t(lang, "btn.new_account"), cb.NewAccount(line.id, anchor, page)),
    ]
    keyboard.append(tools)
    others = []
    if choices.owner is not None:
        others.append(button(t(lang, "btn.personal"), cb.Personal(line.id, anchor, page)))
    others.append(button(t(lang, "btn.exclude"), cb.Exclude(line.id, anchor, page)))
    keyboard.append(others)
    keyboard.append([button(t(lang, "btn.back"), cb.ReviewPage(anchor, page))])
    return Screen(body, Keyboard(keyboard))


def prompt(key: str, back: cb.Button, lang: str) -> Screen:
    return Screen(t(lang, key), Keyboard([[button(t(lang, "btn.back"), back)]]))


def rule_offer(decision: Decision, anchor: int, page: int, lang: str) -> Screen:
    assert decision.rule_offer is not None
    account = decision.rule_offer
    body = text(lang, "rule.offer", account=account.label, payee=decision.line.payee)
    line_id = decision.line.id
    keyboard = [
        [
            button(t(lang, "btn.yes_rule"), cb.MakeRule(line_id, account.id, anchor, page, 0)),
            button(t(lang, "btn.yes_rule_auto"), cb.MakeRule(line_id, account.id, anchor, page, 1)),
        ],
        [button(t(lang, "btn.no_rule"), cb.ReviewPage(anchor, page))],
    ]
    return Screen(body, Keyboard(keyboard))


def done_list(lines: Sequence[ReviewLine], anchor: int, lang: str) -> Screen:
    if not lines:
        return Screen(
            t(lang, "done.none"),
            Keyboard([[button(t(lang, "btn.back"), cb.ReviewPage(anchor, 0))]]),
        )
    parts = [t(lang, "done.title")]
    reopen = []
    for n, line in enumerate(lines, start=1):
        parts.append(_line_text(n, line, lang))
        reopen.append(button(t(lang, "btn.reopen_n", n=n), cb.Reopen(line.id, anchor)))
    keyboard = [*rows(reopen, 2), [button(t(lang, "btn.back"), cb.ReviewPage(anchor, 0))]]
    return Screen("\n\n".join(parts), Keyboard(keyboard))


def rules_page_of(rules: Sequence[RuleView], rule_id: int) -> int:
    """The page listing the rule `rule_id` (0 when it is gone)."""
    ids = [rule.id for rule in rules]
    return ids.index(rule_id) // RULES_PER_PAGE if rule_id in ids else 0


def rules_list(rules: Sequence[RuleView], lang: str, page: int = 0) -> Screen:
    if not rules:
        return Screen(t(lang, "rules.none"))
    shown = pages.paged(rules, page, RULES_PER_PAGE, cb.RulesPage, lang)
    parts = [t(lang, "rules.title")]
    keyboard = []
    for n, rule in enumerate(shown.items, start=shown.first + 1):
        condition = rule.payee or rule.label_contains or "…"
        off = "" if rule.enabled else t(lang, "rules.off")
        parts.append(
            text(
                lang,
                "rules.line",
                n=n,
                condition=condition,
                account=rule.account.label,
                hits=rule.hits,
                off=off,
            )
        )
        toggle = "btn.rule_disable" if rule.enabled else "btn.rule_enable"
        keyboard.append(
            [
                button(t(lang, toggle, n=n), cb.ToggleRule(rule.id)),
                button(t(lang, "btn.rule_delete", n=n), cb.DeleteRule(rule.id)),
            ]
        )
    if shown.nav:
        keyboard.append(shown.nav)
    return Screen(_with_caption("\n".join(parts), shown, lang), Keyboard(keyboard))


def settings(view: SettingsView, lang: str) -> Screen:
    body = text(
        lang,
        "settings.title",
        language="Français" if view.language == "fr" else "English",
        timezone=view.timezone,
        digest_time=view.digest_time,
        auto=t(lang, "settings.on" if view.auto_accept else "settings.off"),
        threshold=f"{view.threshold:.2f}",
    )
    keyboard = [
        [
            button(t(lang, "btn.lang_fr"), cb.SetLanguage("fr")),
            button(t(lang, "btn.lang_en"), cb.SetLanguage("en")),
        ],
        [
            button(t(lang, "btn.digest_time"), cb.SettingsMenu(1)),
            button(t(lang, "btn.timezone"), cb.SettingsMenu(2)),
        ],
        [
            button(
                t(lang, "btn.auto_off" if view.auto_accept else "btn.auto_on"),
                cb.SetAutoAccept(0 if view.auto_accept else 1),
            )
        ],
    ]
    return Screen(body, Keyboard(keyboard))


def digest_times(times: Sequence[str], lang: str) -> Screen:
    picks = [button(value, cb.SetDigestTime(value.replace(":", ""))) for value in times]
    keyboard = [*rows(picks, 3), [button(t(lang, "btn.back"), cb.SettingsMenu(0))]]
    return Screen(t(lang, "settings.pick_time"), Keyboard(keyboard))


def timezones(zones: Sequence[str], lang: str, page: int = 0) -> Screen:
    shown = pages.paged(list(enumerate(zones)), page, ZONES_PER_PAGE, cb.TimezonesPage, lang)
    picks = [
        button(zone.split("/")[-1].replace("_", " "), cb.SetTimezone(i)) for i, zone in shown.items
    ]
    keyboard = [*rows(picks, 2), shown.around(button(t(lang, "btn.back"), cb.SettingsMenu(0)))]
    return Screen(_with_caption(t(lang, "settings.pick_tz"), shown, lang), Keyboard(keyboard))


# --- managing connections ------------------------------------------------------------------


def when(moment: datetime, timezone: str, now: datetime, lang: str) -> str:
    """ "today at 14:05" or "27 Nov 2026 at 03:10", in the user's time zone."""
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    clock = format_time(local, format="short", tzinfo=zone, locale=LOCALES.get(lang, "en_GB"))
    if local.date() == now.astimezone(zone).date():
        return t(lang, "when.today", time=clock)
    return t(lang, "when.day", day=day(local.date(), lang), time=clock)


def reason(code: str | None, lang: str) -> str:
    key = f"reason.{code}"
    return t(lang, key if has(lang, key) else "reason.other")


def _numbered(key: str, n: int | None, lang: str) -> str:
    return t(lang, f"{key}_n", n=n) if n is not None else t(lang, key)


def accounts_overview(view: Overview, now: datetime, lang: str, page: int = 0) -> Screen:
    """/accounts: each bank with its state and accounts, then its actions, most useful first;
    `CARDS_PER_PAGE` banks a page, the accounts of no connection on the last one."""
    if not view.connections and not view.unconnected:
        return Screen(t(lang, "accounts.none"))
    shown = pages.paged(view.connections, page, CARDS_PER_PAGE, cb.OverviewPage, lang)
    parts = [t(lang, "accounts.title")]
    keyboard: list[list[InlineKeyboardButton]] = []
    numbered = len(view.connections) > 1
    active = sum(
        card.status not in (ConnectionStatus.DISCONNECTED, ConnectionStatus.NEEDS_REAUTH)
        for card in view.connections
    )
    for index, card in enumerate(shown.items, start=shown.first + 1):
        n = index if numbered else None
        if card.status == ConnectionStatus.DISCONNECTED:
            status = t(lang, "accounts.status_disconnected")
        elif card.status == ConnectionStatus.NEEDS_REAUTH:
            status = t(lang, "accounts.status_attention")
        else:
            status = t(lang, "accounts.status_active")
        lines = [
            text(
                lang,
                "accounts.connection",
                n=f"{index}. " if numbered else "",
                bank=card.institution_name,
                status=status,
            )
        ]
        if card.last_sync_at is not None:
            stamp = when(card.last_sync_at, view.timezone, now, lang)
            lines.append(text(lang, "accounts.last_sync", when=stamp))
        else:
            lines.append(t(lang, "accounts.never_synced"))
        if card.status == ConnectionStatus.DISCONNECTED:
            lines.append(t(lang, "accounts.disconnected_hint"))
        elif card.status == ConnectionStatus.NEEDS_REAUTH:
            lines.append(text(lang, "accounts.fix_sign_in", reason=reason(card.last_error, lang)))
        elif card.failing_since is not None:
            stamp = when(card.failing_since, view.timezone, now, lang)
            lines.append(text(lang, "accounts.failing", when=stamp))
        if card.next_refresh_at is not None:
            stamp = when(card.next_refresh_at, view.timezone, now, lang)
            lines.append(text(lang, "accounts.limited", when=stamp))
        if card.consent_expires is not None and card.status != ConnectionStatus.DISCONNECTED:
            lines.append(text(lang, "accounts.consent", date=day(card.consent_expires, lang)))
        lines.extend(_account_lines(card.accounts, lang))
        parts.append("\n".join(lines))
        if card.status == ConnectionStatus.NEEDS_REAUTH:
            keyboard.append(
                [button(_numbered("btn.credentials", n, lang), cb.UpdateSignIn(card.id))]
            )
            keyboard.append(
                [button(_numbered("btn.disconnect", n, lang), cb.AskDisconnect(card.id, 0))]
            )
        elif card.status != ConnectionStatus.DISCONNECTED:
            keyboard.append(
                [
                    button(_numbered("btn.refresh", n, lang), cb.RefreshConnection(card.id)),
                    button(
                        t(lang, "btn.credentials_n", n=n or "").strip(),
                        cb.UpdateSignIn(card.id),
                    ),
                ]
            )
            keyboard.append(
                [button(_numbered("btn.disconnect", n, lang), cb.AskDisconnect(card.id, 0))]
            )
    if view.unconnected and shown.number + 1 == shown.count:
        parts.append(
            "\n".join([t(lang, "accounts.unconnected"), *_account_lines(view.unconnected, lang)])
        )
    if shown.nav:
        keyboard.append(shown.nav)
    footer = [button(t(lang, "btn.troubleshoot"), cb.ShowHelp("imports"))]
    if active > 1:
        footer.insert(0, button(t(lang, "btn.refresh_all"), cb.RefreshConnection(0)))
    keyboard.append(footer)
    return Screen(_with_caption("\n\n".join(parts), shown, lang), Keyboard(keyboard))


def _account_lines(cards: Sequence[AccountCard], lang: str) -> list[str]:
    listed, left_out = pages.capped(cards, LINES_PER_CARD)
    lines = [_account_line(account, lang) for account in listed]
    return [*lines, t(lang, "list.more", count=left_out)] if left_out else lines


def _account_line(account: AccountCard, lang: str) -> str:
    return text(
        lang,
        "accounts.account",
        name=account.name,
        iban=f" · {account.iban_masked}" if account.iban_masked else "",
        balance=money(account.balance, lang) if account.balance is not None else "—",
        ledger=account.ledger.label if account.ledger else "—",
    )


@dataclass(frozen=True, slots=True)
class RefreshLine:
    """One bank of a /refresh: waiting, running, joined (someone else's run), or done."""

    target: Target
    phase: str = "waiting"
    outcome: SyncOutcome | None = None


def refresh_progress(
    lines: Sequence[RefreshLine], timezone: str, now: datetime, lang: str, *, finished: bool
) -> Screen:
    parts = [t(lang, "refresh.title")]
    keyboard: list[list[InlineKeyboardButton]] = []
    for line in lines:
        bank = line.target.institution_name
        outcome = line.outcome
        if outcome is None:
            parts.append(text(lang, f"refresh.line_{line.phase}", bank=bank))
            continue
        parts.append(_refresh_outcome(outcome, bank, timezone, now, lang))
        if outcome.health is Health.NEEDS_REAUTH:
            keyboard.append(
                [button(t(lang, "btn.credentials"), cb.UpdateSignIn(outcome.connection_id))]
            )
    keyboard = list(pages.capped(keyboard, ROWS)[0])  # /accounts lists every one of them
    if finished:
        total = sum(line.outcome.new_lines for line in lines if line.outcome is not None)
        summary = t(lang, "refresh.total", count=total) if total else t(lang, "refresh.total_none")
        parts.append("\n" + summary)
    return Screen("\n".join(parts), Keyboard(keyboard) if keyboard else None)


def _refresh_outcome(
    outcome: SyncOutcome, bank: str, timezone: str, now: datetime, lang: str
) -> str:
    later = when(outcome.retry_at, timezone, now, lang) if outcome.retry_at else "…"
    if outcome.health is Health.OK:
        if outcome.new_lines == 0:
            return text(lang, "refresh.line_none", bank=bank)
        return text(lang, "refresh.line_new", bank=bank, count=outcome.new_lines)
    if outcome.health is Health.RATE_LIMITED:
        return text(lang, "refresh.line_limited", bank=bank, when=later)
    if outcome.health is Health.NEEDS_REAUTH:
        return text(lang, "refresh.line_attention", bank=bank, reason=reason(outcome.error, lang))
    if outcome.health is Health.RETRYING:
        return text(lang, "refresh.line_retrying", bank=bank, when=later)
    return text(lang, "refresh.line_gone", bank=bank)


def pick_connection(
    targets: Sequence[Target],
    key: str,
    press: type[cb.UpdateSignIn] | type[cb.AskDisconnect],
    lang: str,
    page: int = 0,
) -> Screen:
    """A question ("which bank?") with one button per connection, a page at a time."""
    action = 0 if press is cb.UpdateSignIn else 1
    shown = pages.paged(
        targets, page, CONNECTIONS_PER_PAGE, lambda n: cb.ConnectionsPage(action, n), lang
    )
    picks = [
        button(
            target.institution_name,
            cb.UpdateSignIn(target.connection_id)
            if press is cb.UpdateSignIn
            else cb.AskDisconnect(target.connection_id, 1),
        )
        for target in shown.items
    ]
    cancel = button(t(lang, "btn.cancel"), cb.KeepAsIs(0))
    keyboard = [*rows(picks, 1), shown.around(cancel)]
    return Screen(_with_caption(t(lang, key), shown, lang), Keyboard(keyboard))


def sign_in_step(key: str, bank: str, flow_id: str, lang: str, **values: object) -> Screen:
    cancel = button(t(lang, "btn.cancel"), cb.CancelSignIn(flow_id))
    return Screen(text(lang, key, bank=bank, **values), Keyboard([[cancel]]))


def consent_step(bank: str, link: str, flow_id: str, lang: str) -> Screen:
    keyboard = [
        [
            InlineKeyboardButton(short(bank), url=link),
        ],
        [
            button(t(lang, "btn.authorised"), cb.ConsentGiven(flow_id)),
            button(t(lang, "btn.cancel"), cb.CancelSignIn(flow_id)),
        ],
    ]
    return Screen(text(lang, "credentials.consent", bank=bank, link=link), Keyboard(keyboard))


def sign_in_done(bank: str, connection_id: int, lang: str) -> Screen:
    refresh = button(t(lang, "btn.refresh"), cb.RefreshConnection(connection_id))
    return Screen(text(lang, "credentials.done", bank=bank), Keyboard([[refresh]]))


def disconnect_confirm(target: Target, lang: str) -> Screen:
    keyboard = [
        [
            button(t(lang, "btn.confirm_disconnect"), cb.ConfirmDisconnect(target.connection_id)),
            button(t(lang, "btn.cancel"), cb.KeepAsIs(target.connection_id)),
        ]
    ]
    body = text(lang, "disconnect.confirm", bank=target.institution_name)
    return Screen(body, Keyboard(keyboard))


def disconnected(result: Disconnected, lang: str) -> Screen:
    if result.already:
        return Screen(text(lang, "disconnect.already", bank=result.institution_name))
    parts = [text(lang, "disconnect.done", bank=result.institution_name)]
    if result.to_review > 0:
        parts.append(t(lang, "disconnect.to_review", count=result.to_review))
    if not result.revoked:
        parts.append(t(lang, "disconnect.not_revoked"))
    return Screen("\n\n".join(parts))


def erase_confirm(asked: int, lang: str) -> Screen:
    keyboard = [
        [
            button(t(lang, "btn.confirm_erase"), cb.ConfirmErase(asked)),
            button(t(lang, "btn.cancel"), cb.KeepAsIs(0)),
        ]
    ]
    return Screen(t(lang, "delete.confirm"), Keyboard(keyboard))


def notice(message: Notice, now: datetime) -> Screen:
    """A warning or reminder sent once, with the one action that fixes it."""
    lang, bank = message.language, message.institution_name
    if message.kind is NoticeKind.REAUTH:
        body = text(lang, "notice.reauth", bank=bank, reason=reason(message.error, lang))
        keyboard = [
            [button(t(lang, "btn.credentials"), cb.UpdateSignIn(message.connection_id))],
            [button(t(lang, "btn.troubleshoot"), cb.ShowHelp("imports"))],
        ]
    elif message.kind is NoticeKind.FAILING:
        since = when(message.since or now, message.timezone, now, lang)
        body = text(lang, "notice.failing", bank=bank, when=since)
        keyboard = [[button(t(lang, "btn.retry"), cb.RefreshConnection(message.connection_id))]]
    else:
        expires = day(message.expires, lang) if message.expires else "…"
        body = text(lang, "notice.expiring", bank=bank, date=expires)
        keyboard = [[button(t(lang, "btn.renew"), cb.UpdateSignIn(message.connection_id))]]
    return Screen(body, Keyboard(keyboard))


def troubleshooting(lang: str) -> Screen:
    return Screen(t(lang, "help.troubleshoot"))


def help_screen(lang: str) -> Screen:
    """/help: the commands, then the way to the troubleshooting page."""
    body = f"{t(lang, 'help.text')}\n\n{t(lang, 'help.manage')}"
    keyboard = [[button(t(lang, "btn.troubleshoot"), cb.ShowHelp("imports"))]]
    return Screen(body, Keyboard(keyboard))
