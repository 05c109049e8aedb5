"""Fixtures for the facade's behaviour: a fresh fake Stripe and a FuturePayments on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from future_payments import FuturePayments, MemoryStore, SavedPaymentMethod, SQLiteStore
from future_payments.stores import Store
from future_payments.testing import FakeStripe

SUCCESS_URL = "https://shop.example/saved?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "https://shop.example/cancel"


@pytest.fixture
def fake() -> FakeStripe:
    """A fresh in-process fake Stripe."""
    return FakeStripe()


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each embedded store."""
    if request.param == "memory":
        yield MemoryStore()
    else:
        yield SQLiteStore(tmp_path / "payments.db")


@pytest.fixture
def payments(fake: FakeStripe, store: Store) -> FuturePayments:
    """A FuturePayments on the fake, with the fake's webhook secret and clock."""
    return FuturePayments(
        client=fake.client(),
        store=store,
        webhook_secret=fake.webhook_secret,
        now=fake.clock.now,
    )


def save_card(
    payments: FuturePayments,
    fake: FakeStripe,
    customer_ref: str = "user-42",
    card: str = "4242424242424242",
) -> SavedPaymentMethod:
    """Start a setup, complete it as the customer with ``card``, and finish by redirect."""
    setup = payments.start_setup(
        customer_ref, currency="usd", success_url=SUCCESS_URL, cancel_url=CANCEL_URL
    )
    fake.complete_checkout(setup.session_id, card=card)
    return payments.complete_from_session(setup.session_id)
