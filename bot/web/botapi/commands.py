"""The bot's profile: getMe, command menus per scope and language, names, descriptions and
the menu button."""

from __future__ import annotations

import re

from bot.web.botapi.errors import JSONDict, bad_request
from bot.web.botapi.state import BotApiState, Handler


class ProfileMethods(BotApiState):
    """getMe, set/get/deleteMyCommands, set/getMy(Name|Description|ShortDescription),
    set/getChatMenuButton."""

    def _get_me(self, params: JSONDict) -> JSONDict:
        return self._me() | {
            "can_join_groups": True,
            "can_read_all_group_messages": not self.group_privacy,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _scope_key(self, params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise bad_request("can't parse BotCommandScope JSON object")
        kind = scope["type"]
        if kind in ("chat", "chat_administrators", "chat_member"):
            if scope.get("chat_id") is None:
                raise bad_request("chat_id is empty")
            kind = f"{kind}:{scope['chat_id']}"
            if scope["type"] == "chat_member":
                kind += f":{scope.get('user_id')}"
        elif kind not in (
            "default",
            "all_private_chats",
            "all_group_chats",
            "all_chat_administrators",
        ):
            raise bad_request("wrong BotCommandScope type specified")
        return kind, self._language(params)

    @staticmethod
    def _language(params: JSONDict) -> str:
        language = params.get("language_code") or ""
        if not isinstance(language, str) or not re.fullmatch(r"([a-z]{2})?", language):
            raise bad_request("invalid language code specified")
        return language

    def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands")
        cleaned: list[JSONDict] = []
        for item in commands:
            if not isinstance(item, dict):
                raise bad_request("can't parse BotCommand JSON object")
            command, description = item.get("command"), item.get("description")
            if not isinstance(command, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", command):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command, "description": description})
        key = self._scope_key(params)
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return list(self.commands.get(self._scope_key(params), []))

    def _delete_my_commands(self, params: JSONDict) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    def _bot_text_setter(self, kind: str) -> Handler:
        def setter(params: JSONDict) -> bool:
            value = params.get(kind)
            key = (kind, self._language(params))
            if value:
                self.bot_texts[key] = str(value)
            else:
                self.bot_texts.pop(key, None)
            return True

        return setter

    def _bot_text_getter(self, kind: str) -> Handler:
        def getter(params: JSONDict) -> JSONDict:
            language = self._language(params)
            value = self.bot_texts.get((kind, language), self.bot_texts.get((kind, ""), ""))
            if kind == "name" and not value:
                value = self.bot_first_name
            return {kind: value}

        return getter

    def _set_chat_menu_button(self, params: JSONDict) -> bool:
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise bad_request("can't parse menu button JSON object")
        chat_id = self._chat(params).id if params.get("chat_id") is not None else None
        self.menu_buttons[chat_id] = button
        return True

    def _get_chat_menu_button(self, params: JSONDict) -> JSONDict:
        chat_id = self._chat(params).id if params.get("chat_id") is not None else None
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "commands"}
