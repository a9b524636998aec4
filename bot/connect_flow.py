"""The state of one /connect conversation, held in memory only: it carries secrets."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from bot.banks.connector import Authorized, Challenge, FetchedAccount
from bot.banks.directory import Institution
from bot.secret import Secret


def new_flow_id() -> str:
    return secrets.token_hex(3)


@dataclass
class ConnectFlow:
    telegram_id: int
    country: str | None
    flow_id: str = field(default_factory=new_flow_id)
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


class FlowStore:
    """One live flow per user; starting a new one makes the old one's buttons stale."""

    def __init__(self) -> None:
        self._flows: dict[int, ConnectFlow] = {}

    def start(self, telegram_id: int, country: str | None) -> ConnectFlow:
        flow = ConnectFlow(telegram_id=telegram_id, country=country)
        self._flows[telegram_id] = flow
        return flow

    def get(self, telegram_id: int) -> ConnectFlow | None:
        return self._flows.get(telegram_id)

    def current(self, telegram_id: int, flow_id: str) -> ConnectFlow | None:
        flow = self._flows.get(telegram_id)
        return flow if flow is not None and flow.flow_id == flow_id else None

    def is_current(self, flow: ConnectFlow) -> bool:
        return self._flows.get(flow.telegram_id) is flow

    def end(self, telegram_id: int) -> ConnectFlow | None:
        return self._flows.pop(telegram_id, None)
