"""The state of one sign-in flow (/connect or /credentials): live in memory, its non-secret
part kept on a shelf.

What is typed at the bank login (username, password, code), the bank's challenge and the
authorised session are secrets: they live in memory only and never reach the shelf. A flow
brought back after a restart therefore resumes where it was, except past the bank login:
there it asks for the username again, then returns to the step the user had reached.

A consent link's challenge is the exception: it holds no credential, only the provider's id
of the login under way and the bank's name, so it is kept, sealed by the vault (that id opens
the user's accounts to whoever also holds the operator's keys), and a flow waiting for a
consent still waits after a restart. Without a vault it is not kept.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Protocol

from bot.banks.connector import AccountType, Authorized, Challenge, ChallengeKind, FetchedAccount
from bot.banks.directory.search import Institution
from bot.domain.money import Money
from bot.domain.secret import Secret
from bot.domain.views import mask_iban
from storage.vault import Sealed, SecretSlot, Vault, VaultError

log = logging.getLogger(__name__)

RECORD_VERSION = 1


class Step(IntEnum):
    """Where a flow is: what the user's next message or press answers."""

    SEARCH = 0
    BANK = 1
    USERNAME = 2
    PASSWORD = 3
    CODE = 4
    ACCOUNTS = 5
    LEDGER = 6
    LEDGER_NAME = 7
    PERIOD = 8
    CONFIRM = 9
    CONSENT = 10


class Purpose(IntEnum):
    """What the sign-in is for: a new connection, more accounts for one, or new details."""

    CONNECT = 0
    ADD_ACCOUNTS = 1
    RENEW = 2


SIGNING_IN = frozenset({Step.PASSWORD, Step.CODE, Step.CONSENT})
"""Steps that hold what the user typed at the bank login (memory only)."""
SIGNED_IN = frozenset({Step.ACCOUNTS, Step.LEDGER, Step.LEDGER_NAME, Step.PERIOD, Step.CONFIRM})
"""Steps that need the bank's authorised session (memory only) to finish."""


@dataclass(frozen=True, slots=True)
class ConsentReturned:
    """The bank sent the user back (our consent callback), or it is time to ask the
    provider again (polling): handled as one of the user's updates, in their order.

    `answer` is what continue_auth reads: the callback's query string, "" when polling.
    """

    telegram_id: int
    reference: str
    answer: Secret = field(repr=False)
    polled: bool = False


def new_flow_id() -> str:
    return secrets.token_hex(3)


@dataclass
class ConnectFlow:
    telegram_id: int
    country: str | None
    chat_id: int = 0
    flow_id: str = field(default_factory=new_flow_id)
    step: Step = Step.SEARCH
    query: str = ""
    institution: Institution | None = None
    username: Secret | None = field(default=None, repr=False)
    password: Secret | None = field(default=None, repr=False)
    challenge: Challenge | None = field(default=None, repr=False)
    authorized: Authorized | None = field(default=None, repr=False)
    accounts: list[FetchedAccount] = field(default_factory=list)
    selected: list[int] = field(default_factory=list)
    ledger_for: dict[int, int] = field(default_factory=dict)
    period_key: str | None = None
    status_message_id: int | None = None
    relogin: bool = False
    """A restart lost the bank login: the username is asked again."""
    resume_step: Step | None = None
    """The signed-in step to return to once the user has signed in again."""
    restart_notice_id: int | None = None
    """The message telling the user to sign in again; what they typed before it is ignored."""
    touched_at: float = field(default_factory=time.time)
    purpose: Purpose = Purpose.CONNECT
    connection_id: int | None = None
    """The connection a RENEW or ADD_ACCOUNTS flow works on."""
    busy: bool = False
    """The bank is being asked (memory only): what the user sends meanwhile waits for it."""

    def __post_init__(self) -> None:
        if not self.chat_id:
            self.chat_id = self.telegram_id

    def toggle(self, index: int) -> None:
        if index in self.selected:
            self.selected.remove(index)
        else:
            self.selected.append(index)
            self.selected.sort()

    def next_unassigned(self) -> int | None:
        return next((i for i in self.selected if i not in self.ledger_for), None)

    def forget_login(self) -> None:
        """Drop what was typed; the vault holds the only copy once connected."""
        self.username = None
        self.password = None
        self.challenge = None

    @property
    def restart_notice_due(self) -> bool:
        return self.relogin and self.restart_notice_id is None

    def signed_in_again(self, accounts: list[FetchedAccount]) -> Step | None:
        """Take the accounts fetched after a new login; the step to return to, if any.

        Ticks and ledger choices follow each account by its bank id; if a ticked account is
        gone, the user goes back to the list of accounts.
        """
        target = self.resume_step
        old = self.accounts
        self.accounts = list(accounts)
        self.relogin, self.resume_step, self.restart_notice_id = False, None, None
        if target is None:
            return None
        position = {account.external_id: i for i, account in enumerate(accounts)}
        selected = [position.get(old[i].external_id) for i in self.selected if i < len(old)]
        ledger_for = {
            position[old[i].external_id]: ledger
            for i, ledger in self.ledger_for.items()
            if i < len(old) and old[i].external_id in position
        }
        self.selected = sorted(i for i in selected if i is not None)
        self.ledger_for = {i: ledger for i, ledger in ledger_for.items() if i in self.selected}
        if None in selected or not self.selected:
            return Step.ACCOUNTS
        return target

    # --- the shelf record: everything but secrets -----------------------------------------

    def record(self) -> dict[str, Any]:
        return {
            "v": RECORD_VERSION,
            "flow": self.flow_id,
            "user": self.telegram_id,
            "chat": self.chat_id,
            "step": int(self.step),
            "country": self.country,
            "query": self.query,
            "institution": self.institution.id if self.institution else None,
            "accounts": [_account_record(a) for a in self.accounts],
            "selected": list(self.selected),
            "ledger_for": {str(i): ledger for i, ledger in self.ledger_for.items()},
            "period": self.period_key,
            "message": self.status_message_id,
            "relogin": self.relogin,
            "resume": int(self.resume_step) if self.resume_step is not None else None,
            "notice": self.restart_notice_id,
            "touched": self.touched_at,
            "purpose": int(self.purpose),
            "connection": self.connection_id,
            "consent": _consent_record(self.challenge),
        }

    @classmethod
    def from_record(
        cls, data: Mapping[str, Any], institutions: Callable[[str], Institution | None]
    ) -> ConnectFlow | None:
        """The flow a record describes, or None when it cannot be resumed."""
        try:
            if data.get("v") != RECORD_VERSION:
                return None
            institution = None
            if data["institution"] is not None:
                institution = institutions(str(data["institution"]))
                if institution is None:
                    return None
            step = Step(int(data["step"]))
            if step > Step.BANK and institution is None:
                return None
            resume = data.get("resume")
            return cls(
                telegram_id=int(data["user"]),
                chat_id=int(data["chat"]),
                country=data["country"],
                flow_id=str(data["flow"]),
                step=step,
                query=str(data["query"]),
                institution=institution,
                accounts=[_account_from_record(a) for a in data["accounts"]],
                selected=[int(i) for i in data["selected"]],
                ledger_for={int(i): int(ledger) for i, ledger in data["ledger_for"].items()},
                period_key=data["period"],
                status_message_id=data["message"],
                relogin=bool(data["relogin"]),
                resume_step=Step(int(resume)) if resume is not None else None,
                restart_notice_id=data["notice"],
                touched_at=float(data["touched"]),
                purpose=Purpose(int(data.get("purpose", 0))),
                connection_id=data.get("connection"),
                challenge=_consent_from_record(data.get("consent")),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def after_restart(self) -> None:
        """Past the bank login, the secrets are gone: ask for the username again. A kept
        consent still waits."""
        if self.step is Step.CONSENT and self.challenge is not None:
            return
        if self.step in SIGNING_IN or self.step in SIGNED_IN:
            if self.step in SIGNED_IN:
                self.resume_step = self.step
            self.step = Step.USERNAME
            self.relogin = True
            self.restart_notice_id = None


def _consent_record(challenge: Challenge | None) -> dict[str, str] | None:
    if challenge is None or challenge.kind is not ChallengeKind.LINK or not challenge.link:
        return None
    return {
        "state": challenge.state.reveal(),
        "link": challenge.link,
        "reference": challenge.reference,
        "hint": challenge.hint,
    }


def _consent_from_record(data: Mapping[str, Any] | None) -> Challenge | None:
    if data is None:
        return None
    return Challenge(
        kind=ChallengeKind.LINK,
        state=Secret(str(data["state"])),
        hint=str(data["hint"]),
        link=str(data["link"]),
        reference=str(data["reference"]),
    )


def _account_record(account: FetchedAccount) -> dict[str, Any]:
    return {
        "id": account.external_id,
        "name": account.name,
        "type": account.type.value,
        "iban": mask_iban(account.iban),  # a kept flow holds no full IBAN
        "currency": account.currency,
        "balance": account.balance.minor,
        "balance_currency": account.balance.currency,
    }


def _account_from_record(data: Mapping[str, Any]) -> FetchedAccount:
    return FetchedAccount(
        external_id=str(data["id"]),
        name=str(data["name"]),
        type=AccountType(data["type"]),
        iban=data["iban"],
        currency=str(data["currency"]),
        balance=Money(int(data["balance"]), str(data["balance_currency"])),
    )


class FlowShelf(Protocol):
    """Where flow records are kept across restarts (storage.persistence.Shelf)."""

    async def put(self, key: str, data: Mapping[str, Any]) -> None: ...

    async def remove(self, key: str) -> None: ...

    async def all(self) -> dict[str, dict[str, Any]]: ...


class FlowStore:
    """One live flow per user; starting a new one makes the old one's buttons stale.

    With a shelf, each flow's record is written when the flow reaches a new screen (before
    the user sees it) and removed when the flow ends, so a restart finds what the user saw.
    """

    def __init__(
        self,
        shelf: FlowShelf | None = None,
        *,
        institutions: Callable[[str], Institution | None] | None = None,
        vault: Vault | None = None,
    ) -> None:
        self._flows: dict[int, ConnectFlow] = {}
        self._shelf = shelf
        self._institutions = institutions or (lambda _id: None)
        self._vault = vault
        # Serialises writes so that a flow ended during a save is never written back.
        self._writing = asyncio.Lock()

    def start(
        self,
        telegram_id: int,
        country: str | None,
        chat_id: int = 0,
        *,
        purpose: Purpose = Purpose.CONNECT,
        connection_id: int | None = None,
        institution: Institution | None = None,
    ) -> ConnectFlow:
        flow = ConnectFlow(
            telegram_id=telegram_id,
            country=country,
            chat_id=chat_id,
            purpose=purpose,
            connection_id=connection_id,
            institution=institution,
        )
        self._flows[telegram_id] = flow
        return flow

    def get(self, telegram_id: int) -> ConnectFlow | None:
        return self._flows.get(telegram_id)

    def current(self, telegram_id: int, flow_id: str) -> ConnectFlow | None:
        flow = self._flows.get(telegram_id)
        return flow if flow is not None and flow.flow_id == flow_id else None

    def waiting_for(self, reference: str) -> ConnectFlow | None:
        """The flow waiting at the consent `reference` names (a callback's state or ref)."""
        if not reference:
            return None
        for flow in self._flows.values():
            if flow.challenge is not None and flow.challenge.reference == reference:
                return flow
        return None

    def is_current(self, flow: ConnectFlow) -> bool:
        return self._flows.get(flow.telegram_id) is flow

    async def save(self, flow: ConnectFlow, *, touched: bool = True) -> None:
        """Keep the flow's record (nothing secret in it), if it is still the user's flow."""
        if touched:
            flow.touched_at = time.time()
        if self._shelf is None:
            return
        async with self._writing:
            if self.is_current(flow):
                record = flow.record()
                record["consent"] = self._sealed(flow.telegram_id, record["consent"])
                await self._shelf.put(str(flow.telegram_id), record)

    async def end(self, telegram_id: int) -> ConnectFlow | None:
        flow = self._flows.pop(telegram_id, None)
        if self._shelf is not None:
            async with self._writing:
                await self._shelf.remove(str(telegram_id))
        return flow

    async def restore(self) -> list[ConnectFlow]:
        """At startup: bring the kept flows back, each where its user last saw it (past the
        bank login, asking for the username again); those that cannot resume are dropped."""
        if self._shelf is None:
            return []
        restored = []
        for key, kept in (await self._shelf.all()).items():
            record = dict(kept)
            if key.isdigit():
                record["consent"] = self._opened(int(key), record.get("consent"))
            flow = ConnectFlow.from_record(record, self._institutions)
            if flow is None or str(flow.telegram_id) != key:
                log.info("a sign-in flow could not be resumed after the restart")
                await self._shelf.remove(key)
                continue
            flow.after_restart()
            self._flows[flow.telegram_id] = flow
            restored.append(flow)
        return restored

    def _sealed(self, telegram_id: int, consent: dict[str, str] | None) -> dict[str, str] | None:
        if consent is None or self._vault is None:
            return None
        sealed = self._vault.seal(Secret(json.dumps(consent)), SecretSlot.of_flow(telegram_id))
        return {"key": sealed.key_id, "blob": base64.b64encode(sealed.blob).decode("ascii")}

    def _opened(self, telegram_id: int, kept: object) -> dict[str, str] | None:
        """The kept consent, or None when it cannot be opened (no vault, a key since removed,
        a record from before): the flow then signs in again."""
        if not isinstance(kept, dict) or self._vault is None:
            return None
        try:
            sealed = Sealed(str(kept["key"]), base64.b64decode(str(kept["blob"]), validate=True))
            opened = self._vault.open(sealed, SecretSlot.of_flow(telegram_id)).reveal()
            consent = json.loads(opened)
        except (KeyError, ValueError, VaultError):
            return None
        return consent if isinstance(consent, dict) else None
