"""/connect: search the bank, sign in, choose accounts, ledger and period, then import.

Each screen is kept (without secrets) before it is shown, so a restart resumes the flow where
the user saw it; past the bank login the username is asked again first (connect_flow).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Coroutine
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Chat, Message, Update, User
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.ext._handlers.conversationhandler import _ConversationTimeoutContext

from bot.banks.connector import (
    Authorized,
    BankUnavailable,
    Challenge,
    ConnectorError,
    WrongCode,
)
from bot.domain.periods import allowed_periods, period_by_key
from bot.domain.secret import Secret
from bot.i18n import t
from bot.services.connect import AccountChoice, ConnectRequest
from bot.services.connect_flow import SIGNED_IN, ConnectFlow, Step
from bot.services.errors import InvalidInput
from handlers import callbacks as cb
from handlers import render
from handlers.context import (
    Ctx,
    Runtime,
    acting_user,
    answer,
    chat_id_of,
    delete_quietly,
    edit,
    runtime,
    send,
)

log = logging.getLogger(__name__)

SEARCH, BANK, USERNAME, PASSWORD, CODE, ACCOUNTS, LEDGER, LEDGER_NAME, PERIOD, CONFIRM = Step
END = ConversationHandler.END
NAME = "connect"


async def _flow_for_press(
    update: Update, context: Ctx, kind: type[cb.B], *, answered: bool = True
) -> tuple[ConnectFlow, cb.B, str] | None:
    """The pressed button and its live flow, or None after a polite answer for a stale one."""
    user = await acting_user(update, context)
    query = update.callback_query
    assert query is not None
    try:
        press = cb.parse_as(query.data, kind)
    except cb.BadButton:
        await answer(update, t(user.language, "stale_button"))
        return None
    assert isinstance(press, cb.FlowButton)
    flow = runtime(context).flows.current(user.telegram_id, press.flow)
    if (
        flow is None
        or query.message is None
        or not _is_flow_message(flow, query.message.message_id)
    ):
        await answer(update, t(user.language, "stale_button"))
        return None
    if flow.status_message_id != query.message.message_id:
        flow.status_message_id = query.message.message_id
        await runtime(context).flows.save(flow, touched=False)
    if answered:
        await answer(update)
    return flow, press, user.language


def _is_flow_message(flow: ConnectFlow, message_id: int) -> bool:
    """The flow's own message, or a newer one of the same flow.

    A newer one happens when the bot stopped between sending a screen and saving its id;
    buttons of the flow's older, replaced messages stay inactive.
    """
    return flow.status_message_id is None or message_id >= flow.status_message_id


async def _go(
    context: Ctx,
    update: Update,
    flow: ConnectFlow,
    screen: render.Screen,
    step: Step,
    *,
    new: bool = False,
) -> Step:
    """Move the flow to `step`: kept first, then shown, so a restart finds what the user saw."""
    flow.step = step
    await runtime(context).flows.save(flow)
    if new:
        await _show_new(context, update, flow, screen)
    else:
        await _show(context, update, flow, screen)
    return step


async def _show(context: Ctx, update: Update, flow: ConnectFlow, screen: render.Screen) -> None:
    await _show_in(context, chat_id_of(update), flow, screen)


_AFTER_RETURN: ContextVar[list[Coroutine[Any, Any, None]] | None] = ContextVar(
    "connect_after_return", default=None
)


async def _show_in(context: Ctx, chat_id: int, flow: ConnectFlow, screen: render.Screen) -> None:
    later = _AFTER_RETURN.get()
    if later is not None:
        later.append(_show_now(context, chat_id, flow, screen))
        return
    await _show_now(context, chat_id, flow, screen)


async def _after_bank_call(update: Update, context: Ctx, step: Coroutine[Any, Any, int]) -> int:
    """Run the rest of a non-blocking step; its next screen is shown once the step returned.

    Shown earlier, a quick answer to that screen could reach the conversation while it still
    waits for this step, and be taken for "still connecting".
    """
    later: list[Coroutine[Any, Any, None]] = []
    token = _AFTER_RETURN.set(later)
    try:
        state = await step
    except BaseException:
        for screen in later:
            screen.close()
        raise
    finally:
        _AFTER_RETURN.reset(token)

    async def show() -> None:
        for screen in later:
            await screen

    if later and context.application.running:
        context.application.create_task(show(), update=update)
    elif later:  # shutting down: nothing can answer this screen before the restart anyway
        await show()
    return state


async def _show_now(context: Ctx, chat_id: int, flow: ConnectFlow, screen: render.Screen) -> None:
    old = flow.status_message_id
    if old is None:
        flow.status_message_id = await send(context, chat_id, screen)
    else:
        flow.status_message_id = await edit(context, chat_id, old, screen)
    if flow.status_message_id != old:
        await runtime(context).flows.save(flow, touched=False)


async def _show_new(context: Ctx, update: Update, flow: ConnectFlow, screen: render.Screen) -> None:
    """A fresh message below the user's own, which becomes the flow's message."""
    await _show_new_in(context, chat_id_of(update), flow, screen)


async def _show_new_in(
    context: Ctx, chat_id: int, flow: ConnectFlow, screen: render.Screen
) -> None:
    old = flow.status_message_id
    flow.status_message_id = await send(context, chat_id, screen)
    await runtime(context).flows.save(flow, touched=False)
    if old is not None:
        await _strip_keyboard(context, chat_id, old)


async def _strip_keyboard(context: Ctx, chat_id: int, message_id: int) -> None:
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except Exception as error:  # an old message that cannot be edited is harmless
        log.debug("could not strip keyboard: %s", type(error).__name__)


# --- entry, search, country, region --------------------------------------------------


async def on_connect(update: Update, context: Ctx) -> int:
    """Start a new flow; an earlier one (and its buttons) ends here."""
    user = await acting_user(update, context)
    flows = runtime(context).flows
    old = flows.get(user.telegram_id)
    if old is not None and old.status_message_id is not None:
        await _strip_keyboard(context, chat_id_of(update), old.status_message_id)
    flow = flows.start(user.telegram_id, user.country, chat_id_of(update))
    return await _go(context, update, flow, render.search_prompt(flow, user.language), SEARCH)


async def on_private_only(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    await send(context, chat_id_of(update), render.plain("private_only", user.language))


async def on_search_text(update: Update, context: Ctx) -> int:
    user = await acting_user(update, context)
    flow = runtime(context).flows.get(user.telegram_id)
    if flow is None or update.message is None or update.message.text is None:
        return END
    flow.query = update.message.text.strip()[:200]
    services = runtime(context).services
    if flow.country is None:
        menu = render.country_menu(flow, services.directory.countries(), 0, user.language)
        return await _go(context, update, flow, menu, SEARCH, new=True)
    hits = await services.search_banks(flow.query, flow.country)
    screen = render.search_results(flow, hits, user.language)
    return await _go(context, update, flow, screen, SEARCH, new=True)


async def on_country_menu(update: Update, context: Ctx) -> int | None:
    found = await _flow_for_press(update, context, cb.CountryMenu)
    if found is None:
        return None
    flow, press, lang = found
    countries = runtime(context).services.directory.countries()
    return await _go(
        context, update, flow, render.country_menu(flow, countries, press.page, lang), SEARCH
    )


async def on_pick_country(update: Update, context: Ctx) -> int | None:
    found = await _flow_for_press(update, context, cb.PickCountry)
    if found is None:
        return None
    flow, press, lang = found
    try:
        await runtime(context).services.set_country(flow.telegram_id, press.country)
    except InvalidInput:
        return None
    flow.country = press.country
    return await _redo_search(update, context, flow, lang)


async def _redo_search(update: Update, context: Ctx, flow: ConnectFlow, lang: str) -> int:
    if flow.query and flow.country:
        hits = await runtime(context).services.search_banks(flow.query, flow.country)
        return await _go(context, update, flow, render.search_results(flow, hits, lang), SEARCH)
    return await _go(context, update, flow, render.search_prompt(flow, lang), SEARCH)


async def on_back_to_search(update: Update, context: Ctx) -> int | None:
    found = await _flow_for_press(update, context, cb.BackToSearch)
    if found is None:
        return None
    flow, _, lang = found
    flow.institution = None
    return await _redo_search(update, context, flow, lang)


async def on_cant_find(update: Update, context: Ctx) -> int | None:
    found = await _flow_for_press(update, context, cb.CantFind)
    if found is None:
        return None
    flow, _, lang = found
    await runtime(context).services.request_bank(flow.telegram_id, flow.query, flow.country)
    return await _go(context, update, flow, render.request_recorded(flow, lang), SEARCH)


async def on_request_support(update: Update, context: Ctx) -> int | None:
    found = await _flow_for_press(update, context, cb.RequestSupport)
    if found is None:
        return None
    flow, _, lang = found
    query = flow.institution.name if flow.institution else flow.query
    await runtime(context).services.request_bank(flow.telegram_id, query, flow.country)
    flow.query = query
    return await _go(context, update, flow, render.request_recorded(flow, lang), SEARCH)


async def on_pick_group(update: Update, context: Ctx) -> int | None:
    found = await _flow_for_press(update, context, cb.PickGroup)
    if found is None:
        return None
    flow, press, lang = found
    directory = runtime(context).services.directory
    members = directory.members(press.group)
    name = directory.group_name(press.group)
    if not members or name is None:
        return None
    screen = render.regions(flow, press.group, name, members, press.page, lang)
    return await _go(context, update, flow, screen, SEARCH)


async def on_pick_bank(update: Update, context: Ctx) -> int | None:
    found = await _flow_for_press(update, context, cb.PickBank)
    if found is None:
        return None
    flow, press, lang = found
    institution = runtime(context).services.directory.get(press.bank)
    if institution is None:
        return None
    flow.institution = institution
    return await _go(context, update, flow, render.bank(flow, institution, lang), BANK)


# --- sign in -------------------------------------------------------------------------


async def on_start_login(update: Update, context: Ctx) -> int | None:
    found = await _flow_for_press(update, context, cb.StartLogin)
    if found is None or found[0].institution is None or found[0].institution.connector is None:
        return None
    flow, _, lang = found
    return await _go(
        context, update, flow, render.ask(flow, "connect.ask_username", lang), USERNAME
    )


async def _take_secret(update: Update, context: Ctx) -> tuple[ConnectFlow, Secret, str] | None:
    """Read a typed secret and delete its message before anything else happens."""
    message = update.message
    if message is None or message.text is None:
        return None
    secret = Secret(message.text)
    await delete_quietly(context, message.chat_id, message.message_id)
    user = await acting_user(update, context)
    flow = runtime(context).flows.get(user.telegram_id)
    if flow is None:
        return None
    return flow, secret, user.language


def _typed_before_notice(update: Update, flow: ConnectFlow) -> bool:
    """Typed before the user was told to sign in again: meant for the lost step, maybe a password.

    Message ids of a chat only grow, so this needs no clock.
    """
    message = update.message
    notice = flow.restart_notice_id
    return message is not None and notice is not None and message.message_id < notice


async def on_username(update: Update, context: Ctx) -> int | None:
    taken = await _take_secret(update, context)
    if taken is None:
        return END
    flow, username, lang = taken
    if flow.relogin and _typed_before_notice(update, flow):
        return await _ask_to_sign_in_again(context, chat_id_of(update), flow, lang)
    flow.username = username
    return await _go(
        context, update, flow, render.ask(flow, "connect.ask_password", lang), PASSWORD
    )


async def on_password(update: Update, context: Ctx) -> int:
    """Sign in at the bank (a non-blocking handler: the bot keeps answering meanwhile)."""
    taken = await _take_secret(update, context)
    if taken is None:
        return END
    flow, password, lang = taken
    if flow.institution is None or flow.username is None:  # the login was lost on the way
        return await _ask_to_sign_in_again(context, chat_id_of(update), flow, lang)
    await _show(context, update, flow, render.plain("connect.connecting", lang))
    services = runtime(context).services
    try:
        step = await services.login(flow.institution, flow.username, password)
    except ConnectorError as error:
        return await _after_bank_call(
            update, context, _login_failed(update, context, flow, error, lang)
        )
    finally:
        del password
    return await _after_bank_call(
        update, context, _after_auth_step(update, context, flow, step, lang)
    )


async def on_code(update: Update, context: Ctx) -> int:
    taken = await _take_secret(update, context)
    if taken is None:
        return END
    flow, code, lang = taken
    if flow.institution is None or flow.challenge is None:  # the login was lost on the way
        return await _ask_to_sign_in_again(context, chat_id_of(update), flow, lang)
    await _show(context, update, flow, render.plain("connect.connecting", lang))
    try:
        step = await runtime(context).services.answer_challenge(
            flow.institution, flow.challenge, code.reveal().strip()
        )
    except ConnectorError as error:
        return await _after_bank_call(
            update, context, _login_failed(update, context, flow, error, lang)
        )
    return await _after_bank_call(
        update, context, _after_auth_step(update, context, flow, step, lang)
    )


async def _after_auth_step(
    update: Update, context: Ctx, flow: ConnectFlow, step: Authorized | Challenge, lang: str
) -> int:
    if not runtime(context).flows.is_current(flow):
        return END
    if isinstance(step, Challenge):
        flow.challenge = step
        screen = render.ask(flow, "connect.ask_code", lang, hint=step.hint)
        return await _go(context, update, flow, screen, CODE)
    flow.authorized = step
    flow.forget_login()
    assert flow.institution is not None
    try:
        accounts = await runtime(context).services.bank_accounts_at(flow.institution, step)
    except ConnectorError as error:
        return await _login_failed(update, context, flow, error, lang)
    if not runtime(context).flows.is_current(flow):
        return END
    resume = flow.signed_in_again(accounts)
    if resume is None or resume == ACCOUNTS:
        return await _go(context, update, flow, render.accounts(flow, lang), ACCOUNTS)
    if resume == CONFIRM and flow.period_key is not None:
        return await _show_confirm(update, context, flow, lang)
    return await _next_ledger_or_period(update, context, flow, lang)


async def _login_failed(
    update: Update, context: Ctx, flow: ConnectFlow, error: ConnectorError, lang: str
) -> int:
    flows = runtime(context).flows
    if not flows.is_current(flow):
        return END
    if isinstance(error, WrongCode) and flow.challenge is not None:
        screen = render.ask(flow, "connect.wrong_code", lang, hint=flow.challenge.hint)
        return await _go(context, update, flow, screen, CODE)
    flow.forget_login()
    flow.authorized = None
    if error.code == "bad_credentials":
        screen = render.ask(flow, "connect.bad_credentials", lang)
        return await _go(context, update, flow, screen, USERNAME)
    if isinstance(error, BankUnavailable):  # the bank stays chosen: "Try again" signs in anew
        screen = render.plain("error.bank_unavailable", lang)
        retry = render.with_retry(screen, cb.StartLogin(flow.flow_id), lang)
        return await _go(context, update, flow, retry, BANK)
    await flows.end(flow.telegram_id)
    await _show(context, update, flow, render.plain(f"error.{error.code}", lang))
    return END


async def _ask_to_sign_in_again(context: Ctx, chat_id: int, flow: ConnectFlow, lang: str) -> Step:
    """Tell the user, in a new message, to sign in again; what they type next is the username.

    Used after a restart lost the bank login; the flow then returns to where it was.
    """
    if flow.step in SIGNED_IN and flow.resume_step is None:
        flow.resume_step = flow.step
    flow.forget_login()
    flow.authorized = None
    flow.relogin = True
    flow.step = USERNAME
    await runtime(context).flows.save(flow)
    await _show_new_in(context, chat_id, flow, render.ask(flow, "connect.restarted", lang))
    flow.restart_notice_id = flow.status_message_id
    await runtime(context).flows.save(flow, touched=False)
    return USERNAME


async def on_still_connecting(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    if update.callback_query is not None:
        await answer(update, t(user.language, "connect.still_connecting"))
        return
    message = update.message
    if message is not None:
        # whatever was typed now may be a secret meant for the next step
        await delete_quietly(context, message.chat_id, message.message_id)
    await send(context, chat_id_of(update), render.plain("connect.still_connecting", user.language))


# --- accounts, ledger, period, confirm ------------------------------------------------


async def on_toggle_account(update: Update, context: Ctx) -> int | None:
    found = await _flow_for_press(update, context, cb.ToggleAccount)
    if found is None:
        return None
    flow, press, lang = found
    if not 0 <= press.index < len(flow.accounts):
        return None
    flow.toggle(press.index)
    screen = render.accounts(flow, lang, render.accounts_page_of(press.index))
    return await _go(context, update, flow, screen, ACCOUNTS)


async def on_accounts_page(update: Update, context: Ctx) -> int | None:
    found = await _flow_for_press(update, context, cb.BankAccountsPage)
    if found is None:
        return None
    flow, press, lang = found
    return await _go(context, update, flow, render.accounts(flow, lang, press.page), ACCOUNTS)


async def on_accounts_chosen(update: Update, context: Ctx) -> int | None:
    query = update.callback_query
    found = await _flow_for_press(update, context, cb.AccountsChosen, answered=False)
    if found is None or query is None:
        return None
    flow, _, lang = found
    if not flow.selected:
        await answer(update, t(lang, "connect.pick_one"))
        return None
    await answer(update)
    flow.ledger_for.clear()
    return await _next_ledger_or_period(update, context, flow, lang)


async def _next_ledger_or_period(update: Update, context: Ctx, flow: ConnectFlow, lang: str) -> int:
    index = flow.next_unassigned()
    services = runtime(context).services
    if index is not None:
        options = await services.bank_ledger_accounts(flow.telegram_id)
        screen = render.ledger_choice(flow, index, options, lang)
        return await _go(context, update, flow, screen, LEDGER)
    assert flow.institution is not None
    choices = allowed_periods(services.max_history_days(flow.institution))
    return await _go(context, update, flow, render.periods(flow, choices, lang), PERIOD)


async def on_pick_ledger(update: Update, context: Ctx) -> int | None:
    found = await _flow_for_press(update, context, cb.PickLedger)
    if found is None:
        return None
    flow, press, lang = found
    options = {o.id for o in await runtime(context).services.bank_ledger_accounts(flow.telegram_id)}
    if press.index not in flow.selected or press.ledger not in options:
        return None
    flow.ledger_for[press.index] = press.ledger
    return await _next_ledger_or_period(update, context, flow, lang)


async def on_ledger_page(update: Update, context: Ctx) -> int | None:
    found = await _flow_for_press(update, context, cb.LedgerPage)
    if found is None:
        return None
    flow, press, lang = found
    if press.index != flow.next_unassigned():
        return None
    options = await runtime(context).services.bank_ledger_accounts(flow.telegram_id)
    screen = render.ledger_choice(flow, press.index, options, lang, press.page)
    return await _go(context, update, flow, screen, LEDGER)


async def on_add_ledger(update: Update, context: Ctx) -> int | None:
    found = await _flow_for_press(update, context, cb.AddLedger)
    if found is None:
        return None
    flow, _, lang = found
    screen = render.ask(flow, "connect.ask_ledger_name", lang)
    return await _go(context, update, flow, screen, LEDGER_NAME)


async def on_ledger_name(update: Update, context: Ctx) -> int | None:
    user = await acting_user(update, context)
    flow = runtime(context).flows.get(user.telegram_id)
    if flow is None or update.message is None or update.message.text is None:
        return END
    index = flow.next_unassigned()
    if index is None:
        return None
    try:
        account = await runtime(context).services.add_bank_ledger_account(
            user.telegram_id, update.message.text
        )
    except InvalidInput:
        screen = render.ask(flow, "connect.bad_ledger_name", user.language)
        return await _go(context, update, flow, screen, LEDGER_NAME, new=True)
    flow.ledger_for[index] = account.id
    old = flow.status_message_id
    flow.status_message_id = None
    if old is not None:
        await _strip_keyboard(context, chat_id_of(update), old)
    return await _next_ledger_or_period(update, context, flow, user.language)


async def on_pick_period(update: Update, context: Ctx) -> int | None:
    found = await _flow_for_press(update, context, cb.PickPeriod)
    if found is None or found[0].institution is None:
        return None
    flow, press, lang = found
    services = runtime(context).services
    assert flow.institution is not None
    period = period_by_key(press.period)
    if period is None or period not in allowed_periods(services.max_history_days(flow.institution)):
        return None
    flow.period_key = period.key
    return await _show_confirm(update, context, flow, lang)


async def _show_confirm(update: Update, context: Ctx, flow: ConnectFlow, lang: str) -> int:
    services = runtime(context).services
    assert flow.institution is not None
    max_days = services.max_history_days(flow.institution)
    period = period_by_key(flow.period_key or "")
    ledgers = {o.id: o for o in await services.bank_ledger_accounts(flow.telegram_id)}
    if period is None or any(flow.ledger_for.get(i) not in ledgers for i in flow.selected):
        # a ledger account gone meanwhile (or a lost period): ask again for what is missing
        flow.ledger_for = {i: ledger for i, ledger in flow.ledger_for.items() if ledger in ledgers}
        return await _next_ledger_or_period(update, context, flow, lang)
    start = period.start(services.today(), max_days)
    screen = render.confirm(flow, ledgers, period, start, lang)
    return await _go(context, update, flow, screen, CONFIRM)


async def on_confirm(update: Update, context: Ctx) -> int | None:
    """Store the connection, then import in the background and report when done."""
    found = await _flow_for_press(update, context, cb.ConfirmConnect)
    if found is None:
        return None
    flow, _, lang = found
    services = runtime(context).services
    period = period_by_key(flow.period_key or "")
    if flow.institution is None or period is None:
        return None
    if flow.authorized is None:  # the bank session was lost (a restart): sign in again
        return await _ask_to_sign_in_again(context, chat_id_of(update), flow, lang)
    await runtime(context).flows.end(flow.telegram_id)
    request = ConnectRequest(
        institution=flow.institution,
        authorized=flow.authorized,
        accounts=tuple(AccountChoice(flow.accounts[i], flow.ledger_for[i]) for i in flow.selected),
        start=period.start(services.today(), services.max_history_days(flow.institution)),
    )
    connection = await services.connect(flow.telegram_id, request)
    await _show(
        context, update, flow, render.plain("connect.importing", lang, bank=flow.institution.name)
    )
    context.application.create_task(
        _import_and_report(context, chat_id_of(update), flow, connection.id, lang),
        update=update,
        name=f"import-{connection.id}",
    )
    return END


async def _import_and_report(
    context: Ctx, chat_id: int, flow: ConnectFlow, connection_id: int, lang: str
) -> None:
    services = runtime(context).services
    bank = flow.institution.name if flow.institution else ""
    try:
        summary = await services.import_connection(flow.telegram_id, connection_id)
    except ConnectorError as error:
        await services.record_sync_error(connection_id, error)
        screen = render.plain(
            "connect.import_failed", lang, bank=bank, reason=t(lang, f"error.{error.code}")
        )
        if isinstance(error, BankUnavailable):
            screen = render.with_retry(screen, cb.RefreshConnection(connection_id), lang)
    else:
        screen = render.import_done(summary, lang)
    assert flow.status_message_id is not None
    await edit(context, chat_id, flow.status_message_id, screen)


# --- leaving ---------------------------------------------------------------------------


async def on_cancel(update: Update, context: Ctx) -> int:
    user = await acting_user(update, context)
    flow = await runtime(context).flows.end(user.telegram_id)
    if update.callback_query is not None:
        await answer(update)
    screen = render.plain(
        "connect.cancelled" if flow else "connect.nothing_to_cancel", user.language
    )
    if (
        flow is not None
        and flow.status_message_id is not None
        and update.callback_query is not None
    ):
        await edit(context, chat_id_of(update), flow.status_message_id, screen)
    else:
        if flow is not None and flow.status_message_id is not None:
            await _strip_keyboard(context, chat_id_of(update), flow.status_message_id)
        await send(context, chat_id_of(update), screen)
    return END


async def on_cancel_button(update: Update, context: Ctx) -> int | None:
    found = await _flow_for_press(update, context, cb.CancelFlow)
    if found is None:
        return None
    flow, _, lang = found
    await runtime(context).flows.end(flow.telegram_id)
    await _show(context, update, flow, render.plain("connect.cancelled", lang))
    return END


async def on_timeout(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    flow = await runtime(context).flows.end(user.telegram_id)
    if flow is not None and flow.status_message_id is not None:
        await edit(
            context,
            user.chat_id,
            flow.status_message_id,
            render.plain("connect.timeout", user.language),
        )


PRIVATE = filters.ChatType.PRIVATE
TEXT = filters.TEXT & ~filters.COMMAND & PRIVATE


def _press(
    callback: Any, *kinds: type[cb.Button], block: bool = True
) -> CallbackQueryHandler[Any, Any]:
    return CallbackQueryHandler(callback, pattern=cb.matcher(*kinds), block=block)


def conversation(timeout: float) -> ConversationHandler[Any]:
    """The /connect conversation; bank calls run in non-blocking handlers."""
    search_buttons = [
        _press(on_country_menu, cb.CountryMenu),
        _press(on_pick_country, cb.PickCountry),
        _press(on_back_to_search, cb.BackToSearch),
        _press(on_cant_find, cb.CantFind),
        _press(on_pick_group, cb.PickGroup),
        _press(on_pick_bank, cb.PickBank),
        _press(on_request_support, cb.RequestSupport),
    ]
    cancel_button = _press(on_cancel_button, cb.CancelFlow)
    return ConversationHandler(
        entry_points=[CommandHandler("connect", on_connect, filters=PRIVATE)],
        states={
            SEARCH: [*search_buttons, MessageHandler(TEXT, on_search_text)],
            BANK: [
                _press(on_start_login, cb.StartLogin),
                *search_buttons,
                MessageHandler(TEXT, on_search_text),
            ],
            USERNAME: [MessageHandler(TEXT, on_username), cancel_button],
            PASSWORD: [
                MessageHandler(TEXT, on_password, block=False),
                cancel_button,
            ],
            CODE: [MessageHandler(TEXT, on_code, block=False), cancel_button],
            ACCOUNTS: [
                _press(on_toggle_account, cb.ToggleAccount),
                _press(on_accounts_page, cb.BankAccountsPage),
                _press(on_accounts_chosen, cb.AccountsChosen),
                cancel_button,
            ],
            LEDGER: [
                _press(on_pick_ledger, cb.PickLedger),
                _press(on_ledger_page, cb.LedgerPage),
                _press(on_add_ledger, cb.AddLedger),
                cancel_button,
            ],
            LEDGER_NAME: [MessageHandler(TEXT, on_ledger_name), cancel_button],
            PERIOD: [_press(on_pick_period, cb.PickPeriod), cancel_button],
            CONFIRM: [_press(on_confirm, cb.ConfirmConnect), cancel_button],
            ConversationHandler.WAITING: [
                CommandHandler("cancel", on_cancel),
                MessageHandler(filters.ALL, on_still_connecting),
                CallbackQueryHandler(on_still_connecting),
            ],
            ConversationHandler.TIMEOUT: [TypeHandler(Update, on_timeout)],
        },
        fallbacks=[
            CommandHandler("cancel", on_cancel),
            CommandHandler("connect", on_connect, filters=PRIVATE),
        ],
        conversation_timeout=timeout,
        allow_reentry=True,
        name=NAME,
        persistent=True,
    )


# --- after a restart -------------------------------------------------------------------


def _conversation_of(app: Application[Any, Any, Any, Any, Any, Any]) -> ConversationHandler[Any]:
    for group in app.handlers.values():
        for handler in group:
            if isinstance(handler, ConversationHandler) and handler.name == NAME:
                return handler
    raise LookupError("the /connect conversation is not registered")


async def resume_after_restart(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """At startup, once the kept flows are back: re-arm their timeouts, and tell the users
    whose bank login was lost to sign in again (one new message each)."""
    rt: Runtime = app.bot_data["runtime"]
    conversation = _conversation_of(app)
    timeout = conversation.conversation_timeout
    seconds = timeout.total_seconds() if isinstance(timeout, timedelta) else timeout
    for flow in rt.flows.take_restored():
        stand_in = _update_for(flow)
        context: Ctx = app.context_types.context.from_update(stand_in, app)
        remaining = None if seconds is None else seconds - (time.time() - flow.touched_at)
        if flow.restart_notice_due and (remaining is None or remaining > 0):
            try:
                user = await rt.services.meet(flow.telegram_id, flow.chat_id, None)
                await _ask_to_sign_in_again(context, flow.chat_id, flow, user.language)
            except TelegramError as error:
                log.warning("could not ask a user to sign in again: %s", error.message)
            remaining = seconds
        if remaining is not None:
            _rearm_timeout(app, conversation, flow, stand_in, context, max(remaining, 0.0))


def _update_for(flow: ConnectFlow) -> Update:
    """An update standing for the user of a kept flow, for handlers run outside an update."""
    user = User(id=flow.telegram_id, first_name="", is_bot=False)
    chat = Chat(id=flow.chat_id, type=ChatType.PRIVATE)
    message = Message(
        message_id=flow.status_message_id or 0,
        date=datetime.now(UTC),
        chat=chat,
        from_user=user,
    )
    return Update(update_id=0, message=message)


def _rearm_timeout(
    app: Application[Any, Any, Any, Any, Any, Any],
    conversation: ConversationHandler[Any],
    flow: ConnectFlow,
    stand_in: Update,
    context: Ctx,
    delay: float,
) -> None:
    """PTB (22.8) does not re-arm the timeouts of restored conversations: schedule the job
    its ConversationHandler would have scheduled, under the same key, so that the user's next
    update cancels it and its firing runs the TIMEOUT handlers and ends the conversation."""
    if app.job_queue is None:
        return
    key = (flow.chat_id, flow.telegram_id)
    job = app.job_queue.run_once(
        conversation._trigger_timeout,
        delay,
        data=_ConversationTimeoutContext(key, stand_in, app, context),
        name=f"connect-timeout-{flow.telegram_id}",
        # scheduled before the job queue starts: never skip it as "misfired"
        job_kwargs={"misfire_grace_time": None},
    )
    conversation.timeout_jobs[key] = job
