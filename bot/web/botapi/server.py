"""The Bot API server: its routes (/bot<token>/<method>, /file/bot<token>/<path>), the method
table and its lifecycle in the event loop that started it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Callable
from typing import Self

from aiohttp import web

from bot.web.botapi.commands import ProfileMethods
from bot.web.botapi.errors import ApiError, Described, JSONDict
from bot.web.botapi.files import MAX_UPLOAD, FileMethods
from bot.web.botapi.messages import MessageMethods
from bot.web.botapi.params import read_params, recorded
from bot.web.botapi.state import Handler
from bot.web.botapi.updates import UpdateMethods
from bot.web.botapi.users import UserPlay


class BotApiServer(UserPlay, MessageMethods, FileMethods, UpdateMethods, ProfileMethods):
    """A local Telegram Bot API: start it, point the bot at ``url``, play users, read chats.

    The bot talks to it unchanged (python-telegram-bot with ``base_url`` and ``base_file_url``,
    or ``python -m bot`` with ``TELEGRAM_API_URL``). All state lives in the event loop that
    called :meth:`start`; use the server from that loop only, and never block it.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",  # noqa: S107 - a local server's made-up token
        *,
        bot_username: str = "PointageTestBot",
        bot_first_name: str = "Pointage",
        group_privacy: bool = True,
    ) -> None:
        super().__init__(
            token,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            group_privacy=group_privacy,
        )
        self._methods: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "logOut": self._true,
                "close": self._true,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "sendMessage": self._send_message,
                "sendDocument": self._send_document,
                "sendPhoto": self._send_photo,
                "sendChatAction": self._send_chat_action,
                "editMessageText": self._edit_message_text,
                "editMessageCaption": self._edit_message_caption,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "deleteMessages": self._delete_messages,
                "answerCallbackQuery": self._answer_callback_query,
                "getFile": self._get_file,
                "getChat": self._get_chat,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "setMyName": self._bot_text_setter("name"),
                "getMyName": self._bot_text_getter("name"),
                "setMyDescription": self._bot_text_setter("description"),
                "getMyDescription": self._bot_text_getter("description"),
                "setMyShortDescription": self._bot_text_setter("short_description"),
                "getMyShortDescription": self._bot_text_getter("short_description"),
                "setChatMenuButton": self._set_chat_menu_button,
                "getChatMenuButton": self._get_chat_menu_button,
            }.items()
        }

    async def start(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        routes: Callable[[web.Application], None] | None = None,
    ) -> None:
        """Listen on ``host``:``port`` (0: any free port); ``url`` then says where. ``routes``
        adds routes of its own (the playground's page) before the Bot API's catch-all."""
        app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024)
        if routes is not None:
            routes(app)
        app.router.add_route("*", "/{tail:.*}", self._route)
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0][1] if self._runner.addresses else port
        self.url = f"http://{host}:{bound}"
        self._stopping = False

    async def stop(self) -> None:
        self._stopping = True
        self._wake()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def env(self) -> dict[str, str]:
        """Environment variables pointing ``python -m bot`` at this server."""
        return {"TELEGRAM_API_URL": self.url, "TELEGRAM_BOT_TOKEN": self.token}

    async def _route(self, request: web.Request) -> web.StreamResponse:
        match = re.fullmatch(r"/bot([^/]*)/([^/]+)/?", request.path)
        if match is not None:
            return await self._api_call(request, match.group(1), match.group(2))
        match = re.fullmatch(r"/file/bot([^/]*)/(.+)", request.path)
        if match is not None:
            return self._download(match.group(1), match.group(2))
        return ApiError(404, "Not Found").response()

    async def _api_call(self, request: web.Request, token: str, method: str) -> web.Response:
        if token != self.token:
            return ApiError(401, "Unauthorized").response()
        entry = self._methods.get(method.lower())
        name = entry[0] if entry else method
        try:
            params = await read_params(request)
        except ApiError as error:
            self.calls.append((name, {}))
            return error.response()
        self.calls.append((name, recorded(params)))
        if entry is None:
            return ApiError(404, "Not Found").response()
        failures = self._failures.get(name.lower())
        if failures:
            return failures.pop(0).response()
        try:
            if name == "getUpdates":
                result = await self._get_updates(params, request)
            else:
                result = entry[1](params)
        except ApiError as error:
            return error.response()
        body: JSONDict = {"ok": True}
        if isinstance(result, Described):
            body["result"] = result.result
            body["description"] = result.description
        else:
            body["result"] = result
        return web.json_response(body, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    def _true(self, params: JSONDict) -> bool:
        return True
