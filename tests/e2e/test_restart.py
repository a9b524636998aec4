"""Restarts: the real bot stopped (SIGTERM) or killed (SIGKILL) at every step of /connect, and
started again; two bots starting together on one empty PostgreSQL database."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select, text

from bot.domain.clock import FixedClock
from storage.db import make_engine
from storage.models import BankTransaction
from storage.uow import Database
from tests.support.app import run_app, settings_for, stop_app
from tests.support.botapi import BotApiStandIn, StoredMessage
from tests.support.databases import reset_postgres
from tests.support.flows import PASSWORD, demo_lines_in_90_days, walk_to_summary
from tests.support.player import Player
from tests.support.processes import free_port, launch, stop

TOKEN_PREFIX = "demo:v1:"
RESTARTED = "Pointage a redémarré"
VAULT_KEYS = "k1:" + "C" * 43 + "="


class Bot:
    """The bot process of one test, restarted at will."""

    def __init__(self, standin: BotApiStandIn, data_dir: Path, log: Path) -> None:
        self.standin, self.data_dir, self.log = standin, data_dir, log
        self.process: asyncio.subprocess.Process | None = None
        self.kills = self.terms = 0

    async def start(self, **env: str) -> int:
        """Start; returns the stand-in's call count from before, for `Player.wait_for`."""
        since = len(self.standin.calls)
        self.process = await launch(self.standin, self.data_dir, self.log, env=env)
        return since

    async def stop(self, how: signal.Signals = signal.SIGTERM) -> None:
        assert self.process is not None
        code = await stop(self.process, how)
        if how == signal.SIGTERM:
            assert code == 0, self.log.read_text()[-3000:]
            self.terms += 1
        else:
            self.kills += 1
        self.process = None

    async def restart(self, how: signal.Signals, **env: str) -> int:
        await self.stop(how)
        return await self.start(**env)

    def kept_state(self) -> str:
        """Everything in ptb_state, as text."""
        with sqlite3.connect(f"file:{self.data_dir / 'pointage.db'}?mode=ro", uri=True) as conn:
            return repr(conn.execute("SELECT kind, key, data FROM ptb_state").fetchall())


async def sign_in_again(p: Player, since: int, then: str) -> None:
    """After a restart past the bank login: told so, then username, password and code."""
    notice = await p.wait_for(RESTARTED, since, 20)
    assert "Identifiant" in (notice.text or "")
    await p.say("demo", expect="Mot de passe")
    await p.say(PASSWORD, expect="Code de sécurité")
    await p.say("123456", expect=then)


async def test_the_bot_restarted_before_and_during_the_bank_login_lets_the_user_sign_in(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    bot = Bot(standin, tmp_path / "data", tmp_path / "bot.log")
    p = Player(standin, 801, "fr")
    await bot.start()
    try:
        await p.say("/start", expect="Bonjour")
        await p.say("/connect", expect="Recherchez votre banque")
        await bot.restart(signal.SIGTERM)
        await p.say("demo", expect="Résultats pour")
        await bot.restart(signal.SIGKILL)
        await p.press("Demo", expect="identifiants")
        await bot.restart(signal.SIGTERM, DEMO_BANK_LATENCY="3")
        await p.press("Continuer", expect="Identifiant")
        await bot.restart(signal.SIGKILL, DEMO_BANK_LATENCY="3")
        await p.say("demo", expect="Mot de passe")

        # killed while the bank checks the password: the login is lost with the process
        since = len(standin.calls)
        p.send(PASSWORD)
        await p.wait_for("Connexion en cours", since, 10)
        since = await bot.restart(signal.SIGKILL)
        await p.wait_for(RESTARTED, since, 20)
        await p.say("demo", expect="Mot de passe")
        await p.say(PASSWORD, expect="Code de sécurité")

        # the code typed while the bot is down was meant for a lost step: deleted, not used
        await bot.stop(signal.SIGTERM)
        code_id = p.send("123456")
        await bot.start()

        def notices_after_the_code() -> list[StoredMessage] | None:
            found = [
                m
                for m in standin.bot_messages(p.chat_id)
                if RESTARTED in (m.text or "") and m.message_id > code_id
            ]
            return found if len(found) == 2 else None

        # one at startup, one again when the code arrives (deleted at once, never used)
        notices = await standin.wait_for(notices_after_the_code, timeout=20)
        assert standin.message(p.chat_id, code_id).deleted and notices[-1] is p.screen()
        await p.say("demo", expect="Mot de passe")
        await p.say(PASSWORD, expect="Code de sécurité")
        await p.say("123456", expect="Choisissez les comptes")
    finally:
        if bot.process is not None:
            await bot.stop(signal.SIGTERM)
    assert (bot.terms, bot.kills) == (4, 3)
    assert_nothing_leaked(bot, standin)


async def test_the_bot_restarted_at_every_step_after_the_login_lets_the_user_finish(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    bot = Bot(standin, tmp_path / "data", tmp_path / "bot.log")
    p = Player(standin, 802, "fr")
    await bot.start()
    try:
        await p.say("/connect", expect="Recherchez votre banque")
        await p.say("demo", expect="Résultats pour")
        await p.press("Demo", expect="identifiants")
        await p.press("Continuer", expect="Identifiant")
        await p.say("demo", expect="Mot de passe")
        await p.say(PASSWORD, expect="Code de sécurité")
        await p.say("123456", expect="Choisissez les comptes")

        since = await bot.restart(signal.SIGKILL)
        await sign_in_again(p, since, then="Choisissez les comptes")
        await p.press("Compte courant", expect="☑️")
        since = await bot.restart(signal.SIGTERM)
        await sign_in_again(p, since, then="Choisissez les comptes")
        ticked = [t for row in p.screen().buttons() for t, _ in row if "Compte courant" in t]
        assert ticked and ticked[0].startswith("☑️")
        await p.press("Continuer", expect="Type de compte")
        since = await bot.restart(signal.SIGKILL)
        await sign_in_again(p, since, then="Type de compte")
        await p.press("512", expect="Période d'importation")
        since = await bot.restart(signal.SIGTERM)
        await sign_in_again(p, since, then="Période d'importation")
        await p.press("90", expect="depuis le")
        since = await bot.restart(signal.SIGKILL)
        await sign_in_again(p, since, then="depuis le")
        kept = bot.kept_state()
        assert "connect_flow" in kept and PASSWORD not in kept and TOKEN_PREFIX not in kept
        done = await p.press("Connecter", expect="opérations importées", timeout=20)

        since = await bot.restart(signal.SIGTERM)
        await p.say("/help", expect="/connect")
        assert RESTARTED not in str(standin.calls[since:])
        assert "connect_flow" not in bot.kept_state()
    finally:
        if bot.process is not None:
            await bot.stop(signal.SIGTERM)

    assert (bot.terms, bot.kills) == (4, 3)
    expected = await demo_lines_in_90_days()
    assert f"{expected} opérations importées" in (done.text or "").replace("\u202f", "")
    assert_nothing_leaked(bot, standin)
    db = Database(make_engine(f"sqlite:///{bot.data_dir / 'pointage.db'}"))
    async with db.reading() as uow:
        lines = await uow.session.scalar(select(func.count()).select_from(BankTransaction))
    await db.dispose()
    assert lines == expected


def assert_nothing_leaked(bot: Bot, standin: BotApiStandIn) -> None:
    """No traceback in the log; the password, the bank's token and the bot's token nowhere."""
    logs = bot.log.read_bytes()
    assert b"Traceback" not in logs
    assert PASSWORD.encode() not in logs and standin.token.encode() not in logs
    for path in bot.data_dir.iterdir():
        content = path.read_bytes()
        assert PASSWORD.encode() not in content and TOKEN_PREFIX.encode() not in content, path


# --- timeouts, in process ----------------------------------------------------------------------


async def test_a_resumed_flow_times_out_after_what_was_left_of_its_wait(
    standin: BotApiStandIn, tmp_path: Path, clock: FixedClock
) -> None:
    settings = settings_for(standin, tmp_path, conversation_timeout=1.5)
    app = await run_app(settings, clock)
    p = Player(standin, 811, "fr")
    try:
        await p.say("/connect", expect="Recherchez votre banque")
        results = await p.say("demo", expect="Résultats pour")
        demo = results.button("Demo")
    finally:
        await stop_app(app)
    app = await run_app(settings, clock)
    try:
        since = len(standin.calls)
        await p.wait_for("abandonnée faute de réponse", since, 5)
        assert app.bot_data["runtime"].flows.get(811) is None
        assert "plus actif" in await p.press_data(results.message_id, demo)
    finally:
        await stop_app(app)
    db = Database(make_engine(settings.resolved_database_url))
    async with db.reading() as uow:
        rows = (await uow.session.execute(text("SELECT kind FROM ptb_state"))).all()
    await db.dispose()
    assert rows == []


async def test_acting_after_a_restart_replaces_the_resumed_timeout(
    standin: BotApiStandIn, tmp_path: Path, clock: FixedClock
) -> None:
    settings = settings_for(standin, tmp_path, conversation_timeout=3.0)
    app = await run_app(settings, clock)
    p = Player(standin, 812, "en")
    try:
        await p.say("/connect", expect="Search for your bank")
        await p.say("demo", expect="Results for")
        await asyncio.sleep(1.5)
    finally:
        await stop_app(app)
    app = await run_app(settings, clock)
    try:
        await p.press("Demo", expect="sign-in details")
        await asyncio.sleep(1.6)  # the resumed wait would have ended by now
        await p.press("Continue", expect="Username")
        assert "abandoned" not in str(standin.calls)
    finally:
        await stop_app(app)


async def test_a_login_in_flight_at_shutdown_finishes_then_the_user_signs_in_again(
    standin: BotApiStandIn, tmp_path: Path, clock: FixedClock
) -> None:
    app = await run_app(settings_for(standin, tmp_path, demo_bank_latency=0.8), clock)
    p = Player(standin, 813, "en")
    try:
        await p.say("/connect", expect="Search for your bank")
        await p.say("demo", expect="Results for")
        await p.press("Demo", expect="sign-in details")
        await p.press("Continue", expect="Username")
        await p.say("demo", expect="Password")
        since = len(standin.calls)
        p.send(PASSWORD)
        await p.wait_for("Connecting", since, 5)
    finally:
        await stop_app(app)  # waits for the login in flight: its answer is shown
    assert "Security code" in (p.screen().text or "")
    since = len(standin.calls)
    app = await run_app(settings_for(standin, tmp_path), clock)
    try:
        notice = await p.wait_for("Pointage restarted", since, 5)
        assert "enter your username again" in (notice.text or "")
        await p.say("demo", expect="Password")
        await p.say(PASSWORD, expect="Security code")
        await p.say("123456", expect="Choose the accounts")
    finally:
        await stop_app(app)


# --- PostgreSQL: two bots start together ---------------------------------------------------------


async def healthy(process: asyncio.subprocess.Process, port: int, timeout: float = 30.0) -> None:
    """Wait until the bot answers /healthz; fail at once if it exits."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with aiohttp.ClientSession() as session:
        while process.returncode is None:
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if loop.time() > deadline:
                raise AssertionError(f"no healthy bot on port {port}")
            await asyncio.sleep(0.1)
    raise AssertionError(f"the bot on port {port} exited with {process.returncode}")


async def test_two_bots_start_together_on_one_empty_postgresql_database(
    standin: BotApiStandIn, tmp_path: Path
) -> None:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    engine = make_engine(url)
    await reset_postgres(engine)
    ports = [free_port(), free_port()]
    shared: dict[str, str] = {
        "DATABASE_URL": url,
        "VAULT_KEYS": VAULT_KEYS,
        "WEBHOOK_SECRET": "shared-webhook-secret",
    }
    bots = await asyncio.gather(
        *(
            launch(
                standin,
                tmp_path / f"data{n}",
                tmp_path / f"bot{n}.log",
                ready=False,
                env={
                    "PUBLIC_URL": f"http://127.0.0.1:{port}",
                    "LISTEN": f"127.0.0.1:{port}",
                    **shared,
                },
            )
            for n, port in enumerate(ports)
        )
    )
    try:
        await asyncio.gather(*(healthy(bot, port) for bot, port in zip(bots, ports, strict=True)))
        await standin.wait_for(lambda: len(standin.calls_to("setWebhook")) == 2, timeout=20)
        async with engine.connect() as conn:
            versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
            tables = await conn.scalar(
                text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            )
        assert len(versions) == 1 and tables and tables > 10
        summary = await walk_to_summary(Player(standin, 821, "fr"), "fr")
        assert "opérations importées" in summary
    finally:
        codes = [await stop(bot, signal.SIGTERM) for bot in bots]
        await engine.dispose()
    assert codes == [0, 0]
    for n in range(2):
        logs = (tmp_path / f"bot{n}.log").read_bytes()
        assert b"Traceback" not in logs and b"ERROR" not in logs, logs.decode()[-3000:]
