"""100 concurrent charges through AsyncFuturePayments vs one after another.

The fake delays every PaymentIntent response by 50 ms (awaited, not blocking), as a distant
Stripe would. Reports the ratio sequential / concurrent from one run.
"""

from __future__ import annotations

import asyncio
import time

from future_payments import AsyncFuturePayments, MemoryStore
from future_payments.stores import ThreadedStore
from future_payments.testing import FakeStripe

CHARGES = 100
DELAY = 0.05


async def _prepared() -> tuple[FakeStripe, AsyncFuturePayments]:
    fake = FakeStripe()
    payments = AsyncFuturePayments(client=fake.client(), store=ThreadedStore(MemoryStore()))
    setup = await payments.start_setup(
        "bench",
        currency="usd",
        success_url="https://b.example/ok",
        cancel_url="https://b.example/no",
    )
    fake.complete_checkout(setup.session_id)
    await payments.complete_from_session(setup.session_id)
    fake.fail_next("slow", path="/v1/payment_intents", delay=DELAY, times=2 * CHARGES)
    return fake, payments


async def _run() -> dict[str, float]:
    _, payments = await _prepared()
    start = time.perf_counter()
    for i in range(CHARGES):
        await payments.charge_saved("bench", 1999, "usd", idempotency_key=f"seq-{i}")
    sequential = time.perf_counter() - start

    start = time.perf_counter()
    await asyncio.gather(
        *(
            payments.charge_saved("bench", 1999, "usd", idempotency_key=f"con-{i}")
            for i in range(CHARGES)
        )
    )
    concurrent = time.perf_counter() - start
    return {
        "async_sequential_s": sequential,
        "async_concurrent_s": concurrent,
        "async_speedup": sequential / concurrent,
    }


def main() -> dict[str, float]:
    """Measure once and print the figures."""
    figures = asyncio.run(_run())
    print(
        f"{CHARGES} charges, {DELAY * 1000:.0f} ms per Stripe response: sequential "
        f"{figures['async_sequential_s']:.2f} s, concurrent {figures['async_concurrent_s']:.2f} s "
        f"→ {figures['async_speedup']:.1f}x faster"
    )
    return figures


if __name__ == "__main__":
    main()
