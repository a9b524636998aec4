"""Managing connections: the /accounts overview, /refresh's progress, the "which bank?"
question, /disconnect, /delete, and the notices a bank's health sends unasked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from telegram import InlineKeyboardButton

from bot.domain.states import ConnectionStatus
from bot.i18n import day, money, t
from bot.services.connection_views import AccountCard, Disconnected, Overview, SyncOutcome, Target
from bot.services.health import Health
from bot.services.notices import Notice, NoticeKind
from handlers import callbacks as cb
from handlers.render import pages
from handlers.render.common import (
    Keyboard,
    Screen,
    button,
    reason,
    rows,
    text,
    when,
    with_caption,
)
from handlers.render.pages import ROWS

CONNECTIONS_PER_PAGE = ROWS
CARDS_PER_PAGE = 3
"""/accounts: a bank gets two rows of buttons and up to a dozen lines of text."""
LINES_PER_CARD = 6
"""Accounts listed under one bank, or with no bank (text only); the rest is counted, so that
a page stays within Telegram's 4,096 characters."""


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
                [
                    button(
                        _numbered("btn.disconnect", n, lang), cb.AskDisconnect(card.id, here=False)
                    )
                ]
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
                [
                    button(
                        _numbered("btn.disconnect", n, lang), cb.AskDisconnect(card.id, here=False)
                    )
                ]
            )
    if view.unconnected and shown.number + 1 == shown.count:
        parts.append(
            "\n".join([t(lang, "accounts.unconnected"), *_account_lines(view.unconnected, lang)])
        )
    if shown.nav:
        keyboard.append(shown.nav)
    footer = [button(t(lang, "btn.troubleshoot"), cb.ShowHelp("imports"))]
    if active > 1:
        footer.insert(0, button(t(lang, "btn.refresh_all"), cb.RefreshAll()))
    keyboard.append(footer)
    keyboard.append([button(t(lang, "btn.import_file"), cb.ImportFile())])
    return Screen(with_caption("\n\n".join(parts), shown, lang), Keyboard(keyboard))


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


PICK_KEYS = {
    cb.Question.CREDENTIALS: ("credentials.pick", "credentials.none"),
    cb.Question.DISCONNECT: ("disconnect.pick", "disconnect.none"),
}
"""Each "which bank?" question's text, and its answer when no bank is left."""


def pick_connection(
    targets: Sequence[Target], question: cb.Question, lang: str, page: int = 0
) -> Screen:
    """A question ("which bank?") with one button per connection, a page at a time."""
    if not targets:
        return Screen(t(lang, PICK_KEYS[question][1]))
    shown = pages.paged(
        targets, page, CONNECTIONS_PER_PAGE, lambda n: cb.ConnectionsPage(question, n), lang
    )
    picks = [
        button(
            target.institution_name,
            cb.UpdateSignIn(target.connection_id)
            if question is cb.Question.CREDENTIALS
            else cb.AskDisconnect(target.connection_id, here=True),
        )
        for target in shown.items
    ]
    cancel = button(t(lang, "btn.cancel"), cb.KeepAsIs())
    keyboard = [*rows(picks, 1), shown.around(cancel)]
    return Screen(with_caption(t(lang, PICK_KEYS[question][0]), shown, lang), Keyboard(keyboard))


def disconnect_confirm(target: Target, lang: str) -> Screen:
    keyboard = [
        [
            button(t(lang, "btn.confirm_disconnect"), cb.ConfirmDisconnect(target.connection_id)),
            button(t(lang, "btn.cancel"), cb.KeepAsIs()),
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
            button(t(lang, "btn.cancel"), cb.KeepAsIs()),
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
