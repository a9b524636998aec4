"""End to end: connect the demo bank, then review from the phone: accept, search, rule, undo."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from bot.domain.states import EntryKind
from storage.db import make_engine
from storage.models import JournalEntry, Rule
from storage.uow import Database
from tests.support.botapi import BotApiStandIn, StoredMessage
from tests.support.flows import walk_to_summary
from tests.support.player import Player
from tests.support.processes import start_bot, stop_bot


def booked_line(digest: StoredMessage) -> int:
    """The number of a booked line on the page (pending lines wait for their entry)."""
    text = digest.text or ""
    labels = " ".join(label for row in digest.buttons() for label, _ in row)
    for n in map(int, re.findall(r"^(\d+)\. (?!⏳)", text, flags=re.MULTILINE)):
        if f"{n} ✅" in labels:
            return n
    raise AssertionError(f"no booked line to accept:\n{text}")


def line_to_change(screen: StoredMessage, accepted: int) -> int:
    """Another line shown on the page: which numbers a page holds depends on the day's demo data."""
    labels = " ".join(label for row in screen.buttons() for label, _ in row)
    for n in map(int, re.findall(r"(\d+) ✏️", labels)):
        if n != accepted:
            return n
    raise AssertionError(f"no other line to change:\n{screen.text}")


async def test_review_accept_search_rule_and_undo(standin: BotApiStandIn, tmp_path: Path) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "bot.log"
    data_dir.mkdir()
    process = await start_bot(standin, data_dir, log)
    try:
        p = Player(standin, 801, "fr")
        await walk_to_summary(p, "fr")
        digest = await p.say("/review", expect="À passer en revue")
        while True:
            try:
                n = booked_line(digest)
                break
            except AssertionError:
                digest = await p.press("▶️", expect="Page")
        page = await p.press(f"{n} ✅", expect=f"{n}. ✅")
        await p.press(f"{line_to_change(page, n)} ✏️", expect="Catégorie (compte)")
        await p.press("Rechercher", expect="quelques lettres")
        await p.say("tel", expect="Comptes trouvés")
        await p.press("626", expect="Toujours classer")
        await p.press("Oui + valider auto", expect="À passer en revue")
        await p.say("/review", expect="automatiquement :")
        await p.press("Annuler les validations", expect="À passer en revue")
        assert "automatiquement" not in (p.screen().text or "")
    finally:
        returncode = await stop_bot(process)
    assert returncode == 0
    assert b"Traceback" not in log.read_bytes()
    db = Database(make_engine(f"sqlite:///{data_dir / 'pointage.db'}"))
    async with db.reading() as uow:
        rules = await uow.session.scalar(select(func.count()).select_from(Rule))
        accepted = await uow.session.scalar(
            select(func.count()).where(JournalEntry.kind == EntryKind.ACCEPTANCE)
        )
    await db.dispose()
    assert rules == 1 and accepted is not None and accepted >= 1
