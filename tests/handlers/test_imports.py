"""Bank files through the real Application and the Bot API stand-in: upload, answer, review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from telegram.ext import Application

from bot.files.importer import MAX_FILE_BYTES
from bot.i18n import t
from bot.services.import_views import ColumnRole
from handlers import callbacks as cb
from storage.models import BankAccount, BankTransaction
from tests.services.test_imports import DAY, ofx
from tests.support.botapi import BotApiStandIn, StoredMessage
from tests.support.player import Player

App = Application[Any, Any, Any, Any, Any, Any]
GOLDEN = Path(__file__).resolve().parents[1] / "files" / "golden"


def golden(name: str) -> bytes:
    return next(GOLDEN.glob(f"*/{name}")).read_bytes()


async def upload(p: Player, name: str, data: bytes, expect: str, **where: Any) -> StoredMessage:
    since = len(p.standin.calls)
    p.standin.send_document(p.user, name, data, **where)
    return await p.wait_for(expect, since, 20.0)


async def count(app: App, model: Any, *where: Any) -> int:
    async with app.bot_data["runtime"].services.db.reading() as uow:
        return int(
            await uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0
        )


async def test_a_file_is_imported_into_a_new_account_and_reviewed(
    app: App, standin: BotApiStandIn
) -> None:
    p = Player(standin, 801, "fr")
    asked = await upload(p, "releve.ofx", golden("fr_bank.ofx"), "À quel compte bancaire")
    assert "30 opérations" in (asked.text or "") and "1 janv. 2024" in (asked.text or "")
    done = await p.press("Nouveau compte", expect="30 nouvelles opérations")
    assert "0 déjà connue" in (done.text or "") and "Passez-les en revue" in (done.text or "")
    assert "Solde selon le fichier" in (done.text or "")
    assert await count(app, BankTransaction) == 30
    review = await p.say("/review", expect="À passer en revue")
    assert "30 opérations" in (review.text or "")
    again = await upload(p, "releve.ofx", golden("fr_bank.ofx"), "À quel compte bancaire")
    assert "✅" in str(again.buttons())
    second = await p.press("✅", expect="0 nouvelle opération")
    assert "30 déjà connues" in (second.text or "")
    assert await count(app, BankTransaction) == 30


async def test_a_file_of_two_accounts_asks_for_each(app: App, standin: BotApiStandIn) -> None:
    p = Player(standin, 802, "en")
    await upload(p, "two.ofx", golden("multi_two_banks.ofx"), "Statement 1/2")
    second = await p.press("New account", expect="Statement 2/2")
    assert "30 new transactions" in (second.text or "")
    done = await p.press("New account", expect="Go through them with /review")
    assert "7 new transactions" in (done.text or "")
    assert await count(app, BankAccount, BankAccount.institution_id == "file") == 2


async def test_csv_columns_are_asked_once_then_remembered(app: App, standin: BotApiStandIn) -> None:
    p = Player(standin, 803, "fr")
    data = golden("headerless.csv")
    question = await upload(p, "export.csv", data, "contient la date")
    assert "01/01/2024" in (question.text or "")
    await p.press("A", expect="contient le montant")
    await p.press("D", expect="contient le libellé")
    await p.press("C", expect="À quel compte bancaire")
    balance = await p.press("Nouveau compte", expect="Quel solde votre banque")
    assert "nouvelles opérations" in (balance.text or "")
    refused = await p.say("beaucoup", expect="Je n'ai pas compris")
    assert "1 234,56" in (refused.text or "")
    saved = await p.say("1 234,56", expect="Solde enregistré")
    assert "1\u202f234,56\xa0€" in (saved.text or "")
    again = await upload(p, "export.csv", data, "À quel compte bancaire")
    assert "contient la date" not in (again.text or "")
    done = await p.press("✅", expect="0 nouvelle opération")
    assert "Quel solde" not in (done.text or "")


async def test_a_skipped_balance_says_what_it_means(app: App, standin: BotApiStandIn) -> None:
    p = Player(standin, 804, "en")
    await upload(p, "bom.csv", golden("en_bom.csv"), "Which bank account")
    await p.press("New account", expect="What balance did your bank show")
    skipped = await p.press("Skip", expect="won't match the bank")
    assert "asked again with its next file" in (skipped.text or "")


async def test_a_damaged_file_is_explained_and_nothing_is_written(
    app: App, standin: BotApiStandIn
) -> None:
    p = Player(standin, 805, "fr")
    told = await upload(p, "cut.ofx", golden("truncated.ofx"), "semble abîmé")
    assert "rien n'a été importé" in (told.text or "")
    line = await upload(p, "bad.csv", golden("damaged_row.csv"), "(ligne 5)")
    assert "semble abîmé" in (line.text or "")
    assert await count(app, BankAccount) == 0 and await count(app, BankTransaction) == 0


async def test_a_pdf_gets_where_to_find_the_real_files(app: App, standin: BotApiStandIn) -> None:
    p = Player(standin, 806, "fr")
    told = await upload(p, "releve.pdf", b"%PDF-1.7\n...", "PDF")
    assert "OFX" in (told.text or "") and "Exporter" in (told.text or "")
    camt = await upload(p, "intraday.xml", golden("camt052.xml"), "CAMT.053")
    assert "rien n'a été importé" in (camt.text or "")


async def test_a_file_too_large_is_refused_before_download(
    app: App, standin: BotApiStandIn
) -> None:
    p = Player(standin, 807, "en")
    await upload(p, "huge.csv", b"0" * (MAX_FILE_BYTES + 1), "too large")
    assert standin.calls_to("getFile") == []


async def test_a_document_in_a_group_is_never_downloaded(app: App, standin: BotApiStandIn) -> None:
    standin.group_privacy = False
    p = Player(standin, 808, "fr")
    since = len(standin.calls)
    standin.send_document(
        p.user, "releve.ofx", golden("fr_bank.ofx"), chat_id=-4242, chat_type="group"
    )

    def told() -> bool | None:
        return (
            any(
                method == "sendMessage" and str(params.get("chat_id")) == "-4242"
                for method, params in standin.calls[since:]
            )
            or None
        )

    await standin.wait_for(told)
    sent = [m for m in standin.bot_messages(-4242)]
    assert "conversation privée" in (sent[-1].text or "")
    assert standin.calls_to("getFile") == []


async def test_import_says_what_files_are_read(app: App, standin: BotApiStandIn) -> None:
    told = await Player(standin, 809, "en").say("/import", expect="OFX/QFX/QBO")
    assert "CAMT.053" in (told.text or "") and "MT940" in (told.text or "")


async def test_accounts_offers_to_import_a_file(app: App, standin: BotApiStandIn) -> None:
    p = Player(standin, 815, "en")
    await upload(p, "statement.ofx", golden("en_bank_v2.ofx"), "Which bank account")
    await p.press("New account", expect="new transaction")
    await p.say("/accounts", expect="Accounts without a connection")
    help_shown = await p.press(t("en", "btn.import_file"), expect="OFX")
    assert "Send your bank's file" in (help_shown.text or "")


async def test_forged_or_stale_import_buttons_are_answered_politely(
    app: App, standin: BotApiStandIn
) -> None:
    p = Player(standin, 810, "fr")
    asked = await upload(p, "releve.ofx", golden("fr_bank.ofx"), "À quel compte bancaire")
    polite = t("fr", "stale_button")
    forged = (
        cb.IntoAccount("forged", 0, 1),
        cb.IntoNewAccount("forged", 0),
        cb.IntoNewAccount("zz", 7),
        cb.PickColumn("forged", ColumnRole.DATE, 0),
        cb.TwoAmountColumns("forged"),
        cb.SameLine("forged", 0, 1),
        cb.NewLine("forged", 0),
        cb.SkipBalance("forged", 1),
        cb.FileAccountsPage("forged", 0, 1),
    )
    for button in forged:
        assert await p.press_data(asked.message_id, button.pack()) == polite, button
    token = asked.button("Nouveau compte").split(":")[1]
    assert await p.press_data(asked.message_id, cb.IntoAccount(token, 0, 2_000_000).pack()) == (
        polite
    )
    assert await p.press_data(asked.message_id, cb.IntoNewAccount(token, 1).pack()) == polite
    assert await count(app, BankTransaction) == 0
    await p.press("Nouveau compte", expect="30 nouvelles opérations")
    assert await p.press_data(asked.message_id, cb.IntoNewAccount(token, 0).pack()) == polite
    assert await count(app, BankTransaction) == 30


async def test_a_line_like_two_stored_ones_is_asked_about_with_buttons(
    app: App, standin: BotApiStandIn
) -> None:
    p = Player(standin, 811, "fr")
    two = [(DAY, -350, "CB CAFE DE LA GARE", "A1"), (DAY, -350, "CB CAFE DE LA GARE", "A2")]
    await upload(p, "a.ofx", ofx(two), "À quel compte bancaire")
    await p.press("Nouveau compte", expect="2 nouvelles opérations")
    one = ofx([(DAY, -350, "PAIEMENT CARTE 0412", "B1")])
    await upload(p, "b.ofx", one, "À quel compte bancaire")
    asked = await p.press("✅", expect="Laquelle est-ce")
    assert "PAIEMENT CARTE 0412" in (asked.text or "") and "1 à confirmer" in (asked.text or "")
    assert "2 ·" in str(asked.buttons())
    await p.press("1 ·", expect="rien n'a été ajouté")
    assert await count(app, BankTransaction) == 2
    await upload(p, "b.ofx", one, "À quel compte bancaire")
    await p.press("✅", expect="Laquelle est-ce")
    await p.press("Aucune", expect="Opération ajoutée")
    assert await count(app, BankTransaction) == 3
