"""The hosted pages in headless Chromium, driven with the keyboard alone (Selenium)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stripe

from future_payments.testing import FakeServer
from tests._browser import launch_chromium
from tests.server.conftest import Receiver, setup_session

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "images" / "checkout.png"
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture
def driver(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Headless Debian Chromium through Debian's chromedriver; nothing is downloaded."""
    browser = launch_chromium(tmp_path / "chromium-profile", window_size="1000,1700")
    browser.implicitly_wait(0)
    try:
        yield browser
    finally:
        report = getattr(request.node, "rep_call", None)  # set in conftest.py
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            browser.save_screenshot(str(ARTIFACTS / f"{request.node.name}.png"))
        browser.quit()


def wait_for(driver: Any, condition: Any, what: str) -> Any:
    """Wait up to 10 s for ``condition(driver)`` (elements of the page being left are skipped)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    waiting = WebDriverWait(driver, 10, ignored_exceptions=(StaleElementReferenceException,))
    return waiting.until(condition, message=f"waiting for {what}")


def type_keys(driver: Any, *keys: str) -> None:
    """Send key strokes to whatever has the focus: no clicks, no element lookups."""
    from selenium.webdriver.common.action_chains import ActionChains

    chain = ActionChains(driver)
    for key in keys:
        chain.send_keys(key)
    chain.perform()


def test_checkout_with_the_keyboard_alone(
    driver: Any, server: FakeServer, client: stripe.StripeClient, receiver: Receiver
) -> None:
    """Save 4000002500003155 through Checkout and its challenge with Tab, typing and Enter."""
    from selenium.webdriver.common.keys import Keys

    session = setup_session(client, receiver.url)
    assert session.url is not None
    driver.get(session.url)
    assert "number" == driver.switch_to.active_element.get_attribute("id")
    take_screenshot(driver)

    type_keys(driver, "4000 0025 0000 3155", Keys.TAB, "12 / 30", Keys.TAB, "123")
    type_keys(driver, Keys.TAB, "Jenny Rosen", Keys.ENTER)
    wait_for(driver, lambda d: "/authenticate/" in d.current_url, "the challenge page")
    wait_for(
        driver,
        lambda d: "Complete authentication" == d.switch_to.active_element.text,
        "the focus on Complete authentication",
    )
    type_keys(driver, Keys.ENTER)
    wait_for(driver, lambda d: d.current_url.startswith(receiver.url), "the success URL")

    assert f"{receiver.url}/saved?session_id={session.id}" == driver.current_url
    assert "complete" == client.v1.checkout.sessions.retrieve(session.id).status


def test_invalid_number_shows_the_message(
    driver: Any, server: FakeServer, client: stripe.StripeClient
) -> None:
    """A Luhn-invalid number: the message under the field, focus back on it, session open."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    session = setup_session(client)
    assert session.url is not None
    driver.get(session.url)
    type_keys(driver, "4242 4242 4242 4241", Keys.TAB, "12 / 30", Keys.TAB, "123", Keys.ENTER)
    wait_for(driver, lambda d: d.find_element(By.ID, "number-error").text, "the message")

    assert "Your card number is invalid." == driver.find_element(By.ID, "number-error").text
    wait_for(
        driver,
        lambda d: "number" == d.switch_to.active_element.get_attribute("id"),
        "the focus back on the card number",
    )
    assert "open" == client.v1.checkout.sessions.retrieve(session.id).status


def take_screenshot(driver: Any) -> None:
    """Save the Checkout page for the docs when asked to, or when there is none yet."""
    if SCREENSHOT.exists() and os.environ.get("FUTURE_PAYMENTS_SCREENSHOTS") != "1":
        return
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1000, max(int(height) + 120, 800))
    driver.save_screenshot(str(SCREENSHOT))
    assert re.match(rb"\x89PNG", SCREENSHOT.read_bytes()[:4])
