"""Recovery and refunds over real HTTP: a FakeServer and a StripeClient on the network."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from future_payments import (
    AsyncFuturePayments,
    AuthenticationStarted,
    Charged,
    FuturePayments,
    MemoryStore,
    RefundOutcomeUnknown,
)
from future_payments.stores import ThreadedStore
from future_payments.testing import FakeServer, charged, needs_authentication
from tests.facade.conftest import AsyncAsSync

RETURN_URL = "https://shop.example/pay/order-1/return"


@pytest.fixture
def server() -> Iterator[FakeServer]:
    """The fake on an ephemeral loopback port."""
    with FakeServer() as running:
        yield running


@pytest.fixture(params=["sync", "async"])
def payments(request: pytest.FixtureRequest, server: FakeServer) -> Iterator[FuturePayments]:
    """A facade whose StripeClient reaches the server over HTTP (with the SDK's retries)."""
    store = MemoryStore()
    secret = server.fake.webhook_secret
    if request.param == "sync":
        yield FuturePayments(client=server.client(max_network_retries=2), store=store)
        return
    import stripe

    transport = stripe.HTTPXClient()
    client = server.client(max_network_retries=2, http_client=transport)
    made = AsyncFuturePayments(client=client, store=ThreadedStore(store), webhook_secret=secret)
    yield AsyncAsSync(made, store)  # type: ignore[misc]
    asyncio.run(transport.close_async())  # type: ignore[no-untyped-call]


pytestmark = pytest.mark.filterwarnings(
    "ignore:Use 'content=<...>' to upload raw bytes/text content"  # stripe 16's HTTPXClient
)


def test_recovery_through_the_served_challenge_page(
    payments: FuturePayments, server: FakeServer
) -> None:
    """start_authentication's URL is the server's page; completing it there charges the card."""
    needs_authentication(payments, server.fake, "user-42", idempotency_key="order-1")

    started = payments.start_authentication("order-1", return_url=RETURN_URL)
    assert isinstance(started, AuthenticationStarted)
    assert started.url.startswith(f"{server.url}/authenticate/")
    with httpx.Client(trust_env=False, timeout=10) as browser:
        page = browser.get(started.url)
        back = browser.post(
            urlsplit(started.url)._replace(query="").geturl(),
            data={"outcome": "complete", "return_url": RETURN_URL},
        )

    assert "Complete authentication" in page.text
    location = urlsplit(back.headers["location"])
    assert (["succeeded"], "/pay/order-1/return") == (
        parse_qs(location.query)["redirect_status"],
        location.path,
    )
    assert isinstance(payments.complete_authentication("order-1"), Charged)


def test_refund_with_a_dropped_connection_refunds_once(
    payments: FuturePayments, server: FakeServer
) -> None:
    """The connection drops after the refund was made; the SDK's retry replays it: one refund."""
    result = charged(payments, server.fake, "user-42", idempotency_key="order-1")
    server.fake.fail_next("connection_after", path="/v1/refunds")

    refunded = payments.refund("order-1", refund_key="r1", amount=500)

    [made] = server.fake.objects("refund")
    assert (made["id"], result.payment_intent_id) == (
        refunded.refund_id,
        refunded.payment_intent_id,
    )


def test_refund_whose_every_retry_fails_is_reconciled(
    payments: FuturePayments, server: FakeServer
) -> None:
    """Every try drops after Stripe made the refund; the next call finds it: still one refund."""
    charged(payments, server.fake, "user-42", idempotency_key="order-1")
    server.fake.fail_next("connection_after", path="/v1/refunds", times=3)

    with pytest.raises(RefundOutcomeUnknown):
        payments.refund("order-1", refund_key="r1", amount=500)
    refunded = payments.refund("order-1", refund_key="r1", amount=500)

    assert [refunded.refund_id] == [r["id"] for r in server.fake.objects("refund")]
