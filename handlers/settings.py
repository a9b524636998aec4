"""/settings: language, time zone, daily summary time, auto-accept."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot.i18n import t
from bot.services.connect import Services
from bot.services.errors import InvalidInput
from bot.services.users import DIGEST_TIMES, TIMEZONES
from handlers import callbacks as cb
from handlers import render
from handlers.context import (
    Ctx,
    Press,
    acting_user,
    answer,
    chat_id_of,
    edit,
    on_press,
    runtime,
    send,
)


async def on_settings(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    view = await runtime(context).services.settings_of(user.telegram_id)
    await send(context, chat_id_of(update), render.settings(view, user.language))


SettingsButton = (
    cb.SetLanguage | cb.SetAutoAccept | cb.SettingsMenu | cb.SetDigestTime | cb.SetTimezone
)


@on_press(cb.SetLanguage, cb.SetAutoAccept, cb.SettingsMenu, cb.SetDigestTime, cb.SetTimezone)
async def on_settings_button(update: Update, context: Ctx, pressed: Press[cb.Button]) -> None:
    """Change one setting, or open one of its lists, and redraw in place."""
    press = pressed.button
    assert isinstance(press, SettingsButton)
    try:
        screen = await _screen_after(
            runtime(context).services, pressed.telegram_id, press, pressed.lang
        )
    except (InvalidInput, IndexError):
        await answer(update, t(pressed.lang, "stale_button"))
        return
    await answer(update)
    await edit(context, chat_id_of(update), pressed.message_id, screen)


@on_press(cb.TimezonesPage)
async def on_timezones_page(update: Update, context: Ctx, pressed: Press[cb.TimezonesPage]) -> None:
    await answer(update)
    screen = render.timezones(TIMEZONES, pressed.lang, pressed.button.page)
    await edit(context, chat_id_of(update), pressed.message_id, screen)


async def _screen_after(
    services: Services, telegram_id: int, press: SettingsButton, lang: str
) -> render.Screen:
    match press:
        case cb.SettingsMenu(menu=cb.Menu.DIGEST_TIMES):
            return render.digest_times(DIGEST_TIMES, lang)
        case cb.SettingsMenu(menu=cb.Menu.TIMEZONES):
            return render.timezones(TIMEZONES, lang)
        case cb.SettingsMenu():
            view = await services.settings_of(telegram_id)
        case cb.SetLanguage(language=language):
            view = await services.update_settings(telegram_id, language=language)
        case cb.SetAutoAccept(on=on):
            view = await services.update_settings(telegram_id, auto_accept=on)
        case cb.SetDigestTime(hhmm=hhmm):
            view = await services.update_settings(telegram_id, digest_time=f"{hhmm[:2]}:{hhmm[2:]}")
        case cb.SetTimezone(index=index):
            view = await services.update_settings(telegram_id, timezone=TIMEZONES[index])
    return render.settings(view, view.language)


def handlers() -> list[Any]:
    return [
        CommandHandler("settings", on_settings, filters=filters.ChatType.PRIVATE),
        on_settings_button,
        on_timezones_page,
    ]
