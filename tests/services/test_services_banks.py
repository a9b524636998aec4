"""Searching the bank directory from the services: off the event loop, same answers."""

from __future__ import annotations

import threading

import pytest

from bot.banks.directory.search import Directory, SearchHit
from bot.services.connect import Services


async def test_a_bank_search_runs_in_a_worker_thread_and_finds_what_the_directory_finds(
    services: Services, directory: Directory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A country's first search builds its index, up to a quarter of a second: not on the loop."""
    threads: list[threading.Thread] = []
    search = directory.search

    def watched(query: str, country: str, limit: int = 8) -> list[SearchHit]:
        threads.append(threading.current_thread())
        return search(query, country, limit)

    monkeypatch.setattr(directory, "search", watched)
    hits = await services.search_banks("credit agricole", "FR")
    assert threads and threads[0] is not threading.main_thread()
    assert [hit.name for hit in hits] == [hit.name for hit in search("credit agricole", "FR")]
    assert hits and "Agricole" in hits[0].name
