"""Users served side by side: the update processor alone, then through the real Application."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import Chat, Message, Update, User
from telegram.ext import Application, TypeHandler

from handlers.updates import SHARED, SideBySide, sender_of
from tests.support.botapi import BotApiStandIn
from tests.support.player import Player

App = Application[Any, Any, Any, Any, Any, Any]
ALICE, BOB = 901, 902
WELCOME = "Pointage keeps your"
HELP = "Pointage — help"
PRIVACY = "Your data"
TROUBLESHOOTING = "Import troubleshooting"
FAILED = "Something went wrong"


def message_from(user_id: int | None, update_id: int = 1, *, chat_id: int | None = None) -> Update:
    user = User(user_id, "Someone", is_bot=False) if user_id is not None else None
    chat = Chat(chat_id if chat_id is not None else user_id or 1, Chat.PRIVATE)
    when = datetime(2026, 11, 28, tzinfo=UTC)
    return Update(update_id, message=Message(update_id, when, chat, from_user=user, text="hi"))


class Step:
    """An update's work that starts, then waits until the test lets it finish."""

    def __init__(self, name: str, log: list[str]) -> None:
        self.name = name
        self.log = log
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def run(self) -> None:
        self.log.append(f"{self.name} starts")
        self.started.set()
        await self.release.wait()
        self.log.append(f"{self.name} ends")


async def settle() -> None:
    """Let every task that can run, run."""
    for _ in range(10):
        await asyncio.sleep(0)


# --- the processor alone -----------------------------------------------------------------


def test_an_update_waits_in_its_users_line_else_its_chats_else_the_shared_one() -> None:
    assert sender_of(message_from(ALICE)) == ("user", ALICE)
    assert sender_of(message_from(ALICE, chat_id=-100)) == ("user", ALICE)
    assert sender_of(message_from(None, chat_id=-100)) == ("chat", -100)
    assert sender_of(Update(1)) == SHARED
    assert sender_of("not an update") == SHARED


async def test_one_users_second_update_waits_until_the_first_is_done() -> None:
    processor, log = SideBySide(8), list[str]()
    first, second = Step("first", log), Step("second", log)
    async with processor:
        a = asyncio.create_task(processor.process_update(message_from(ALICE, 1), first.run()))
        b = asyncio.create_task(processor.process_update(message_from(ALICE, 2), second.run()))
        await settle()
        assert log == ["first starts"]
        second.release.set()  # ready to finish, yet it has not even begun
        await settle()
        assert log == ["first starts"]
        first.release.set()
        await asyncio.gather(a, b)
    assert log == ["first starts", "first ends", "second starts", "second ends"]


async def test_one_users_updates_run_in_the_order_they_arrived() -> None:
    processor, log = SideBySide(64), list[str]()

    async def note(n: int) -> None:
        log.append(f"{n} starts")
        await asyncio.sleep(0.001 * (10 - n))  # the earlier, the slower: overtaking would show
        log.append(f"{n} ends")

    async with processor:
        await asyncio.gather(
            *(
                processor.process_update(message_from(ALICE, update_id=n), note(n))
                for n in range(10)
            )
        )
    assert log == [entry for n in range(10) for entry in (f"{n} starts", f"{n} ends")]


async def test_different_users_run_at_the_same_time() -> None:
    processor, log = SideBySide(8), list[str]()
    alice, bob = Step("alice", log), Step("bob", log)
    async with processor:
        a = asyncio.create_task(processor.process_update(message_from(ALICE), alice.run()))
        b = asyncio.create_task(processor.process_update(message_from(BOB), bob.run()))
        await asyncio.wait_for(bob.started.wait(), 1)
        assert not alice.release.is_set() and alice.started.is_set()
        bob.release.set()
        await asyncio.wait_for(b, 1)  # Bob is done while Alice is still busy
        assert not a.done()
        alice.release.set()
        await a
    assert log == ["alice starts", "bob starts", "bob ends", "alice ends"]


async def test_no_more_updates_are_in_hand_than_the_bound() -> None:
    processor, log = SideBySide(2), list[str]()
    steps = [Step(f"user {n}", log) for n in range(3)]
    async with processor:
        tasks = [
            asyncio.create_task(processor.process_update(message_from(1000 + n), step.run()))
            for n, step in enumerate(steps)
        ]
        await settle()
        assert log == ["user 0 starts", "user 1 starts"]
        assert processor.current_concurrent_updates == 2
        steps[2].release.set()
        await settle()
        assert not steps[2].started.is_set()
        steps[0].release.set()
        await asyncio.wait_for(steps[2].started.wait(), 1)
        steps[1].release.set()
        await asyncio.gather(*tasks)
    assert processor.current_concurrent_updates == 0


async def test_a_users_line_goes_once_their_last_update_is_done() -> None:
    processor, log = SideBySide(8), list[str]()
    first, second, bobs = Step("first", log), Step("second", log), Step("bob", log)
    async with processor:
        tasks = [
            asyncio.create_task(processor.process_update(message_from(ALICE, 1), first.run())),
            asyncio.create_task(processor.process_update(message_from(ALICE, 2), second.run())),
            asyncio.create_task(processor.process_update(message_from(BOB, 3), bobs.run())),
        ]
        await settle()
        assert processor.senders_in_hand == 2
        bobs.release.set()
        first.release.set()
        await asyncio.gather(tasks[0], tasks[2])
        assert processor.senders_in_hand == 1  # Alice's second still holds her line
        second.release.set()
        await tasks[1]
    assert processor.senders_in_hand == 0


async def test_a_failing_update_frees_its_users_line_for_the_next() -> None:
    processor, log = SideBySide(8), list[str]()

    async def fail() -> None:
        raise RuntimeError("boom")

    async def note() -> None:
        log.append("next")

    async with processor:
        with pytest.raises(RuntimeError):
            await processor.process_update(message_from(ALICE, 1), fail())
        await processor.process_update(message_from(ALICE, 2), note())
    assert log == ["next"]
    assert processor.senders_in_hand == 0


async def test_an_update_cancelled_while_waiting_never_runs_and_leaves_no_line() -> None:
    processor, log = SideBySide(8), list[str]()
    first, second = Step("first", log), Step("second", log)
    async with processor:
        a = asyncio.create_task(processor.process_update(message_from(ALICE, 1), first.run()))
        b = asyncio.create_task(processor.process_update(message_from(ALICE, 2), second.run()))
        await settle()
        b.cancel()
        await asyncio.gather(b, return_exceptions=True)
        first.release.set()
        await a
    assert log == ["first starts", "first ends"]
    assert processor.senders_in_hand == 0


# --- through the real Application --------------------------------------------------------


class Gate:
    """A slow step before every handler: Alice's update with `text` waits until opened."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.entered = asyncio.Event()
        self.opened = asyncio.Event()
        self.seen: list[tuple[int, str]] = []

    async def __call__(self, update: Update, context: Any) -> None:
        message = update.effective_message
        if update.effective_user is None or message is None or message.text is None:
            return
        self.seen.append((update.effective_user.id, message.text))
        if update.effective_user.id == ALICE and message.text == self.text:
            self.entered.set()
            await self.opened.wait()


@pytest.fixture
async def gate(app: App) -> AsyncIterator[Gate]:
    """Holds Alice's /start; opened at the end whatever happened, so the app can stop."""
    held = Gate("/start")
    app.add_handler(TypeHandler(Update, held), group=-1)
    yield held
    held.opened.set()


def answers(standin: BotApiStandIn, chat_id: int) -> list[str]:
    return [m.text or "" for m in standin.bot_messages(chat_id)]


async def test_another_user_is_answered_while_one_users_update_is_still_running(
    gate: Gate, standin: BotApiStandIn
) -> None:
    alice = Player(standin, ALICE, language="en", name="Alice")
    bob = Player(standin, BOB, language="en", name="Bob")

    alice.send("/start")
    await asyncio.wait_for(gate.entered.wait(), 10)
    await bob.say("/start", expect=WELCOME)
    await bob.say("/help", expect=HELP)
    await bob.press("Import troubleshooting", expect=TROUBLESHOOTING)
    assert answers(standin, ALICE) == []  # Alice's /start is still running

    gate.opened.set()
    await alice.wait_for(WELCOME, since=0, timeout=10)


async def test_one_users_next_message_waits_for_the_one_before(
    gate: Gate, standin: BotApiStandIn
) -> None:
    alice = Player(standin, ALICE, language="en", name="Alice")

    alice.send("/start")
    await asyncio.wait_for(gate.entered.wait(), 10)
    alice.send("/help")
    await Player(standin, BOB, language="en").say("/start", expect=WELCOME)  # it was received
    assert gate.seen.count((ALICE, "/help")) == 0
    assert answers(standin, ALICE) == []

    gate.opened.set()
    await alice.wait_for(HELP, since=0, timeout=10)
    said = answers(standin, ALICE)
    assert [WELCOME in said[0], HELP in said[1]] == [True, True]


async def test_one_users_quick_messages_are_answered_in_the_order_sent(
    app: App, standin: BotApiStandIn
) -> None:
    alice = Player(standin, ALICE, language="en", name="Alice")
    bob = Player(standin, BOB, language="en", name="Bob")
    order = ["/start", "/privacy", "/help", "/privacy", "/start", "/help"]
    expected = {"/start": WELCOME, "/privacy": PRIVACY, "/help": HELP}
    for text in order:  # sent together, so PTB receives them in one batch
        alice.send(text)
        bob.send(text)

    for player in (alice, bob):

        def all_answered(chat_id: int = player.chat_id) -> bool:
            return len(answers(standin, chat_id)) == len(order)

        await standin.wait_for(all_answered)
        said = answers(standin, player.chat_id)
        assert [expected[text] in answer for text, answer in zip(order, said, strict=True)] == [
            True
        ] * len(order)


async def test_a_failing_update_is_reported_and_its_user_is_served_after(
    app: App, standin: BotApiStandIn
) -> None:
    alice = Player(standin, ALICE, language="en", name="Alice")

    async def fail_alices_start(update: Update, context: Any) -> None:
        if update.effective_user is not None and update.effective_user.id == ALICE:
            message = update.effective_message
            if message is not None and message.text == "/start":
                raise RuntimeError("a handler failed")

    app.add_handler(TypeHandler(Update, fail_alices_start), group=-1)
    await alice.say("/start", expect=FAILED)
    await alice.say("/help", expect=HELP)
