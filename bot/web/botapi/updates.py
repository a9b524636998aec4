"""The update queue as the bot reads it: getUpdates (long polling, offsets, conflicts) or a
webhook the server pushes to."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re

import aiohttp
from aiohttp import web

from bot.web.botapi.errors import ApiError, Described, JSONDict, bad_request
from bot.web.botapi.params import flag, integer
from bot.web.botapi.state import DEFAULT_UPDATE_TYPES, UPDATE_TYPES, BotApiState, Webhook, now


class UpdateMethods(BotApiState):
    """getUpdates, setWebhook, deleteWebhook, getWebhookInfo, and the webhook's pusher."""

    def _set_allowed(self, params: JSONDict) -> None:
        allowed = params.get("allowed_updates")
        if allowed is None:
            return
        if not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON object")
        self._allowed = frozenset(allowed) & frozenset(UPDATE_TYPES) or DEFAULT_UPDATE_TYPES

    async def _get_updates(
        self, params: JSONDict, request: web.Request | None = None
    ) -> list[JSONDict]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = integer(params, "offset", 0)
        limit = min(max(integer(params, "limit", 100), 1), 100)
        try:
            timeout = max(float(params.get("timeout") or 0), 0.0)
        except (TypeError, ValueError):
            raise bad_request("wrong timeout specified") from None
        self._set_allowed(params)
        if offset < 0:
            self._updates = self._updates[offset:]
        elif offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._polling += 1
        try:
            return await self._poll(generation, limit, deadline, request)
        finally:
            self._polling -= 1

    async def _poll(
        self, generation: int, limit: int, deadline: float, request: web.Request | None
    ) -> list[JSONDict]:
        loop = asyncio.get_running_loop()
        while True:
            if generation != self._poll_generation:
                if self._webhook is not None:
                    raise ApiError(409, "Conflict: terminated by setWebhook request")
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self._updates:
                return self._updates[:limit]
            remaining = deadline - loop.time()
            if self._stopping or remaining <= 0:
                return []
            if request is not None and (
                request.transport is None or request.transport.is_closing()
            ):
                return []
            event = self._wakeup
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(remaining, 1.0))

    def _set_webhook(self, params: JSONDict) -> Described:
        url = params.get("url") or ""
        if not isinstance(url, str):
            raise bad_request("bad webhook: Wrong HTTP URL")
        if not url:
            return self._delete_webhook(params)
        if not re.match(r"^https?://[^/\s]+", url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("bad webhook: secret token contains unallowed characters")
        if flag(params, "drop_pending_updates"):
            self._updates.clear()
        self._set_allowed(params)
        already = self._webhook is not None and self._webhook.url == url
        self._webhook = Webhook(
            url=url,
            secret_token=str(secret) if secret is not None else None,
            max_connections=integer(params, "max_connections", 40),
            ip_address=params.get("ip_address"),
        )
        self._poll_generation += 1
        self._wake()
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._push_updates())
        return Described(True, "Webhook is already set" if already else "Webhook was set")

    def _delete_webhook(self, params: JSONDict) -> Described:
        if flag(params, "drop_pending_updates"):
            self._updates.clear()
        existed = self._webhook is not None
        self._webhook = None
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None
        return Described(True, "Webhook was deleted" if existed else "Webhook is already deleted")

    def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        info: JSONDict = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        hook = self._webhook
        if hook is not None:
            info["url"] = hook.url
            info["max_connections"] = hook.max_connections
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
            if self._allowed != DEFAULT_UPDATE_TYPES:
                info["allowed_updates"] = sorted(self._allowed)
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    async def _push_updates(self) -> None:
        delay = 0.05
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        while not self._stopping and self._webhook is not None:
            hook = self._webhook
            if not self._updates:
                await self._wakeup.wait()
                continue
            update = self._updates[0]
            headers = {"Content-Type": "application/json"}
            if hook.secret_token:
                headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
            error: str | None = None
            try:
                async with self._session.post(
                    hook.url, data=json.dumps(update, ensure_ascii=False), headers=headers
                ) as response:
                    await response.read()
                    if not 200 <= response.status < 300:
                        status = f"{response.status} {response.reason}"
                        error = f"Wrong response from the webhook: {status}"
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                error = f"Connection failed: {exc.__class__.__name__}"
            if error is None:
                self.webhook_deliveries.append(update)
                if self._updates and self._updates[0]["update_id"] == update["update_id"]:
                    self._updates.pop(0)
                delay = 0.05
            else:
                hook.last_error_date = now()
                hook.last_error_message = error
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
