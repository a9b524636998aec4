"""/settings: language, time zone, daily summary time, auto-accept."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.i18n import t
from bot.services.errors import InvalidInput
from bot.services.users import DIGEST_TIMES, TIMEZONES
from handlers import callbacks as cb
from handlers import render
from handlers.context import Ctx, acting_user, answer, chat_id_of, edit, runtime, send


async def on_settings(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    view = await runtime(context).services.settings_of(user.telegram_id)
    await send(context, chat_id_of(update), render.settings(view, user.language))


async def on_settings_button(update: Update, context: Ctx) -> None:
    """Change one setting and redraw the settings in place."""
    user = await acting_user(update, context)
    query = update.callback_query
    assert query is not None and query.message is not None
    services = runtime(context).services
    lang = user.language
    try:
        press = cb.parse(query.data)
        if isinstance(press, cb.SettingsMenu) and press.menu == 1:
            screen = render.digest_times(DIGEST_TIMES, lang)
        elif isinstance(press, cb.SettingsMenu) and press.menu == 2:
            screen = render.timezones(TIMEZONES, lang)
        elif isinstance(press, cb.TimezonesPage):
            screen = render.timezones(TIMEZONES, lang, press.page)
        else:
            view = await _apply(services, user.telegram_id, press)
            lang = view.language
            screen = render.settings(view, lang)
    except (cb.BadButton, InvalidInput, IndexError):
        await answer(update, t(lang, "stale_button"))
        return
    await answer(update)
    await edit(context, chat_id_of(update), query.message.message_id, screen)


async def _apply(services: Any, telegram_id: int, press: cb.Button) -> Any:
    if isinstance(press, cb.SetLanguage):
        return await services.update_settings(telegram_id, language=press.language)
    if isinstance(press, cb.SetAutoAccept):
        return await services.update_settings(telegram_id, auto_accept=bool(press.on))
    if isinstance(press, cb.SetDigestTime):
        hhmm = f"{press.hhmm[:2]}:{press.hhmm[2:]}"
        return await services.update_settings(telegram_id, digest_time=hhmm)
    if isinstance(press, cb.SetTimezone):
        return await services.update_settings(telegram_id, timezone=TIMEZONES[press.index])
    if isinstance(press, cb.SettingsMenu):
        return await services.settings_of(telegram_id)
    raise cb.BadButton("not a settings button")


def handlers() -> list[Any]:
    kinds = (
        cb.SetLanguage,
        cb.SetAutoAccept,
        cb.SettingsMenu,
        cb.SetDigestTime,
        cb.SetTimezone,
        cb.TimezonesPage,
    )
    return [
        CommandHandler("settings", on_settings, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(on_settings_button, pattern=cb.matcher(*kinds)),
    ]
