"""The screens of the one sign-in flow: what `bot.services.sign_in` says comes next, in the
words of /connect or of /credentials (RENEW), whichever the flow is for."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.domain.views import ConnectionView
from bot.i18n import t
from bot.services.connect_flow import ConnectFlow, Purpose
from bot.services.sign_in import (
    Ask,
    Bank,
    ChooseAccounts,
    ChooseLedger,
    ChoosePeriod,
    Confirm,
    Connected,
    Consent,
    Failed,
    Next,
    Prompt,
    Renewed,
    Unavailable,
)
from handlers import callbacks as cb
from handlers.render.common import Keyboard, Screen, button, plain, reason, short, text, with_retry
from handlers.render.connect import accounts, bank, confirm, ledger_choice, periods

RENEW_WORDS = {
    Prompt.BAD_CREDENTIALS: "credentials.bad",
    Prompt.RESTARTED: "connect.restarted",
}
"""Where /credentials words a prompt differently from credentials.<prompt>."""
UNAVAILABLE_WHEN_RENEWING = frozenset({"rate_limited", "unsupported"})


def words(flow: ConnectFlow, name: str) -> str:
    """The message key of `name` for this flow: /credentials has its own words."""
    return f"{'credentials' if flow.purpose is Purpose.RENEW else 'connect'}.{name}"


def _cancel(flow: ConnectFlow, lang: str) -> InlineKeyboardButton:
    return button(t(lang, "btn.cancel"), cb.CancelFlow(flow.flow_id))


def _bank_name(flow: ConnectFlow) -> str:
    return flow.institution.name if flow.institution else ""


def ask(flow: ConnectFlow, prompt: Prompt, lang: str, hint: str | None = None) -> Screen:
    key = words(flow, prompt.value)
    if flow.purpose is Purpose.RENEW:
        key = RENEW_WORDS.get(prompt, key)
    values: dict[str, object] = {"bank": _bank_name(flow)}
    if hint is not None or prompt in (Prompt.CODE, Prompt.WRONG_CODE):
        values["hint"] = hint
    return Screen(text(lang, key, **values), Keyboard([[_cancel(flow, lang)]]))


def working(flow: ConnectFlow, lang: str) -> Screen:
    """While the bank answers."""
    return plain(words(flow, "checking" if flow.purpose is Purpose.RENEW else "connecting"), lang)


def still_working(flow: ConnectFlow | None, lang: str) -> str:
    renewing = flow is not None and flow.purpose is Purpose.RENEW
    return t(lang, "credentials.still" if renewing else "connect.still_connecting")


def consent(flow: ConnectFlow, step: Consent, lang: str) -> Screen:
    """The bank's link as a button; then either "waiting for your bank…" (the bot is told,
    or asks), or how to paste the address the bank sends the user to."""
    bank_name = _bank_name(flow)
    keyboard = [
        [InlineKeyboardButton(short(bank_name), url=step.link)],
        [button(t(lang, "btn.authorised"), cb.ConsentGiven(flow.flow_id)), _cancel(flow, lang)],
    ]
    parts = [text(lang, words(flow, "consent"), bank=bank_name, link=step.link)]
    if step.restricted:
        parts.append(t(lang, "consent.restricted"))
    if step.waiting:
        parts.append(text(lang, "consent.not_yet", bank=bank_name))
    parts.append(t(lang, "consent.paste" if step.paste else "consent.wait"))
    return Screen("\n\n".join(parts), Keyboard(keyboard))


def bank_connected(flow: ConnectFlow, existing: ConnectionView, lang: str) -> Screen:
    """A bank the book is already connected to: its sign-in, or more accounts; never a twin."""
    keyboard = [
        [button(t(lang, "btn.credentials"), cb.LoginFor(flow.flow_id, Purpose.RENEW))],
        [button(t(lang, "btn.add_accounts"), cb.LoginFor(flow.flow_id, Purpose.ADD_ACCOUNTS))],
        [button(t(lang, "btn.back"), cb.BackToSearch(flow.flow_id))],
    ]
    body = text(
        lang,
        "connect.bank_connected",
        bank=existing.institution_name,
        count=len(existing.bank_account_ids),
    )
    return Screen(body, Keyboard(keyboard))


def unavailable(flow: ConnectFlow, lang: str) -> Screen:
    if flow.purpose is Purpose.RENEW:
        screen = plain("credentials.unavailable", lang, bank=_bank_name(flow))
    else:
        screen = plain("error.bank_unavailable", lang)
    return with_retry(screen, cb.StartLogin(flow.flow_id), lang)


def failed(flow: ConnectFlow, code: str, lang: str) -> Screen:
    bank_name = _bank_name(flow)
    if code == "gone":
        return plain("credentials.gone", lang)
    if flow.purpose is not Purpose.RENEW:
        return plain(f"error.{code}", lang)
    if code in UNAVAILABLE_WHEN_RENEWING:
        return plain("credentials.unavailable", lang, bank=bank_name)
    if code == "other_accounts":
        return plain("credentials.other_accounts", lang, bank=bank_name)
    return plain("credentials.refused", lang, bank=bank_name, reason=reason(code, lang))


def renewed(bank_name: str, connection_id: int, lang: str) -> Screen:
    refresh = button(t(lang, "btn.refresh"), cb.RefreshConnection(connection_id))
    return Screen(text(lang, "credentials.done", bank=bank_name), Keyboard([[refresh]]))


def next_screen(flow: ConnectFlow, step: Next, lang: str) -> Screen | None:
    """The screen of what comes next; None when there is nothing to show."""
    match step:
        case Ask(prompt, hint):
            return ask(flow, prompt, lang, hint)
        case Consent():
            return consent(flow, step, lang)
        case Bank(institution, existing, auth):
            if existing is not None:
                return bank_connected(flow, existing, lang)
            return bank(flow, institution, lang, auth)
        case ChooseAccounts(page, linked):
            return accounts(flow, lang, page, linked)
        case ChooseLedger(index, options, current, page):
            return ledger_choice(flow, index, options, lang, page, current=current)
        case ChoosePeriod(choices):
            return periods(flow, choices, lang)
        case Confirm(ledgers, period, start):
            return confirm(flow, dict(ledgers), period, start, lang)
        case Unavailable():
            return unavailable(flow, lang)
        case Failed(code):
            return failed(flow, code, lang)
        case Renewed(bank_name, connection_id):
            return renewed(bank_name, connection_id, lang)
        case Connected(_, bank_name):
            return plain("connect.importing", lang, bank=bank_name)
    return None


def import_failed(bank_name: str, code: str, connection_id: int, lang: str) -> Screen:
    """Connected, but the first import failed: the connection is kept, the lines will come."""
    screen = plain("connect.import_failed", lang, bank=bank_name, reason=reason(code, lang))
    return with_retry(screen, cb.RefreshConnection(connection_id), lang)
