"""The hosted pages in headless Chromium, driven with the keyboard alone (Selenium)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stripe

from future_payments.__main__ import main
from future_payments.testing import FakeServer, FakeStripe
from tests._browser import launch_chromium
from tests.server.conftest import TINY, Receiver, setup_session

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
    take_screenshot(driver, SCREENSHOT)

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


def take_screenshot(driver: Any, path: Path, max_height: int = 2400) -> None:
    """Save the page for the docs when asked to (FUTURE_PAYMENTS_SCREENSHOTS=1) or missing."""
    if path.exists() and os.environ.get("FUTURE_PAYMENTS_SCREENSHOTS") != "1":
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    width = driver.get_window_size()["width"]
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(int(height) + 120, 800), max_height))
    driver.save_screenshot(str(path))
    assert re.match(rb"\x89PNG", path.read_bytes()[:4])


DASHBOARD = ROOT / "docs" / "images" / "dashboard.png"
EVENT_PAGE = ROOT / "docs" / "images" / "dashboard-event.png"


@pytest.fixture
def shop_server(fake: FakeStripe, receiver: Receiver) -> Iterator[FakeServer]:
    """A server forwarding to the receiver: a saved card, a decline, a refunded charge."""
    with FakeServer(fake, webhook_url=f"{receiver.url}/stripe/webhook", retry=TINY) as server:
        for event in ("checkout.session.completed", "payment_intent.payment_failed",
                      "charge.refunded"):  # fmt: skip
            assert 0 == main(["trigger", event, "--api-base", server.url])
        server.flush_webhooks()
        yield server


def test_dashboard_shows_the_created_objects(
    driver: Any, shop_server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """The overview shows the customer, saved card, session, payments and events, visibly."""
    from selenium.webdriver.common.by import By

    fake = shop_server.fake
    driver.set_window_size(1300, 1000)
    driver.get(shop_server.url)
    take_screenshot(driver, DASHBOARD)

    expected = [
        *(f"/customers/{c['id']}" for c in fake.objects("customer")),
        *(f"/checkout_sessions/{s['id']}" for s in fake.objects("checkout.session")),
        *(f"/payment_intents/{p['id']}" for p in fake.objects("payment_intent")),
        *(f"/events/{e['id']}" for e in fake.objects("event")[:10]),
    ]
    hidden = [
        path
        for path in expected
        if not driver.find_element(By.CSS_SELECTOR, f'a[href="{path}"]').is_displayed()
    ]
    assert [] == hidden
    assert fake.webhook_secret in driver.find_element(By.TAG_NAME, "dl").text


def test_dashboard_times_stay_on_one_line(driver: Any, shop_server: FakeServer) -> None:
    """Every timestamp in the events list is one line high (they used to wrap onto four)."""
    from selenium.webdriver.common.by import By

    driver.set_window_size(900, 1200)
    driver.get(f"{shop_server.url}/events")
    times = driver.find_elements(By.CSS_SELECTOR, "td time")
    line = driver.execute_script(
        "return parseFloat(getComputedStyle(arguments[0]).lineHeight)", times[0]
    )

    assert [] == [t.text for t in times if t.size["height"] > 1.5 * line]


def test_resend_from_the_event_page(
    driver: Any, shop_server: FakeServer, receiver: Receiver
) -> None:
    """Open an event from the list, press Resend: the app gets it again; two attempts shown."""
    from selenium.webdriver.common.by import By

    event = next(e for e in shop_server.fake.objects("event") if e["type"].startswith("checkout"))
    driver.set_window_size(1300, 1000)
    driver.get(f"{shop_server.url}/events")
    driver.find_element(By.CSS_SELECTOR, f'a[href="/events/{event["id"]}"]').click()
    wait_for(driver, lambda d: d.current_url.endswith(event["id"]), "the event page")
    before = len(receiver.posts())
    driver.find_element(By.XPATH, "//main/div[@class='scroll']//button[text()='Resend']").click()
    notice = wait_for(driver, lambda d: d.find_element(By.CLASS_NAME, "notice").text, "notice")
    shop_server.flush_webhooks()
    driver.refresh()
    take_screenshot(driver, EVENT_PAGE, max_height=1100)

    attempts = "//h2[text()='Delivery attempts']/following::table[1]//tbody/tr"
    rows = driver.find_elements(By.XPATH, attempts)
    assert (before + 1, 2) == (len(receiver.posts()), len(rows))
    assert notice.startswith("Resent to ")
