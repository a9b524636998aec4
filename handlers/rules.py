"""/rules: the rules a user made, to disable, enable or delete."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import CommandHandler, filters

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


async def on_rules(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    rules = await runtime(context).rules.of(user.telegram_id)
    await send(context, chat_id_of(update), render.rules_list(rules, user.language))


@on_press(cb.RulesPage)
async def on_rules_page(update: Update, context: Ctx, pressed: Press[cb.RulesPage]) -> None:
    press, lang, message_id, telegram_id = pressed
    await answer(update)
    rules = await runtime(context).rules.of(telegram_id)
    await edit(context, chat_id_of(update), message_id, render.rules_list(rules, lang, press.page))


@on_press(cb.ToggleRule)
async def on_toggle_rule(update: Update, context: Ctx, pressed: Press[cb.ToggleRule]) -> None:
    """Disable or enable a rule, and redraw the page it was listed on."""
    rules = runtime(context).rules
    page = render.rules_page_of(await rules.of(pressed.telegram_id), pressed.button.rule)
    await rules.toggle(pressed.telegram_id, pressed.button.rule)
    await _rules_redrawn(update, context, pressed, page)


@on_press(cb.DeleteRule)
async def on_delete_rule(update: Update, context: Ctx, pressed: Press[cb.DeleteRule]) -> None:
    """Delete a rule, and redraw the page it was listed on."""
    rules = runtime(context).rules
    page = render.rules_page_of(await rules.of(pressed.telegram_id), pressed.button.rule)
    await rules.delete(pressed.telegram_id, pressed.button.rule)
    await _rules_redrawn(update, context, pressed, page)


async def _rules_redrawn(
    update: Update, context: Ctx, pressed: Press[cb.ToggleRule] | Press[cb.DeleteRule], page: int
) -> None:
    await answer(update)
    listed = await runtime(context).rules.of(pressed.telegram_id)
    screen = render.rules_list(listed, pressed.lang, page)
    await edit(context, chat_id_of(update), pressed.message_id, screen)


def handlers() -> list[Any]:
    return [
        CommandHandler("rules", on_rules, filters=filters.ChatType.PRIVATE),
        on_rules_page,
        on_toggle_rule,
        on_delete_rule,
    ]
