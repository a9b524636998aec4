"""Telegram's error answers: the status, the description and the texts the bot meets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

JSONDict = dict[str, Any]

QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
STATUS_TEXT = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional ResponseParameters."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body

    def response(self) -> web.Response:
        return web.json_response(self.payload(), status=self.status)


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def too_many_requests(retry_after: int, description: str | None = None) -> ApiError:
    """A 429 whose ResponseParameters tell the bot how long to wait."""
    text = description or f"Too Many Requests: retry after {retry_after}"
    return ApiError(429, text, {"retry_after": retry_after})


@dataclass
class Described:
    """A successful result Telegram answers with a description (setWebhook, deleteWebhook)."""

    result: Any
    description: str
