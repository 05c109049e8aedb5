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


def test_a_500_is_replayed_for_24_hours_then_forgotten(
    fake: FakeStripe, client: stripe.StripeClient
) -> None:
    """A request that started executing and failed with 500 replays that 500 for a day."""
    fake.fail_next("server_error", path="/v1/customers")
    statuses = []
    for advance in (0, 24 * 60 * 60 - 1, 1):
        fake.clock.advance(advance)
        try:
            create_customer(client, "k500")
            statuses.append(200)
        except stripe.APIError as exc:
            statuses.append(exc.http_status or 0)
    assert [500, 500, 200] == statuses


def test_replay_names_the_original_request(fake: FakeStripe) -> None:
    """Original-Request of a replay is the Request-Id of the first answer."""
    headers = {"Authorization": "Bearer sk_test_x", "Idempotency-Key": "orig"}
    _, first, _ = fake.handle_request("POST", "/v1/customers", headers, b"")
    _, replay, _ = fake.handle_request("POST", "/v1/customers", headers, b"")
    assert (first["Request-Id"], True) == (
        replay["Original-Request"],
        replay["Request-Id"] != first["Request-Id"],
    )


def test_concurrent_requests_with_one_key_get_409() -> None:
    """Over HTTP, a second request with the key of one still in flight is 409 key_in_use."""
    import threading

    from future_payments.testing import FakeServer

    with FakeServer() as server:
        client = server.client()
        server.fake.fail_next("slow", path="/v1/customers", delay=0.5)
        started = threading.Event()
        outcome: list[str] = []

        def first() -> None:
            started.set()
            outcome.append(create_customer(client, "busy"))

        thread = threading.Thread(target=first)
        thread.start()
        started.wait()
        deadline = 50
        while not server.fake.requests and deadline:  # until the first one is in
            threading.Event().wait(0.01)
            deadline -= 1
        with pytest.raises(stripe.APIError) as caught:
            create_customer(client, "busy")
        thread.join()
        body = caught.value.json_body or {}
        assert (409, "idempotency_key_in_use", 1) == (
            caught.value.http_status,
            body["error"]["code"],
            len(outcome),
        )


def test_a_retry_after_409_gets_the_first_answer() -> None:
    """The SDK retries a 409 (after its back-off); once the first is done, its answer replays."""
    import threading

    from future_payments.testing import FakeServer

    with FakeServer(FakeStripe(instant_retries=False)) as server:
        client = server.client(max_network_retries=5)
        server.fake.fail_next("slow", path="/v1/customers", delay=0.3)
        results: list[str] = []
        thread = threading.Thread(target=lambda: results.append(create_customer(client, "rt")))
        thread.start()
        while not server.fake.requests:
            threading.Event().wait(0.01)
        second = create_customer(client, "rt")
        thread.join()
        assert [second] == results
