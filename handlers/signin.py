"""The sign-in steps shared by /connect and /credentials: username, password, code or consent,
then (for a connection) accounts, ledger, period, confirmation and the first import.

Thin handlers: read the message or press, call `bot.services.sign_in.SignIn`, show what it
says comes next (handlers.flow). Typed secrets are deleted before anything else happens.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.banks.connector import ConnectorError, Unsupported
from bot.domain.secret import Secret
from bot.i18n import t
from bot.services.connect_flow import ConnectFlow, FlowStore, Step
from bot.services.cooperative import detached
from bot.services.errors import NotFound
from bot.services.sign_in import Connected, Next, SignIn
from handlers import callbacks as cb
from handlers import consent, render
from handlers.consent import MAX_ANSWER_CHARS, arm_polling
from handlers.context import (
    Ctx,
    Press,
    acting_user,
    answer,
    chat_id_of,
    delete_quietly,
    edit,
    on_press,
    runtime,
    send,
)
from handlers.flow import (
    EVERY_STEP,
    AtStep,
    go,
    has_flow,
    pressed,
    show,
    strip_keyboard,
    with_bank,
)
from handlers.render import signin as screens

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE
TEXT = filters.TEXT & ~filters.COMMAND & PRIVATE
COMMANDS = ("credentials",)


def machine(context: Ctx) -> SignIn:
    return runtime(context).sign_in


async def _typed(update: Update, context: Ctx) -> tuple[ConnectFlow, Secret, str] | None:
    """A typed secret, its message deleted first; with the sender's flow and language."""
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


async def _start_login(update: Update, context: Ctx, flow: ConnectFlow, lang: str) -> None:
    sign_in = machine(context)
    if sign_in.by_consent(flow):
        await with_bank(update, context, flow, lambda: sign_in.open_consent(flow), lang)
        arm_polling(context.application, sign_in, flow)
    elif sign_in.by_setup_token(flow):
        await go(context, flow, sign_in.ask_setup_token(flow), lang)
    else:
        await go(context, flow, sign_in.ask_username(flow), lang)


# --- /credentials ------------------------------------------------------------------------


async def on_credentials(update: Update, context: Ctx) -> None:
    """Pick a connection (straight to the sign-in when there is one)."""
    user = await acting_user(update, context)
    plan = await runtime(context).connections.targets(user.telegram_id)
    if not plan.items:
        await send(context, chat_id_of(update), render.plain("credentials.none", user.language))
    elif len(plan.items) == 1:
        await _renew(update, context, user.language, plan.items[0].connection_id)
    else:
        screen = render.pick_connection(plan.items, cb.Question.CREDENTIALS, user.language)
        await send(context, chat_id_of(update), screen)


@on_press(cb.UpdateSignIn)
async def on_credentials_button(
    update: Update, context: Ctx, pressed: Press[cb.UpdateSignIn]
) -> None:
    """From /accounts, a notice or the pick list: sign in again at this connection's bank."""
    await _renew(update, context, pressed.lang, pressed.button.connection)


async def _renew(update: Update, context: Ctx, lang: str, connection_id: int) -> None:
    assert update.effective_user is not None
    flows = runtime(context).flows
    old = flows.get(update.effective_user.id)
    try:
        flow = await machine(context).renew(
            update.effective_user.id, chat_id_of(update), connection_id
        )
    except NotFound:
        await answer(update, t(lang, "stale_button"))
        if update.callback_query is None:
            await send(context, chat_id_of(update), render.plain("credentials.gone", lang))
        return
    except Unsupported:
        await answer(update)
        await send(context, chat_id_of(update), render.plain("error.unsupported", lang))
        return
    await answer(update)
    if old is not None and old.status_message_id is not None:
        await strip_keyboard(context, old.chat_id, old.status_message_id)
    await _start_login(update, context, flow, lang)


# --- the bank login ------------------------------------------------------------------------


@pressed(cb.StartLogin, {Step.BANK})
async def on_start_login(
    update: Update, context: Ctx, flow: ConnectFlow, press: cb.StartLogin, lang: str
) -> None:
    if flow.institution is None or flow.institution.connector is None:
        await answer(update, t(lang, "stale_button"))
        return
    await answer(update)
    await _start_login(update, context, flow, lang)


@pressed(cb.LoginFor, {Step.BANK})
async def on_login_for(
    update: Update, context: Ctx, flow: ConnectFlow, press: cb.LoginFor, lang: str
) -> None:
    """A bank already connected: update its sign-in, or add accounts to it."""
    if not await machine(context).choose_purpose(flow, press.purpose):
        await answer(update, t(lang, "stale_button"))
        return
    await answer(update)
    await _start_login(update, context, flow, lang)


async def on_username(update: Update, context: Ctx) -> None:
    typed = await _typed(update, context)
    if typed is None:
        return
    flow, username, lang = typed
    sign_in = machine(context)
    if sign_in.by_setup_token(flow):  # asked again after a restart: what comes is the token
        sign_in.ask_setup_token(flow)
        await with_bank(update, context, flow, lambda: sign_in.password(flow, username), lang)
        return
    assert update.message is not None
    await go(context, flow, machine(context).username(flow, username, update.message.id), lang)


async def on_password(update: Update, context: Ctx) -> None:
    typed = await _typed(update, context)
    if typed is None:
        return
    flow, password, lang = typed
    sign_in = machine(context)
    await _continue(update, context, flow, lang, lambda: sign_in.password(flow, password))


async def on_code(update: Update, context: Ctx) -> None:
    typed = await _typed(update, context)
    if typed is None:
        return
    flow, code, lang = typed
    sign_in = machine(context)
    await _continue(update, context, flow, lang, lambda: sign_in.code(flow, code.reveal().strip()))


@pressed(cb.ConsentGiven, {Step.CONSENT})
async def on_consent_given(
    update: Update, context: Ctx, flow: ConnectFlow, press: cb.ConsentGiven, lang: str
) -> None:
    await answer(update)
    sign_in = machine(context)
    await _continue(update, context, flow, lang, lambda: sign_in.code(flow, ""))


async def on_consent_address(update: Update, context: Ctx) -> None:
    """The address the bank sent the user to, pasted: it carries a one-time code, so the
    message is deleted first."""
    typed = await _typed(update, context)
    if typed is None:
        return
    flow, address, lang = typed
    sign_in = machine(context)
    landed = address.reveal().strip()[:MAX_ANSWER_CHARS]
    await _continue(update, context, flow, lang, lambda: sign_in.code(flow, landed))


async def _continue(
    update: Update, context: Ctx, flow: ConnectFlow, lang: str, call: Callable[[], Awaitable[Next]]
) -> None:
    """Go on with the bank login, unless a restart lost what it needs: then sign in again
    (a consent or a setup token starts over at the bank; a password login asks the username)."""
    sign_in = machine(context)
    if not sign_in.login_lost(flow):
        await with_bank(update, context, flow, call, lang)
    elif sign_in.by_consent(flow) or sign_in.by_setup_token(flow):
        await _start_login(update, context, flow, lang)
    else:
        await go(context, flow, sign_in.sign_in_again(flow), lang)


async def on_still_working(update: Update, context: Ctx) -> None:
    """Sent while the bank answers: typed text may be a secret meant for the next step."""
    user = await acting_user(update, context)
    flow = runtime(context).flows.get(user.telegram_id)
    message = update.message
    if message is not None:
        await delete_quietly(context, message.chat_id, message.message_id)
    await send(
        context, chat_id_of(update), render.Screen(screens.still_working(flow, user.language))
    )


# --- accounts, ledger, period, confirm -------------------------------------------------------


@pressed(cb.ToggleAccount, {Step.ACCOUNTS})
async def on_toggle_account(
    update: Update, context: Ctx, flow: ConnectFlow, press: cb.ToggleAccount, lang: str
) -> None:
    page = render.accounts_page_of(press.index)
    step = await machine(context).toggle(flow, press.index, page)
    await answer(update, None if step is not None else t(lang, "connect.already_linked"))
    await go(context, flow, step, lang)


@pressed(cb.BankAccountsPage, {Step.ACCOUNTS})
async def on_accounts_page(
    update: Update, context: Ctx, flow: ConnectFlow, press: cb.BankAccountsPage, lang: str
) -> None:
    await answer(update)
    await go(context, flow, await machine(context).accounts_screen(flow, press.page), lang)


@pressed(cb.AccountsChosen, {Step.ACCOUNTS})
async def on_accounts_chosen(
    update: Update, context: Ctx, flow: ConnectFlow, press: cb.AccountsChosen, lang: str
) -> None:
    step = await machine(context).accounts_chosen(flow)
    await answer(update, t(lang, "connect.pick_one") if step is None else None)
    await go(context, flow, step, lang)


@pressed(cb.PickLedger, {Step.LEDGER})
async def on_pick_ledger(
    update: Update, context: Ctx, flow: ConnectFlow, press: cb.PickLedger, lang: str
) -> None:
    await answer(update)
    await go(
        context, flow, await machine(context).pick_ledger(flow, press.index, press.ledger), lang
    )


@pressed(cb.LedgerPage, {Step.LEDGER})
async def on_ledger_page(
    update: Update, context: Ctx, flow: ConnectFlow, press: cb.LedgerPage, lang: str
) -> None:
    await answer(update)
    step = await machine(context).ledger_page(flow, press.index, press.page)
    await go(context, flow, step, lang)


@pressed(cb.AddLedger, {Step.LEDGER})
async def on_add_ledger(
    update: Update, context: Ctx, flow: ConnectFlow, press: cb.AddLedger, lang: str
) -> None:
    await answer(update)
    await go(context, flow, machine(context).add_ledger(flow), lang)


async def on_ledger_name(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    flow = runtime(context).flows.get(user.telegram_id)
    if flow is None or update.message is None or update.message.text is None:
        return
    step = await machine(context).ledger_name(flow, update.message.text)
    if flow.step is Step.LEDGER_NAME:  # refused: asked again below the typed name
        await go(context, flow, step, user.language, new=True)
        return
    old, flow.status_message_id = flow.status_message_id, None
    if old is not None:
        await strip_keyboard(context, flow.chat_id, old)
    await go(context, flow, step, user.language)


@pressed(cb.PickPeriod, {Step.PERIOD})
async def on_pick_period(
    update: Update, context: Ctx, flow: ConnectFlow, press: cb.PickPeriod, lang: str
) -> None:
    await answer(update)
    await go(context, flow, await machine(context).pick_period(flow, press.period), lang)


@pressed(cb.ConfirmConnect, {Step.CONFIRM})
async def on_confirm(
    update: Update, context: Ctx, flow: ConnectFlow, press: cb.ConfirmConnect, lang: str
) -> None:
    """Store the connection, then import in the background and report when done."""
    await answer(update)
    step: Next = await machine(context).confirm(flow)
    await go(context, flow, step, lang)
    if isinstance(step, Connected):
        context.application.create_task(
            detached(_import_and_report(context, flow, step, lang)),
            update=update,
            name=f"import-{step.connection_id}",
        )


async def _import_and_report(context: Ctx, flow: ConnectFlow, step: Connected, lang: str) -> None:
    try:
        summary = await runtime(context).services.import_connection(
            flow.telegram_id, step.connection_id
        )
    except ConnectorError as error:
        screen = screens.import_failed(step.bank, error.code, step.connection_id, lang)
    else:
        screen = render.import_done(summary, lang)
    assert flow.status_message_id is not None
    await edit(context, flow.chat_id, flow.status_message_id, screen)


# --- leaving ---------------------------------------------------------------------------------


async def on_cancel(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    flow = await runtime(context).flows.end(user.telegram_id)
    if flow is None:
        await send(
            context, chat_id_of(update), render.plain("connect.nothing_to_cancel", user.language)
        )
        return
    screen = render.plain(screens.words(flow, "cancelled"), user.language)
    if flow.status_message_id is not None:
        await strip_keyboard(context, flow.chat_id, flow.status_message_id)
    await send(context, chat_id_of(update), screen)


@pressed(cb.CancelFlow, EVERY_STEP)
async def on_cancel_button(
    update: Update, context: Ctx, flow: ConnectFlow, press: cb.CancelFlow, lang: str
) -> None:
    await answer(update)
    await runtime(context).flows.end(flow.telegram_id)
    await show(context, flow, render.plain(screens.words(flow, "cancelled"), lang))


def handlers(flows: FlowStore) -> list[Any]:
    """The steps of the flow, each picked by the step the user's flow waits at."""

    def at(*steps: Step) -> filters.MessageFilter:
        return AtStep(flows, steps)

    return [
        CommandHandler("cancel", on_cancel, filters=PRIVATE & has_flow(flows)),
        MessageHandler(PRIVATE & AtStep(flows, EVERY_STEP, busy=True), on_still_working),
        MessageHandler(TEXT & at(Step.USERNAME), on_username),
        MessageHandler(TEXT & at(Step.PASSWORD), on_password),
        MessageHandler(TEXT & at(Step.CODE), on_code),
        MessageHandler(TEXT & at(Step.CONSENT), on_consent_address),
        *consent.handlers(),
        MessageHandler(TEXT & at(Step.LEDGER_NAME), on_ledger_name),
        CommandHandler("credentials", on_credentials, filters=PRIVATE),
        on_credentials_button,
        *(
            on_start_login,
            on_login_for,
            on_consent_given,
            on_toggle_account,
            on_accounts_page,
            on_accounts_chosen,
            on_pick_ledger,
            on_ledger_page,
            on_add_ledger,
            on_pick_period,
            on_confirm,
            on_cancel_button,
        ),
    ]
