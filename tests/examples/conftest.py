"""Fixtures for the example apps: each app on the in-process fake, through its test client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from future_payments.testing import FakeStripe
from tests.examples.drivers import FRAMEWORKS, Driver, driver_for


def pytest_configure(config: pytest.Config) -> None:
    """Register ``browser`` until pyproject.toml lists it (``--strict-markers`` is on)."""
    config.addinivalue_line(
        "markers",
        "browser: drives headless Chromium (skipped without it, except in CI where it must run)",
    )


@pytest.fixture
def fake() -> FakeStripe:
    """A fresh in-process fake Stripe."""
    return FakeStripe()


@pytest.fixture(params=FRAMEWORKS)
def app(request: pytest.FixtureRequest, fake: FakeStripe) -> Iterator[Driver]:
    """Each example app on ``fake`` with a MemoryStore, through its framework's test client."""
    with driver_for(request.param, fake) as driver:
        yield driver
