"""The pytest plugin (entry point ``pytest11``): fixtures for tests that run on the fake.

Installing ``future-payments`` is enough: ``fake_stripe``, ``stripe_client`` and
``future_payments`` are available in every test, no conftest needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import stripe

    from future_payments import FuturePayments
    from future_payments.testing import FakeStripe


@pytest.fixture
def fake_stripe() -> FakeStripe:
    """A fresh in-process fake Stripe for this test."""
    from future_payments.testing import FakeStripe

    return FakeStripe()


@pytest.fixture
def stripe_client(fake_stripe: FakeStripe) -> stripe.StripeClient:
    """A genuine ``stripe.StripeClient`` whose requests go to ``fake_stripe``."""
    return fake_stripe.client()


@pytest.fixture
def future_payments(fake_stripe: FakeStripe, stripe_client: stripe.StripeClient) -> FuturePayments:
    """A ``FuturePayments`` on a ``MemoryStore`` and the fake, with its webhook secret and clock."""
    from future_payments import FuturePayments, MemoryStore

    return FuturePayments(
        client=stripe_client,
        store=MemoryStore(),
        webhook_secret=fake_stripe.webhook_secret,
        now=fake_stripe.clock.now,
    )
