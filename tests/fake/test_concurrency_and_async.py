"""Thread safety, the async transport, and the public surface."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
import stripe

import future_payments.testing
from future_payments.testing import FakeStripe


def test_eight_threads_create_customers(fake: FakeStripe) -> None:
    """Eight threads creating 25 customers each end with 200 distinct customers."""
    client = fake.client()

    def create(_: int) -> list[str]:
        return [client.v1.customers.create().id for _ in range(25)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = [cid for batch in pool.map(create, range(8)) for cid in batch]
    listed = [c.id for c in client.v1.customers.list(params={"limit": 100}).auto_paging_iter()]
    assert (200, 200, 200) == (len(set(ids)), len(listed), len(fake.requests) - 2)


def test_async_client(fake: FakeStripe) -> None:
    """The *_async methods go through the same fake."""
    client = fake.client()

    async def flow() -> tuple[str, str]:
        customer = await client.v1.customers.create_async(params={"email": "a@example.com"})
        fetched = await client.v1.customers.retrieve_async(customer.id)
        return customer.id, fetched.id

    created, fetched = asyncio.run(flow())
    assert created == fetched


def test_async_connection_fault(fake: FakeStripe) -> None:
    """A connection fault raises APIConnectionError from the async path too."""
    client = fake.client()
    fake.fail_next("connection_before")

    async def flow() -> None:
        await client.v1.customers.create_async()

    try:
        asyncio.run(flow())
        raised = False
    except stripe.APIConnectionError:
        raised = True
    assert raised


def test_requests_are_recorded(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """fake.requests lists method, path and decoded params in order."""
    customer = client.v1.customers.create(params={"metadata": {"ref": "u1"}})
    client.v1.customers.retrieve(customer.id, params={"expand": ["test_clock"]})
    assert [
        ("POST", "/v1/customers", {"metadata": {"ref": "u1"}}),
        ("GET", f"/v1/customers/{customer.id}", {"expand": ["test_clock"]}),
    ] == [(r.method, r.path, r.params) for r in fake.requests]


def test_public_names() -> None:
    """future_payments.testing exports exactly its documented names."""
    expected = [
        "DELAYED_METHOD_TYPES",
        "TEST_CARDS",
        "TEST_PAYMENT_METHODS",
        "ConnectionDropped",
        "Delivered",
        "DeliveryAttempt",
        "FakeCardError",
        "FakeClock",
        "FakeServer",
        "FakeStripe",
        "RecordedRequest",
        "RetrySchedule",
        "Scenarios",
        "SupportsPost",
        "TestCard",
        "WebhookDelivery",
        "charged",
        "deliver_webhooks",
        "needs_authentication",
        "saved_card",
        "vcr_config",
    ]
    assert expected == future_payments.testing.__all__


def test_repr_hides_webhook_secret() -> None:
    """repr(fake) never shows the webhook secret."""
    fake = FakeStripe(webhook_secret="whsec_do_not_show")
    assert "whsec_do_not_show" not in repr(fake)


def test_racing_requests_with_one_key_are_answered_one_after_the_other() -> None:
    """Without a slow fault, threads sharing an idempotency key get one object, no 409."""
    import threading

    fake = FakeStripe()
    client = fake.client()
    ids: list[str] = []

    def create() -> None:
        ids.append(client.v1.customers.create(options={"idempotency_key": "race"}).id)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (8, 1) == (len(ids), len(set(ids)))


def test_a_cancelled_slow_request_frees_its_key() -> None:
    """An async request cancelled during a slow fault never runs and leaves its key usable."""
    import asyncio

    fake = FakeStripe()
    client = fake.client()
    fake.fail_next("slow", delay=5)

    async def cancelled() -> None:
        task = asyncio.ensure_future(
            client.v1.customers.create_async(options={"idempotency_key": "cancel"})
        )
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancelled())
    customer = client.v1.customers.create(options={"idempotency_key": "cancel"})
    assert [customer.id] == [c["id"] for c in fake.objects("customer")]
