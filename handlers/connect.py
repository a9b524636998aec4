"""/connect: search the bank by name, country or region, and pick it; the sign-in that follows
is the one shared with /credentials (handlers.signin).

Each screen is kept (without secrets) before it is shown, so a restart resumes the flow where
the user saw it (handlers.flow).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.services.connect_flow import ConnectFlow, FlowStore, Step
from bot.services.errors import InvalidInput
from handlers import callbacks as cb
from handlers import render
from handlers.context import Ctx, acting_user, answer, chat_id_of, runtime, send
from handlers.flow import AtStep, keep, pressed, show, show_new, strip_keyboard
from handlers.render import signin as screens

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE
TEXT = filters.TEXT & ~filters.COMMAND & PRIVATE
SEARCHING = frozenset({Step.SEARCH, Step.BANK})


async def _go(
    context: Ctx,
    flow: ConnectFlow,
    screen: render.Screen,
    *,
    step: Step = Step.SEARCH,
    new: bool = False,
) -> None:
    flow.step = step
    await keep(context, flow)
    if new:
        await show_new(context, flow, screen)
    else:
        await show(context, flow, screen)


async def on_connect(update: Update, context: Ctx) -> None:
    """Start a new flow; an earlier one (and its buttons) ends here."""
    user = await acting_user(update, context)
    old = runtime(context).flows.get(user.telegram_id)
    if old is not None and old.status_message_id is not None:
        await strip_keyboard(context, old.chat_id, old.status_message_id)
    flow = runtime(context).sign_in.begin(user.telegram_id, user.country, chat_id_of(update))
    await _go(context, flow, render.search_prompt(flow, user.language))


async def on_private_only(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    await send(context, chat_id_of(update), render.plain("private_only", user.language))


async def on_search_text(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    flow = runtime(context).flows.get(user.telegram_id)
    if flow is None or update.message is None or update.message.text is None:
        return
    flow.query = update.message.text.strip()[:200]
    flow.institution = None
    services = runtime(context).services
    if flow.country is None:
        menu = render.country_menu(flow, services.directory.countries(), 0, user.language)
        await _go(context, flow, menu, new=True)
        return
    hits = await services.search_banks(flow.query, flow.country)
    await _go(context, flow, render.search_results(flow, hits, user.language), new=True)


@pressed(cb.CountryMenu, SEARCHING)
async def on_country_menu(
    update: Update, context: Ctx, flow: ConnectFlow, press: cb.CountryMenu, lang: str
) -> None:
    await answer(update)
    countries = runtime(context).services.directory.countries()
    await _go(context, flow, render.country_menu(flow, countries, press.page, lang))


@pressed(cb.PickCountry, SEARCHING)
async def on_pick_country(
    update: Update, context: Ctx, flow: ConnectFlow, press: cb.PickCountry, lang: str
) -> None:
    await answer(update)
    try:
        await runtime(context).services.set_country(flow.telegram_id, press.country)
    except InvalidInput:
        return
    flow.country = press.country
    await _redo_search(context, flow, lang)


async def _redo_search(context: Ctx, flow: ConnectFlow, lang: str) -> None:
    flow.institution = None
    if flow.query and flow.country:
        hits = await runtime(context).services.search_banks(flow.query, flow.country)
        await _go(context, flow, render.search_results(flow, hits, lang))
    else:
        await _go(context, flow, render.search_prompt(flow, lang))


@pressed(cb.BackToSearch, SEARCHING)
async def on_back_to_search(
    update: Update, context: Ctx, flow: ConnectFlow, press: cb.BackToSearch, lang: str
) -> None:
    await answer(update)
    await _redo_search(context, flow, lang)


@pressed(cb.CantFind, SEARCHING)
async def on_cant_find(
    update: Update, context: Ctx, flow: ConnectFlow, press: cb.CantFind, lang: str
) -> None:
    await answer(update)
    await runtime(context).services.request_bank(flow.telegram_id, flow.query, flow.country)
    await _go(context, flow, render.request_recorded(flow, lang))


@pressed(cb.RequestSupport, SEARCHING)
async def on_request_support(
    update: Update, context: Ctx, flow: ConnectFlow, press: cb.RequestSupport, lang: str
) -> None:
    await answer(update)
    query = flow.institution.name if flow.institution else flow.query
    await runtime(context).services.request_bank(flow.telegram_id, query, flow.country)
    flow.query = query
    await _go(context, flow, render.request_recorded(flow, lang))


@pressed(cb.PickGroup, SEARCHING)
async def on_pick_group(
    update: Update, context: Ctx, flow: ConnectFlow, press: cb.PickGroup, lang: str
) -> None:
    await answer(update)
    directory = runtime(context).services.directory
    members = directory.members(press.group)
    name = directory.group_name(press.group)
    if not members or name is None:
        return
    screen = render.regions(flow, press.group, name, members, press.page, lang)
    await _go(context, flow, screen)


@pressed(cb.PickBank, SEARCHING)
async def on_pick_bank(
    update: Update, context: Ctx, flow: ConnectFlow, press: cb.PickBank, lang: str
) -> None:
    await answer(update)
    step = await runtime(context).sign_in.pick_bank(flow, press.bank)
    screen = screens.next_screen(flow, step, lang)
    if screen is not None:
        await _go(context, flow, screen, step=Step.BANK)


def handlers(flows: FlowStore) -> list[Any]:
    """Starting /connect and finding the bank; the steps after it are handlers.signin's."""
    return [
        CommandHandler("connect", on_connect, filters=PRIVATE),
        MessageHandler(TEXT & AtStep(flows, SEARCHING), on_search_text),
        on_country_menu,
        on_pick_country,
        on_back_to_search,
        on_cant_find,
        on_pick_group,
        on_pick_bank,
        on_request_support,
    ]
