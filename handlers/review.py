"""/review, the daily summary's buttons and the category picker."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.i18n import t
from bot.services.errors import InvalidInput, NotFound
from handlers import callbacks as cb
from handlers import render, signin
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
from handlers.start import on_unknown

AWAITING = "awaiting_input"
"""user_data key: the picker waiting for typed text (a search, a new account name)."""
LAST_SEARCH = "picker_search"
"""user_data key: the picker's last search (line and typed text), which its page buttons
redo: the text cannot travel in a 64-byte button."""
SEARCH_HITS = 1000
"""Hits kept from one search, paged on screen; past that, a few more letters narrow it."""


async def _redraw(
    update: Update, context: Ctx, anchor: int, page: int, lang: str, message_id: int
) -> None:
    assert update.effective_user is not None
    view = await runtime(context).review.digest(update.effective_user.id, anchor, page)
    await edit(context, chat_id_of(update), message_id, render.digest(view, lang))


async def on_review(update: Update, context: Ctx) -> None:
    """The digest on demand, as of now."""
    user = await acting_user(update, context)
    review = runtime(context).review
    view = await review.digest(user.telegram_id, review.new_anchor())
    _forget_input(context)
    await send(context, chat_id_of(update), render.digest(view, user.language))


@on_press(cb.ReviewPage)
async def on_page(update: Update, context: Ctx, pressed: Press[cb.ReviewPage]) -> None:
    press, lang, message_id, _ = pressed
    await answer(update)
    _forget_input(context)
    await _redraw(update, context, press.anchor, press.page, lang, message_id)


@on_press(cb.AcceptLine)
async def on_accept(update: Update, context: Ctx, pressed: Press[cb.AcceptLine]) -> None:
    """Accept one suggested line and redraw the digest; a second press changes nothing."""
    press, lang, message_id, _ = pressed
    decision = await runtime(context).review.accept(
        _user_id(update), press.line, anchor=press.anchor, page=press.page
    )
    if decision.needs_category:  # never into suspense unless the user picks it
        choices = await runtime(context).review.choices(_user_id(update), press.line)
        await answer(update, t(lang, "answer.pick_first"))
        screen = render.category_picker(choices, press.anchor, press.page, lang)
        await edit(context, chat_id_of(update), message_id, screen)
        return
    await answer(update, t(lang, "answer.accepted" if decision.changed else "answer.already"))
    assert decision.view is not None
    await edit(context, chat_id_of(update), message_id, render.digest(decision.view, lang))


@on_press(cb.AcceptPage)
async def on_accept_page(update: Update, context: Ctx, pressed: Press[cb.AcceptPage]) -> None:
    press, lang, message_id, _ = pressed
    count = await runtime(context).review.accept_page(_user_id(update), press.anchor, press.page)
    await answer(update, t(lang, "answer.accepted_all", count=count))
    await _redraw(update, context, press.anchor, press.page, lang, message_id)


@on_press(cb.ChangeLine)
async def on_change(update: Update, context: Ctx, pressed: Press[cb.ChangeLine]) -> None:
    press, lang, message_id, _ = pressed
    choices = await runtime(context).review.choices(_user_id(update), press.line)
    await answer(update)
    _forget_input(context)
    screen = render.category_picker(choices, press.anchor, press.page, lang)
    await edit(context, chat_id_of(update), message_id, screen)


@on_press(cb.FileUnder)
async def on_file_under(update: Update, context: Ctx, pressed: Press[cb.FileUnder]) -> None:
    press, lang, message_id, _ = pressed
    decision = await runtime(context).review.file_under(_user_id(update), press.line, press.account)
    await answer(update, t(lang, "answer.accepted" if decision.changed else "answer.already"))
    _forget_input(context)
    if decision.rule_offer is not None:
        screen = render.rule_offer(decision, press.anchor, press.page, lang)
        await edit(context, chat_id_of(update), message_id, screen)
        return
    await _redraw(update, context, press.anchor, press.page, lang, message_id)


@on_press(cb.Personal)
async def on_personal(update: Update, context: Ctx, pressed: Press[cb.Personal]) -> None:
    await _decide_simple(update, context, pressed)


@on_press(cb.Exclude)
async def on_exclude(update: Update, context: Ctx, pressed: Press[cb.Exclude]) -> None:
    await _decide_simple(update, context, pressed)


async def _decide_simple(
    update: Update, context: Ctx, pressed: Press[cb.Personal] | Press[cb.Exclude]
) -> None:
    press, lang, message_id, _ = pressed
    review = runtime(context).review
    if isinstance(press, cb.Exclude):
        decision = await review.exclude(_user_id(update), press.line)
        done = "answer.excluded"
    else:
        decision = await review.personal(_user_id(update), press.line)
        done = "answer.accepted"
    await answer(update, t(lang, done if decision.changed else "answer.already"))
    _forget_input(context)
    await _redraw(update, context, press.anchor, press.page, lang, message_id)


@on_press(cb.MakeRule)
async def on_make_rule(update: Update, context: Ctx, pressed: Press[cb.MakeRule]) -> None:
    press, lang, message_id, _ = pressed
    applied = await runtime(context).rules.make(
        _user_id(update),
        press.line,
        press.account,
        auto_accept=press.auto,
        condition=press.condition,
    )
    await answer(update, t(lang, "answer.rule_created", applied=applied))
    await _redraw(update, context, press.anchor, press.page, lang, message_id)


@on_press(cb.SearchAccounts, cb.NewAccount)
async def on_search_or_new(update: Update, context: Ctx, pressed: Press[cb.LineButton]) -> None:
    """Ask for typed text: a few letters to search, or the name of a new account."""
    press, lang, message_id, telegram_id = pressed
    await runtime(context).review.check_line(telegram_id, press.line)
    await answer(update)
    kind = "search" if isinstance(press, cb.SearchAccounts) else "new"
    if context.user_data is not None:
        context.user_data[AWAITING] = {
            "kind": kind,
            "line": press.line,
            "anchor": press.anchor,
            "page": press.page,
            "message": message_id,
        }
    key = "picker.search_prompt" if kind == "search" else "picker.new_prompt"
    back = cb.ChangeLine(press.line, press.anchor, press.page)
    await edit(context, chat_id_of(update), message_id, render.prompt(key, back, lang))


def awaiting_input(context: Ctx) -> dict[str, Any] | None:
    data = context.user_data.get(AWAITING) if context.user_data is not None else None
    return data if isinstance(data, dict) else None


async def on_typed(update: Update, context: Ctx) -> None:
    """Text for the picker: search the chart, or name a new account and file the line there."""
    waiting = awaiting_input(context)
    message = update.message
    if waiting is None or message is None or message.text is None:
        await on_unknown(update, context)
        return
    user = await acting_user(update, context)
    review = runtime(context).review
    line_id, anchor, page = int(waiting["line"]), int(waiting["anchor"]), int(waiting["page"])
    try:
        choices = await review.choices(user.telegram_id, line_id)
        if waiting["kind"] == "search":
            found = await review.search_categories(
                user.telegram_id, message.text, limit=SEARCH_HITS
            )
            if context.user_data is not None:
                context.user_data[LAST_SEARCH] = {"line": line_id, "query": message.text[:200]}
            screen = render.category_picker(
                choices, anchor, page, user.language, found=found, query=message.text[:40]
            )
            # in place, and still listening: the next word searches again
            waiting["message"] = await edit(
                context, chat_id_of(update), int(waiting["message"]), screen
            )
            return
        else:
            try:
                account = await review.add_category(user.telegram_id, line_id, message.text)
            except InvalidInput:
                await send(
                    context, chat_id_of(update), render.plain("picker.bad_name", user.language)
                )
                return
            decision = await review.file_under(user.telegram_id, line_id, account.id)
            screen = (
                render.rule_offer(decision, anchor, page, user.language)
                if decision.rule_offer
                else render.digest(
                    await review.digest(user.telegram_id, anchor, page), user.language
                )
            )
    except NotFound:
        _forget_input(context)
        await send(context, chat_id_of(update), render.plain("stale_button", user.language))
        return
    _forget_input(context)
    await send(context, chat_id_of(update), screen)


@on_press(cb.SearchPage)
async def on_search_page(update: Update, context: Ctx, pressed: Press[cb.SearchPage]) -> None:
    """Another page of the picker's search hits: the search is run again on the kept text."""
    press, lang, message_id, telegram_id = pressed
    kept = context.user_data.get(LAST_SEARCH) if context.user_data is not None else None
    if not isinstance(kept, dict) or kept.get("line") != press.line:
        await answer(update, t(lang, "stale_button"))
        return
    query = str(kept.get("query", ""))
    review = runtime(context).review
    choices = await review.choices(telegram_id, press.line)
    found = await review.search_categories(telegram_id, query, limit=SEARCH_HITS)
    await answer(update)
    screen = render.category_picker(
        choices,
        press.anchor,
        press.page,
        lang,
        found=found,
        query=query[:40],
        results=press.results,
    )
    await edit(context, chat_id_of(update), message_id, screen)


@on_press(cb.UndoAuto)
async def on_undo_auto(update: Update, context: Ctx, pressed: Press[cb.UndoAuto]) -> None:
    press, lang, message_id, _ = pressed
    count = await runtime(context).review.undo_auto(_user_id(update), press.anchor)
    await answer(update, t(lang, "answer.undone", count=count))
    await _redraw(update, context, press.anchor, 0, lang, message_id)


@on_press(cb.ShowDone)
async def on_show_done(update: Update, context: Ctx, pressed: Press[cb.ShowDone]) -> None:
    press, lang, message_id, _ = pressed
    await answer(update)
    lines = await runtime(context).review.recent_decisions(_user_id(update))
    await edit(context, chat_id_of(update), message_id, render.done_list(lines, press.anchor, lang))


@on_press(cb.Reopen)
async def on_reopen(update: Update, context: Ctx, pressed: Press[cb.Reopen]) -> None:
    press, lang, message_id, _ = pressed
    review = runtime(context).review
    decision = await review.reopen(_user_id(update), press.line)
    await answer(update, t(lang, "done.reopened" if decision.changed else "answer.already"))
    lines = await review.recent_decisions(_user_id(update))
    await edit(context, chat_id_of(update), message_id, render.done_list(lines, press.anchor, lang))


def _user_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


async def on_cancel(update: Update, context: Ctx) -> None:
    """/cancel while the picker waits for letters or a name ends that wait; otherwise it is
    the sign-in flow's /cancel."""
    if awaiting_input(context) is None:
        await signin.on_cancel(update, context)
        return
    _forget_input(context)
    user = await acting_user(update, context)
    await send(context, chat_id_of(update), render.plain("picker.cancelled", user.language))


def _forget_input(context: Ctx) -> None:
    if context.user_data is not None:
        context.user_data.pop(AWAITING, None)


def handlers() -> list[Any]:
    """The review surface, to register after the connect conversation."""

    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("review", on_review, filters=private),
        on_page,
        on_accept,
        on_accept_page,
        on_change,
        on_file_under,
        on_personal,
        on_exclude,
        on_make_rule,
        on_search_or_new,
        on_search_page,
        on_undo_auto,
        on_show_done,
        on_reopen,
        MessageHandler(filters.TEXT & ~filters.COMMAND & private, on_typed),
    ]
