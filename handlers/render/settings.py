"""/settings: the settings screen, the digest times and the time zones to pick from."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.views import SettingsView
from bot.i18n import t
from handlers import callbacks as cb
from handlers.render import pages
from handlers.render.common import Keyboard, Screen, button, rows, text, with_caption
from handlers.render.pages import ROWS

ZONES_PER_PAGE = ROWS * 2


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
            button(t(lang, "btn.digest_time"), cb.SettingsMenu(cb.Menu.DIGEST_TIMES)),
            button(t(lang, "btn.timezone"), cb.SettingsMenu(cb.Menu.TIMEZONES)),
        ],
        [
            button(
                t(lang, "btn.auto_off" if view.auto_accept else "btn.auto_on"),
                cb.SetAutoAccept(not view.auto_accept),
            )
        ],
    ]
    return Screen(body, Keyboard(keyboard))


def digest_times(times: Sequence[str], lang: str) -> Screen:
    picks = [button(value, cb.SetDigestTime(value.replace(":", ""))) for value in times]
    keyboard = [*rows(picks, 3), [button(t(lang, "btn.back"), cb.SettingsMenu(cb.Menu.SETTINGS))]]
    return Screen(t(lang, "settings.pick_time"), Keyboard(keyboard))


def timezones(zones: Sequence[str], lang: str, page: int = 0) -> Screen:
    shown = pages.paged(list(enumerate(zones)), page, ZONES_PER_PAGE, cb.TimezonesPage, lang)
    picks = [
        button(zone.split("/")[-1].replace("_", " "), cb.SetTimezone(i)) for i, zone in shown.items
    ]
    keyboard = [
        *rows(picks, 2),
        shown.around(button(t(lang, "btn.back"), cb.SettingsMenu(cb.Menu.SETTINGS))),
    ]
    return Screen(with_caption(t(lang, "settings.pick_tz"), shown, lang), Keyboard(keyboard))
