"""AsyncFuturePayments under concurrency: exactly once holds for coroutines too."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from future_payments import AsyncFuturePayments, Charged, MemoryStore
from future_payments.stores import AsyncSQLAlchemyStore, ThreadedStore
from future_payments.testing import FakeStripe
from future_payments.webhooks import handle_webhook_async
from tests.facade.conftest import CANCEL_URL, SUCCESS_URL
from tests.stores._sqlalchemy_factories import drop_tables, new_prefix, server_engine, server_url


def _payments(fake: FakeStripe) -> AsyncFuturePayments:
    return AsyncFuturePayments(
        client=fake.client(),
        store=ThreadedStore(MemoryStore()),
        webhook_secret=fake.webhook_secret,
        now=fake.clock.now,
    )


async def _ready(fake: FakeStripe) -> AsyncFuturePayments:
    payments = _payments(fake)
    setup = await payments.start_setup(
        "user-42", currency="usd", success_url=SUCCESS_URL, cancel_url=CANCEL_URL
    )
    fake.complete_checkout(setup.session_id)
    await payments.complete_from_session(setup.session_id)
    return payments


def _intent_count(fake: FakeStripe) -> int:
    page = fake.client().v1.payment_intents.list(params={"limit": 100})
    return len(page.data) + (1000 if page.has_more else 0)


def test_hundred_distinct_keys_make_hundred_charges(fake: FakeStripe) -> None:
    """100 concurrent charges with distinct keys leave 100 PaymentIntents."""

    async def main() -> list[object]:
        payments = await _ready(fake)
        return await asyncio.gather(
            *(
                payments.charge_saved("user-42", 1999, "usd", idempotency_key=f"order-{i}")
                for i in range(100)
            )
        )

    results = asyncio.run(main())

    assert 100 == len({r.payment_intent_id for r in results if isinstance(r, Charged)})
    assert 100 == _intent_count(fake)


def test_hundred_coroutines_one_key_make_one_charge(fake: FakeStripe) -> None:
    """100 concurrent charges sharing one key leave one PaymentIntent and one result."""

    async def main() -> list[object]:
        payments = await _ready(fake)
        return await asyncio.gather(
            *(
                payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-1")
                for _ in range(100)
            )
        )

    results = asyncio.run(main())

    assert 1 == len(set(results))
    assert isinstance(results[0], Charged)
    assert 1 == _intent_count(fake)


def test_slow_stripe_does_not_block_the_loop(fake: FakeStripe) -> None:
    """While a charge waits on a slow Stripe, other coroutines run."""

    async def main() -> int:
        payments = await _ready(fake)
        fake.fail_next("slow", path="/v1/payment_intents", delay=0.3)
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        await payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-1")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return ticks

    assert asyncio.run(main()) >= 5


def test_native_async_store(fake: FakeStripe, tmp_path: Path) -> None:
    """On AsyncSQLAlchemyStore (aiosqlite), 50 coroutines over 5 keys leave 5 PaymentIntents."""

    async def main() -> set[str]:
        store = AsyncSQLAlchemyStore(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
        await store.create_schema()
        payments = AsyncFuturePayments(client=fake.client(), store=store)
        setup = await payments.start_setup(
            "user-42", currency="usd", success_url=SUCCESS_URL, cancel_url=CANCEL_URL
        )
        fake.complete_checkout(setup.session_id)
        await payments.complete_from_session(setup.session_id)
        results = await asyncio.gather(
            *(
                payments.charge_saved("user-42", 1999, "usd", idempotency_key=f"k{i % 5}")
                for i in range(50)
            )
        )
        await store.close()
        return {r.payment_intent_id for r in results if isinstance(r, Charged)}

    assert 5 == len(asyncio.run(main()))
    assert 5 == _intent_count(fake)


def test_async_webhook_helper(fake: FakeStripe) -> None:
    """handle_webhook_async answers 200 saved, 200 duplicate and 400 for a bad signature."""

    async def main() -> list[tuple[int, str]]:
        payments = _payments(fake)
        setup = await payments.start_setup(
            "user-42", currency="usd", success_url=SUCCESS_URL, cancel_url=CANCEL_URL
        )
        fake.complete_checkout(setup.session_id)
        delivery = next(d for d in fake.webhooks() if d.type == "checkout.session.completed")
        headers = {"Stripe-Signature": delivery.signature}
        answers = [
            await handle_webhook_async(payments, delivery.body, headers),
            await handle_webhook_async(payments, delivery.body, headers),
            await handle_webhook_async(payments, delivery.body, {"Stripe-Signature": "t=1,v1=0"}),
        ]
        return [(status, str(body.get("action") or body.get("error"))) for status, body in answers]

    assert [(200, "saved"), (200, "duplicate"), (400, "SignatureMismatch")] == asyncio.run(main())


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_native_async_store_deferred(fake: FakeStripe, tmp_path: Path, kind: str) -> None:
    """On AsyncSQLAlchemyStore, four coroutine workers drain accepted events, each once."""
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'a.db'}"
        prefix = "fp_"
    else:
        engine = server_engine("postgresql")  # skips, or fails in CI, when unreachable
        engine.dispose()
        url = server_url("postgresql")
        prefix = new_prefix()

    async def main() -> tuple[list[str], list[str], list[str]]:
        store = AsyncSQLAlchemyStore(url, table_prefix=prefix)
        await store.create_schema()
        payments = AsyncFuturePayments(
            client=fake.client(), store=store, webhook_secret=fake.webhook_secret
        )
        for n in range(6):
            setup = await payments.start_setup(
                f"user-{n}", currency="usd", success_url=SUCCESS_URL, cancel_url=CANCEL_URL
            )
            fake.complete_checkout(setup.session_id)
        deliveries = [d for d in fake.webhooks() if d.type == "checkout.session.completed"]
        accepted = [(await payments.accept_event(d.body, d.signature)).action for d in deliveries]
        again = [(await payments.accept_event(d.body, d.signature)).action for d in deliveries]

        async def worker() -> list[str]:
            handled: list[str] = []
            while batch := await payments.process_events(limit=2):
                handled += [o.event_id for o in batch if o.action == "saved"]
            return handled

        batches = await asyncio.gather(*(worker() for _ in range(4)))
        saved: list[str | None] = []
        for n in range(6):
            saved += [m.last4 for m in await payments.payment_methods(f"user-{n}")]
        await store.close()
        return accepted + again, sorted(e for b in batches for e in b), sorted(saved)

    try:
        actions, handled, saved = asyncio.run(main())
    finally:
        if kind == "postgresql":
            admin = server_engine("postgresql")
            drop_tables(admin, prefix)
            admin.dispose()
    assert (["accepted"] * 6 + ["duplicate"] * 6, 6, ["4242"] * 6) == (
        actions,
        len(set(handled)) if len(handled) == len(set(handled)) else -1,
        saved,
    )
