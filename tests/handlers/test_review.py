"""/review, the summary's buttons, the picker, /rules and /settings through the stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from telegram.ext import Application

from bot.domain.clock import FixedClock
from bot.domain.states import ReviewState
from handlers import callbacks as cb
from storage.models import BankTransaction, DigestRun, JournalEntry
from tests.support.app import run_app, settings_for, stop_app
from tests.support.botapi import BotApiStandIn
from tests.support.connecting import connect_all
from tests.support.player import Player

App = Application[Any, Any, Any, Any, Any, Any]
CAROL, DAVE = 601, 602


@pytest.fixture
async def app(standin: BotApiStandIn, tmp_path: Path, clock: FixedClock) -> AsyncIterator[App]:
    application = await run_app(settings_for(standin, tmp_path, demo_bank_password="demo"), clock)
    services = application.bot_data["runtime"].services
    connection_id = await connect_all(services, CAROL, date(2026, 11, 1))
    await services.import_connection(CAROL, connection_id)
    yield application
    await stop_app(application)


def rt(app: App) -> Any:
    return app.bot_data["runtime"]


async def count(app: App, model: Any, *where: Any) -> int:
    async with rt(app).services.db.reading() as uow:
        return int(
            await uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0
        )


def line_blocks(digest: Any) -> dict[int, str]:
    """The digest's lines by their number: "n. date · amount · payee" and the line below."""
    blocks = {}
    for block in (digest.text or "").split("\n\n"):
        number, dot, _ = block.partition(". ")
        if dot and number.isdigit():
            blocks[int(number)] = block
    return blocks


async def line_number(p: Player, digest: Any, *, categorised: bool = True) -> tuple[Any, int]:
    """A booked line of the digest (pending lines are accepted without an entry yet), with a
    real suggestion, or still "❓ à catégoriser"."""
    while True:
        for n, block in line_blocks(digest).items():
            booked = not block.startswith(f"{n}. ⏳") and f"{n} ✅" in str(digest.buttons())
            if booked and ("❓" not in block) == categorised:
                return digest, n
        digest = await p.press("▶️", expect="Page")


async def test_review_with_nothing_connected_or_imported_says_how_to_start(
    app: App, standin: BotApiStandIn
) -> None:
    fresh = await Player(standin, DAVE, "fr").say("/review", expect="Pour commencer")
    assert "/connect" in (fresh.text or "") and "(OFX, CSV…)" in (fresh.text or "")
    assert "Tout est pointé" not in (fresh.text or "")
    english = await Player(standin, 603, "en").say("/review", expect="To get started")
    assert "/connect" in (english.text or "") and "(OFX, CSV…)" in (english.text or "")


async def test_review_with_every_line_already_reviewed_is_all_caught_up(
    app: App, standin: BotApiStandIn, clock: FixedClock
) -> None:
    async with rt(app).services.db.writing() as uow:
        await uow.session.execute(
            update(BankTransaction).values(
                review_state=ReviewState.EXCLUDED, reviewed_at=clock.now() - timedelta(days=1)
            )
        )
        await uow.commit()
    caught_up = await Player(standin, CAROL, "fr").say("/review", expect="Tout est pointé")
    assert "Pour commencer" not in (caught_up.text or "")


async def test_review_accept_then_press_again(app: App, standin: BotApiStandIn) -> None:
    p = Player(standin, CAROL, "fr")
    digest = await p.say("/review", expect="À passer en revue")
    digest, n = await line_number(p, digest)
    before = await count(app, JournalEntry)
    data = digest.button(f"{n} ✅")
    first = await p.press_data(digest.message_id, data)
    assert "Validée" in first
    second = await p.press_data(digest.message_id, data)
    assert "Déjà traitée" in second
    assert await count(app, JournalEntry) == before + 1
    shown = standin.message(p.chat_id, digest.message_id)
    assert f"{n}. ✅" in (shown.text or "")
    assert not any(
        f"{n} ✅" == label[: len(f"{n} ✅")] for row in shown.buttons() for label, _ in row
    )


async def test_accept_on_an_uncategorised_line_opens_the_picker_and_books_nothing(
    app: App, standin: BotApiStandIn
) -> None:
    p = Player(standin, CAROL, "fr")
    digest = await p.say("/review", expect="À passer en revue")
    digest, n = await line_number(p, digest, categorised=False)
    before = await count(app, JournalEntry)
    since = len(standin.calls)
    answer = await p.press_data(digest.message_id, digest.button(f"{n} ✅"))
    assert answer == "Choisissez d'abord sa catégorie"
    await p.wait_for("Catégorie (compte)", since, 10)
    assert await count(app, JournalEntry) == before


async def test_cancel_ends_the_pickers_wait_for_letters(app: App, standin: BotApiStandIn) -> None:
    p = Player(standin, CAROL, "fr")
    digest = await p.say("/review", expect="À passer en revue")
    digest, n = await line_number(p, digest)
    await p.press(f"{n} ✏️", expect="Catégorie (compte)")
    await p.press("Rechercher", expect="quelques lettres")
    await p.say("/cancel", expect="C'est annulé")
    await p.say("tel", expect="Je n'ai pas compris")  # not read as a search any more


async def test_a_second_word_searches_again_in_the_same_message(
    app: App, standin: BotApiStandIn
) -> None:
    p = Player(standin, CAROL, "fr")
    await p.say("/review", expect="À passer en revue")
    await p.press("1 ✏️", expect="Catégorie (compte)")
    prompt = await p.press("Rechercher", expect="quelques lettres")
    first = await p.say("tel", expect="Comptes trouvés pour « tel »")
    hits = str(first.buttons())
    second = await p.say("loyer", expect="Comptes trouvés pour « loyer »")
    assert first.message_id == second.message_id == prompt.message_id
    assert "626" in hits and "6132" in str(second.buttons())


async def test_recategorize_by_typing_a_search_then_make_a_rule(
    app: App, standin: BotApiStandIn
) -> None:
    p = Player(standin, CAROL, "fr")
    await p.say("/review", expect="À passer en revue")
    await p.press("1 ✏️", expect="Catégorie (compte)")
    await p.press("Rechercher", expect="quelques lettres")
    await p.say("tel", expect="Comptes trouvés")
    await p.press("626", expect="Toujours classer")
    await p.press("Oui, toujours", expect="À passer en revue")
    rules = await rt(app).rules.of(CAROL)
    assert len(rules) == 1 and rules[0].account.code == "626"
    listing = await p.say("/rules", expect="Vos règles")
    assert "626" in (listing.text or "")
    await p.press("Supprimer", expect="Aucune règle")


async def test_a_forged_button_for_another_users_line_changes_nothing(
    app: App, standin: BotApiStandIn
) -> None:
    await rt(app).services.meet(DAVE, DAVE, "en")
    carol = Player(standin, CAROL, "fr")
    digest = await carol.say("/review", expect="À passer en revue")
    press = cb.parse(digest.button("1 ✅"))
    assert isinstance(press, cb.AcceptLine)
    dave = Player(standin, DAVE, "en")
    mine = await dave.say("/start", expect="Hello")
    to_review = await count(
        app, BankTransaction, BankTransaction.review_state == ReviewState.TO_REVIEW
    )
    for forged in (
        press.pack(),
        cb.Exclude(press.line, press.anchor, 0).pack(),
        cb.FileUnder(press.line, 1, press.anchor, 0).pack(),
        cb.Reopen(press.line, press.anchor).pack(),
    ):
        assert "no longer active" in await dave.press_data(mine.message_id, forged)
    assert (
        await count(app, BankTransaction, BankTransaction.review_state == ReviewState.TO_REVIEW)
        == to_review
    )


async def test_exclude_and_personal_from_the_picker(app: App, standin: BotApiStandIn) -> None:
    p = Player(standin, CAROL, "fr")
    await p.say("/review", expect="À passer en revue")
    await p.press("1 ✏️", expect="Catégorie (compte)")
    await p.press("Exclure", expect="(exclue)")
    await p.press("2 ✏️", expect="Catégorie (compte)")
    await p.press("Perso", expect="108")


async def test_daily_summary_is_sent_once_and_undo_auto_accepts(
    app: App, standin: BotApiStandIn, clock: FixedClock
) -> None:
    services = rt(app).services
    await services.update_settings(CAROL, auto_accept=True)
    clock.advance(timedelta(days=1))
    connection_id = (await services.sync_connection(1)).connection_id
    assert connection_id == 1
    clock.advance(timedelta(minutes=1))
    p = Player(standin, CAROL, "fr")
    job = app.job_queue.get_jobs_by_name("digest")[0]  # type: ignore[union-attr]
    await job.run(app)
    await job.run(app)
    summaries = [m for m in standin.bot_messages(p.chat_id) if "Récap du jour" in (m.text or "")]
    assert len(summaries) == 1
    assert await count(app, DigestRun, DigestRun.sent_at.is_not(None)) == 1
    if "automatiquement :" in (summaries[0].text or ""):
        await p.press("Annuler les validations", expect="Récap du jour")


async def test_settings_change_language_and_summary_time(app: App, standin: BotApiStandIn) -> None:
    p = Player(standin, CAROL, "fr")
    await p.say("/settings", expect="Réglages")
    await p.press("Heure du récap", expect="À quelle heure")
    await p.press("18:00", expect="18:00")
    await p.press("English", expect="Settings")
    assert (await rt(app).services.settings_of(CAROL)).language == "en"


async def test_the_checkpoint_job_copies_the_wal_into_the_database(app: App) -> None:
    database = Path(str(rt(app).services.db.engine.url.database))
    before = database.stat().st_size
    assert Path(f"{database}-wal").stat().st_size > 0, "commits leave their pages in the WAL"
    job = app.job_queue.get_jobs_by_name("checkpoint")[0]  # type: ignore[union-attr]
    await job.run(app)
    assert database.stat().st_size > before
