"""Sending, editing and deleting messages, chat actions and answers to button presses."""

from __future__ import annotations

from bot.web.botapi.entities import caption_of, format_text
from bot.web.botapi.errors import NOT_MODIFIED, QUERY_INVALID, JSONDict, bad_request
from bot.web.botapi.keyboards import validate_markup
from bot.web.botapi.params import flag, integer
from bot.web.botapi.state import BotApiState

MAX_TEXT = 4096
MAX_CALLBACK_ANSWER = 200
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class MessageMethods(BotApiState):
    """sendMessage, editMessage*, deleteMessage(s), sendChatAction, answerCallbackQuery, getChat."""

    def _send_message(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params, sending=True)
        text, entities = format_text(
            params.get("text"), params.get("parse_mode"), params.get("entities"), limit=MAX_TEXT
        )
        markup = validate_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat, params)
        message = self._new_message(
            chat,
            from_bot=True,
            from_id=self.bot_id,
            text=text,
            entities=entities,
            raw_text=str(params.get("text")),
            parse_mode=params.get("parse_mode") or None,
            reply_markup=markup,
            reply_to_message_id=reply_to,
        )
        return self._message_api(message)

    def _send_chat_action(self, params: JSONDict) -> bool:
        chat = self._chat(params, sending=True)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.chat_actions.append((chat.id, str(action)))
        return True

    def _edit_message_text(self, params: JSONDict) -> JSONDict:
        message = self._target_message(params, "message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        text, entities = format_text(
            params.get("text"), params.get("parse_mode"), params.get("entities"), limit=MAX_TEXT
        )
        markup = validate_markup(params.get("reply_markup"), inline_only=True)
        if (text, entities, markup) == (message.text, message.entities, message.inline_markup):
            raise bad_request(NOT_MODIFIED)
        self._touch(message)
        message.text, message.entities = text, entities
        message.raw_text = str(params.get("text"))
        message.parse_mode = params.get("parse_mode") or None
        message.reply_markup = markup
        return self._message_api(message)

    def _edit_message_caption(self, params: JSONDict) -> JSONDict:
        message = self._target_message(params, "message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        if message.document is None and message.photo is None:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = caption_of(params)
        markup = validate_markup(params.get("reply_markup"), inline_only=True)
        current = (message.caption, message.caption_entities, message.inline_markup)
        if (caption, entities, markup) == current:
            raise bad_request(NOT_MODIFIED)
        self._touch(message)
        message.caption, message.caption_entities = caption, entities
        message.raw_text = params.get("caption")
        message.parse_mode = params.get("parse_mode") or None
        message.reply_markup = markup
        return self._message_api(message)

    def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        message = self._target_message(params, "message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        markup = validate_markup(params.get("reply_markup"), inline_only=True)
        if markup == message.inline_markup:
            raise bad_request(NOT_MODIFIED)
        self._touch(message)
        message.reply_markup = markup
        return self._message_api(message)

    def _delete_message(self, params: JSONDict) -> bool:
        chat = self._chat(params)
        message = chat.messages.get(integer(params, "message_id"))
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        message.deleted = True
        message.seq = self._next_seq()
        self._changed(message)
        return True

    def _delete_messages(self, params: JSONDict) -> bool:
        chat = self._chat(params)
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must be a non-empty list of at most 100 identifiers")
        for message_id in ids:
            message = chat.messages.get(int(message_id))
            if message is not None and not message.deleted:
                message.deleted = True
                message.seq = self._next_seq()
                self._changed(message)
        return True

    def _answer_callback_query(self, params: JSONDict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._callbacks or self._callbacks[query_id] is not None:
            raise bad_request(QUERY_INVALID)
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        self._callbacks[query_id] = {
            "text": text,
            "show_alert": flag(params, "show_alert"),
            "url": params.get("url"),
            "cache_time": params.get("cache_time", 0),
        }
        self._notify(
            {
                "type": "callback",
                "query_id": query_id,
                "text": text,
                "show_alert": flag(params, "show_alert"),
            }
        )
        return True

    def _get_chat(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        return chat.to_api() | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
