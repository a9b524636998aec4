"""Buttons of /connect's bank search, up to signing in."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.connect_flow import Purpose
from handlers.callbacks.codec import Button, FlowButton


@dataclass(frozen=True, slots=True)
class PickBank(FlowButton):
    tag = "b"
    bank: str


@dataclass(frozen=True, slots=True)
class PickGroup(FlowButton):
    tag = "g"
    group: str
    page: int


@dataclass(frozen=True, slots=True)
class CountryMenu(FlowButton):
    tag = "cm"
    page: int


@dataclass(frozen=True, slots=True)
class PickCountry(FlowButton):
    tag = "c"
    country: str


@dataclass(frozen=True, slots=True)
class CantFind(FlowButton):
    tag = "nf"


@dataclass(frozen=True, slots=True)
class BackToSearch(FlowButton):
    tag = "bs"


@dataclass(frozen=True, slots=True)
class RequestSupport(FlowButton):
    tag = "rs"


@dataclass(frozen=True, slots=True)
class StartLogin(FlowButton):
    tag = "li"


@dataclass(frozen=True, slots=True)
class LoginFor(FlowButton):
    """On a bank already connected: sign in to update it, or to add accounts to it."""

    tag = "lf"
    purpose: Purpose


KINDS: tuple[type[Button], ...] = (
    PickBank,
    PickGroup,
    CountryMenu,
    PickCountry,
    CantFind,
    BackToSearch,
    RequestSupport,
    StartLogin,
    LoginFor,
)
