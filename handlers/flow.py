"""The plumbing of the one sign-in flow: which step a message or press answers, showing the
flow's next screen, bank calls in the background, timeouts, and the return after a restart.

The flow (bot.services.connect_flow) is the only state: handlers are picked by its step through
filters, and each screen is kept (without secrets) before it is shown. Timeouts are jobs of
PTB's JobQueue, armed again at every screen and after a restart.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable, Collection
from typing import Any, TypeVar

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, filters

from bot.i18n import t
from bot.services.connect_flow import ConnectFlow, FlowStore, Step
from bot.services.sign_in import Ask, Next, Prompt
from handlers import callbacks as cb
from handlers import render
from handlers.context import Ctx, Runtime, answer, edit, read_press, runtime, send
from handlers.render import signin as screens

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]
B = TypeVar("B", bound=cb.FlowButton)
FlowPress = Callable[[Update, Ctx, ConnectFlow, B, str], Awaitable[None]]
EVERY_STEP = frozenset(Step)


class AtStep(filters.MessageFilter):
    """Messages from a user whose flow waits at one of `steps` (and not for the bank)."""

    def __init__(self, flows: FlowStore, steps: Collection[Step], *, busy: bool = False) -> None:
        super().__init__(name=f"AtStep({sorted(steps)}, busy={busy})")
        self.flows, self.steps, self.busy = flows, frozenset(steps), busy

    def filter(self, message: Message) -> bool:
        sender = message.from_user
        flow = self.flows.get(sender.id) if sender is not None else None
        return flow is not None and flow.busy is self.busy and flow.step in self.steps


def has_flow(flows: FlowStore) -> filters.BaseFilter:
    return AtStep(flows, EVERY_STEP) | AtStep(flows, EVERY_STEP, busy=True)


def pressed(kind: type[B], steps: Collection[Step]) -> Callable[[FlowPress[B]], Any]:
    """A flow button's handler: it runs only for the presser's live flow at one of `steps`,
    from the flow's message; any other press is answered politely and changes nothing."""
    allowed = frozenset(steps)

    def wrap(handler: FlowPress[B]) -> CallbackQueryHandler[Any, Any]:
        @functools.wraps(handler)
        async def run(update: Update, context: Ctx) -> None:
            pressed = await read_press(update, context, kind)
            if pressed is None:
                return
            flows = runtime(context).flows
            flow = flows.current(pressed.telegram_id, pressed.button.flow)
            if flow is not None and flow.busy:
                await answer(update, screens.still_working(flow, pressed.lang))
                return
            if (
                flow is None
                or flow.step not in allowed
                or not _is_flow_message(flow, pressed.message_id)
            ):
                await answer(update, t(pressed.lang, "stale_button"))
                return
            if flow.status_message_id != pressed.message_id:
                flow.status_message_id = pressed.message_id
                await flows.save(flow, touched=False)
            await handler(update, context, flow, pressed.button, pressed.lang)

        return CallbackQueryHandler(run, pattern=cb.matcher(kind))

    return wrap


def _is_flow_message(flow: ConnectFlow, message_id: int) -> bool:
    """The flow's own message, or a newer one of the same flow.

    A newer one happens when the bot stopped between sending a screen and saving its id;
    buttons of the flow's older, replaced messages stay inactive.
    """
    return flow.status_message_id is None or message_id >= flow.status_message_id


# --- showing ------------------------------------------------------------------------------


async def go(context: Ctx, flow: ConnectFlow, step: Next, lang: str, *, new: bool = False) -> None:
    """Show what comes next: the flow is kept first (and its timeout armed), so a restart
    finds what the user saw. A request to sign in again after a restart is a new message."""
    screen = screens.next_screen(flow, step, lang)
    if screen is None:
        return
    await keep(context, flow)
    if isinstance(step, Ask) and step.prompt is Prompt.RESTARTED:
        await show_new(context, flow, screen)
        flow.restart_notice_id = flow.status_message_id
        await runtime(context).flows.save(flow, touched=False)
    elif new:
        await show_new(context, flow, screen)
    else:
        await show(context, flow, screen)


async def keep(context: Ctx, flow: ConnectFlow) -> None:
    rt = runtime(context)
    await rt.flows.save(flow)
    if rt.flows.is_current(flow):
        arm_timeout(context.application, rt, flow, rt.flow_timeout)


async def show(context: Ctx, flow: ConnectFlow, screen: render.Screen) -> None:
    old = flow.status_message_id
    if old is None:
        flow.status_message_id = await send(context, flow.chat_id, screen)
    else:
        flow.status_message_id = await edit(context, flow.chat_id, old, screen)
    if flow.status_message_id != old:
        await runtime(context).flows.save(flow, touched=False)


async def show_new(context: Ctx, flow: ConnectFlow, screen: render.Screen) -> None:
    """A fresh message below the user's own, which becomes the flow's message."""
    old = flow.status_message_id
    flow.status_message_id = await send(context, flow.chat_id, screen)
    await runtime(context).flows.save(flow, touched=False)
    if old is not None:
        await strip_keyboard(context, flow.chat_id, old)


async def strip_keyboard(context: Ctx, chat_id: int, message_id: int) -> None:
    try:
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except Exception as error:  # an old message that cannot be edited is harmless
        log.debug("could not strip keyboard: %s", type(error).__name__)


async def with_bank(
    update: object, context: Ctx, flow: ConnectFlow, call: Callable[[], Awaitable[Next]], lang: str
) -> None:
    """Ask the bank in the background: the bot keeps answering meanwhile, and what the user
    sends before the answer is told to wait (the flow is busy)."""
    flow.busy = True
    try:
        await show(context, flow, screens.working(flow, lang))
    except BaseException:
        flow.busy = False
        raise

    async def run() -> None:
        try:
            step = await call()
        finally:
            flow.busy = False
        await go(context, flow, step, lang)

    if context.application.running:
        context.application.create_task(run(), update=update, name="sign-in-bank-call")
    else:  # shutting down: nothing can answer this screen before the restart anyway
        await run()


# --- timeouts and restarts ------------------------------------------------------------------


def _timeout_name(flow: ConnectFlow) -> str:
    return f"flow-timeout-{flow.telegram_id}"


def arm_timeout(app: App, rt: Runtime, flow: ConnectFlow, delay: float) -> None:
    """(Re)arm the flow's timeout: one job per user, replaced at every screen."""
    if app.job_queue is None:
        return
    for job in app.job_queue.get_jobs_by_name(_timeout_name(flow)):
        job.schedule_removal()
    app.job_queue.run_once(
        _expire,
        max(delay, 0.0),
        data=(flow.telegram_id, flow.flow_id),
        name=_timeout_name(flow),
        # armed before the job queue starts (after a restart): never skip it as "misfired"
        job_kwargs={"misfire_grace_time": None},
    )


async def _expire(context: Ctx) -> None:
    assert context.job is not None and isinstance(context.job.data, tuple)
    telegram_id, flow_id = context.job.data
    assert isinstance(telegram_id, int) and isinstance(flow_id, str)
    rt = runtime(context)
    flow = rt.flows.current(telegram_id, flow_id)
    if flow is None:
        return
    left = rt.flow_timeout - (time.time() - flow.touched_at)
    if flow.busy or left > 0.05:  # the bank is answering, or the flow moved on meanwhile
        arm_timeout(context.application, rt, flow, left if left > 0.05 else rt.flow_timeout)
        return
    await rt.flows.end(telegram_id)
    if flow.status_message_id is None:
        return
    user = await rt.services.meet(telegram_id, flow.chat_id, None)
    screen = render.plain(screens.words(flow, "timeout"), user.language)
    try:
        await edit(context, flow.chat_id, flow.status_message_id, screen)
    except TelegramError as error:
        log.info("timeout not shown: %s", error.message)


async def resume_after_restart(app: App, restored: list[ConnectFlow]) -> None:
    """At startup: re-arm the timeouts of the kept flows, and tell the users whose bank login
    was lost to sign in again (one new message each)."""
    rt: Runtime = app.bot_data["runtime"]
    for flow in restored:
        remaining = rt.flow_timeout - (time.time() - flow.touched_at)
        if flow.restart_notice_due and remaining > 0:
            try:
                user = await rt.services.meet(flow.telegram_id, flow.chat_id, None)
                await _notify(app, rt, flow, user.language)
            except TelegramError as error:
                log.warning("could not ask a user to sign in again: %s", error.message)
            remaining = rt.flow_timeout
        arm_timeout(app, rt, flow, remaining)


async def _notify(app: App, rt: Runtime, flow: ConnectFlow, lang: str) -> None:
    screen = screens.ask(flow, Prompt.RESTARTED, lang)
    old = flow.status_message_id
    message = await app.bot.send_message(
        flow.chat_id, screen.text, parse_mode="HTML", reply_markup=screen.keyboard
    )
    flow.status_message_id = flow.restart_notice_id = message.message_id
    await rt.flows.save(flow, touched=False)
    if old is not None:
        try:
            await app.bot.edit_message_reply_markup(flow.chat_id, old, reply_markup=None)
        except TelegramError as error:
            log.debug("could not strip keyboard: %s", error.message)
