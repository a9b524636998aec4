"""A local Telegram Bot API server: the subset the bot uses, spoken as JSON over HTTP.

Tests run the bot against it; the playground serves a chat page over it. It answers like
Telegram, errors included, so the bot runs unchanged with only its API address changed.
"""

from bot.web.botapi.chats import FakeUser, StoredMessage
from bot.web.botapi.errors import ApiError, JSONDict
from bot.web.botapi.server import BotApiServer

__all__ = ["ApiError", "BotApiServer", "FakeUser", "JSONDict", "StoredMessage"]
