"""The consent step of the sign-in: the bank's link is out, and the flow waits until the
bank sends the user back (our callback route), the provider says it is done (polling), or
the user pastes the address they landed on.

The callback and the polls arrive as `ConsentReturned` updates in the user's own line
(handlers.updates), so they never overlap the user's presses.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application, ContextTypes, TypeHandler

from bot.domain.secret import Secret
from bot.services.connect_flow import ConnectFlow, ConsentReturned, Step
from bot.services.sign_in import Consent, SignIn
from handlers.context import Ctx, Runtime, runtime
from handlers.flow import go, with_bank

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]

POLL_EVERY_S = 5.0
"""How often a polled provider is asked whether the consent is done."""
MAX_ANSWER_CHARS = 4096
"""An address pasted or a callback's query string longer than this is not a bank's."""


def _poll_name(flow: ConnectFlow) -> str:
    return f"consent-poll-{flow.telegram_id}"


def arm_polling(app: App, sign_in: SignIn, flow: ConnectFlow) -> None:
    """Ask the provider every few seconds while the flow waits at its consent (one job per
    user); the flow's own timeout ends the wait."""
    if app.job_queue is None or not sign_in.polls_consent(flow):
        return
    for job in app.job_queue.get_jobs_by_name(_poll_name(flow)):
        job.schedule_removal()
    app.job_queue.run_repeating(
        _poll,
        interval=POLL_EVERY_S,
        first=POLL_EVERY_S,
        name=_poll_name(flow),
        data=(flow.telegram_id, flow.flow_id),
    )


def resume_polling(app: App, restored: list[ConnectFlow]) -> None:
    """At startup: the kept flows that wait at a polled consent are polled again."""
    rt: Runtime = app.bot_data["runtime"]
    for flow in restored:
        if flow.step is Step.CONSENT and flow.challenge is not None:
            arm_polling(app, rt.sign_in, flow)


async def _poll(context: ContextTypes.DEFAULT_TYPE) -> None:
    job = context.job
    assert job is not None and isinstance(job.data, tuple)
    telegram_id, flow_id = job.data
    rt: Runtime = context.bot_data["runtime"]
    flow = rt.flows.current(telegram_id, flow_id)
    if flow is not None and flow.busy:
        return  # the bank is being asked (the link itself, or the user's own press)
    if flow is None or flow.step is not Step.CONSENT or flow.challenge is None:
        job.schedule_removal()
        return
    returned = ConsentReturned(telegram_id, flow.challenge.reference, Secret(""), polled=True)
    await context.application.update_queue.put(returned)


async def consent_returned(app: App, reference: str, answer: str) -> bool:
    """Our callback route's part: the bank sent a user back with `reference`; queue it for
    the flow that waits for it. False when no flow does (stale, forged, or restarted)."""
    rt: Runtime = app.bot_data["runtime"]
    flow = rt.flows.waiting_for(reference)
    if flow is None or len(answer) > MAX_ANSWER_CHARS:
        return False
    await app.update_queue.put(ConsentReturned(flow.telegram_id, reference, Secret(answer)))
    return True


async def on_consent_returned(update: object, context: Ctx) -> None:
    """Continue the sign-in with what the bank sent back; a poll that finds the consent still
    under way changes nothing on screen."""
    assert isinstance(update, ConsentReturned)
    rt = runtime(context)
    flow = rt.flows.get(update.telegram_id)
    if flow is None or not rt.sign_in.consent_waiting(flow, update.reference):
        return
    user = await rt.services.meet(flow.telegram_id, flow.chat_id, None)
    if not update.polled:
        answer = update.answer.reveal()
        await with_bank(update, context, flow, lambda: rt.sign_in.code(flow, answer), user.language)
        return
    flow.busy = True
    try:
        step = await rt.sign_in.code(flow, "")
    finally:
        flow.busy = False
    if isinstance(step, Consent) and step.waiting:
        return
    await go(context, flow, step, user.language)


def handlers() -> list[Any]:
    return [TypeHandler(ConsentReturned, on_consent_returned)]
