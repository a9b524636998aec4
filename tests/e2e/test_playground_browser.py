"""The playground in headless Chromium: /start from the command menu, /connect to the demo
bank with the password message vanishing, /review and an accepted line, then the clock moved
to the summary time; at a desktop's size and at a phone's, a screenshot of each kept."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.support.flows import PASSWORD
from tests.support.processes import free_port

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
PROJECT = Path(__file__).resolve().parents[2]
BUTTONS = ".keyboard button, .keyboard a"
README_SHOT = PROJECT / "docs" / "playground.png"
pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="no Chromium here: apt-get install chromium chromium-driver (as .ci/run does)",
)


@pytest.fixture
def playground(tmp_path: Path) -> Iterator[str]:
    """`python -m bot playground` on a free port: the page's URL."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DATABASE_", "VAULT_", "DEMO_", "LISTEN", "PUBLIC_"))
    }
    env |= {
        "DATA_DIR": str(tmp_path / "data"),
        "LISTEN": f"127.0.0.1:{free_port()}",
        "DEMO_BANK_PASSWORD": PASSWORD,
    }
    log = (tmp_path / "playground.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "playground"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode()
        match = re.search(r"http://\S+", line)
        assert match, f"no address in {line!r}: see {log.name}"
        yield match.group(0)
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        log.close()


class Chat:
    """A user at the page, as a person would use it."""

    def __init__(self, driver: webdriver.Chrome) -> None:
        self.driver = driver
        self.wait = WebDriverWait(driver, 20, poll_frequency=0.05)

    def say(self, text: str) -> None:
        field = self.driver.find_element(By.ID, "input")
        field.send_keys(text + Keys.ENTER)

    def bot_says(self, contains: str) -> WebElement:
        def newest(driver: webdriver.Chrome) -> WebElement | None:
            try:
                said = [m for m in driver.find_elements(By.CSS_SELECTOR, ".msg.bot")]
                found = [m for m in said if contains in m.text]
            except StaleElementReferenceException:
                return None
            return found[-1] if found else None

        found = self.wait.until(newest, f"the bot never said {contains!r}")
        assert found is not None
        return found

    def press(self, says: str, label: str) -> None:
        def pressed(driver: webdriver.Chrome) -> bool:
            try:
                message = self.bot_says(says)
                for button in message.find_elements(By.CSS_SELECTOR, BUTTONS):
                    if label in button.text:
                        button.click()
                        return True
            except StaleElementReferenceException:
                pass
            return False

        self.wait.until(pressed, f"no button {label!r} under {says!r}")

    def mine(self) -> list[str]:
        return [m.text for m in self.driver.find_elements(By.CSS_SELECTOR, ".msg.me")]


def chromium(width: int, height: int) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=fr"):
        options.add_argument(argument)
    if width < 500:  # headless windows are at least 500 px wide: emulate the phone's screen
        metrics = {"width": width, "height": height, "pixelRatio": 1}
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": metrics})
    else:
        options.add_argument(f"--window-size={width},{height}")
    return webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))


@pytest.mark.parametrize(("width", "height"), [(1280, 860), (360, 740)], ids=["desktop", "phone"])
def test_a_newcomer_connects_the_demo_bank_reviews_and_gets_the_summary_in_the_browser(
    playground: str, tmp_path: Path, width: int, height: int
) -> None:
    driver = chromium(width, height)
    try:
        driver.get(playground)
        chat = Chat(driver)
        Select(driver.find_element(By.ID, "language")).select_by_value("fr")
        chat.wait.until(lambda d: d.find_element(By.ID, "send").get_attribute("title") == "Envoyer")
        driver.find_element(By.ID, "input").send_keys("/")
        start = chat.wait.until(
            lambda d: d.find_element(By.CSS_SELECTOR, '#menu [data-command="start"]')
        )
        assert "Démarrer" in start.text
        start.click()
        chat.bot_says("Bonjour Camille")

        chat.say("/connect")
        chat.bot_says("Recherchez votre banque")
        chat.say("demo")
        chat.press("Résultats pour", "Demo")
        chat.press("identifiants", "Continuer")
        chat.bot_says("Identifiant")
        chat.say("demo")
        chat.bot_says("Mot de passe")
        chat.say(PASSWORD)
        chat.bot_says("Code de sécurité")
        chat.wait.until(lambda d: PASSWORD not in " ".join(chat.mine()), "the password stays")
        chat.say("123456")
        chat.press("Choisissez les comptes", "Compte courant")
        chat.press("☑️", "Continuer")
        chat.press("Type de compte", "512")
        chat.press("Période d'importation", "90")
        chat.press("depuis le", "Connecter")
        chat.bot_says("opérations importées")

        chat.say("/review")
        digest = chat.bot_says("À passer en revue")
        accept = next(
            b.text
            for b in digest.find_elements(By.CSS_SELECTOR, ".keyboard button")
            if re.fullmatch(r"\d+ ✅.*", b.text)
        )
        chat.press("À passer en revue", accept)
        chat.wait.until(lambda d: d.find_element(By.ID, "toast").is_displayed(), "no toast")
        chat.bot_says(f"{accept.split()[0]}. ✅")

        driver.find_element(By.ID, "to-summary").click()
        chat.bot_says("Récap du jour")
        shot = tmp_path / f"playground-{width}x{height}.png"
        driver.save_screenshot(str(shot))
        print(f"screenshot: {shot}")
        assert shot.stat().st_size > 10_000
        if os.environ.get("UPDATE_README_SHOT") and width < 500:
            shutil.copyfile(shot, README_SHOT)
    except Exception:
        driver.save_screenshot(str(tmp_path / "failed.png"))
        print(f"failed at: {tmp_path / 'failed.png'}")
        raise
    finally:
        driver.quit()
