"""Bank files: a document sent in the private chat, /import, and the file's questions."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.files.importer import MAX_FILE_BYTES, FileError
from bot.services.errors import InvalidInput, NotFound
from bot.services.import_views import ColumnRole
from bot.services.imports import FileImports
from handlers import callbacks as cb
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
from handlers.render import imports as render

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE


async def on_import(update: Update, context: Ctx) -> None:
    """What files are read, and to send one."""
    user = await acting_user(update, context)
    await send(context, chat_id_of(update), render.help_text(user.language))


async def on_document(update: Update, context: Ctx) -> None:
    """A bank file: refused before download when too large, else read and its first question."""
    user = await acting_user(update, context)
    message = update.effective_message
    assert message is not None and message.document is not None
    document, chat = message.document, chat_id_of(update)
    if document.file_size is not None and document.file_size > MAX_FILE_BYTES:
        await send(context, chat, render.too_large(user.language))
        return
    progress = await send(context, chat, render.reading(user.language))
    try:
        data = bytes(await (await context.bot.get_file(document.file_id)).download_as_bytearray())
    except TelegramError as error:
        log.info("bank file not downloaded: %s", error.message)
        await edit(context, chat, progress, render.too_large(user.language))
        return
    try:
        found = await runtime(context).imports.read(
            user.telegram_id, document.file_name or "", data
        )
    except FileError as error:
        await edit(context, chat, progress, render.problem(error, user.language))
        return
    await edit(context, chat, progress, render.step(found, user.language))


async def on_document_in_group(update: Update, context: Ctx) -> None:
    """Files are taken in the private chat only: never downloaded here."""
    user = await acting_user(update, context)
    screen = render.private_only(user.language, context.bot.username)
    await send(context, chat_id_of(update), screen)


@on_press(cb.IntoAccount, cb.IntoNewAccount)
async def on_into_account(update: Update, context: Ctx, pressed: Press[cb.Button]) -> None:
    """Import one statement: "Importing N transactions…", then its summary and what is next."""
    press, lang, message_id, telegram_id = pressed
    assert isinstance(press, cb.IntoAccount | cb.IntoNewAccount)
    imports = runtime(context).imports
    count = imports.lines_in(telegram_id, press.token, press.index)
    chat = chat_id_of(update)
    await edit(context, chat, message_id, render.importing(count, lang))
    account = press.account if isinstance(press, cb.IntoAccount) else None
    try:
        result = await imports.import_into(telegram_id, press.token, press.index, account)
    except NotFound:  # not the presser's account: the question again, and the polite answer
        asked = await imports.account_question(telegram_id, press.token, press.index)
        await edit(context, chat, message_id, render.step(asked, lang))
        raise
    await answer(update)
    await edit(context, chat, message_id, render.imported(result, lang))


@on_press(cb.FileAccountsPage)
async def on_accounts_page(
    update: Update, context: Ctx, pressed: Press[cb.FileAccountsPage]
) -> None:
    press, lang, message_id, telegram_id = pressed
    asked = await runtime(context).imports.account_question(telegram_id, press.token, press.index)
    await answer(update)
    await edit(context, chat_id_of(update), message_id, render.step(asked, lang, press.page))


@on_press(cb.PickColumn, cb.TwoAmountColumns)
async def on_column(update: Update, context: Ctx, pressed: Press[cb.Button]) -> None:
    press, lang, message_id, telegram_id = pressed
    assert isinstance(press, cb.PickColumn | cb.TwoAmountColumns)
    role, column = (
        (press.role, press.index) if isinstance(press, cb.PickColumn) else (ColumnRole.AMOUNT, None)
    )
    try:
        found = await runtime(context).imports.answer_column(telegram_id, press.token, role, column)
    except FileError as error:
        await answer(update)
        await edit(context, chat_id_of(update), message_id, render.problem(error, lang))
        return
    await answer(update)
    await edit(context, chat_id_of(update), message_id, render.step(found, lang))


@on_press(cb.SameLine, cb.NewLine)
async def on_same_line(update: Update, context: Ctx, pressed: Press[cb.Button]) -> None:
    press, lang, message_id, telegram_id = pressed
    assert isinstance(press, cb.SameLine | cb.NewLine)
    stored = press.line if isinstance(press, cb.SameLine) else None
    result = await runtime(context).imports.same_line(telegram_id, press.token, press.index, stored)
    await answer(update)
    await edit(context, chat_id_of(update), message_id, render.line_answered(result, lang))


@on_press(cb.SkipBalance)
async def on_skip_balance(update: Update, context: Ctx, pressed: Press[cb.SkipBalance]) -> None:
    press, lang, message_id, telegram_id = pressed
    result = await runtime(context).imports.skip_balance(telegram_id, press.token, press.account)
    await answer(update)
    await edit(context, chat_id_of(update), message_id, render.balance_skipped(result, lang))


async def on_balance_typed(update: Update, context: Ctx) -> None:
    """The balance the bank showed, typed in the user's locale; asked again when unreadable."""
    user = await acting_user(update, context)
    message = update.effective_message
    assert message is not None and message.text is not None
    imports, chat = runtime(context).imports, chat_id_of(update)
    account = imports.awaiting_balance(user.telegram_id)
    if account is None:
        await send(context, chat, render.step_gone(user.language))
        return
    try:
        result = await imports.set_balance(user.telegram_id, account, message.text)
    except InvalidInput:
        await send(context, chat, render.bad_balance(user.language))
        return
    except NotFound:
        await send(context, chat, render.step_gone(user.language))
        return
    await send(context, chat, render.balance_set(result, user.language))


class AwaitingBalance(filters.MessageFilter):
    """Messages from a user whose file waits for a typed balance."""

    def __init__(self, imports: FileImports) -> None:
        super().__init__(name="AwaitingBalance")
        self.imports = imports

    def filter(self, message: Message) -> bool:
        sender = message.from_user
        return sender is not None and self.imports.awaiting_balance(sender.id) is not None


@on_press(cb.ImportFile)
async def on_import_button(update: Update, context: Ctx, pressed: Press[cb.ImportFile]) -> None:
    await answer(update)
    await send(context, chat_id_of(update), render.help_text(pressed.lang))


def handlers(imports: FileImports) -> list[Any]:
    """Before the review's catch-all text: a typed balance is taken here first."""
    typed = filters.TEXT & ~filters.COMMAND & PRIVATE & AwaitingBalance(imports)
    return [
        CommandHandler("import", on_import, filters=PRIVATE),
        MessageHandler(filters.Document.ALL & PRIVATE, on_document),
        MessageHandler(filters.Document.ALL & ~PRIVATE, on_document_in_group),
        MessageHandler(typed, on_balance_typed),
        on_import_button,
        on_into_account,
        on_accounts_page,
        on_column,
        on_same_line,
        on_skip_balance,
    ]
