"""A user playing the bot through the Bot API stand-in: type, press, and read what shows."""

from __future__ import annotations

from tests.support.botapi import BotApiStandIn, FakeUser, StoredMessage


class Player:
    def __init__(
        self, standin: BotApiStandIn, user_id: int, language: str = "fr", name: str = "Alice"
    ) -> None:
        self.standin = standin
        self.user: FakeUser = standin.user(user_id, first_name=name, language_code=language)
        self.chat_id = user_id

    def _bot_calls(self) -> int:
        return len(self.standin.calls)

    async def wait_for(self, expect: str, since: int, timeout: float) -> StoredMessage:
        """The first bot message sent or edited after `since` showing `expect` (text or button)."""

        def shows(message: StoredMessage) -> bool:
            labels = " ".join(label for row in message.buttons() for label, _ in row)
            return expect in f"{message.text or ''} {labels}"

        def found() -> StoredMessage | None:
            for method, params in self.standin.calls[since:]:
                if method not in {"sendMessage", "editMessageText"}:
                    continue
                if str(params.get("chat_id")) != str(self.chat_id):
                    continue
                message_id = params.get("message_id")
                if message_id is None:
                    candidates = [m for m in self.standin.bot_messages(self.chat_id) if shows(m)]
                    if candidates:
                        return candidates[-1]
                    continue
                message = self.standin.message(self.chat_id, int(message_id))
                if shows(message):
                    return message
            return None

        return await self.standin.wait_for(found, timeout=timeout)

    async def say(self, text: str, expect: str, timeout: float = 10.0) -> StoredMessage:
        since = self._bot_calls()
        self.standin.send_text(self.user, text)
        return await self.wait_for(expect, since, timeout)

    def send(self, text: str) -> int:
        return self.standin.send_text(self.user, text)

    def screen(self) -> StoredMessage:
        """The newest bot message still on screen."""
        message = self.standin.last_bot_message(self.chat_id)
        assert message is not None, "the bot has said nothing yet"
        return message

    def with_button(self, label: str) -> StoredMessage:
        for message in reversed(self.standin.bot_messages(self.chat_id)):
            if any(label in text for row in message.buttons() for text, _ in row):
                return message
        raise AssertionError(f"no message shows a button {label!r}")

    async def press(self, label: str, expect: str, timeout: float = 10.0) -> StoredMessage:
        message = self.with_button(label)
        since = self._bot_calls()
        self.standin.press(self.user, message.message_id, message.button(label))
        return await self.wait_for(expect, since, timeout)

    async def press_data(self, message_id: int, data: str) -> str:
        """Press raw callback data (forged or stale) and return the bot's answer to it."""
        query_id = self.standin.press(self.user, message_id, data)

        def answered() -> dict[str, object] | None:
            return self.standin.callback_answer(query_id)

        answer = await self.standin.wait_for(answered)
        return str(answer.get("text") or "")
