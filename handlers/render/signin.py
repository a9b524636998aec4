"""The sign-in steps of /credentials: a question with its Cancel button, the bank's consent
link, and the done message with its refresh."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.i18n import t
from handlers import callbacks as cb
from handlers.render.common import Keyboard, Screen, button, short, text


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
