"""What users asked for when they could not find their bank: the operator's next connector."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.text import squeeze
from storage.uow import Database


@dataclass(frozen=True, slots=True)
class RequestedBank:
    name: str
    """As most users typed it."""
    users: int
    requests: int


async def most_requested(db: Database, limit: int = 20) -> list[RequestedBank]:
    """The banks asked for, by how many users asked; the same name however it was typed
    (accents, case, spaces) counts once per user."""
    async with db.reading() as uow:
        asked = await uow.requests.asked()
    spellings: dict[str, dict[str, int]] = {}
    users: dict[str, set[int]] = {}
    counts: dict[str, int] = {}
    for typed, user_id in asked:
        key = squeeze(typed)
        if not key:
            continue
        spelled = spellings.setdefault(key, {})
        spelled[typed.strip()] = spelled.get(typed.strip(), 0) + 1
        users.setdefault(key, set()).add(user_id)
        counts[key] = counts.get(key, 0) + 1
    ranked = sorted(counts, key=lambda key: (-len(users[key]), -counts[key], key))
    return [
        RequestedBank(
            max(spellings[key], key=spellings[key].__getitem__), len(users[key]), counts[key]
        )
        for key in ranked[:limit]
    ]
