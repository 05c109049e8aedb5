"""The webhook forwarder: signed POSTs to an app, each retried on its schedule, bounded."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import httpx
import pytest
import stripe

from future_payments.testing import FakeServer, FakeStripe, RetrySchedule
from future_payments.webhooks import verify_signature
from tests.server.conftest import START, TINY, Receiver, setup_session

MAX_ATTEMPTS = len(TINY.delays()) + 1


@pytest.fixture
def forwarding(fake: FakeStripe, receiver: Receiver) -> Iterator[FakeServer]:
    """A running server forwarding to the receiver's /webhooks, on a tiny retry schedule."""
    with FakeServer(fake, webhook_url=f"{receiver.url}/webhooks", retry=TINY) as running:
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
    """500, 500, then 200: three attempts of the same event, the same body each time."""
    receiver.statuses.extend([500, 500])
    forwarding.client().v1.customers.create()
    forwarding.flush_webhooks()

    attempts = [(d.status, d.attempt, d.retry_in is not None) for d in forwarding.deliveries]
    assert [(500, 1, True), (500, 2, True), (200, 3, False)] == attempts
    assert 1 == len({p.body for p in receiver.posts()})


def test_a_failing_event_does_not_hold_up_the_next(fake: FakeStripe, receiver: Receiver) -> None:
    """While one event waits for its retry, a newer one is delivered (no order, as on Stripe)."""
    receiver.statuses.append(500)
    slow = RetrySchedule(first=0.3, longest=0.3, give_up_after=0.3)
    with FakeServer(fake, webhook_url=receiver.url, retry=slow) as server:
        client = server.client()
        first = client.v1.customers.create()
        wait_for_posts(receiver, 1)
        second = client.v1.customers.create()
        server.flush_webhooks()

    delivered = [json.loads(p.body)["data"]["object"]["id"] for p in receiver.posts()]
    assert [first.id, second.id, first.id] == delivered


def test_gives_up_after_the_schedule(forwarding: FakeServer, receiver: Receiver) -> None:
    """After the schedule's last retry the event is given up; the attempts were counted."""
    receiver.statuses.extend([503] * MAX_ATTEMPTS)
    forwarding.client().v1.customers.create()
    forwarding.flush_webhooks()

    attempts = forwarding.deliveries
    assert [503] * MAX_ATTEMPTS == [d.status for d in attempts]
    assert list(range(1, MAX_ATTEMPTS + 1)) == [d.attempt for d in attempts]
    assert None is attempts[-1].retry_in


def test_retries_are_signed_afresh(fake: FakeStripe, receiver: Receiver) -> None:
    """Each attempt carries a signature made at its own time (Stripe's tolerance is 5 min)."""
    receiver.statuses.append(500)
    with FakeServer(fake, webhook_url=receiver.url, retry=TINY) as server:
        server.client().v1.customers.create()
        wait_for_posts(receiver, 1)
        fake.clock.advance(600)
        server.flush_webhooks()

    first, retry = (p.headers["Stripe-Signature"] for p in receiver.posts())
    assert (f"t={int(START)}", f"t={int(START) + 600}") == (first[:12], retry[:12])


def test_resend_delivers_again(forwarding: FakeServer, receiver: Receiver) -> None:
    """resend(event_id) POSTs a delivered event once more, as attempt 1 of a new schedule."""
    forwarding.client().v1.customers.create()
    forwarding.flush_webhooks()
    [event] = forwarding.client().v1.events.list().data

    forwarding.resend(event.id)
    forwarding.flush_webhooks()

    assert [event.id, event.id] == [json.loads(p.body)["id"] for p in receiver.posts()]
    assert [1, 1] == [a.attempt for a in forwarding.attempts_of(event.id)]


def test_resend_of_an_unknown_event(server: FakeServer) -> None:
    """resend of an id the fake does not have is a LookupError."""
    with pytest.raises(LookupError, match="evt_nope"):
        server.resend("evt_nope")


def wait_for_posts(receiver: Receiver, count: int) -> None:
    """Block until the receiver has ``count`` POSTs (at most 5 s)."""
    import time

    deadline = time.monotonic() + 5
    while len(receiver.posts()) < count:
        assert time.monotonic() < deadline, "the POST never came"
        time.sleep(0.005)


def test_connection_errors_are_recorded(fake: FakeStripe) -> None:
    """An unreachable endpoint: each attempt records the error, then the event is given up."""
    with FakeServer(fake, webhook_url=closed_port_url(), retry=TINY) as server:
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


def test_flush_times_out(fake: FakeStripe, receiver: Receiver) -> None:
    """flush_webhooks raises TimeoutError while a retry is still planned."""
    receiver.statuses.append(500)
    with FakeServer(fake, webhook_url=receiver.url) as server:  # the default: minutes
        server.client().v1.customers.create()

        with pytest.raises(TimeoutError):
            server.flush_webhooks(timeout=0.2)


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
    forwarding.flush_webhooks()
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
