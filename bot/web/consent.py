"""The banks' way back: GET /consent/{provider}, where a bank sends the user once they have
authorised (or refused) access. The query string goes to the sign-in flow waiting for it;
the user sees a short page telling them to go back to Telegram.

Nothing here reads the query beyond the reference that names the waiting flow (`state` for
Enable Banking, `ref` for GoCardless): the code it carries is the connector's to use, once.
No URL is logged; an unknown reference is logged at most once a minute.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape
from urllib.parse import parse_qs

from aiohttp import web

from bot.i18n import t
from bot.web.webhook import ThrottledLog

CONSENT_PATH = "/consent/{provider}"
REFERENCE_PARAMS = ("state", "ref")
"""Where providers put the reference we gave them: OAuth's `state`, GoCardless' `ref`."""
MAX_QUERY = 4096

Returned = Callable[[str, str, str], Awaitable[bool]]
"""(provider, reference, query string) -> whether a flow was waiting for it."""


def consent_path(provider: str) -> str:
    return CONSENT_PATH.replace("{provider}", provider)


def reference_in(query: str) -> str:
    values = parse_qs(query, max_num_fields=32)
    for name in REFERENCE_PARAMS:
        found = values.get(name)
        if found:
            return found[0]
    return ""


def _language(request: web.Request) -> str:
    wanted = request.headers.get("Accept-Language", "")
    return "fr" if wanted.lower().startswith("fr") else "en"


def _page(lang: str, key: str, status: int) -> web.Response:
    body = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Pointage</title></head>"
        f'<body style="font-family:sans-serif;max-width:32em;margin:3em auto;padding:0 1em">'
        f"<p>{escape(t(lang, key))}</p></body></html>"
    )
    return web.Response(status=status, text=body, content_type="text/html")


class ConsentRoute:
    """Adds GET /consent/{provider} to our web server (bot.web.webhook.WebServer.app)."""

    def __init__(self, providers: frozenset[str], returned: Returned) -> None:
        self._providers = providers
        self._returned = returned
        self._unknown = ThrottledLog("consent return not waited for")

    def add_to(self, app: web.Application) -> None:
        app.router.add_get(CONSENT_PATH, self._on_return)

    async def _on_return(self, request: web.Request) -> web.Response:
        lang = _language(request)
        provider = request.match_info["provider"]
        query = request.query_string
        if provider not in self._providers or len(query) > MAX_QUERY:
            return _page(lang, "web.consent_unknown", 404)
        reference = reference_in(query)
        if not reference or not await self._returned(provider, reference, query):
            self._unknown(provider)
            return _page(lang, "web.consent_unknown", 404)
        return _page(lang, "web.consent_back", 200)
