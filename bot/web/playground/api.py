"""The playground page's HTTP API over the Bot API server: the page itself, the chats as
JSON, what a user sends or presses, the bot's command menu, its files, the clock, and a feed
of server-sent events saying what changed."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import datetime
from importlib import resources
from typing import Literal, Protocol

from aiohttp import web

from bot.i18n import LANGUAGES, t
from bot.web.botapi import BotApiServer, JSONDict, StoredMessage
from bot.web.botapi.chats import FakeUser
from bot.web.playground.html import safe_url, to_html
from bot.web.playground.people import GROUP_TITLE, PEOPLE, ChatEntry, Person, chat_entries

ClockTarget = Literal["sync", "summary"]
PREFIX = "/playground"
STATIC = resources.files("bot.web.playground") / "static"
STATIC_TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript"}
KEEPALIVE_S = 15.0
PAGE_TEXTS = (
    "playground.title",
    "playground.chats",
    "playground.group",
    "playground.group_note",
    "playground.input",
    "playground.send",
    "playground.attach",
    "playground.commands",
    "playground.clock",
    "playground.clock_now",
    "playground.to_sync",
    "playground.to_summary",
    "playground.moving",
    "playground.download",
    "playground.edited",
    "playground.offline",
    "playground.local_only",
    "playground.empty",
    "playground.language",
)


class ClockControl(Protocol):
    """The bot's clock, as the page may move it (the runner in bot/playground.py)."""

    def now(self) -> datetime: ...

    async def move(self, to: ClockTarget) -> datetime:
        """Move on to the next nightly sync or daily summary and run that job: the new now."""
        ...


class PlaygroundPage:
    """Routes under /playground (and the page at /) added to the Bot API server's app."""

    def __init__(
        self, server: BotApiServer, clock: ClockControl, people: tuple[Person, ...] = PEOPLE
    ) -> None:
        self._server = server
        self._clock = clock
        self._entries = {entry.chat_id: entry for entry in chat_entries(people)}
        self._users = {p.user_id: server.user(p.user_id, p.name, p.language) for p in people}
        self._feeds: set[asyncio.Queue[JSONDict | None]] = set()
        self._queries: dict[str, int] = {}
        server.watchers.append(self._on_change)

    def add_to(self, app: web.Application) -> None:
        routes = [
            web.get("/", self._index),
            web.get(PREFIX + "/static/{name}", self._static),
            web.get(PREFIX + "/api/state", self._state),
            web.get(PREFIX + "/api/texts/{lang}", self._texts),
            web.get(PREFIX + "/api/commands/{lang}", self._commands),
            web.get(PREFIX + "/api/chats/{chat_id}", self._chat),
            web.post(PREFIX + "/api/chats/{chat_id}/text", self._send_text),
            web.post(PREFIX + "/api/chats/{chat_id}/document", self._send_document),
            web.post(PREFIX + "/api/chats/{chat_id}/press", self._press),
            web.get(PREFIX + "/api/files/{file_id}", self._file),
            web.post(PREFIX + "/api/clock/{to}", self._move_clock),
            web.get(PREFIX + "/api/events", self._events),
        ]
        app.add_routes(routes)

    def close(self) -> None:
        """End every open event stream (the server is stopping)."""
        for feed in self._feeds:
            feed.put_nowait(None)

    # --- reading ---------------------------------------------------------------------------

    async def _index(self, request: web.Request) -> web.Response:
        return self._static_file("index.html")

    async def _static(self, request: web.Request) -> web.Response:
        return self._static_file(request.match_info["name"])

    def _static_file(self, name: str) -> web.Response:
        suffix = name[name.rfind(".") :] if "." in name else ""
        resource = STATIC / name
        if suffix not in STATIC_TYPES or "/" in name or not resource.is_file():
            raise web.HTTPNotFound()
        return web.Response(
            body=resource.read_bytes(),
            content_type=STATIC_TYPES[suffix],
            charset="utf-8",
            headers={"Cache-Control": "no-cache"},
        )

    async def _state(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "chats": [entry.to_json() for entry in self._entries.values()],
                "group_title": GROUP_TITLE,
                "clock": self._clock.now().isoformat(),
            }
        )

    async def _texts(self, request: web.Request) -> web.Response:
        lang = _language(request)
        return web.json_response({key.split(".", 1)[1]: t(lang, key) for key in PAGE_TEXTS})

    async def _commands(self, request: web.Request) -> web.Response:
        """The menu Telegram would show: the bot's commands for the language, else the default."""
        lang = _language(request)
        menu = self._server.commands.get(("default", lang)) or self._server.commands.get(
            ("default", ""), []
        )
        return web.json_response(menu)

    async def _chat(self, request: web.Request) -> web.Response:
        entry = self._entry(request)
        shown = self._server.messages(entry.chat_id, include_deleted=False)
        return web.json_response(
            {"chat_id": entry.chat_id, "messages": [message_json(m) for m in shown]}
        )

    async def _file(self, request: web.Request) -> web.Response:
        stored = self._server.stored_file(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        inline = stored.mime_type.startswith("image/")
        name = stored.file_name.replace('"', "")
        return web.Response(
            body=stored.content,
            content_type=stored.mime_type,
            headers={
                "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"'
            },
        )

    # --- acting ----------------------------------------------------------------------------

    async def _send_text(self, request: web.Request) -> web.Response:
        entry = self._entry(request)
        body = await _json(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > 4096:
            raise web.HTTPBadRequest(text="text: 1 to 4096 characters")
        message_id = self._server.send_text(
            self._sender(entry), text, chat_id=entry.chat_id, chat_type=_chat_type(entry)
        )
        return web.json_response({"message_id": message_id})

    async def _send_document(self, request: web.Request) -> web.Response:
        entry = self._entry(request)
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            raise web.HTTPBadRequest(text="file: a multipart file field")
        content = upload.file.read()
        caption = form.get("caption")
        message_id = self._server.send_document(
            self._sender(entry),
            upload.filename or "document",
            content,
            upload.content_type or "application/octet-stream",
            caption=caption if isinstance(caption, str) and caption else None,
            chat_id=entry.chat_id,
            chat_type=_chat_type(entry),
        )
        return web.json_response({"message_id": message_id})

    async def _press(self, request: web.Request) -> web.Response:
        entry = self._entry(request)
        body = await _json(request)
        message_id, data = body.get("message_id"), body.get("data")
        if not isinstance(message_id, int) or not isinstance(data, str):
            raise web.HTTPBadRequest(text="message_id (int) and data (str)")
        chat = self._server.chat(entry.chat_id)
        message = chat.messages.get(message_id) if chat is not None else None
        if message is None or message.deleted or not message.from_bot:
            raise web.HTTPConflict(text="that message is gone")
        query_id = self._server.press(self._sender(entry), message_id, data, entry.chat_id)
        self._queries[query_id] = entry.chat_id
        return web.json_response({"query_id": query_id})

    async def _move_clock(self, request: web.Request) -> web.Response:
        to = request.match_info["to"]
        if to not in ("sync", "summary"):
            raise web.HTTPNotFound()
        now = await self._clock.move("sync" if to == "sync" else "summary")
        self._broadcast({"type": "clock", "now": now.isoformat()})
        return web.json_response({"clock": now.isoformat()})

    # --- live feed -------------------------------------------------------------------------

    async def _events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        feed: asyncio.Queue[JSONDict | None] = asyncio.Queue()
        self._feeds.add(feed)
        try:
            await response.write(b'retry: 1000\ndata: {"type": "hello"}\n\n')
            while True:
                try:
                    event = await asyncio.wait_for(feed.get(), KEEPALIVE_S)
                except TimeoutError:
                    await response.write(b": keep-alive\n\n")
                    continue
                if event is None:
                    break
                await response.write(f"data: {json.dumps(event)}\n\n".encode())
        except ConnectionResetError:
            pass
        finally:
            self._feeds.discard(feed)
        with contextlib.suppress(ConnectionResetError):
            await response.write_eof()
        return response

    def _on_change(self, event: JSONDict) -> None:
        if event.get("type") == "message":
            if event.get("chat_id") in self._entries:
                self._broadcast({"type": "message", "chat_id": event["chat_id"]})
        elif event.get("type") == "callback":
            chat_id = self._queries.pop(str(event.get("query_id")), None)
            if chat_id is not None and event.get("text"):
                self._broadcast(
                    {
                        "type": "toast",
                        "chat_id": chat_id,
                        "text": str(event["text"]),
                        "alert": bool(event.get("show_alert")),
                    }
                )

    def _broadcast(self, event: JSONDict) -> None:
        for feed in self._feeds:
            feed.put_nowait(event)

    # --- helpers ---------------------------------------------------------------------------

    def _entry(self, request: web.Request) -> ChatEntry:
        try:
            entry = self._entries.get(int(request.match_info["chat_id"]))
        except ValueError:
            entry = None
        if entry is None:
            raise web.HTTPNotFound(text="no such chat on the page")
        return entry

    def _sender(self, entry: ChatEntry) -> FakeUser:
        return self._users[entry.sender.user_id]


def message_json(message: StoredMessage) -> JSONDict:
    """What the page draws of a message: its HTML, buttons, file or photo, and whether edited."""
    data: JSONDict = {
        "id": message.message_id,
        "from_bot": message.from_bot,
        "from_id": message.from_id,
        "date": message.date,
        "edited": message.edits > 0,
        "html": to_html(message.text, message.entities) if message.text is not None else None,
        "caption": to_html(message.caption, message.caption_entities) if message.caption else None,
        "buttons": [
            [_button(button) for button in row if isinstance(button, dict)]
            for row in (message.inline_markup or {}).get("inline_keyboard", [])
        ],
    }
    if message.document is not None:
        data["document"] = {
            "file_id": message.document.get("file_id"),
            "name": message.document.get("file_name"),
            "size": message.document.get("file_size"),
            "mime": message.document.get("mime_type"),
        }
    if message.photo:
        data["photo"] = {"file_id": message.photo[-1].get("file_id")}
    return data


def _button(button: JSONDict) -> JSONDict:
    url = button.get("url")
    shown: JSONDict = {"text": str(button.get("text", ""))}
    if isinstance(url, str) and safe_url(url):
        shown["url"] = safe_url(url)
    elif "callback_data" in button:
        shown["data"] = str(button["callback_data"])
    return shown


def _language(request: web.Request) -> str:
    lang = request.match_info["lang"]
    return lang if lang in LANGUAGES else "en"


def _chat_type(entry: ChatEntry) -> str:
    return "supergroup" if entry.group else "private"


async def _json(request: web.Request) -> JSONDict:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise web.HTTPBadRequest(text="a JSON body") from error
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="a JSON object")
    return body
