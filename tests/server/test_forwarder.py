"""The webhook forwarder: signed POSTs to an app, in order, retried with backoff, bounded."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import httpx
import pytest
import stripe

from future_payments.testing import FakeServer, FakeStripe
from future_payments.testing._server._forwarder import MAX_ATTEMPTS
from future_payments.webhooks import verify_signature
from tests.server.conftest import START, Receiver, setup_session


@pytest.fixture
def forwarding(fake: FakeStripe, receiver: Receiver) -> Iterator[FakeServer]:
    """A running server forwarding to the receiver's /webhooks."""
    with FakeServer(fake, webhook_url=f"{receiver.url}/webhooks") as running:
        yield running


def closed_port_url() -> str:
    """A loopback URL nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/webhooks"


def test_delivers_signed_events(forwarding: FakeServer, receiver: Receiver) -> None:
    """Each event arrives as JSON with a Stripe-Signature the app can verify."""
    forwarding.client().v1.customers.create(params={"email": "w@example.com"})
    forwarding.flush_webhooks()

    [post] = receiver.posts()
    verify_signature(
        post.body, post.headers["Stripe-Signature"], "whsec_test_secret", now=lambda: START
    )
    assert ("/webhooks", "application/json; charset=utf-8") == (
        post.path,
        post.headers["Content-Type"],
    )
    assert "customer.created" == json.loads(post.body)["type"]
    assert [(json.loads(post.body)["id"], "customer.created", 200, 1)] == [
        (d.event_id, d.type, d.status, d.attempt) for d in forwarding.deliveries
    ]


def test_keeps_order(forwarding: FakeServer, receiver: Receiver) -> None:
    """Events arrive oldest first."""
    client = forwarding.client()
    session = setup_session(client)
    forwarding.fake.complete_checkout(session.id)
    forwarding.flush_webhooks()

    expected = [e.id for e in reversed(client.v1.events.list(params={"limit": 100}).data)]
    assert expected == [json.loads(p.body)["id"] for p in receiver.posts()]


def test_retries_until_acknowledged(forwarding: FakeServer, receiver: Receiver) -> None:
    """500, 500, then 200: three attempts of the same event, then the next one."""
    receiver.statuses.extend([500, 500])
    client = forwarding.client()
    client.v1.customers.create()
    client.v1.customers.create()
    forwarding.flush_webhooks()

    attempts = [(d.status, d.attempt) for d in forwarding.deliveries]
    assert [(500, 1), (500, 2), (200, 3), (200, 1)] == attempts
    assert 1 == len({d.event_id for d in forwarding.deliveries[:3]})


def test_gives_up_after_the_bound(forwarding: FakeServer, receiver: Receiver) -> None:
    """After MAX_ATTEMPTS failures the event is given up and the next one is delivered."""
    receiver.statuses.extend([503] * MAX_ATTEMPTS)
    client = forwarding.client()
    client.v1.customers.create()
    client.v1.customers.create()
    forwarding.flush_webhooks()

    statuses = [d.status for d in forwarding.deliveries]
    assert [503] * MAX_ATTEMPTS + [200] == statuses
    assert MAX_ATTEMPTS + 1 == len(receiver.posts())


def test_connection_errors_are_recorded(fake: FakeStripe) -> None:
    """An unreachable endpoint: each attempt records the error, then the event is given up."""
    with FakeServer(fake, webhook_url=closed_port_url()) as server:
        server.client().v1.customers.create()
        server.flush_webhooks()

        attempts = server.deliveries
    assert list(range(1, MAX_ATTEMPTS + 1)) == [a.attempt for a in attempts]
    assert all(a.status is None and a.error and not a.ok for a in attempts)


def test_webhook_url_set_after_start(server: FakeServer, receiver: Receiver) -> None:
    """Events recorded before the URL is set are delivered once it is."""
    server.client().v1.customers.create()
    server.webhook_url = f"{receiver.url}/late"
    server.flush_webhooks()

    assert ["/late"] == [p.path for p in receiver.posts()]


def test_without_url_events_stay_in_the_fake(server: FakeServer) -> None:
    """With no webhook_url nothing is taken: fake.webhooks() still hands them out."""
    server.client().v1.customers.create()
    server.flush_webhooks()

    assert ["customer.created"] == [d.type for d in server.fake.webhooks()]
    assert [] == server.deliveries


def test_flush_times_out(forwarding: FakeServer, receiver: Receiver) -> None:
    """flush_webhooks raises TimeoutError while deliveries are still being retried."""
    receiver.statuses.extend([500] * MAX_ATTEMPTS)
    forwarding.client().v1.customers.create()

    with pytest.raises(TimeoutError):
        forwarding.flush_webhooks(timeout=0.2)


def test_flush_needs_a_running_server(fake: FakeStripe) -> None:
    """flush_webhooks on a server that is not running says so."""
    with pytest.raises(RuntimeError, match="start"):
        FakeServer(fake, webhook_url="http://127.0.0.1:9/x").flush_webhooks()


@pytest.mark.parametrize("url", ["ftp://example.com/x", "/relative", "http://"])
def test_bad_webhook_url(url: str) -> None:
    """Only absolute http(s) URLs are accepted."""
    with pytest.raises(ValueError, match="webhook_url"):
        FakeServer(webhook_url=url)


def test_events_page(forwarding: FakeServer, receiver: Receiver, http: httpx.Client) -> None:
    """/_events lists events newest first with their delivery state."""
    receiver.statuses.extend([500] * MAX_ATTEMPTS)
    client: stripe.StripeClient = forwarding.client()
    client.v1.customers.create()
    setup_session(client)
    forwarding.flush_webhooks()
    page = httpx.get(f"{forwarding.url}/_events", trust_env=False).text

    newest_first = [e.id for e in client.v1.events.list().data]
    positions = [page.index(event_id) for event_id in newest_first]
    assert sorted(positions) == positions
    assert f"failed: HTTP 500, attempt {MAX_ATTEMPTS}" in page
    assert "delivered: HTTP 200, attempt 1" in page


def test_events_page_without_forwarding(server: FakeServer, http: httpx.Client) -> None:
    """Without a webhook URL the page says the events are not forwarded."""
    server.client().v1.customers.create()

    assert "not forwarded (no webhook URL)" in http.get("/_events").text
