"""Our small web server (aiohttp): the Telegram webhook, a health check, later bank callbacks.

It knows nothing of Telegram's objects: a POST to the webhook path with the right
X-Telegram-Bot-Api-Secret-Token hands the update's JSON to `deliver` (bot/app.py turns it
into a PTB Update and queues it); anything else gets 403 and is never read. A body that is
not an update (too large, too deep, not JSON, or of a shape `deliver` cannot read) gets 400.
Refusals and bad bodies are logged at most once a minute each, with a count, so whoever can
reach the port cannot fill the disk.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import stat
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.config import WEBHOOK_PATH, WEBHOOK_SECRET_PATTERN

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
HEALTH_PATH = "/healthz"
MAX_BODY = 1024 * 1024  # an update is a few kilobytes; files are fetched, never posted
MAX_DEPTH = 64  # a real update nests about ten levels; the JSON parser recurses per level
SHUTDOWN_GRACE = 10.0
LOG_PERIOD = 60.0

Deliver = Callable[[dict[str, Any]], Awaitable[None]]
"""Take one update; raises (anything) when the JSON is not the shape of an update."""


class WebhookSecretError(Exception):
    """The stored webhook secret cannot be used; the message says what to do."""


def load_or_create_secret(path: Path) -> str:
    """The webhook secret kept in `path` (mode 0600), created at first use."""
    path = Path(path)
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)  # letters, digits, '-' and '_': what Telegram accepts
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another instance created it first: theirs is the one
        return _read_secret(path)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return secret


def _read_secret(path: Path) -> str:
    info = path.stat()
    if os.name == "posix" and stat.S_IMODE(info.st_mode) & 0o077:
        raise WebhookSecretError(
            f"{path} is readable by group or others: run 'chmod 600 {path}' and start again"
        )
    secret = path.read_text(encoding="ascii", errors="replace").strip()
    if not WEBHOOK_SECRET_PATTERN.fullmatch(secret):
        raise WebhookSecretError(
            f"{path} does not hold a valid webhook secret (1 to 256 letters, digits, '_' or "
            "'-'): delete it to have a new one made"
        )
    return secret


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "surrogateescape")).digest()


class NotAnUpdate(ValueError):
    """The body cannot be an update; the message says why, in a few words."""


def parse_update(body: bytes) -> dict[str, Any]:
    """The update in `body`, or NotAnUpdate: at most MAX_BODY bytes, MAX_DEPTH levels, a JSON
    object with an integer update_id."""
    if len(body) > MAX_BODY:
        raise NotAnUpdate("too large")
    try:
        update = json.loads(body)
    except RecursionError:  # nested deeper than the parser's stack: a forgery, not an update
        raise NotAnUpdate("nested too deep") from None
    except ValueError:  # UnicodeDecodeError included
        raise NotAnUpdate("not JSON") from None
    if not isinstance(update, dict) or type(update.get("update_id")) is not int:
        raise NotAnUpdate("no update_id")
    if not _nested_within(update, MAX_DEPTH):
        raise NotAnUpdate("nested too deep")
    return update


def _nested_within(value: object, limit: int) -> bool:
    """Whether `value` has at most `limit` levels of lists and objects (no recursion)."""
    level: list[object] = [value]
    for _ in range(limit):
        inner: list[object] = []
        for item in level:
            if isinstance(item, dict):
                inner.extend(v for v in item.values() if isinstance(v, dict | list))
            elif isinstance(item, list):
                inner.extend(v for v in item if isinstance(v, dict | list))
        if not inner:
            return True
        level = inner
    return False


class ThrottledLog:
    """One warning line at most per `period` for one kind of event; the next line counts the
    events left unsaid meanwhile."""

    def __init__(
        self,
        message: str,
        *,
        period: float = LOG_PERIOD,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._message, self._period, self._monotonic = message, period, monotonic
        self._next_at: float | None = None
        self._unsaid = 0

    def __call__(self, detail: str) -> None:
        now = self._monotonic()
        if self._next_at is not None and now < self._next_at:
            self._unsaid += 1
            return
        if self._unsaid:
            log.warning(
                "%s: %s (and %d more in the last %gs)",
                self._message,
                detail,
                self._unsaid,
                self._period,
            )
        else:
            log.warning("%s: %s", self._message, detail)
        self._next_at, self._unsaid = now + self._period, 0


class WebServer:
    """POST /telegram (webhook), GET /healthz; `app.router` takes more routes before start."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        secret: str,
        deliver: Deliver,
        path: str = WEBHOOK_PATH,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not WEBHOOK_SECRET_PATTERN.fullmatch(secret):
            raise WebhookSecretError("the webhook secret must be 1 to 256 letters, digits, _ or -")
        self.host, self.port = host, port
        self._secret = _digest(secret)
        self._deliver = deliver
        self._accepting = False
        self._runner: web.AppRunner | None = None
        self._refused = ThrottledLog("webhook request refused", monotonic=monotonic)
        self._bad_body = ThrottledLog("webhook body refused", monotonic=monotonic)
        self.app = web.Application(client_max_size=MAX_BODY)
        self.app.router.add_post(path, self._on_update)
        self.app.router.add_get(HEALTH_PATH, self._on_health)

    @property
    def accepting(self) -> bool:
        return self._accepting

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=SHUTDOWN_GRACE)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        addresses = self._runner.addresses
        if addresses and self.port == 0:
            self.port = int(addresses[0][1])
        self._accepting = True
        log.info("web server listening on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        """Refuse new updates (503: Telegram sends them again later), let requests in flight
        finish, then close."""
        self._accepting = False
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    def _authentic(self, request: web.Request) -> bool:
        given = request.headers.get(SECRET_HEADER)
        # compare digests: constant time, and the length of the secret does not show either
        return given is not None and hmac.compare_digest(_digest(given), self._secret)

    async def _on_update(self, request: web.Request) -> web.Response:
        if not self._authentic(request):
            self._refused("missing or wrong secret token")
            return web.Response(status=403, text="Forbidden")
        if not self._accepting:
            return web.Response(status=503, text="Shutting down")
        try:
            update = parse_update(await self._body(request))
        except NotAnUpdate as error:
            self._bad_body(str(error))
            return web.Response(status=400, text="Not an update")
        try:
            await self._deliver(update)
        except Exception as error:  # Update.de_json fails in many ways on a wrong shape
            self._bad_body(f"not the shape of an update ({type(error).__name__})")
            return web.Response(status=400, text="Not an update")
        return web.Response(status=200)

    @staticmethod
    async def _body(request: web.Request) -> bytes:
        if (request.content_length or 0) > MAX_BODY:
            raise NotAnUpdate("too large")
        try:
            return await request.read()  # aiohttp stops at client_max_size, chunked or not
        except web.HTTPRequestEntityTooLarge:
            raise NotAnUpdate("too large") from None

    async def _on_health(self, request: web.Request) -> web.Response:
        if not self._accepting:
            return web.json_response({"status": "stopping"}, status=503)
        return web.json_response({"status": "ok"})
