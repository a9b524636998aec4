"""The playground: a chat page in the browser over the packaged Bot API server, so Pointage
can be tried without Telegram (bot/playground.py runs it with the bot)."""

from bot.web.playground.api import ClockControl, ClockTarget, PlaygroundPage
from bot.web.playground.people import GROUP_CHAT_ID, PEOPLE, Person

__all__ = ["GROUP_CHAT_ID", "PEOPLE", "ClockControl", "ClockTarget", "Person", "PlaygroundPage"]
