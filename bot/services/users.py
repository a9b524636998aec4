"""Users and their settings: met at first contact with a book, remembered in memory."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace

from bot.banks.directory.search import Directory
from bot.charts import template_for_language
from bot.domain.views import SettingsView, UserView
from bot.i18n import LANGUAGES, language_from_telegram
from bot.services.access import acting_user
from bot.services.errors import InvalidInput
from bot.services.filing import DEFAULT_THRESHOLD
from storage.models import Book, LedgerAccount, User
from storage.uow import Database

TIMEZONES = (
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Zurich",
    "Europe/Luxembourg",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Berlin",
    "Europe/Madrid",
    "America/Montreal",
    "America/New_York",
)
DIGEST_TIMES = ("07:00", "08:00", "09:00", "12:00", "18:00", "20:00")
DEFAULT_COUNTRY = {"fr": "FR", "en": "GB"}
KNOWN_USERS = 10_000
"""Users remembered in memory: a press then skips two reads; the least recent is read again."""


class Users:
    """The users-and-settings use cases of `Services`, which sets what is declared here."""

    db: Database
    directory: Directory
    _known: OrderedDict[int, UserView]

    async def meet(self, telegram_id: int, chat_id: int, language_code: str | None) -> UserView:
        """The user, created at first contact with a book and its chart of accounts.

        Known users are remembered in memory (every update asks), the KNOWN_USERS most recent
        at most; changes go through `update_settings`, `set_country` or `forget_user`, which
        keep it true.
        """
        known = self._known.get(telegram_id)
        if known is not None:
            self._known.move_to_end(telegram_id)
            return known
        view = await self._meet(telegram_id, chat_id, language_code)
        self._known[telegram_id] = replace(view, is_new=False)
        while len(self._known) > KNOWN_USERS:
            self._known.popitem(last=False)
        return view

    @property
    def remembered(self) -> int:
        """How many users' views are held in memory now."""
        return len(self._known)

    def forget_user(self, telegram_id: int) -> None:
        self._known.pop(telegram_id, None)

    async def _meet(self, telegram_id: int, chat_id: int, language_code: str | None) -> UserView:
        async with self.db.reading() as uow:
            user = await uow.users.by_telegram_id(telegram_id)
            if user is not None:
                book = await uow.books.first_for(user.id)
                return UserView(telegram_id, user.chat_id, user.language, user.country, book.id)
        language = language_from_telegram(language_code)
        template = template_for_language(language)
        async with self.db.writing() as uow:
            user = await uow.users.by_telegram_id(telegram_id)
            if user is not None:  # another update of the same user got there first
                book = await uow.books.first_for(user.id)
                return UserView(telegram_id, user.chat_id, user.language, user.country, book.id)
            user = await uow.users.add(
                User(
                    telegram_id=telegram_id,
                    chat_id=chat_id,
                    language=language,
                    country=DEFAULT_COUNTRY.get(language),
                )
            )
            book = await uow.books.add(
                Book(name="Pointage", currency="EUR", chart_template=template.key), owner=user
            )
            await uow.ledger.add_all(
                LedgerAccount(book_id=book.id, code=a.code, name=a.name, kind=a.kind)
                for a in template.accounts
            )
            await uow.commit()
        return UserView(telegram_id, chat_id, language, user.country, book.id, is_new=True)

    async def set_country(self, telegram_id: int, country: str) -> None:
        if country not in self.directory.countries():
            raise InvalidInput("unknown country")
        async with self.db.writing() as uow:
            user = await acting_user(uow, telegram_id)
            user.country = country
            await uow.commit()
        self.forget_user(telegram_id)

    async def settings_of(self, telegram_id: int) -> SettingsView:
        async with self.db.reading() as uow:
            user = await acting_user(uow, telegram_id)
            book = await uow.books.first_for(user.id)
            return _settings_view(user, book)

    async def update_settings(
        self,
        telegram_id: int,
        *,
        language: str | None = None,
        timezone: str | None = None,
        digest_time: str | None = None,
        auto_accept: bool | None = None,
    ) -> SettingsView:
        if language is not None and language not in LANGUAGES:
            raise InvalidInput("language")
        if timezone is not None and timezone not in TIMEZONES:
            raise InvalidInput("timezone")
        if digest_time is not None and digest_time not in DIGEST_TIMES:
            raise InvalidInput("digest time")
        async with self.db.writing() as uow:
            user = await acting_user(uow, telegram_id)
            book = await uow.books.first_for(user.id)
            user.language = language or user.language
            user.timezone = timezone or user.timezone
            user.digest_time = digest_time or user.digest_time
            if auto_accept is not None:
                book.auto_accept = auto_accept
            await uow.commit()
        self.forget_user(telegram_id)
        return _settings_view(user, book)


def _settings_view(user: User, book: Book) -> SettingsView:
    return SettingsView(
        language=user.language,
        timezone=user.timezone,
        digest_time=user.digest_time,
        auto_accept=book.auto_accept,
        threshold=auto_accept_threshold(user),
    )


def auto_accept_threshold(user: User | None) -> float:
    """The user's auto-accept threshold, or the default when unset."""
    if user is None or user.auto_accept_threshold is None:
        return DEFAULT_THRESHOLD
    return user.auto_accept_threshold
