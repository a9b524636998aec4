"""/accounts, /refresh, /credentials, /disconnect and /deletemydata."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.banks.connector import (
    AuthMethod,
    Authorized,
    BadCredentials,
    BankUnavailable,
    Challenge,
    ChallengeKind,
    ConnectorError,
    RateLimited,
    Unsupported,
    WrongCode,
)
from bot.domain.secret import Secret
from bot.i18n import language_from_telegram, t
from bot.services.connect_flow import new_flow_id
from bot.services.connections import (
    Connections,
    Health,
    OtherAccounts,
    SignInTarget,
    Spawn,
    SyncOutcome,
    Targets,
)
from bot.services.errors import NotFound
from handlers import callbacks as cb
from handlers import render
from handlers.context import (
    Ctx,
    acting_user,
    answer,
    chat_id_of,
    delete_quietly,
    edit,
    read_press,
    runtime,
    send,
)

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE
TEXT = filters.TEXT & ~filters.COMMAND & PRIVATE
END = ConversationHandler.END
PICK, USERNAME, PASSWORD, CODE, CONSENT = range(5)
SIGN_IN_TIMEOUT = 900.0
"""Seconds a /credentials flow waits for the user (the bot's default conversation timeout)."""
ERASE_CONFIRM_SECONDS = 600
"""How long the /deletemydata confirmation button stays valid."""
SIGN_INS = "sign_in_flows"
COMMANDS = ("accounts", "refresh", "credentials", "disconnect", "deletemydata")
PICK_QUESTIONS: tuple[tuple[str, str, type[cb.UpdateSignIn] | type[cb.AskDisconnect]], ...] = (
    ("credentials.pick", "credentials.none", cb.UpdateSignIn),
    ("disconnect.pick", "disconnect.none", cb.AskDisconnect),
)
"""The "which bank?" questions (and their answer when no bank is left), by the `action` of
their page buttons."""


def manager(context: Ctx) -> Connections:
    """The process's one Connections (it holds the registry of syncs running now)."""
    return runtime(context).connections


def spawner(context: Ctx, name: str) -> Spawn:
    """Run a sync as an application task: it lands even if nobody waits for it any more,
    and the application waits for it when it stops."""

    def spawn(coroutine: Any) -> Any:
        return context.application.create_task(coroutine, name=name)

    return spawn


def _message_id(update: Update) -> int:
    query = update.callback_query
    assert query is not None and query.message is not None
    return query.message.message_id


async def _show(context: Ctx, chat_id: int, message_id: int, screen: render.Screen) -> int:
    """Edit a progress message; a chat gone meanwhile (blocked, deleted) stops nothing."""
    try:
        return await edit(context, chat_id, message_id, screen)
    except TelegramError as error:
        log.info("progress not shown: %s", error.message)
        return message_id


async def on_private_only(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    await send(context, chat_id_of(update), render.plain("manage.private_only", user.language))


async def on_keep(update: Update, context: Ctx) -> None:
    """The "cancel" of a question: nothing changes, and the question says so."""
    pressed = await read_press(update, context, cb.KeepAsIs)
    if pressed is None:
        return
    _, lang, _, _ = pressed
    await answer(update)
    await _show(context, chat_id_of(update), _message_id(update), render.plain("manage.kept", lang))


# --- /accounts ---------------------------------------------------------------------------


async def on_accounts(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    view = await manager(context).overview(user.telegram_id)
    now = runtime(context).services.clock.now()
    await send(context, chat_id_of(update), render.accounts_overview(view, now, user.language))


async def on_overview_page(update: Update, context: Ctx) -> None:
    pressed = await read_press(update, context, cb.OverviewPage)
    if pressed is None:
        return
    press, lang, message_id, telegram_id = pressed
    await answer(update)
    view = await manager(context).overview(telegram_id)
    now = runtime(context).services.clock.now()
    screen = render.accounts_overview(view, now, lang, press.page)
    await _show(context, chat_id_of(update), message_id, screen)


async def on_connections_page(update: Update, context: Ctx) -> None:
    """Another page of the "which bank?" question of /credentials or /disconnect."""
    pressed = await read_press(update, context, cb.ConnectionsPage)
    if pressed is None:
        return
    press, lang, message_id, telegram_id = pressed
    await answer(update)
    plan = await manager(context).targets(telegram_id)
    key, none, kind = PICK_QUESTIONS[press.action]
    screen = (
        render.pick_connection(plan.items, key, kind, lang, press.page)
        if plan.items
        else render.plain(none, lang)
    )
    await _show(context, chat_id_of(update), message_id, screen)


async def on_help_topic(update: Update, context: Ctx) -> None:
    pressed = await read_press(update, context, cb.ShowHelp)
    if pressed is None:
        return
    _, lang, _, _ = pressed
    await answer(update)
    await send(context, chat_id_of(update), render.troubleshooting(lang))


# --- /refresh ----------------------------------------------------------------------------


async def on_refresh(update: Update, context: Ctx) -> None:
    """Update every connection now (a non-blocking handler: the bot keeps answering)."""
    user = await acting_user(update, context)
    plan = await manager(context).targets(user.telegram_id)
    await _refresh(context, chat_id_of(update), user.telegram_id, user.language, plan)


async def on_refresh_button(update: Update, context: Ctx) -> None:
    pressed = await read_press(update, context, cb.RefreshConnection)
    if pressed is None:
        return
    press, lang, _, telegram_id = pressed
    try:
        plan = await manager(context).targets(telegram_id, press.connection or None)
    except NotFound:
        await answer(update, t(lang, "stale_button"))
        return
    await answer(update)
    await _refresh(context, chat_id_of(update), telegram_id, lang, plan)


async def _refresh(context: Ctx, chat_id: int, telegram_id: int, lang: str, plan: Targets) -> None:
    """One progress message, edited as each bank is updated in turn, then the result."""
    if not plan.items and plan.disconnected:
        banks = ", ".join(plan.disconnected)
        gone = render.plain("refresh.disconnected", lang, count=len(plan.disconnected), banks=banks)
        await send(context, chat_id, gone)
        return
    if not plan.items:
        await send(context, chat_id, render.plain("refresh.none", lang))
        return
    connections = manager(context)
    clock = runtime(context).services.clock
    lines = [render.RefreshLine(target) for target in plan.items]

    def screen(finished: bool = False) -> render.Screen:
        return render.refresh_progress(lines, plan.timezone, clock.now(), lang, finished=finished)

    message_id = await send(context, chat_id, screen())
    for index, target in enumerate(plan.items):
        phase = "joined" if connections.is_running(target.connection_id) else "running"
        lines[index] = replace(lines[index], phase=phase)
        message_id = await _show(context, chat_id, message_id, screen())
        try:
            outcome = await connections.refresh(
                telegram_id,
                target.connection_id,
                spawner(context, f"sync-{target.connection_id}"),
            )
        except NotFound:
            outcome = SyncOutcome(target.connection_id, target.institution_name, Health.GONE)
        lines[index] = replace(lines[index], outcome=outcome)
    await _show(context, chat_id, message_id, screen(finished=True))


# --- /credentials ----------------------------------------------------------------------------


@dataclass
class SignInFlow:
    """One /credentials flow; the username and the bank's challenge live here, in memory only."""

    telegram_id: int
    chat_id: int
    language: str
    target: SignInTarget
    flow_id: str = field(default_factory=new_flow_id)
    message_id: int | None = None
    username: Secret | None = field(default=None, repr=False)
    challenge: Challenge | None = field(default=None, repr=False)

    @property
    def bank(self) -> str:
        return self.target.institution.name


def _sign_ins(context: Ctx) -> dict[int, SignInFlow]:
    found = context.bot_data.setdefault(SIGN_INS, {})
    assert isinstance(found, dict)
    return found


def _is_current(context: Ctx, flow: SignInFlow) -> bool:
    return _sign_ins(context).get(flow.telegram_id) is flow


async def _step(
    context: Ctx, flow: SignInFlow, screen: render.Screen, state: int, *, later: bool = False
) -> int:
    """Show the flow's next screen in its own message, and move to `state`.

    After a bank call (`later`) the screen is shown once the non-blocking handler has returned:
    the conversation is in `state` by then, so what the user types on seeing the screen is
    never caught by the waiting handlers and dropped.
    """
    if later:
        context.application.create_task(_show_step(context, flow, screen), name="sign-in-step")
    else:
        await _show_step(context, flow, screen)
    return state


async def _show_step(context: Ctx, flow: SignInFlow, screen: render.Screen) -> None:
    if flow.message_id is None:
        flow.message_id = await send(context, flow.chat_id, screen)
    else:
        flow.message_id = await edit(context, flow.chat_id, flow.message_id, screen)


async def _close(
    context: Ctx, flow: SignInFlow, screen: render.Screen, *, later: bool = False
) -> int:
    if _sign_ins(context).get(flow.telegram_id) is flow:
        del _sign_ins(context)[flow.telegram_id]
    return await _step(context, flow, screen, END, later=later)


async def on_credentials(update: Update, context: Ctx) -> int:
    """Pick a connection (straight to the sign-in when there is one)."""
    user = await acting_user(update, context)
    plan = await manager(context).targets(user.telegram_id)
    if not plan.items:
        await send(context, chat_id_of(update), render.plain("credentials.none", user.language))
        return END
    if len(plan.items) == 1:
        return await _begin(context, update, user.language, plan.items[0].connection_id)
    key, _, kind = PICK_QUESTIONS[0]
    screen = render.pick_connection(plan.items, key, kind, user.language)
    await send(context, chat_id_of(update), screen)
    return PICK


async def on_credentials_button(update: Update, context: Ctx) -> int | None:
    """From /accounts, a notice or the pick list: sign in again at this connection's bank."""
    pressed = await read_press(update, context, cb.UpdateSignIn)
    if pressed is None:
        return None
    press, lang, _, _ = pressed
    return await _begin(context, update, lang, press.connection)


async def _begin(context: Ctx, update: Update, lang: str, connection_id: int) -> int:
    assert update.effective_user is not None
    telegram_id = update.effective_user.id
    connections = manager(context)
    try:
        target = await connections.sign_in_target(telegram_id, connection_id)
    except NotFound:
        await answer(update, t(lang, "stale_button"))
        if update.callback_query is None:
            await send(context, chat_id_of(update), render.plain("credentials.gone", lang))
        return END
    except Unsupported:
        await answer(update)
        await send(context, chat_id_of(update), render.plain("error.unsupported", lang))
        return END
    await answer(update)
    old = _sign_ins(context).pop(telegram_id, None)
    if old is not None and old.message_id is not None:
        await _show(
            context, old.chat_id, old.message_id, render.plain("credentials.cancelled", lang)
        )
    flow = SignInFlow(telegram_id, chat_id_of(update), lang, target)
    _sign_ins(context)[telegram_id] = flow
    if target.auth is AuthMethod.CONSENT_LINK:
        await _step(context, flow, render.plain("credentials.checking", lang), CONSENT)
        try:
            step = await connections.begin_consent(target)
        except ConnectorError as error:
            return await _failed(context, flow, error)
        return await _after_auth_step(context, flow, step)
    screen = render.sign_in_step("credentials.ask_username", flow.bank, flow.flow_id, lang)
    return await _step(context, flow, screen, USERNAME)


async def _take_secret(update: Update, context: Ctx) -> tuple[SignInFlow, Secret] | None:
    """Read a typed secret and delete its message before anything else happens."""
    message = update.message
    if message is None or message.text is None:
        return None
    secret = Secret(message.text)
    await delete_quietly(context, message.chat_id, message.message_id)
    user = await acting_user(update, context)
    flow = _sign_ins(context).get(user.telegram_id)
    if flow is None:  # a restart lost the flow: what was typed may be a password, now gone
        await send(context, message.chat_id, render.plain("credentials.restarted", user.language))
        return None
    return flow, secret


async def on_username(update: Update, context: Ctx) -> int:
    taken = await _take_secret(update, context)
    if taken is None:
        return END
    flow, username = taken
    flow.username = username
    screen = render.sign_in_step("credentials.ask_password", flow.bank, flow.flow_id, flow.language)
    return await _step(context, flow, screen, PASSWORD)


async def on_password(update: Update, context: Ctx) -> int:
    """Test the new sign-in at the bank (non-blocking: the bot keeps answering meanwhile)."""
    taken = await _take_secret(update, context)
    if taken is None:
        return END
    flow, password = taken
    if flow.username is None:
        screen = render.sign_in_step(
            "credentials.ask_username", flow.bank, flow.flow_id, flow.language
        )
        return await _step(context, flow, screen, USERNAME)
    await _step(context, flow, render.plain("credentials.checking", flow.language), PASSWORD)
    services = runtime(context).services
    try:
        step = await services.login(flow.target.institution, flow.username, password)
    except ConnectorError as error:
        return await _failed(context, flow, error)
    finally:
        del password
    return await _after_auth_step(context, flow, step)


async def on_code(update: Update, context: Ctx) -> int:
    taken = await _take_secret(update, context)
    if taken is None:
        return END
    flow, code = taken
    if flow.challenge is None:
        return await _close(context, flow, render.plain("credentials.cancelled", flow.language))
    await _step(context, flow, render.plain("credentials.checking", flow.language), CODE)
    return await _answer_challenge(context, flow, code.reveal().strip())


async def on_consent_given(update: Update, context: Ctx) -> int | None:
    flow = await _flow_for_press(update, context, cb.ConsentGiven)
    if flow is None or flow.challenge is None:
        return None
    await _step(context, flow, render.plain("credentials.checking", flow.language), CONSENT)
    return await _answer_challenge(context, flow, "")


async def _answer_challenge(context: Ctx, flow: SignInFlow, answer_text: str) -> int:
    assert flow.challenge is not None
    services = runtime(context).services
    try:
        step = await services.answer_challenge(flow.target.institution, flow.challenge, answer_text)
    except ConnectorError as error:
        return await _failed(context, flow, error)
    return await _after_auth_step(context, flow, step)


async def _after_auth_step(context: Ctx, flow: SignInFlow, step: Authorized | Challenge) -> int:
    if not _is_current(context, flow):
        return END
    lang = flow.language
    if isinstance(step, Challenge):
        flow.challenge = step
        if step.kind is ChallengeKind.LINK and step.link:
            return await _step(
                context,
                flow,
                render.consent_step(flow.bank, step.link, flow.flow_id, lang),
                CONSENT,
                later=True,
            )
        screen = render.sign_in_step(
            "credentials.ask_code", flow.bank, flow.flow_id, lang, hint=step.hint
        )
        return await _step(context, flow, screen, CODE, later=True)
    flow.username, flow.challenge = None, None
    try:
        bank = await manager(context).replace_secret(
            flow.telegram_id, flow.target.connection_id, step
        )
    except ConnectorError as error:
        return await _failed(context, flow, error)
    except OtherAccounts:
        screen = render.plain("credentials.other_accounts", lang, bank=flow.bank)
        return await _close(context, flow, screen, later=True)
    except NotFound:
        return await _close(context, flow, render.plain("credentials.gone", lang), later=True)
    return await _close(
        context, flow, render.sign_in_done(bank, flow.target.connection_id, lang), later=True
    )


async def _failed(context: Ctx, flow: SignInFlow, error: ConnectorError) -> int:
    """Nothing changed; say why, and ask again when typing again can fix it."""
    if not _is_current(context, flow):
        return END
    lang = flow.language
    if isinstance(error, WrongCode) and flow.challenge is not None:
        screen = render.sign_in_step(
            "credentials.wrong_code", flow.bank, flow.flow_id, lang, hint=flow.challenge.hint
        )
        return await _step(context, flow, screen, CODE, later=True)
    flow.username, flow.challenge = None, None
    if isinstance(error, BadCredentials):
        screen = render.sign_in_step("credentials.bad", flow.bank, flow.flow_id, lang)
        return await _step(context, flow, screen, USERNAME, later=True)
    if isinstance(error, BankUnavailable | RateLimited | Unsupported):
        screen = render.plain("credentials.unavailable", lang, bank=flow.bank)
        if isinstance(error, BankUnavailable):
            screen = render.with_retry(screen, cb.UpdateSignIn(flow.target.connection_id), lang)
        return await _close(context, flow, screen, later=True)
    screen = render.plain(
        "credentials.refused", lang, bank=flow.bank, reason=render.reason(error.code, lang)
    )
    return await _close(context, flow, screen, later=True)


async def _flow_for_press(update: Update, context: Ctx, kind: type[cb.B]) -> SignInFlow | None:
    """The live flow a button belongs to, or None after a polite answer."""
    pressed = await read_press(update, context, kind)
    if pressed is None:
        return None
    press, lang, _, telegram_id = pressed
    flow = _sign_ins(context).get(telegram_id)
    if flow is None or not isinstance(press, cb.FlowButton) or press.flow != flow.flow_id:
        await answer(update, t(lang, "stale_button"))
        return None
    await answer(update)
    return flow


async def on_cancel_button(update: Update, context: Ctx) -> int | None:
    flow = await _flow_for_press(update, context, cb.CancelSignIn)
    if flow is None:
        return None
    return await _close(context, flow, render.plain("credentials.cancelled", flow.language))


async def on_cancel(update: Update, context: Ctx) -> int:
    """/cancel during /credentials: the flow's message says so, nothing changed."""
    user = await acting_user(update, context)
    flow = _sign_ins(context).pop(user.telegram_id, None)
    screen = render.plain("credentials.cancelled", user.language)
    if flow is not None and flow.message_id is not None:
        await _show(context, flow.chat_id, flow.message_id, screen)
    else:
        await send(context, chat_id_of(update), screen)
    return END


async def on_still_checking(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    if update.callback_query is not None:
        await answer(update, t(user.language, "credentials.still"))
        return
    message = update.message
    if message is not None:  # typed now, it may be a secret meant for the next step
        await delete_quietly(context, message.chat_id, message.message_id)
    await send(context, chat_id_of(update), render.plain("credentials.still", user.language))


async def on_timeout(update: Update, context: Ctx) -> None:
    assert update.effective_user is not None
    flow = _sign_ins(context).pop(update.effective_user.id, None)
    if flow is not None and flow.message_id is not None:
        await _show(
            context,
            flow.chat_id,
            flow.message_id,
            render.plain("credentials.timeout", flow.language),
        )


def sign_in_conversation(timeout: float = SIGN_IN_TIMEOUT) -> ConversationHandler[Any]:
    """/credentials: bank calls run in non-blocking handlers; secrets stay in memory.

    The conversation's state is persisted (only its number) so that after a restart what the
    user types for the lost flow is still deleted, and they are told to start again.
    """

    def press(callback: Any, kind: type[cb.Button], *, block: bool = True) -> Any:
        return CallbackQueryHandler(callback, pattern=cb.matcher(kind), block=block)

    cancel_button = press(on_cancel_button, cb.CancelSignIn)
    return ConversationHandler(
        entry_points=[
            CommandHandler("credentials", on_credentials, filters=PRIVATE),
            press(on_credentials_button, cb.UpdateSignIn),
        ],
        states={
            PICK: [],
            USERNAME: [MessageHandler(TEXT, on_username), cancel_button],
            PASSWORD: [MessageHandler(TEXT, on_password, block=False), cancel_button],
            CODE: [MessageHandler(TEXT, on_code, block=False), cancel_button],
            CONSENT: [press(on_consent_given, cb.ConsentGiven, block=False), cancel_button],
            ConversationHandler.WAITING: [
                CommandHandler("cancel", on_cancel),
                MessageHandler(filters.ALL, on_still_checking),
                CallbackQueryHandler(on_still_checking),
            ],
            ConversationHandler.TIMEOUT: [TypeHandler(Update, on_timeout)],
        },
        fallbacks=[CommandHandler("cancel", on_cancel)],
        conversation_timeout=timeout,
        allow_reentry=True,
        name="credentials",
        persistent=True,
    )


# --- /disconnect -------------------------------------------------------------------------


async def on_disconnect(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    plan = await manager(context).targets(user.telegram_id)
    if not plan.items:
        screen = render.plain("disconnect.none", user.language)
    elif len(plan.items) == 1:
        screen = render.disconnect_confirm(plan.items[0], user.language)
    else:
        key, _, kind = PICK_QUESTIONS[1]
        screen = render.pick_connection(plan.items, key, kind, user.language)
    await send(context, chat_id_of(update), screen)


async def on_ask_disconnect(update: Update, context: Ctx) -> None:
    pressed = await read_press(update, context, cb.AskDisconnect)
    if pressed is None:
        return
    press, lang, _, telegram_id = pressed
    try:
        plan = await manager(context).targets(telegram_id, press.connection)
    except NotFound:
        await answer(update, t(lang, "stale_button"))
        return
    await answer(update)
    screen = (
        render.disconnect_confirm(plan.items[0], lang)
        if plan.items
        else render.plain("credentials.gone", lang)
    )
    if press.here:
        await _show(context, chat_id_of(update), _message_id(update), screen)
    else:
        await send(context, chat_id_of(update), screen)


async def on_confirm_disconnect(update: Update, context: Ctx) -> None:
    """Disconnect (non-blocking: revoking the consent may take the bank a while)."""
    pressed = await read_press(update, context, cb.ConfirmDisconnect)
    if pressed is None:
        return
    press, lang, _, telegram_id = pressed
    connections = manager(context)
    try:
        plan = await connections.targets(telegram_id, press.connection)
    except NotFound:
        await answer(update, t(lang, "stale_button"))
        return
    await answer(update)
    chat_id, message_id = chat_id_of(update), _message_id(update)
    if plan.items:
        working = render.plain("disconnect.working", lang, bank=plan.items[0].institution_name)
        message_id = await _show(context, chat_id, message_id, working)
    try:
        result = await connections.disconnect(telegram_id, press.connection)
    except NotFound:
        return
    await _show(context, chat_id, message_id, render.disconnected(result, lang))


# --- /deletemydata ---------------------------------------------------------------------------


async def on_delete_my_data(update: Update, context: Ctx) -> None:
    """Ask for an explicit confirmation; nobody is created just to be asked."""
    tg_user = update.effective_user
    assert tg_user is not None
    known = await manager(context).language_of(tg_user.id)
    lang = known or language_from_telegram(tg_user.language_code)
    if known is None:
        await send(context, chat_id_of(update), render.plain("delete.nothing", lang))
        return
    now = runtime(context).services.clock.now()
    await send(context, chat_id_of(update), render.erase_confirm(int(now.timestamp()), lang))


async def on_confirm_erase(update: Update, context: Ctx) -> None:
    """Erase everything about the pressing user (never anyone else: the button names nobody)."""
    tg_user = update.effective_user
    query = update.callback_query
    assert tg_user is not None and query is not None
    connections = manager(context)
    lang = await connections.language_of(tg_user.id) or language_from_telegram(
        tg_user.language_code
    )
    try:
        press = cb.parse_as(query.data, cb.ConfirmErase)
    except cb.BadButton:
        await answer(update, t(lang, "stale_button"))
        return
    age = time_since(context, press.asked)
    if not 0 <= age <= ERASE_CONFIRM_SECONDS:
        await answer(update, t(lang, "delete.expired"))
        return
    await answer(update)
    chat_id, message_id = chat_id_of(update), _message_id(update)
    message_id = await _show(context, chat_id, message_id, render.plain("delete.working", lang))
    rt = runtime(context)
    await rt.flows.end(tg_user.id)
    _sign_ins(context).pop(tg_user.id, None)
    result = await connections.erase(tg_user.id)
    context.application.drop_user_data(tg_user.id)
    context.application.drop_chat_data(chat_id)
    key = "delete.done" if result.existed else "delete.nothing"
    await _show(context, chat_id, message_id, render.plain(key, lang))


def time_since(context: Ctx, stamp: int) -> float:
    """Seconds from `stamp` (a button's) to now, on the bot's clock (tests move it)."""
    return runtime(context).services.clock.now().timestamp() - stamp


def handlers(timeout: float = SIGN_IN_TIMEOUT) -> list[Any]:
    """The connection-management surface; the /credentials conversation comes first."""

    def press(callback: Any, *kinds: type[cb.Button], block: bool = True) -> Any:
        return CallbackQueryHandler(callback, pattern=cb.matcher(*kinds), block=block)

    return [
        sign_in_conversation(timeout),
        CommandHandler("accounts", on_accounts, filters=PRIVATE),
        CommandHandler("refresh", on_refresh, filters=PRIVATE, block=False),
        CommandHandler("disconnect", on_disconnect, filters=PRIVATE),
        CommandHandler("deletemydata", on_delete_my_data, filters=PRIVATE),
        CommandHandler(list(COMMANDS), on_private_only, filters=~PRIVATE),
        press(on_refresh_button, cb.RefreshConnection, block=False),
        press(on_ask_disconnect, cb.AskDisconnect),
        press(on_confirm_disconnect, cb.ConfirmDisconnect, block=False),
        press(on_confirm_erase, cb.ConfirmErase, block=False),
        press(on_keep, cb.KeepAsIs),
        press(on_overview_page, cb.OverviewPage),
        press(on_connections_page, cb.ConnectionsPage),
        press(on_help_topic, cb.ShowHelp),
    ]
