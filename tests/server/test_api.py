"""The /v1 API over real HTTP, through the genuine stripe package."""

from __future__ import annotations

import httpx
import pytest
import stripe

from future_payments.testing import FakeServer, FakeStripe
from tests.server.conftest import setup_session


def test_setup_flow_over_http(server: FakeServer, client: stripe.StripeClient) -> None:
    """Customer, setup session, completion, expanded retrieve and an off-session charge."""
    session = setup_session(client)
    server.fake.complete_checkout(session.id, card="4000002500003155")
    done = client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["setup_intent.payment_method"]}
    )
    assert isinstance(done.setup_intent, stripe.SetupIntent)
    pm = done.setup_intent.payment_method
    assert isinstance(pm, stripe.PaymentMethod)
    charge = client.v1.payment_intents.create(
        params={
            "amount": 1999,
            "currency": "usd",
            "customer": str(done.customer),
            "payment_method": pm.id,
            "off_session": True,
            "confirm": True,
        }
    )

    expected = ("complete", "succeeded", "3155", "succeeded")
    assert expected == (
        done.status,
        done.setup_intent.status,
        pm.card and pm.card.last4,
        charge.status,
    )


def test_session_url_opens_this_server(server: FakeServer, client: stripe.StripeClient) -> None:
    """The session url points at the server's hosted Checkout page."""
    session = setup_session(client)

    assert session.url is not None
    assert session.url.startswith(f"{server.url}/checkout/{session.id}")


def test_card_error_over_http(client: stripe.StripeClient) -> None:
    """A declined charge raises the SDK's own CardError with Stripe's codes."""
    customer = client.v1.customers.create()
    with pytest.raises(stripe.CardError) as caught:
        client.v1.payment_intents.create(
            params={
                "amount": 500,
                "currency": "usd",
                "customer": customer.id,
                "payment_method": "pm_card_visa_chargeDeclinedInsufficientFunds",
                "confirm": True,
            }
        )

    assert ("card_declined", "insufficient_funds") == (
        caught.value.code,
        caught.value.error and caught.value.error.decline_code,
    )


def test_idempotency_replay_over_http(server: FakeServer, client: stripe.StripeClient) -> None:
    """The same Idempotency-Key replays the first answer; one customer exists."""
    options: stripe.RequestOptions = {"idempotency_key": "create-customer-1"}
    first = client.v1.customers.create(params={"email": "a@example.com"}, options=options)
    second = client.v1.customers.create(params={"email": "a@example.com"}, options=options)

    assert first.id == second.id
    assert second.last_response is not None
    assert "true" == second.last_response.headers.get("Idempotent-Replayed")
    assert 1 == len(client.v1.customers.list().data)


def test_dropped_connection_is_retried(server: FakeServer) -> None:
    """A connection_after fault closes the socket unanswered; the SDK retry replays the key."""
    client = server.client(max_network_retries=1)
    server.fake.fail_next("connection_after", path="/v1/customers")
    customer = client.v1.customers.create(params={"email": "b@example.com"})

    assert [customer.id] == [c.id for c in client.v1.customers.list().data]
    assert 2 == sum(1 for r in server.fake.requests if r.method == "POST")


def test_dropped_connection_without_retry_raises(server: FakeServer) -> None:
    """Without retries the closed socket is an APIConnectionError."""
    client = server.client(max_network_retries=0)
    server.fake.fail_next("connection_before")

    with pytest.raises(stripe.APIConnectionError):
        client.v1.customers.create()


def test_server_error_fault(server: FakeServer, client: stripe.StripeClient) -> None:
    """A server_error fault answers 500 api_error over HTTP."""
    server.fake.fail_next("server_error")

    with pytest.raises(stripe.APIError) as caught:
        client.v1.customers.create()
    assert 500 == caught.value.http_status


def test_in_process_and_http_clients_share_state(
    server: FakeServer, client: stripe.StripeClient
) -> None:
    """fake.client() (in-process) sees what server.client() created over HTTP."""
    created = client.v1.customers.create(params={"email": "c@example.com"})

    assert "c@example.com" == server.fake.client().v1.customers.retrieve(created.id).email


def test_bad_api_key_is_refused(server: FakeServer) -> None:
    """A live key is refused with 401, as by the fake in-process."""
    with pytest.raises(stripe.AuthenticationError):
        server.client("sk_live_nope").v1.customers.list()


def test_unknown_page_is_404(http: httpx.Client) -> None:
    """Paths outside the API and the pages answer 404."""
    assert 404 == http.get("/nowhere").status_code


def test_refuses_non_loopback_host() -> None:
    """A non-loopback host needs allow_remote=True."""
    with pytest.raises(ValueError, match="allow_remote"):
        FakeServer(host="0.0.0.0")  # noqa: S104 - the address being refused


def test_allows_localhost_names() -> None:
    """localhost and ::1 count as loopback."""
    FakeServer(host="localhost")
    FakeServer(host="::1")


def test_url_needs_a_running_server() -> None:
    """url before start() says how to start the server."""
    with pytest.raises(RuntimeError, match="start"):
        _ = FakeServer().url


def test_stop_is_idempotent(fake: FakeStripe) -> None:
    """stop() twice, or before start(), does nothing."""
    server = FakeServer(fake)
    server.stop()
    server.start()
    server.stop()
    server.stop()

    assert "not started" in repr(server)


def test_start_twice_is_refused(server: FakeServer) -> None:
    """start() on a running server raises."""
    with pytest.raises(RuntimeError, match="already running"):
        server.start()


def test_ipv6_loopback(fake: FakeStripe) -> None:
    """The server can listen on ::1 and its url brackets the address."""
    try:
        server = FakeServer(fake, host="::1").start()
    except OSError:
        pytest.skip("no IPv6 loopback here")
    try:
        assert server.url.startswith("http://[::1]:")
        assert [] == server.client().v1.customers.list().data
    finally:
        server.stop()
