"""Reply markup checked like Telegram: inline keyboards, their buttons and Telegram's limits."""

from __future__ import annotations

import re

from bot.web.botapi.errors import JSONDict, bad_request

MAX_CALLBACK_DATA = 64
MAX_BUTTONS = 100
INLINE_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "web_app",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)


def validate_markup(raw: object, *, inline_only: bool = False) -> JSONDict | None:
    """Check a reply_markup like Telegram; returns it, or None when it shows no keyboard."""
    if raw is None or raw == "":
        return None
    if not isinstance(raw, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if not raw.keys() & {"inline_keyboard", "keyboard", "remove_keyboard", "force_reply"}:
        return None
    if "inline_keyboard" in raw:
        rows = raw["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array'
            )
        buttons = [b for row in rows for b in row]
        if len(buttons) > MAX_BUTTONS:
            raise bad_request("too many buttons")
        for button in buttons:
            _validate_inline_button(button)
        if not buttons:
            return None
        return {"inline_keyboard": [row for row in rows if row]}
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in raw:
        rows = raw["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
        if sum(len(r) for r in rows) > 300:
            raise bad_request("too many buttons")
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else None
                if isinstance(button, dict) and isinstance(button.get("text"), str):
                    text = button["text"]
                if not text:
                    raise bad_request("can't parse keyboard button: Text must be non-empty")
        return raw
    if raw.get("remove_keyboard") is True or raw.get("force_reply") is True:
        return raw
    return None


def _validate_inline_button(button: object) -> None:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [a for a in INLINE_BUTTON_ACTIONS if button.get(a) is not None]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None and (
        not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and (
        not isinstance(url, str)
        or not url
        or any(c.isspace() for c in url)
        or not re.match(r"^(https?://|tg://)?[^/:]+", url)
    ):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
