"""The Bot API server answers the real python-telegram-bot like Telegram: messages, buttons,
files, commands and the errors the bot meets."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.support.botapi import BotApiStandIn, JSONDict, running

ALICE = 1001
BOB = 1002
GROUP = -100200300


@pytest.fixture
async def api() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn() as standin:
        yield standin


def ci(fragment: str) -> re.Pattern[str]:
    """PTB capitalizes Bot API error texts ("Button_data_invalid"): match case-insensitively."""
    return re.compile(re.escape(fragment), re.IGNORECASE)


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=label.lower()) for label in labels]]
    )


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(
        f"echo: {update.message.text}", reply_markup=keyboard("Yes", "No")
    )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_html("<b>Bonjour</b> M&amp;S &lt;PARIS&gt; 🏦 <i>ok</i>")


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(f"got {query.data}")
    await query.edit_message_text(f"chose {query.data}")


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.document is not None
    file = await update.message.document.get_file()
    data = await file.download_as_bytearray()
    await update.message.reply_document(
        bytes(data).upper(), filename="upper.csv", caption="<b>done</b>", parse_mode=ParseMode.HTML
    )


def build_app(api: BotApiStandIn, builder: Any = None) -> Any:
    app = api.configure(builder or ApplicationBuilder()).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    app.add_handler(CallbackQueryHandler(on_button))
    return app


async def test_application_echoes_and_message_ids_are_shared(api: BotApiStandIn) -> None:
    alice = api.user(ALICE)
    async with running(build_app(api)):
        first = api.send_text(alice, "hello")
        reply = await api.wait_for_bot_text(ALICE, "echo: hello")
        second = api.send_text(alice, "again")
        await api.wait_for_bot_text(ALICE, "echo: again")

    assert (first, reply.message_id, second) == (1, 2, 3)
    assert [(m.from_bot, m.text) for m in api.messages(ALICE)] == [
        (False, "hello"),
        (True, "echo: hello"),
        (False, "again"),
        (True, "echo: again"),
    ]
    assert reply.buttons() == [[("Yes", "yes"), ("No", "no")]]
    assert reply.button("No") == "no"
    with pytest.raises(AssertionError, match="Yes"):
        reply.button("Maybe")
    assert api.last_bot_message(ALICE) is api.bot_messages(ALICE)[-1]
    assert api.calls_to("getMe")
    assert api.pending_updates == []


async def test_command_entity_and_html_reply(api: BotApiStandIn) -> None:
    alice = api.user(ALICE)
    async with running(build_app(api)):
        api.send_text(alice, "/start")
        reply = await api.wait_for_bot_text(ALICE, "Bonjour")

    command = api.message(ALICE, 1)
    assert command.entities == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert reply.text == "Bonjour M&S <PARIS> 🏦 ok"
    assert reply.parse_mode == "HTML"
    assert reply.raw_text is not None and reply.raw_text.startswith("<b>Bonjour</b>")
    assert reply.entities == [
        {"type": "bold", "offset": 0, "length": 7},
        {"type": "italic", "offset": 23, "length": 2},
    ]


async def test_button_press_is_answered_and_edits_the_message(api: BotApiStandIn) -> None:
    alice = api.user(ALICE)
    async with running(build_app(api)):
        api.send_text(alice, "hello")
        question = await api.wait_for_bot_text(ALICE, "echo: hello")
        mark = api.mark()
        query_id = api.press_button(alice, question, "Yes")
        answer = await api.wait_for(lambda: api.callback_answer(query_id))
        edited = await api.wait_for_bot_text(ALICE, "chose yes", since=mark)

    assert answer == {"text": "got yes", "show_alert": False, "url": None, "cache_time": 0}
    assert edited is question
    assert (edited.edits, edited.history, edited.reply_markup) == (1, ["echo: hello"], None)
    assert api.unanswered_callbacks() == []
    assert [p["text"] for p in api.calls_to("editMessageText")] == ["chose yes"]


async def test_edit_errors_and_deletion(api: BotApiStandIn) -> None:
    alice = api.user(ALICE)
    user_message = api.send_text(alice, "my password")
    async with api.bot() as bot:
        sent = await bot.send_message(ALICE, "Total", reply_markup=keyboard("Ok"))
        with pytest.raises(BadRequest, match=ci("message is not modified")):
            await bot.edit_message_text(
                "Total", ALICE, sent.message_id, reply_markup=keyboard("Ok")
            )
        edited = await bot.edit_message_text("Total", ALICE, sent.message_id)
        assert isinstance(edited, type(sent)) and edited.reply_markup is None
        assert edited.edit_date is not None
        with pytest.raises(BadRequest, match=ci("message is not modified")):
            await bot.edit_message_reply_markup(ALICE, sent.message_id)
        await bot.edit_message_reply_markup(ALICE, sent.message_id, reply_markup=keyboard("A"))
        with pytest.raises(BadRequest, match=ci("message can't be edited")):
            await bot.edit_message_text("x", ALICE, user_message)

        assert await bot.delete_message(ALICE, user_message) is True
        with pytest.raises(BadRequest, match=ci("message to delete not found")):
            await bot.delete_message(ALICE, user_message)
        await bot.delete_message(ALICE, sent.message_id)
        with pytest.raises(BadRequest, match=ci("message to edit not found")):
            await bot.edit_message_text("again", ALICE, sent.message_id)
        with pytest.raises(BadRequest, match=ci("chat not found")):
            await bot.send_message(424242, "hi")

    assert api.message(ALICE, user_message).deleted
    assert api.bot_messages(ALICE) == []
    assert [m.message_id for m in api.bot_messages(ALICE, include_deleted=True)] == [2]
    assert api.message(ALICE, 2).edits == 2


async def test_callback_queries_are_answered_once(api: BotApiStandIn) -> None:
    alice = api.user(ALICE)
    async with api.bot() as bot:
        sent = await bot.send_message(ALICE, "Pick", reply_markup=keyboard("A"))
        query_id = api.press(alice, sent.message_id, "forged:data")
        updates = await bot.get_updates()
        assert updates[0].callback_query is not None
        assert updates[0].callback_query.data == "forged:data"
        assert updates[0].callback_query.message is not None
        assert updates[0].callback_query.message.message_id == sent.message_id
        assert api.unanswered_callbacks() == [query_id]
        await bot.answer_callback_query(query_id, "Refusé", show_alert=True)
        with pytest.raises(BadRequest, match=ci("query is too old")):
            await bot.answer_callback_query(query_id)
        with pytest.raises(BadRequest, match=ci("query id is invalid")):
            await bot.answer_callback_query("12345")
    answer = api.callback_answer(query_id)
    assert answer is not None and answer["text"] == "Refusé" and answer["show_alert"] is True


async def test_commands_per_scope_and_language(api: BotApiStandIn) -> None:
    async with api.bot() as bot:
        await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
        await bot.set_my_commands(
            [BotCommand("start", "Démarrer")],
            scope=BotCommandScopeAllPrivateChats(),
            language_code="fr",
        )
        fr = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="fr")
        assert [(c.command, c.description) for c in fr] == [("start", "Démarrer")]
        assert await bot.get_my_commands(language_code="de") == ()
        with pytest.raises(BadRequest, match=ci("bot_command_invalid")):
            await bot.set_my_commands([BotCommand("Bad-Command", "x")])
        await bot.delete_my_commands()

    assert api.commands == {
        ("all_private_chats", "fr"): [{"command": "start", "description": "Démarrer"}]
    }


async def test_document_round_trip(api: BotApiStandIn) -> None:
    alice = api.user(ALICE)
    content = b"date;amount\n2025-01-02;-12,50\n"
    async with running(build_app(api)):
        api.send_document(alice, "releve.csv", content, "text/csv")
        reply = await api.wait_for_bot_text(ALICE, "done")

    assert reply.document is not None and reply.document["file_name"] == "upper.csv"
    assert reply.document_content == content.upper()
    assert reply.caption == "done" and reply.text is None
    assert api.file_content(reply.document["file_id"]) == content.upper()
    assert [name for name, _ in api.calls if name in ("getFile", "sendDocument")] == [
        "getFile",
        "sendDocument",
    ]
    assert api.calls_to("sendDocument")[0]["document"]["filename"] == "upper.csv"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_429_surfaces_retry_after_and_is_one_shot(api: BotApiStandIn) -> None:
    api.user(ALICE)
    api.fail_next("sendMessage", retry_after=3)
    async with api.bot() as bot:
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(ALICE, "hi")
        retry = caught.value.retry_after
        assert (retry if isinstance(retry, int) else retry.total_seconds()) == 3
        await bot.send_message(ALICE, "hi")
    assert [m.text for m in api.bot_messages(ALICE)] == ["hi"]
    assert len(api.calls_to("sendMessage")) == 2


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_rate_limiter_retries_after_429(api: BotApiStandIn) -> None:
    alice = api.user(ALICE)
    api.fail_next("sendMessage", retry_after=1)
    app = build_app(api, ApplicationBuilder().rate_limiter(AIORateLimiter(max_retries=2)))
    async with running(app):
        api.send_text(alice, "hello")
        await api.wait_for_bot_text(ALICE, "echo: hello")
    assert len(api.calls_to("sendMessage")) == 2


async def test_blocked_user_gets_forbidden(api: BotApiStandIn) -> None:
    alice = api.user(ALICE)
    api.user(BOB, "Bob", "en")
    api.block_user(ALICE)
    async with api.bot() as bot:
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(ALICE, "digest")
        with pytest.raises(Forbidden):
            await bot.send_chat_action(ALICE, "typing")
        await bot.send_message(BOB, "digest")
        updates = await bot.get_updates()
        member = updates[0].my_chat_member
        assert member is not None and member.new_chat_member.status == "kicked"
        api.send_text(alice, "/start")
        await bot.send_message(ALICE, "welcome back")
    assert [m.text for m in api.bot_messages(ALICE)] == ["welcome back"]
    assert len(api.bot_messages(BOB)) == 1


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"reply_markup": keyboard("x" * 65)}, "button_data_invalid"),
        (
            {
                "reply_markup": InlineKeyboardMarkup(
                    [[InlineKeyboardButton("é", callback_data="é" * 33)]]
                )
            },
            "button_data_invalid",
        ),
        (
            {
                "reply_markup": InlineKeyboardMarkup(
                    [[InlineKeyboardButton(str(i), callback_data="d")] for i in range(101)]
                )
            },
            "too many buttons",
        ),
        ({"text": "x" * 4097}, "message is too long"),
        ({"text": "   "}, "message text is empty"),
        ({"text": "<b>bold", "parse_mode": "HTML"}, 'corresponding to start tag "b"'),
        ({"text": "a <br> b", "parse_mode": "HTML"}, 'Unsupported start tag "br"'),
        ({"text": "M&S <PARIS>", "parse_mode": "HTML"}, 'Unsupported start tag "paris"'),
        ({"text": "<b><i>x</b></i>", "parse_mode": "HTML"}, 'expected "</i>", found "</b>"'),
        ({"text": "*bold*", "parse_mode": "MarkdownV2"}, "unsupported parse_mode"),
        ({"text": "hi", "parse_mode": "Texte"}, "unsupported parse_mode"),
    ],
)
async def test_send_message_validation(
    api: BotApiStandIn, kwargs: dict[str, Any], error: str
) -> None:
    api.user(ALICE)
    params: dict[str, Any] = {"chat_id": ALICE, "text": "hello"} | kwargs
    async with api.bot() as bot:
        with pytest.raises(BadRequest, match=ci(error)):
            await bot.send_message(**params)
    assert api.bot_messages(ALICE) == []


async def test_limits_are_inclusive(api: BotApiStandIn) -> None:
    api.user(ALICE)
    async with api.bot() as bot:
        await bot.send_message(ALICE, "é" * 4096, reply_markup=keyboard("y" * 64))
        await bot.send_message(ALICE, "x", reply_markup=keyboard(*["b"] * 100))
        await bot.send_message(ALICE, "a & b < c", reply_markup=InlineKeyboardMarkup([]))
    assert [len(m.text or "") for m in api.bot_messages(ALICE)] == [4096, 1, 9]
    assert api.bot_messages(ALICE)[2].reply_markup is None


async def test_formatting_is_parsed_like_telegram(api: BotApiStandIn) -> None:
    api.user(ALICE)
    async with api.bot() as bot:
        html = await bot.send_message(
            ALICE,
            '\n <a href="https://x.test/?a=1&amp;b=2">lien</a> <pre><code class="language-py">'
            "1 &lt; 2</code></pre> <tg-spoiler>s</tg-spoiler>\n",
            parse_mode=ParseMode.HTML,
        )
    assert html.text == "lien 1 < 2 s"
    assert [(e.type, e.offset, e.length) for e in html.entities] == [
        ("text_link", 0, 4),
        ("pre", 5, 5),
        ("spoiler", 11, 1),
    ]
    assert html.entities[0].url == "https://x.test/?a=1&b=2"
    assert html.entities[1].language == "py"


async def test_group_chat(api: BotApiStandIn) -> None:
    alice = api.user(ALICE)
    bob = api.user(BOB, "Bob")
    async with running(build_app(api)):
        api.send_text(alice, "hidden by privacy mode", chat_id=GROUP, chat_type="group")
        api.send_text(alice, "/start@PointageTestBot", chat_id=GROUP, chat_type="group")
        hello = await api.wait_for_bot_text(GROUP, "Bonjour")
        api.send_text(bob, "from bob", chat_id=GROUP, reply_to=hello.message_id)
        question = await api.wait_for_bot_text(GROUP, "echo: from bob")
        query_id = api.press(bob, question.message_id, "no", chat_id=GROUP)
        await api.wait_for(lambda: api.callback_answer(query_id))
    assert [m.from_id for m in api.messages(GROUP) if not m.from_bot] == [ALICE, ALICE, BOB]
    assert not any("hidden" in m.shown_text for m in api.bot_messages(GROUP))
    assert question.reply_to_message_id == 4
    assert api.message(GROUP, question.message_id).text == "chose no"
    assert api.messages(ALICE) == []


def rows_of(count: int, per_row: int = 8, data: str = "d") -> JSONDict:
    buttons = [{"text": str(i), "callback_data": data} for i in range(count)]
    return {"inline_keyboard": [buttons[i : i + per_row] for i in range(0, count, per_row)]}


@pytest.mark.parametrize(
    ("markup", "description"),
    [
        (rows_of(101), "Bad Request: too many buttons"),
        (rows_of(101, per_row=1), "Bad Request: too many buttons"),
        (rows_of(1, data="x" * 65), "Bad Request: BUTTON_DATA_INVALID"),
        (rows_of(1, data="é" * 33), "Bad Request: BUTTON_DATA_INVALID"),
        (rows_of(1, data=""), "Bad Request: BUTTON_DATA_INVALID"),
    ],
)
async def test_keyboards_over_telegrams_limits_are_refused_on_send_and_on_edit(
    api: BotApiStandIn, markup: JSONDict, description: str
) -> None:
    """Counted over every row together, as Telegram does; an edit refused changes nothing."""
    api.user(ALICE)
    base = f"{api.url}/bot{api.token}"
    refused = {"ok": False, "error_code": 400, "description": description}
    async with api.bot() as bot:
        sent = await bot.send_message(ALICE, "Pick", reply_markup=keyboard("A"))
    async with aiohttp.ClientSession() as http:
        for method, params in (
            ("sendMessage", {"chat_id": ALICE, "text": "Pick"}),
            ("editMessageText", {"chat_id": ALICE, "message_id": sent.message_id, "text": "B"}),
            ("editMessageReplyMarkup", {"chat_id": ALICE, "message_id": sent.message_id}),
        ):
            async with http.post(f"{base}/{method}", json={**params, "reply_markup": markup}) as r:
                assert (r.status, await r.json()) == (400, refused), method
        async with http.post(
            f"{base}/sendMessage",
            json={"chat_id": ALICE, "text": "fits", "reply_markup": rows_of(100, per_row=1)},
        ) as response:
            assert response.status == 200
    shown = api.message(ALICE, sent.message_id)
    assert shown.text == "Pick" and shown.buttons() == [[("A", "a")]] and shown.edits == 0
    assert [m.text for m in api.bot_messages(ALICE)] == ["Pick", "fits"]


PNG_3X2 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000003000000020806000000b8adc2b4"
    "0000000b49444154789c6360a00e000000120001a4e3a0d20000000049454e44ae426082"
)


async def test_photo_round_trip(api: BotApiStandIn) -> None:
    """A chart sent as a photo: its size read from the image, fetched back byte for byte."""
    api.user(ALICE)
    async with api.bot() as bot:
        sent = await bot.send_photo(
            ALICE, PNG_3X2, caption="<b>Mars</b>", parse_mode=ParseMode.HTML
        )
        size = sent.photo[-1]
        assert (size.width, size.height) == (3, 2) and sent.caption == "Mars"
        fetched = await (await bot.get_file(size.file_id)).download_as_bytearray()
        with pytest.raises(BadRequest, match=ci("image_process_failed")):
            await bot.send_photo(ALICE, b"not an image")
    assert bytes(fetched) == PNG_3X2
    shown = api.bot_messages(ALICE)[-1]
    assert shown.photo is not None and shown.document_content == PNG_3X2
