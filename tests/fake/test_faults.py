"""Faults on demand: dropped connections, 500, 429, slow answers, and SDK retries."""

from __future__ import annotations

import time

import pytest
import stripe

from future_payments.testing import FakeStripe


def test_connection_before_changes_nothing(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """connection_before raises APIConnectionError; nothing is created or recorded."""
    fake.fail_next("connection_before")
    with pytest.raises(stripe.APIConnectionError):
        client.v1.customers.create()
    assert (0, []) == (len(fake.requests), client.v1.customers.list().data)


def test_connection_after_commits(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """connection_after raises APIConnectionError but the customer exists."""
    fake.fail_next("connection_after")
    with pytest.raises(stripe.APIConnectionError):
        client.v1.customers.create()
    assert 1 == len(client.v1.customers.list().data)


def test_connection_after_then_retry_replays(fake: FakeStripe) -> None:
    """With retries, the SDK reuses its key and ends with exactly one object."""
    client = fake.client(max_network_retries=2)
    fake.fail_next("connection_after", path="/v1/customers")
    created = client.v1.customers.create()
    keys = {r.idempotency_key for r in fake.requests if r.method == "POST"}
    listed = [c.id for c in client.v1.customers.list().data]
    assert ([created.id], 1) == (listed, len(keys))


def test_fail_twice_then_succeed(fake: FakeStripe) -> None:
    """times=2 fails two attempts; the third (a retry) succeeds."""
    client = fake.client(max_network_retries=3)
    fake.fail_next("connection_before", times=2)
    client.v1.customers.create()
    assert 1 == len(fake.requests)


def test_server_error_raises_api_error(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """server_error answers 500 api_error as stripe.APIError, creating nothing."""
    fake.fail_next("server_error")
    with pytest.raises(stripe.APIError) as caught:
        client.v1.customers.create()
    assert (500, 0) == (caught.value.http_status, len(client.v1.customers.list().data))


def test_server_error_is_what_replays(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """The same idempotency key replays the stored 500."""
    fake.fail_next("server_error")
    for _ in range(2):
        with pytest.raises(stripe.APIError):
            client.v1.customers.create(options={"idempotency_key": "k"})
    assert 0 == len(client.v1.customers.list().data)


def test_rate_limit_raises_rate_limit_error(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """rate_limit answers 429 code rate_limit as stripe.RateLimitError."""
    fake.fail_next("rate_limit")
    with pytest.raises(stripe.RateLimitError) as caught:
        client.v1.customers.create()
    assert caught.value.error is not None
    assert (429, "rate_limit") == (caught.value.http_status, caught.value.error.code)


def test_rate_limit_is_not_retried(fake: FakeStripe) -> None:
    """The SDK does not retry a 429 without Stripe-Should-Retry."""
    client = fake.client(max_network_retries=2)
    fake.fail_next("rate_limit")
    with pytest.raises(stripe.RateLimitError):
        client.v1.customers.create()
    assert 1 == len(fake.requests)


def test_slow_waits(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """slow delays the answer by ``delay`` seconds."""
    fake.fail_next("slow", delay=0.05)
    started = time.monotonic()
    client.v1.customers.create()
    assert time.monotonic() - started >= 0.05


def test_fault_matches_method_and_path(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """A fault for one path leaves other requests alone."""
    fake.fail_next("server_error", method="POST", path="/v1/payment_intents")
    client.v1.customers.create()
    with pytest.raises(stripe.APIError):
        client.v1.payment_intents.create(params={"amount": 500, "currency": "usd"})
    assert ["/v1/customers", "/v1/payment_intents"] == [r.path for r in fake.requests]


def test_unknown_fault_kind_rejected(fake: FakeStripe) -> None:
    """An unknown kind is a ValueError."""
    with pytest.raises(ValueError, match="unknown fault kind"):
        fake.fail_next("boom")  # type: ignore[arg-type]
