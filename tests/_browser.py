"""Headless Debian Chromium for the browser tests: one way to find it and start it.

Only ``/usr/bin/chromium`` and ``/usr/bin/chromedriver`` (Debian's packages, which .ci/run
installs) are used: nothing is downloaded. Without them a test is skipped, except in CI.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def require_chromium() -> None:
    """Skip the test when Chromium or its driver is missing; fail instead under CI=true."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if not missing:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the browser tests, but {', '.join(missing)} is missing")
    pytest.skip(f"{', '.join(missing)} not installed (apt-get install chromium chromium-driver)")


def launch_chromium(profile: Path | str, *, window_size: str) -> Any:
    """A Selenium driver on headless Chromium with a fresh profile directory."""
    require_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--window-size={window_size}",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
