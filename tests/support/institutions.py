"""Bank providers in tests: a generated French institution list seeded into the stand-ins, the
operator's key file, and the settings that point the bot at the stand-ins.

    async with EnableBankingStandIn(key.public_key(), APP_ID, redirect_urls=[REDIRECT]) as eb:
        seed_enablebanking(eb, french_banks())
        settings = settings_for(botapi, tmp_path, **enablebanking_settings(eb, key, tmp_path))
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.domain.secret import Secret
from tests.support.providers.enablebanking import EnableBankingStandIn
from tests.support.providers.gocardless import SECRET_ID, SECRET_KEY, GoCardlessStandIn
from tests.support.providers.simplefin import SimpleFinStandIn

APP_ID = "5f6b2a1c-0d3e-4f59-9a7b-8c1d2e3f4a5b"
ENABLEBANKING_REDIRECT = "https://pointage.test/landing"


@dataclass(frozen=True, slots=True)
class ListedBank:
    name: str
    bic: str | None
    history_days: int = 730


KNOWN_FRENCH_BANKS = (
    ListedBank("BNP Paribas", "BNPAFRPP"),
    ListedBank("BNP Paribas Entreprises", "BNPAFRPPXXX"),
    ListedBank("Qonto", "QNTOFRP1"),
    ListedBank("Boursorama", "BOUSFRPP", 540),
    ListedBank("Revolut", "REVOLT21"),
    ListedBank("Société Générale", "SOGEFRPP"),
    ListedBank("Crédit Agricole Alpes Provence", "AGRIFRPP813", 365),
    ListedBank("Banque Imaginaire du Grand Sud-Ouest et des Pyrénées Atlantiques", None, 90),
)
"""Banks people search for (matched to the offline registry by BIC, Revolut by its name, as
its Lithuanian BIC is not the French registry's), and one the registry lacks."""


def french_banks(extra: int = 300) -> list[ListedBank]:
    """The known banks and `extra` generated ones (no registry has them): a list as long as
    an aggregator's for France."""
    generated = [
        ListedBank(f"Banque Coopérative Numéro {n:03d}", f"ZZ{n:02d}FRPP"[:8], 90 + n % 640)
        for n in range(extra)
    ]
    return [*KNOWN_FRENCH_BANKS, *generated]


def enablebanking_id(bank: ListedBank, country: str = "FR") -> str:
    return f"{country}:{bank.name}"


def gocardless_id(bank: ListedBank) -> str:
    letters = "".join(c for c in bank.name.upper() if c.isalnum())[:20]
    return f"{letters}_{bank.bic or 'NOBIC'}"


def seed_enablebanking(
    stand_in: EnableBankingStandIn, banks: list[ListedBank], country: str = "FR"
) -> None:
    for bank in banks:
        details: dict[str, Any] = {"bic": bank.bic} if bank.bic else {}
        stand_in.add_aspsp(bank.name, country, **details)


def seed_gocardless(
    stand_in: GoCardlessStandIn, banks: list[ListedBank], country: str = "FR"
) -> None:
    for bank in banks:
        stand_in.add_institution(
            gocardless_id(bank),
            bank.name,
            countries=(country,),
            bic=bank.bic or "",
            transaction_total_days=bank.history_days,
        )


def private_key_pem(key: rsa.RSAPrivateKey) -> Secret:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return Secret(pem.decode("ascii"))


def write_key_file(directory: Path, key: rsa.RSAPrivateKey, mode: int = 0o600) -> Path:
    """The application's private key as its PEM file, with `mode`."""
    path = directory / "enablebanking.pem"
    path.write_text(private_key_pem(key).reveal(), encoding="ascii")
    os.chmod(path, mode)
    return path


def enablebanking_settings(
    stand_in: EnableBankingStandIn, key: rsa.RSAPrivateKey, directory: Path
) -> dict[str, Any]:
    """Settings for the bot to use the Enable Banking stand-in (no PUBLIC_URL: the user pastes
    the address they land on, ENABLEBANKING_REDIRECT; give the stand-in that redirect URL)."""
    return {
        "enablebanking_application_id": APP_ID,
        "enablebanking_key_file": write_key_file(directory, key),
        "enablebanking_base_url": stand_in.url,
        "enablebanking_redirect_url": ENABLEBANKING_REDIRECT,
    }


def gocardless_settings(stand_in: GoCardlessStandIn) -> dict[str, Any]:
    return {
        "gocardless_secret_id": SECRET_ID,
        "gocardless_secret_key": SECRET_KEY,
        "gocardless_base_url": stand_in.url,
    }


def simplefin_settings(stand_in: SimpleFinStandIn) -> dict[str, Any]:
    """The bridge stand-in is http on 127.0.0.1: the bot accepts http there only."""
    return {"simplefin_enabled": True, "simplefin_bridge_url": stand_in.url}


NO_PROVIDER: dict[str, Any] = {"simplefin_enabled": False}
"""SimpleFIN is on by default (it needs no operator key): this turns it off."""
