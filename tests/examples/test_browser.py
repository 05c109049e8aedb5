"""End to end in headless Chromium: each example app, a FakeServer, real pages, real webhooks.

Debian's ``/usr/bin/chromium`` and ``/usr/bin/chromedriver`` only: nothing is downloaded.
Skipped without them, except in CI (``CI=true``), where they must be there.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests._browser import launch_chromium
from tests.examples.drivers import FRAMEWORKS
from tests.examples.live import LiveApp, live_app

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
IMAGES = ROOT / "docs" / "images"
WAIT = 10.0

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module (a fresh profile, quit at the end)."""
    with tempfile.TemporaryDirectory(prefix="fp-chromium-") as profile:
        driver = launch_chromium(profile, window_size="1100,900")
        try:
            yield driver
        finally:
            driver.quit()


@contextmanager
def screenshot_on_failure(browser: Any, name: str) -> Iterator[None]:
    """Keep what the browser showed when the test failed: test-artifacts/<test>.png and .html."""
    try:
        yield
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        safe = re.sub(r"[^\w.-]", "_", name)
        browser.save_screenshot(str(ARTIFACTS / f"{safe}.png"))
        (ARTIFACTS / f"{safe}.html").write_text(browser.page_source)
        raise


def is_gone(element: Any) -> bool:
    """Whether ``element``'s page was replaced.

    Like ``staleness_of``, but mid-navigation Chromium may answer "Node with given id does not
    belong to the document" instead of a stale-element error: that means gone too.
    """
    from selenium.common.exceptions import WebDriverException

    try:
        element.is_enabled()
    except WebDriverException:
        return True
    return False


class Customer:
    """The person at the browser: clicks, types, waits for pages."""

    def __init__(self, browser: Any, app: LiveApp) -> None:
        from selenium.webdriver.support.ui import WebDriverWait

        self.browser = browser
        self.app = app
        self.wait = WebDriverWait(browser, WAIT)

    def open(self, path: str) -> None:
        self.browser.get(self.app.url + path)

    def find(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.browser.find_element(By.CSS_SELECTOR, css)

    def click(self, text: str) -> None:
        """Click the button labelled ``text`` and wait until its page is gone."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec

        locator = (By.XPATH, f'//button[normalize-space()="{text}"]')
        button = self.wait.until(ec.element_to_be_clickable(locator))
        button.click()
        self.wait.until(lambda _: is_gone(button))
        self.wait_until_loaded()

    def wait_until_loaded(self) -> None:
        """The current document has finished loading (a redirect chain may still be running)."""
        self.wait.until(lambda b: b.execute_script("return document.readyState") == "complete")

    def wait_for_heading(self, text: str) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec

        self.wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), text))

    def wait_for_url(self, prefix: str) -> None:
        self.wait.until(lambda b: b.current_url.startswith(prefix))
        self.wait_until_loaded()

    def save_card(self, number: str) -> None:
        """From the account page: Checkout, the card typed in, 3-D Secure passed, back home."""
        from selenium.webdriver.common.keys import Keys

        self.click("Save a card")
        self.wait_for_url(f"{self.app.server.url}/checkout/")
        self.find("#number").send_keys(number)
        self.find("#expiry").send_keys("12 / 34")
        self.find("#cvc").send_keys("123")
        name = self.find("#name")
        name.send_keys("Jenny Rosen")
        name.send_keys(Keys.ENTER)  # the keyboard alone submits Checkout
        self.wait_for_url(f"{self.app.server.url}/authenticate/")
        self.click("Complete authentication")
        self.wait_for_url(f"{self.app.url}/account?notice=saved")
        self.app.server.flush_webhooks()
        self.browser.refresh()
        self.wait_for_heading("Your account")

    def method_row(self, last4: str) -> Any:
        from selenium.webdriver.common.by import By

        rows = self.browser.find_elements(By.CSS_SELECTOR, "li.method")
        return next(r for r in rows if f"•••• {last4}" in r.text)

    def charge_rows(self) -> list[Any]:
        """The account page's charges, newest first."""
        from selenium.webdriver.common.by import By

        return list(self.browser.find_elements(By.CSS_SELECTOR, "li.charge"))

    def delivered(self) -> set[int | None]:
        return {attempt.status for attempt in self.app.server.deliveries}


def keep_screenshot(browser: Any, name: str) -> None:
    """docs/images/<name>.png: when asked for, or when there is none yet."""
    target = IMAGES / f"{name}.png"
    if os.environ.get("FUTURE_PAYMENTS_SCREENSHOTS") == "1" or not target.exists():
        IMAGES.mkdir(parents=True, exist_ok=True)
        size = browser.get_window_size()
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(size["width"], max(size["height"], height + 140))
        try:
            browser.save_screenshot(str(target))
        finally:
            browser.set_window_size(size["width"], size["height"])


# stripe 16's HTTPXClient (the async apps' transport) posts with httpx's deprecated data=str.
STRIPE_HTTPX_WARNING = "ignore:Use 'content=<...>' to upload raw bytes/text content"
FRAMEWORK_PARAMS = [
    pytest.param(f, marks=pytest.mark.filterwarnings(STRIPE_HTTPX_WARNING)) if f == "fastapi" else f
    for f in FRAMEWORKS
]


@pytest.mark.parametrize("framework", FRAMEWORK_PARAMS)
def test_save_charge_recover_and_refund_in_a_browser(
    browser: Any, framework: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """3-D Secure at setup, charge; a card that asks again: failed, retried, charged; refund."""
    browser.delete_all_cookies()
    with live_app(framework, tmp_path) as app, screenshot_on_failure(browser, request.node.name):
        customer = Customer(browser, app)
        customer.open("/account")
        customer.wait_for_heading("Your account")

        customer.save_card("4000 0025 0000 3155")
        assert {200} == customer.delivered()
        row = customer.method_row("3155")
        assert "default" in row.text
        customer.click("Charge")
        customer.wait_for_heading("Charged")
        assert "19.99 USD charged" in customer.find("#result").text

        customer.open("/account")
        customer.save_card("4000 0027 6000 3184")
        customer.method_row("3184").find_element("xpath", './/button[.="Make default"]').click()
        customer.wait_for_url(f"{app.url}/account?notice=default")
        assert "default" in customer.method_row("3184").text

        customer.click("Charge")
        customer.wait_for_heading("Authentication needed")
        link = customer.find("#authenticate-link")
        assert link.text.startswith(f"{app.url}/pay/charge-")
        link.click()  # the link the app would e-mail
        customer.wait_for_heading("Confirm your payment")
        if framework == "flask":
            keep_screenshot(browser, "recovery-pay")
        customer.click("Authenticate payment")
        customer.wait_for_url(f"{app.server.url}/authenticate/")
        if framework == "flask":
            keep_screenshot(browser, "recovery-challenge")
        customer.click("Fail authentication")
        customer.wait_for_heading("Authentication failed")
        if framework == "flask":
            keep_screenshot(browser, "recovery-failed")
        customer.click("Try again")
        customer.wait_for_url(f"{app.server.url}/authenticate/")
        customer.click("Complete authentication")
        customer.wait_for_url(f"{app.url}/pay/charge-")
        customer.wait_for_heading("Payment succeeded")
        assert "Charged" == customer.find("#ledger").text

        customer.open("/account")
        customer.wait_for_heading("Your account")
        recovered, first = customer.charge_rows()  # newest first
        assert "19.99 USD — charged" in recovered.text
        first.find_element("css selector", 'input[name="amount"]').send_keys("500")
        first.find_element("xpath", './/button[.="Refund"]').click()
        customer.wait_for_url(f"{app.url}/account?notice=refunded")
        assert "5.00 USD refunded: succeeded" in customer.charge_rows()[1].text
        keep_screenshot(browser, f"{framework}-account")
        app.server.flush_webhooks()
        assert {200} == customer.delivered()
