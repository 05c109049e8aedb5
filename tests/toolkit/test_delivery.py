"""deliver_webhooks: pending events to a callable or a test client, shuffled or duplicated."""

from __future__ import annotations

from typing import Any

import flask
import httpx
import pytest

from future_payments import FuturePayments, MemoryStore
from future_payments.testing import FakeStripe, Scenarios, deliver_webhooks, saved_card
from future_payments.webhooks import construct_event


def _recorder() -> tuple[list[tuple[bytes, str]], Any]:
    calls: list[tuple[bytes, str]] = []

    def handler(body: bytes, signature: str) -> str:
        calls.append((body, signature))
        return "ok"

    return calls, handler


def test_to_a_callable_in_order(fake_stripe: FakeStripe, scenarios: Scenarios) -> None:
    """Each pending event goes once, oldest first, with its signature; the result records it."""
    scenarios.saved_card("user-1")
    calls, handler = _recorder()

    delivered = deliver_webhooks(fake_stripe, handler)

    assert [(d.delivery.body, d.delivery.signature) for d in delivered] == calls
    assert ["ok"] * len(calls) == [d.response for d in delivered]
    assert "checkout.session.completed" in [d.type for d in delivered]
    assert [] == fake_stripe.webhooks()


def test_signatures_verify(fake_stripe: FakeStripe, scenarios: Scenarios) -> None:
    """The deliveries verify with the fake's webhook secret."""
    scenarios.saved_card("user-1")

    secret = fake_stripe.webhook_secret

    delivered = deliver_webhooks(
        fake_stripe, lambda body, signature: construct_event(body, signature, secret)
    )

    assert [d.event_id for d in delivered] == [d.response.id for d in delivered]


def test_duplicated(fake_stripe: FakeStripe, scenarios: Scenarios) -> None:
    """duplicate=3 delivers every event three times in a row."""
    scenarios.saved_card("user-1")
    _, handler = _recorder()

    delivered = deliver_webhooks(fake_stripe, handler, duplicate=3)

    ids = [d.event_id for d in delivered]
    assert [i for i in dict.fromkeys(ids) for _ in range(3)] == ids


def _ignore(body: bytes, signature: str) -> None:
    """A handler that accepts everything."""


def _pending_after_saving() -> FakeStripe:
    fake = FakeStripe(start_time=1_700_000_000)
    payments = FuturePayments(client=fake.client(), store=MemoryStore())
    saved_card(payments, fake, "user-1")
    return fake


def test_shuffled_is_seeded() -> None:
    """shuffle=True changes the order, the same way for the same seed."""
    in_order = [d.type for d in _pending_after_saving().webhooks()]
    shuffled = [
        [d.type for d in deliver_webhooks(_pending_after_saving(), _ignore, shuffle=True, seed=7)]
        for _ in range(2)
    ]

    assert shuffled[0] == shuffled[1]
    assert sorted(in_order) == sorted(shuffled[0])
    assert in_order != shuffled[0]


def test_handler_converges_whatever_the_order(
    fake_stripe: FakeStripe, scenarios: Scenarios, payments: FuturePayments
) -> None:
    """The library's own handler, fed shuffled duplicates, keeps one saved method."""
    scenarios.saved_card("user-1")

    delivered = scenarios.deliver_webhooks(shuffle=True, seed=3, duplicate=2)

    actions = {d.response.action for d in delivered}
    assert "duplicate" in actions
    assert 1 == len(payments.payment_methods("user-1"))


def test_to_a_flask_test_client(fake_stripe: FakeStripe, scenarios: Scenarios) -> None:
    """url= posts the raw body with Stripe-Signature to a Flask test client."""
    app = flask.Flask("shop")
    seen: list[tuple[bytes, str | None]] = []

    @app.post("/stripe/webhook")
    def webhook() -> tuple[str, int]:
        seen.append((flask.request.get_data(), flask.request.headers.get("Stripe-Signature")))
        return "", 204

    scenarios.saved_card("user-1")
    delivered = deliver_webhooks(fake_stripe, app.test_client(), url="/stripe/webhook")

    assert [(d.delivery.body, d.delivery.signature) for d in delivered] == seen
    assert {204} == {d.status_code for d in delivered}


def test_to_an_httpx_client(fake_stripe: FakeStripe, scenarios: Scenarios) -> None:
    """url= posts content= to an httpx.Client (the base of Starlette's and FastAPI's TestClient)."""
    app = flask.Flask("shop")
    seen: list[tuple[bytes, str | None, str | None]] = []

    @app.post("/stripe/webhook")
    def webhook() -> str:
        request = flask.request
        seen.append((request.get_data(), request.headers.get("Stripe-Signature"), request.mimetype))
        return "ok"

    scenarios.saved_card("user-1")
    transport = httpx.WSGITransport(app=app)
    with httpx.Client(transport=transport, base_url="http://shop.test") as client:
        delivered = deliver_webhooks(fake_stripe, client, url="/stripe/webhook", duplicate=2)

    expected = [(d.delivery.body, d.delivery.signature, "application/json") for d in delivered]
    assert expected == seen
    assert {200} == {d.status_code for d in delivered}


def test_bad_targets(fake_stripe: FakeStripe) -> None:
    """A non-callable without url=, a client without post, or duplicate=0 is refused."""
    with pytest.raises(TypeError, match="url="):
        deliver_webhooks(fake_stripe, object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="post"):
        deliver_webhooks(fake_stripe, object(), url="/hook")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="duplicate"):
        deliver_webhooks(fake_stripe, _ignore, duplicate=0)
