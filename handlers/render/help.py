"""/help and the troubleshooting page it leads to."""

from __future__ import annotations

from bot.i18n import t
from handlers import callbacks as cb
from handlers.render.common import Keyboard, Screen, button


def troubleshooting(lang: str) -> Screen:
    return Screen(t(lang, "help.troubleshoot"))


def help_screen(lang: str) -> Screen:
    """/help: the commands, then the way to the troubleshooting page."""
    body = f"{t(lang, 'help.text')}\n\n{t(lang, 'help.manage')}"
    keyboard = [[button(t(lang, "btn.troubleshoot"), cb.ShowHelp("imports"))]]
    return Screen(body, Keyboard(keyboard))
