"""A Bot API call's parameters as Telegram reads them: query string, JSON body or multipart form."""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.web.botapi.errors import JSONDict, bad_request

STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "ip_address",
        "file_id",
        "language_code",
        "action",
        "name",
        "description",
        "short_description",
        "title",
        "query",
        "emoji",
        "business_connection_id",
        "message_effect_id",
    }
)
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "allowed_updates",
        "commands",
        "scope",
        "menu_button",
        "message_ids",
    }
)
INT_RE = re.compile(r"-?\d+")


@dataclass
class Upload:
    """A file sent in a multipart form."""

    filename: str
    content: bytes
    mime_type: str


def normalize(name: str, value: Any) -> Any:
    if name in JSON_PARAMS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            if name == "reply_markup":
                raise bad_request("can't parse reply keyboard markup JSON object") from None
            raise bad_request(f"can't parse {name} JSON object") from None
    if isinstance(value, str) and name not in STRING_PARAMS and INT_RE.fullmatch(value):
        return int(value)
    return value


def decode_form(name: str, value: str) -> Any:
    """A form or query value: PTB sends booleans and JSON as text there."""
    if name in STRING_PARAMS:
        return value
    if value in ("true", "True"):
        return True
    if value in ("false", "False"):
        return False
    if name not in JSON_PARAMS and value[:1] in ("{", "["):
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return normalize(name, value)


def recorded(params: JSONDict) -> JSONDict:
    """The parameters as kept in ``calls``: an uploaded file by its name, type and size."""
    return {
        key: (
            {"filename": v.filename, "mime_type": v.mime_type, "size": len(v.content)}
            if isinstance(v, Upload)
            else v
        )
        for key, v in params.items()
    }


def flag(params: JSONDict, name: str) -> bool:
    return params.get(name) in (True, "true", "True", 1, "1")


def integer(params: JSONDict, name: str, default: int | None = None) -> int:
    value = params.get(name, default)
    if isinstance(value, bool) or value is None:
        raise bad_request(f"{name} is empty" if value is None else f"wrong {name} specified")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and INT_RE.fullmatch(value.strip()):
        return int(value)
    raise bad_request(f"wrong {name} specified")


async def read_params(request: web.Request) -> JSONDict:
    """Every parameter of the call, typed as Telegram would take it."""
    params: JSONDict = {k: decode_form(k, v) for k, v in request.query.items()}
    if request.method != "POST" or not request.can_read_body:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON encoded request") from None
        if not isinstance(body, dict):
            raise bad_request("JSON object expected")
        params.update({k: normalize(k, v) for k, v in body.items() if v is not None})
        return params
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            params[key] = Upload(
                filename=value.filename or key,
                content=value.file.read(),
                mime_type=value.content_type or "application/octet-stream",
            )
        elif isinstance(value, bytes | bytearray):
            params[key] = decode_form(key, value.decode("utf-8", "replace"))
        else:
            params[key] = decode_form(key, value)
    return params
