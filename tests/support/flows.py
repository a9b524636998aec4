"""The Telegram side of /connect played by a user, and what the demo bank should bring."""

from __future__ import annotations

from bot.banks.connector import Authorized, Challenge, Credentials
from bot.banks.demo.bank import DemoBank
from bot.domain.clock import SystemClock, today_in
from bot.domain.periods import period_by_key
from bot.domain.secret import Secret
from tests.support.botapi import BotApiStandIn
from tests.support.player import Player

PASSWORD = "S3cret-Pass!word"


async def sign_in(
    p: Player, lang: str = "fr", username: str = "demo", password: str = PASSWORD
) -> None:
    words = WORDS[lang]
    await p.say("/connect", expect=words["search"])
    await p.say("demo", expect=words["results"])
    await p.press("Demo", expect=words["continue_text"])
    await p.press(words["continue"], expect=words["username"])
    await p.say(username, expect=words["password"])
    p.send(password)


WORDS = {
    "fr": {
        "search": "Recherchez votre banque",
        "results": "Résultats pour",
        "continue_text": "identifiants",
        "continue": "Continuer",
        "username": "Identifiant",
        "password": "Mot de passe",
        "code": "Code de sécurité",
        "accounts": "Choisissez les comptes",
        "ledger": "Type de compte",
        "period": "Période d'importation",
        "confirm": "depuis le",
        "done": "opérations importées",
        "connect": "Connecter",
    },
    "en": {
        "search": "Search for your bank",
        "results": "Results for",
        "continue_text": "sign-in details",
        "continue": "Continue",
        "username": "Username",
        "password": "Password",
        "code": "Security code",
        "accounts": "Choose the accounts",
        "ledger": "Account type",
        "period": "Import period",
        "confirm": "from",
        "done": "transactions imported",
        "connect": "Connect",
    },
}


def assert_secrets_deleted(standin: BotApiStandIn, chat_id: int) -> None:
    """Password, code and username (the second "demo": the first was the search) are gone."""
    typed = [m for m in standin.messages(chat_id) if not m.from_bot]
    secrets = [m for m in typed if m.text in {PASSWORD, "123456"}]
    searched, username = [m for m in typed if m.text == "demo"]
    assert len(secrets) == 2 and all(m.deleted for m in secrets)
    assert username.deleted and not searched.deleted


async def walk_to_summary(p: Player, lang: str = "fr") -> str:
    words = WORDS[lang]
    await sign_in(p, lang)
    await p.wait_for(words["code"], 0, 10)
    await p.say("123456", expect=words["accounts"])
    await p.press("Compte courant", expect="☑️")
    await p.press(words["continue"], expect=words["ledger"])
    await p.press("512" if lang == "fr" else "1200", expect=words["period"])
    await p.press("90", expect=words["confirm"])
    done = await p.press(words["connect"], expect=words["done"], timeout=20)
    return done.text or ""


async def demo_lines_in_90_days() -> int:
    """What the demo bank holds for the current account over the last 90 days, asked directly."""
    clock = SystemClock()
    bank = DemoBank(clock, password=PASSWORD)
    step = await bank.begin_auth("demo", Credentials("demo", Secret(PASSWORD)))
    assert isinstance(step, Challenge)
    done = await bank.continue_auth(step, "123456")
    assert isinstance(done, Authorized)
    today = today_in(clock)
    period = period_by_key("d90")
    assert period is not None
    lines = await bank.fetch_transactions(done.secret, "demo-cc", period.start(today, 730), today)
    return len(lines)
