"""PTB persistence in ptb_state (JSON, written at once) and the connect flow records kept there."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.banks.connector import AccountType, Authorized, Challenge, ChallengeKind, FetchedAccount
from bot.banks.directory.search import Institution
from bot.domain.money import Money
from bot.domain.secret import Secret
from bot.services.connect_flow import ConnectFlow, FlowStore, Purpose, Step
from handlers.persistence import DatabasePersistence
from storage.models import PtbState
from storage.persistence import dumps
from storage.uow import Database

DEMO = Institution("demo", "Demo Bank", "FR", None, "demo", 730, None)
PASSWORD = "S3cret-Pass!word"
TOKEN = "demo:v1:alice:2027-02-26"


async def rows(db: Database) -> dict[tuple[str, str], str]:
    async with db.reading() as uow:
        found = await uow.session.execute(select(PtbState.kind, PtbState.key, PtbState.data))
        return {(kind, key): data for kind, key, data in found.tuples()}


async def test_conversation_states_are_written_at_once_and_come_back(db: Database) -> None:
    persistence = DatabasePersistence(db)
    await persistence.update_conversation("connect", (501, 501), 5)
    await persistence.update_conversation("other", (7, 7), "asking")
    assert (await rows(db))[("conversation", '["connect",501,501]')] == "5"
    again = DatabasePersistence(db)
    assert await again.get_conversations("connect") == {(501, 501): 5}
    assert await again.get_conversations("other") == {(7, 7): "asking"}
    await again.update_conversation("connect", (501, 501), None)
    assert await DatabasePersistence(db).get_conversations("connect") == {}


async def test_only_plain_json_is_accepted(db: Database) -> None:
    persistence = DatabasePersistence(db, store_user_data=True)
    with pytest.raises(TypeError):
        await persistence.update_conversation("connect", (1, 1), object())
    with pytest.raises(TypeError, match="keys must be strings"):
        await persistence.update_user_data(1, {1: "an int key would come back as a str"})
    assert await rows(db) == {}
    assert dumps({"b": [1, 2.5, None, True], "a": "é"}) == '{"a":"é","b":[1,2.5,null,true]}'


async def test_user_and_chat_data_round_trip_and_empty_ones_leave_no_row(db: Database) -> None:
    persistence = DatabasePersistence(db, store_user_data=True, store_chat_data=True)
    assert persistence.store_data.user_data and persistence.store_data.chat_data
    await persistence.update_user_data(42, {"lang": "fr", "seen": [1, 2]})
    await persistence.update_chat_data(-100, {"muted": True})
    await persistence.update_user_data(43, {})
    again = DatabasePersistence(db, store_user_data=True, store_chat_data=True)
    assert await again.get_user_data() == {42: {"lang": "fr", "seen": [1, 2]}}
    assert await again.get_chat_data() == {-100: {"muted": True}}
    await again.update_user_data(42, {})
    await again.drop_chat_data(-100)
    assert await rows(db) == {}


async def test_bot_data_and_callback_data_are_never_stored(db: Database) -> None:
    persistence = DatabasePersistence(db)
    assert not persistence.store_data.bot_data and not persistence.store_data.callback_data
    assert not persistence.store_data.user_data and not persistence.store_data.chat_data
    await persistence.update_bot_data({"runtime": "live objects"})
    assert await persistence.get_bot_data() == {} and await persistence.get_callback_data() is None
    assert await rows(db) == {}


async def test_prepare_runs_once_before_the_table_is_first_touched(db: Database) -> None:
    calls: list[str] = []

    async def prepare() -> None:
        calls.append("migrate")

    persistence = DatabasePersistence(db, prepare=prepare)
    assert calls == []
    await persistence.get_conversations("connect")
    await persistence.update_conversation("connect", (1, 1), 1)
    await persistence.ready()
    assert calls == ["migrate"]


async def test_shelves_keep_records_beside_ptb_rows(db: Database) -> None:
    persistence = DatabasePersistence(db)
    shelf = persistence.shelf("connect_flow")
    await shelf.put("501", {"step": 5})
    await shelf.put("501", {"step": 6})
    await shelf.put("502", {"step": 0})
    assert await persistence.shelf("connect_flow").all() == {"501": {"step": 6}, "502": {"step": 0}}
    await shelf.remove("502")
    assert await shelf.all() == {"501": {"step": 6}}
    with pytest.raises(ValueError):
        persistence.shelf("conversation")


# --- connect flows ----------------------------------------------------------------------------


def signed_in_flow() -> ConnectFlow:
    flow = ConnectFlow(telegram_id=501, country="FR", chat_id=501, step=Step.CONFIRM)
    flow.query, flow.institution = "demo", DEMO
    flow.username, flow.password = Secret("alice"), Secret(PASSWORD)
    flow.challenge = Challenge(ChallengeKind.CODE, Secret("challenge-state-xyz"), "SMS")
    flow.authorized = Authorized(Secret(TOKEN))
    flow.accounts = [
        FetchedAccount(
            "demo-cc",
            "Compte courant",
            AccountType.CHECKING,
            "FR7630001007941234567890185",
            "EUR",
            Money(123456, "EUR"),
        ),
        FetchedAccount("demo-sav", "Livret", AccountType.SAVINGS, None, "EUR", Money(5, "EUR")),
    ]
    flow.selected, flow.ledger_for, flow.period_key = [0, 1], {0: 12, 1: 13}, "d90"
    flow.status_message_id = 42
    return flow


def test_a_flow_record_holds_no_secret_and_no_full_iban() -> None:
    text = dumps(signed_in_flow().record())
    for secret in (PASSWORD, TOKEN, "challenge-state-xyz", "alice", "FR7630001007941234567890185"):
        assert secret not in text
    assert "FR76 •••• 0185" in text and "Compte courant" in text and "123456" in text


def test_a_flow_comes_back_from_its_record() -> None:
    flow = signed_in_flow()
    back = ConnectFlow.from_record(flow.record(), {"demo": DEMO}.get)
    assert back is not None
    assert (back.flow_id, back.step, back.institution, back.selected) == (
        flow.flow_id,
        Step.CONFIRM,
        DEMO,
        [0, 1],
    )
    assert back.ledger_for == {0: 12, 1: 13} and back.period_key == "d90"
    assert back.accounts[0].balance == Money(123456, "EUR") and back.status_message_id == 42
    assert back.username is None and back.authorized is None
    gone: dict[str, Institution] = {}
    assert ConnectFlow.from_record(flow.record(), gone.get) is None  # the bank is gone
    assert ConnectFlow.from_record({"v": 99}, {"demo": DEMO}.get) is None


@pytest.mark.parametrize(
    ("step", "expected", "resume"),
    [
        (Step.SEARCH, Step.SEARCH, None),
        (Step.BANK, Step.BANK, None),
        (Step.USERNAME, Step.USERNAME, None),
        (Step.PASSWORD, Step.USERNAME, None),
        (Step.CODE, Step.USERNAME, None),
        (Step.ACCOUNTS, Step.USERNAME, Step.ACCOUNTS),
        (Step.LEDGER_NAME, Step.USERNAME, Step.LEDGER_NAME),
        (Step.CONFIRM, Step.USERNAME, Step.CONFIRM),
    ],
)
def test_past_the_bank_login_a_restart_asks_for_the_username_again(
    step: Step, expected: Step, resume: Step | None
) -> None:
    flow = signed_in_flow()
    flow.step = step
    flow.after_restart()
    assert (flow.step, flow.resume_step) == (expected, resume)
    assert flow.relogin == (step >= Step.PASSWORD) and flow.restart_notice_due == flow.relogin


def test_signing_in_again_keeps_the_choices_of_accounts_still_there() -> None:
    flow = signed_in_flow()
    flow.after_restart()
    fresh = [flow.accounts[1], flow.accounts[0]]  # the bank lists them in another order
    assert flow.signed_in_again(fresh) == Step.CONFIRM
    assert flow.selected == [0, 1] and flow.ledger_for == {1: 12, 0: 13}
    assert not flow.relogin and flow.resume_step is None

    gone = signed_in_flow()
    gone.after_restart()
    assert gone.signed_in_again([gone.accounts[1]]) == Step.ACCOUNTS
    assert gone.selected == [0] and gone.ledger_for == {0: 13}


async def test_the_flow_store_keeps_current_flows_only_and_restores_them(db: Database) -> None:
    persistence = DatabasePersistence(db)
    flows = FlowStore(persistence.shelf("connect_flow"), institutions={"demo": DEMO}.get)
    flow = signed_in_flow()
    flows._flows[flow.telegram_id] = flow
    await flows.save(flow)
    stale = flows.start(502, "FR")
    await flows.end(502)
    await flows.save(stale)  # ended meanwhile: never written back
    assert set(await persistence.shelf("connect_flow").all()) == {"501"}

    after = FlowStore(persistence.shelf("connect_flow"), institutions={"demo": DEMO}.get)
    restored = await after.restore()
    assert [(f.flow_id, f.step) for f in restored] == [(flow.flow_id, Step.USERNAME)]
    assert after.get(501) is restored[0] and after.get(502) is None
    assert restored[0].resume_step == Step.CONFIRM and restored[0].restart_notice_due
    assert PASSWORD not in str(await rows(db)) and TOKEN not in str(await rows(db))


async def test_a_renewing_flow_comes_back_for_the_same_connection(db: Database) -> None:
    """/credentials flows are kept like /connect ones: what they renew comes back with them."""
    persistence = DatabasePersistence(db)
    flows = FlowStore(persistence.shelf("connect_flow"), institutions={"demo": DEMO}.get)
    flow = flows.start(503, None, purpose=Purpose.RENEW, connection_id=7, institution=DEMO)
    flow.step = Step.PASSWORD
    flow.username = Secret("alice-at-the-bank")
    await flows.save(flow)
    (back,) = await FlowStore(
        persistence.shelf("connect_flow"), institutions={"demo": DEMO}.get
    ).restore()
    assert (back.purpose, back.connection_id, back.step) == (Purpose.RENEW, 7, Step.USERNAME)
    assert back.username is None and "alice-at-the-bank" not in str(await rows(db))
