"""Fixtures for the fake Stripe's own tests: every test talks to it through a real StripeClient."""

from __future__ import annotations

import pytest
import stripe

from future_payments.testing import FakeStripe

START = 1_800_000_000.0


@pytest.fixture
def fake() -> FakeStripe:
    """A fresh fake with a fixed clock."""
    return FakeStripe(webhook_secret="whsec_test_secret", start_time=START)


@pytest.fixture
def client(fake: FakeStripe) -> stripe.StripeClient:
    """A StripeClient wired to ``fake``."""
    return fake.client()


def setup_session(
    client: stripe.StripeClient, customer: str | None = None, **params: object
) -> stripe.checkout.Session:
    """A setup-mode Checkout Session for ``customer``."""
    return client.v1.checkout.sessions.create(
        params={
            "mode": "setup",
            "currency": "usd",
            "success_url": "https://shop.example/ok?session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": "https://shop.example/cancel",
            **({"customer": customer} if customer else {}),
            **params,  # type: ignore[typeddict-item]
        }
    )


def saved_card(
    fake: FakeStripe, client: stripe.StripeClient, **complete: object
) -> tuple[str, stripe.SetupIntent]:
    """Save a card through Checkout: (customer id, the expanded SetupIntent)."""
    customer = client.v1.customers.create(params={"email": "payer@example.com"})
    session = setup_session(client, customer.id)
    fake.complete_checkout(session.id, **complete)  # type: ignore[arg-type]
    done = client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["setup_intent.payment_method"]}
    )
    intent = done.setup_intent
    assert isinstance(intent, stripe.SetupIntent)
    return customer.id, intent
