"""Idempotency keys replay the first answer for 24 hours and refuse other parameters."""

from __future__ import annotations

import pytest
import stripe

from future_payments.testing import FakeStripe


def create_customer(client: stripe.StripeClient, key: str, email: str = "a@example.com") -> str:
    """Create a customer under ``key``; return its id."""
    return client.v1.customers.create(params={"email": email}, options={"idempotency_key": key}).id


def test_same_key_same_params_replays(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """The second request returns the first customer and creates nothing."""
    first = create_customer(client, "k1")
    second = create_customer(client, "k1")
    assert (first, 1) == (second, len(client.v1.customers.list().data))


def test_replay_carries_idempotent_replayed_header(fake: FakeStripe) -> None:
    """A replayed answer has the Idempotent-Replayed: true header."""
    headers = {"Authorization": "Bearer sk_test_x", "Idempotency-Key": "k"}
    fake.handle_request("POST", "/v1/customers", headers, b"email=a%40b.c")
    _, replay_headers, _ = fake.handle_request("POST", "/v1/customers", headers, b"email=a%40b.c")
    assert "true" == replay_headers["Idempotent-Replayed"]


def test_same_key_other_params_is_idempotency_error(client: stripe.StripeClient) -> None:
    """Reusing a key with other parameters raises stripe.IdempotencyError."""
    create_customer(client, "k2")
    with pytest.raises(stripe.IdempotencyError) as caught:
        create_customer(client, "k2", email="other@example.com")
    assert 400 == caught.value.http_status


def test_card_error_is_replayed(client: stripe.StripeClient) -> None:
    """A declined charge replays the same decline and creates one PaymentIntent."""
    params: stripe.params.PaymentIntentCreateParams = {
        "amount": 500,
        "currency": "usd",
        "payment_method": "pm_card_visa_chargeDeclined",
        "confirm": True,
    }
    ids = []
    for _ in range(2):
        with pytest.raises(stripe.CardError) as caught:
            client.v1.payment_intents.create(params=params, options={"idempotency_key": "k3"})
        assert caught.value.error is not None
        assert caught.value.error.payment_intent is not None
        ids.append(caught.value.error.payment_intent.id)
    assert (1, 1) == (len(set(ids)), len(client.v1.payment_intents.list().data))


def test_validation_error_is_not_stored(client: stripe.StripeClient) -> None:
    """A request rejected by validation leaves its key free for a corrected retry."""
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.create(
            params={"amount": 10, "currency": "usd"}, options={"idempotency_key": "k4"}
        )
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.create(
            params={"amount": 10, "currency": "usd"}, options={"idempotency_key": "k4"}
        )
    assert "amount_too_small" == caught.value.code


def test_key_expires_after_24_hours(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """After 24 h of fake time the key is forgotten and the request runs again."""
    first = create_customer(client, "k5")
    fake.clock.advance(24 * 60 * 60)
    assert first != create_customer(client, "k5")


def test_key_kept_just_under_24_hours(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """Just before 24 h the key still replays."""
    first = create_customer(client, "k6")
    fake.clock.advance(24 * 60 * 60 - 1)
    assert first == create_customer(client, "k6")


def test_key_longer_than_255_rejected(client: stripe.StripeClient) -> None:
    """A key over 255 characters is refused."""
    with pytest.raises(stripe.IdempotencyError):
        create_customer(client, "k" * 256)
