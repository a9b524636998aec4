"""Who the page plays: two users, each with their private chat, and a group they share."""

from __future__ import annotations

from dataclasses import dataclass

from bot.web.botapi import JSONDict


@dataclass(frozen=True, slots=True)
class Person:
    user_id: int
    name: str
    language: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.language})"


@dataclass(frozen=True, slots=True)
class ChatEntry:
    """A chat the page can open, and who writes in it."""

    chat_id: int
    sender: Person
    group: bool = False

    def to_json(self) -> JSONDict:
        return {
            "chat_id": self.chat_id,
            "user_id": self.sender.user_id,
            "label": None if self.group else self.sender.label,
            "language": self.sender.language,
            "group": self.group,
        }


PEOPLE = (Person(1001, "Camille", "fr"), Person(1002, "Alex", "en"))
GROUP_CHAT_ID = -1001001
GROUP_TITLE = "Pointage playground"


def chat_entries(people: tuple[Person, ...] = PEOPLE) -> tuple[ChatEntry, ...]:
    """One private chat per person, then the group, where the first person writes."""
    private = tuple(ChatEntry(person.user_id, person) for person in people)
    return (*private, ChatEntry(GROUP_CHAT_ID, people[0], group=True))
