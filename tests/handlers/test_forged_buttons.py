"""Thousands of forged buttons of every kind: each gets the polite answer and changes nothing."""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Iterator
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Update
from telegram.ext import Application

from bot.domain.clock import FixedClock
from bot.i18n import t
from handlers import callbacks as cb
from handlers import start
from storage.models import BankTransaction, Base, LedgerAccount
from tests.support.app import run_app, settings_for, stop_app
from tests.support.botapi import BotApiStandIn
from tests.support.connecting import connect_all
from tests.support.player import Player

App = Application[Any, Any, Any, Any, Any, Any]
ALICE, BOB = 701, 702
SEED = 20261128
MOMENT = 1795855891  # a digest anchor (2026), in range

TEXTS = {
    "flow": "a1b2c3",
    "bank": "demo",
    "group": "g-fr-credit-agricole",
    "country": "FR",
    "period": "m24",
    "language": "fr",
    "hhmm": "0800",
    "topic": "imports",
    "token": "Ab3_x-9Z",
}
NUMBERS = {
    "line": 1,
    "account": 1,
    "rule": 1,
    "ledger": 1,
    "connection": 1,
    "anchor": MOMENT,
    "asked": MOMENT,
    "page": 0,
    "index": 0,
    "auto": 1,
    "on": 1,
    "here": 1,
    "menu": 1,
    "question": 1,
    "purpose": 2,
    "results": 0,
    "role": 1,
    "bound": 1,
    "amount": 0,
}
MALFORMED_NUMBERS = (
    "",
    "+1",
    "-1",
    "-0",
    "+0",
    "00",
    "01",
    "0" * 40,
    "1e3",
    "0x10",
    "1_0",
    "1.0",
    " 1",
    "1 ",
    "1\n",
    "²",
    "1²",
    "١٢",  # Arabic-Indic digits: str.isdigit() says yes
    "１２",  # fullwidth digits
    "𝟏",
    "nan",
    "∞",
)
HUGE_NUMBERS = (
    "9" * 20,
    "1" + "0" * 19,
    str(2**31),
    str(2**32),
    str(2**63 - 1),
    str(2**63),
    str(2**64),
    str(2**64 + 1),
    "9" * 40,
    "253402300800",  # year 10000
    str(10**15),
)
ODD_CHARACTERS = "1:0-_aZ²١１😀\x00\n\t é\u202e\ufeff\U0010ffff"
QUIET = {"answerCallbackQuery", "getUpdates"}
POLITE = {t("fr", "stale_button"), t("fr", "delete.expired")}


def numeric_fields(kind: type[cb.Button]) -> list[str]:
    return list(cb.number_ranges(kind))


def data_of(kind: type[cb.Button], values: dict[str, str]) -> str:
    return f"{cb.VERSION}{kind.tag}" + "".join(f":{values[f.name]}" for f in fields(kind))


def valid_values(kind: type[cb.Button], numbers: dict[str, int]) -> dict[str, str]:
    return {
        f.name: str(numbers[f.name]) if f.name in cb.number_ranges(kind) else TEXTS[f.name]
        for f in fields(kind)
    }


def out_of_range(allowed: range, rng: random.Random) -> Iterator[str]:
    """Values of a number field that no button of ours carries."""
    yield from MALFORMED_NUMBERS
    for value in HUGE_NUMBERS:
        if int(value) not in allowed:
            yield value
    for edge in (allowed.start - 1, allowed.stop, allowed.stop * 10, 0, 1, 10**9):
        if edge >= 0 and edge not in allowed:
            yield str(edge)
    for _ in range(6):
        yield str(rng.randrange(10**19, 10**40))


NAMES_NOTHING_IT_ACTS_ON = (cb.KeepAsIs,)
"""Cancel changes nothing whoever presses it."""
PRESSED_THROUGH_THE_BOT = 1000


def owner_mismatch(alice: dict[str, int], bob: dict[str, int]) -> Iterator[str]:
    """Well-formed buttons naming Alice's lines, accounts, rules and connection, pressed by Bob;
    and Bob's own line filed under Alice's account."""
    for kind in cb.KINDS:
        names = set(numeric_fields(kind)) & {"line", "account", "rule", "connection"}
        if names and kind not in NAMES_NOTHING_IT_ACTS_ON:
            yield data_of(kind, valid_values(kind, {**NUMBERS, **alice}))
        if {"line", "account"} <= names:
            mixed = {**NUMBERS, **alice, "line": bob["line"]}
            yield data_of(kind, valid_values(kind, mixed))


def forged_values(seed: int, owner: dict[str, int]) -> tuple[list[str], list[str]]:
    """(refused, either): values the codec must refuse, and values it may refuse or read
    (truncations and random text that can happen to spell a real button), around buttons
    carrying the owner's ids."""
    rng = random.Random(seed)
    refused: list[str] = ["", cb.VERSION, ":", "::::"]
    either: list[str] = []
    for kind in cb.KINDS:
        good = valid_values(kind, {**NUMBERS, **owner})
        data = data_of(kind, good)
        for name, allowed in cb.number_ranges(kind).items():
            for bad in out_of_range(allowed, rng):
                refused.append(data_of(kind, {**good, name: bad}))
        body = data[len(cb.VERSION) :]
        refused += [f"{v}{body}" for v in "0139" if v != cb.VERSION]  # "1": the old version
        refused += [body, f"{cb.VERSION}{data}"]
        refused += [f"{data}:1", f"{data}:", f"{data}::", data + "\x00"]
        if ":" in data:
            refused.append(data.replace(":", "::", 1))
        refused += [f"{data}\n", f" {data}", data + "x" * cb.MAX_BYTES]
        if len(fields(kind)) > 1:
            refused.append(data.rsplit(":", 1)[0])
        either += [data[:cut] for cut in range(len(data))]
        for _ in range(40):
            tokens = [random_token(rng) for _ in range(rng.randrange(1, len(fields(kind)) + 2))]
            either.append(f"{cb.VERSION}{kind.tag}:" + ":".join(tokens))
    for _ in range(600):
        either.append(
            bytes(rng.randrange(256) for _ in range(rng.randrange(1, 80))).decode("latin-1")
        )
        either.append("".join(rng.choice(ODD_CHARACTERS) for _ in range(rng.randrange(1, 40))))
    return refused, either


def random_token(rng: random.Random) -> str:
    return rng.choice(
        (
            str(rng.randrange(10**40)),
            str(rng.randrange(100)),
            "-" + str(rng.randrange(10**20)),
            "".join(rng.choice("0123456789abcXYZ_-") for _ in range(rng.randrange(1, 45))),
            "",
        )
    )


def assert_within_its_ranges(button: cb.Button) -> None:
    for name, allowed in cb.number_ranges(type(button)).items():
        assert int(getattr(button, name)) in allowed, (button, name)


# --- the codec alone ---------------------------------------------------------------------------

SOMEONE = {"line": 2_000_000_000, "account": 7, "rule": 9, "connection": 3, "ledger": 4}


def test_every_field_but_text_has_a_range() -> None:
    for kind in cb.KINDS:
        texts = {f.name for f in fields(kind) if f.type == "str"}
        assert set(numeric_fields(kind)) == {f.name for f in fields(kind)} - texts, kind
        assert texts <= set(TEXTS), kind


def test_thousands_of_forged_values_raise_only_the_one_error() -> None:
    refused, either = forged_values(SEED, SOMEONE)
    assert len(refused) + len(either) > 5000
    for data in refused:
        with pytest.raises(cb.BadButton):
            cb.parse(data)
    for data in either:
        try:
            button = cb.parse(data)
        except cb.BadButton:
            continue
        assert_within_its_ranges(button)
        assert button.pack() == data, "a value is read only in the one spelling pack() writes"


@pytest.mark.parametrize(
    "data",
    [
        cb.ReviewPage(MOMENT, 0).pack()[len(cb.VERSION) :].replace(str(MOMENT), "9" * 20),
        f"rp:{2**63}:0",
        f"rp:{2**64}:0",
        "rp:0:0",
        "rp:253402300800:0",
        "ru:-62135596800",
        f"ra:{2**63}:{MOMENT}:0",
        f"ra:0:{MOMENT}:0",
        f"ra:{2**31}:{MOMENT}:0",
        f"rk:1:{2**64}:{MOMENT}:0",
        f"ry:1:1:{MOMENT}:0:2",
        f"rp:{MOMENT}:{10**20}",
        f"Rt:{'9' * 40}",
        "Rd:0",
        "mr:-1",
        "mr:0",  # version 1 meant "every connection": now RefreshAll
        "mk:1",
        "mR:1",
        f"mE:{2**63}",
        "sa:2",
        "sm:3",
        "sz:²",
        "t:a1b2c3:١",
        f"l:a1b2c3:0:{2**63}",
        "md:1:01",
        "ap:a1b2c3:100000",
        "ap:a1b2c3:-1",
        f"lp:a1b2c3:0:{2**63}",
        "lp:a1b2c3:00:1",
        f"rF:1:{MOMENT}:0:{10**20}",
        f"rF:1:{MOMENT}:0:-1",
        f"rF:{2**31}:{MOMENT}:0:0",
        "Rp:100000",
        "Rp:+1",
        "zp:9" + "9" * 19,
        "mp:1.0",
        "mP:2:0",
        "mP:0:100000",
        "mP:1",
    ],
)
def test_numbers_out_of_their_range_are_forged(data: str) -> None:
    with pytest.raises(cb.BadButton):
        cb.parse(cb.VERSION + data)


def test_the_edges_of_each_range_still_travel() -> None:
    for kind in cb.KINDS:
        for name in numeric_fields(kind):
            allowed = cb.number_ranges(kind)[name]
            for edge in (allowed.start, allowed.stop - 1):
                data = data_of(kind, {**valid_values(kind, NUMBERS), name: str(edge)})
                assert len(data.encode()) <= cb.MAX_BYTES
                assert int(getattr(cb.parse(data), name)) == edge


# --- the real Application --------------------------------------------------------------------


@pytest.fixture
async def app(standin: BotApiStandIn, tmp_path: Path, clock: FixedClock) -> AsyncIterator[App]:
    application = await run_app(settings_for(standin, tmp_path, demo_bank_password="demo"), clock)
    yield application
    await stop_app(application)


async def with_data(app: App, telegram_id: int) -> dict[str, int]:
    """A user with a connection, imported lines and one rule: the ids their buttons carry."""
    services = app.bot_data["runtime"].services
    connection = await connect_all(services, telegram_id, date(2026, 11, 1))
    await services.import_connection(telegram_id, connection)
    book = (await services.meet(telegram_id, telegram_id, "fr")).book_id
    async with services.db.reading() as uow:
        line = await uow.session.scalar(
            select(BankTransaction.id)
            .where(BankTransaction.book_id == book, BankTransaction.payee.is_not(None))
            .order_by(BankTransaction.id.desc())
        )
        account = await uow.session.scalar(
            select(LedgerAccount.id).where(
                LedgerAccount.book_id == book, LedgerAccount.code == "626"
            )
        )
    assert line is not None and account is not None
    rules = app.bot_data["runtime"].rules
    await rules.make(telegram_id, line, account)
    rule = (await rules.of(telegram_id))[0].id
    ledger = (await services.bank_ledger_accounts(telegram_id))[0].id
    return {
        "line": line,
        "account": account,
        "rule": rule,
        "connection": connection,
        "ledger": ledger,
    }


async def snapshot(app: App) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table."""
    async with app.bot_data["runtime"].services.db.reading() as uow:
        return {
            table.name: sorted(
                map(tuple, (await uow.session.execute(select(table))).all()), key=repr
            )
            for table in Base.metadata.sorted_tables
        }


def press_of(data: str, app: App) -> Update:
    return Update.de_json(
        {
            "update_id": 1,
            "callback_query": {
                "id": "1",
                "from": {"id": BOB, "is_bot": False, "first_name": "Bob", "language_code": "fr"},
                "chat_instance": "1",
                "data": data,
                "message": {"message_id": 1, "date": 0, "chat": {"id": BOB, "type": "private"}},
            },
        },
        app.bot,
    )


def taker(app: App, update: Update) -> object:
    """The callback of the handler the Application would give the update to."""
    for group in sorted(app.handlers):
        for handler in app.handlers[group]:
            check = handler.check_update(update)
            if check is not None and check is not False:
                return getattr(handler, "callback", handler)
    return None


async def test_every_refused_value_goes_to_the_polite_answer(app: App) -> None:
    """Empty data is left out: PTB gives it to the first CallbackQueryHandler whatever its
    pattern (that handler's read_press answers it politely; the bot test presses it)."""
    refused, either = forged_values(SEED, SOMEONE)
    for data in filter(None, [*refused, *filter(refused_by_codec, either)]):
        assert taker(app, press_of(data, app)) is start.on_stale_button, data


async def test_forged_buttons_pressed_through_the_bot_are_answered_politely_and_change_nothing(
    app: App, standin: BotApiStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    alice = await with_data(app, ALICE)
    bob_ids = await with_data(app, BOB)
    bob = Player(standin, BOB, "fr", name="Bob")
    mine = await bob.say("/start", expect="Bonjour")
    refused, either = forged_values(SEED, alice)
    garbage = [*refused, *filter(refused_by_codec, either)]
    foreign = list(owner_mismatch(alice, bob_ids))
    presses = ["", *foreign, *random.Random(SEED).sample(garbage, PRESSED_THROUGH_THE_BOT)]
    before = await snapshot(app)
    bot_calls = len(standin.calls)
    caplog.set_level(logging.WARNING)
    query_ids = [standin.press(bob.user, mine.message_id, data) for data in presses]
    await standin.wait_for(lambda: not standin.unanswered_callbacks() or None, timeout=30)
    answers = {data: standin.callback_answer(q) for data, q in zip(presses, query_ids, strict=True)}
    impolite = {d: a for d, a in answers.items() if a is None or a.get("text") not in POLITE}
    assert impolite == {}
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert [m for m, _ in standin.calls[bot_calls:] if m not in QUIET] == [], "nothing redrawn"
    assert await snapshot(app) == before


async def test_a_search_or_new_account_for_another_users_line_changes_nothing(
    app: App, standin: BotApiStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    """These two ask for typed text about a line: the line's owner is checked at the press, so
    nothing is armed and the next words are not read as a search or an account name."""
    alice = await with_data(app, ALICE)
    await with_data(app, BOB)
    bob = Player(standin, BOB, "fr", name="Bob")
    mine = await bob.say("/start", expect="Bonjour")
    before = await snapshot(app)
    caplog.set_level(logging.WARNING)
    for kind, typed in ((cb.SearchAccounts, "tel"), (cb.NewAccount, "Cadeaux")):
        answer = await bob.press_data(mine.message_id, kind(alice["line"], MOMENT, 0).pack())
        assert answer == t("fr", "stale_button")
        await bob.say(typed, expect=t("fr", "unknown"))
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert await snapshot(app) == before
    assert standin.unanswered_callbacks() == []


def refused_by_codec(data: str) -> bool:
    try:
        cb.parse(data)
    except cb.BadButton:
        return True
    return False
