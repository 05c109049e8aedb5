"""The facade's overhead over the raw ``stripe`` calls it makes, on the same in-process fake.

Run ``python -m benchmarks.bench_facade``. ``main()`` returns the figures as a dict.

One flow is ``start_setup`` (new customer_ref: Customer + Checkout Session),
the customer completing Checkout (``fake.complete_checkout``, the same on both sides),
``complete_from_session`` (one expanded GET) and ``charge_saved`` (one PaymentIntent).
The raw side sends the same four requests with the same parameters and idempotency keys
through the same ``stripe.StripeClient``, and stores nothing. Flows alternate between the two
sides on one ``FakeStripe``, so both see the same fake state and machine conditions. The
overhead is what the library adds: validation, the operation driver, result objects and the
store (``MemoryStore``, and ``SQLiteStore`` on a temporary file).
"""

from __future__ import annotations

import itertools
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import stripe

from future_payments import Charged, FuturePayments, MemoryStore, SQLiteStore
from future_payments.stores import Store
from future_payments.testing import FakeStripe

RUNS = 150
WARMUP = 10
SUCCESS_URL = "https://shop.example/saved?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "https://shop.example/cancel"
REF_KEY = "future_payments_customer_ref"

_refs = itertools.count()


def facade_flow(fake: FakeStripe, payments: FuturePayments) -> None:
    """Save a card for a new customer_ref and charge it, through the facade."""
    ref = f"facade-{next(_refs)}"
    setup = payments.start_setup(
        ref, currency="usd", success_url=SUCCESS_URL, cancel_url=CANCEL_URL
    )
    fake.complete_checkout(setup.session_id)
    payments.complete_from_session(setup.session_id)
    result = payments.charge_saved(ref, 1999, "usd", idempotency_key=f"order-{ref}")
    if not isinstance(result, Charged):
        raise AssertionError(f"unexpected outcome {result!r}")


def raw_flow(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """The same four requests, with the facade's parameters, straight through the SDK."""
    ref = f"raw-{next(_refs)}"
    tagged = {REF_KEY: ref}
    customer = client.v1.customers.create(
        params={"metadata": tagged},
        options={"idempotency_key": f"future-payments:customer:{ref}:"},
    )
    session = client.v1.checkout.sessions.create(
        params={
            "mode": "setup",
            "customer": customer.id,
            "currency": "usd",
            "success_url": SUCCESS_URL,
            "cancel_url": CANCEL_URL,
            "client_reference_id": ref,
            "metadata": tagged,
            "setup_intent_data": {"metadata": tagged},
        }
    )
    fake.complete_checkout(session.id)
    done = client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["setup_intent.payment_method"]}
    )
    intent = done.setup_intent
    pm = intent.payment_method if isinstance(intent, stripe.SetupIntent) else None
    if not isinstance(pm, stripe.PaymentMethod):
        raise AssertionError("the session has no payment method")
    charge = client.v1.payment_intents.create(
        params={
            "amount": 1999,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": pm.id,
            "off_session": True,
            "confirm": True,
            "metadata": {"future_payments_idempotency_key": f"order-{ref}"},
        },
        options={"idempotency_key": f"future-payments:charge:order-{ref}"},
    )
    if charge.status != "succeeded":
        raise AssertionError(f"unexpected status {charge.status}")


def _timed(step: Callable[[], Any]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def overhead(store: Store) -> dict[str, float]:
    """Mean milliseconds per flow, facade and raw, alternating on one fake."""
    fake = FakeStripe()
    client = fake.client()
    payments = FuturePayments(client=client, store=store)
    for _ in range(WARMUP):
        facade_flow(fake, payments)
        raw_flow(fake, client)
    facade = raw = 0.0
    for _ in range(RUNS):
        facade += _timed(lambda: facade_flow(fake, payments))
        raw += _timed(lambda: raw_flow(fake, client))
        fake.webhooks()  # drop the recorded deliveries, as an app's endpoint would take them
    return {"facade_ms": facade / RUNS * 1000, "raw_ms": raw / RUNS * 1000, "ratio": facade / raw}


def main() -> dict[str, float]:
    """Measure with both embedded stores; print and return the figures."""
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        stores: dict[str, Store] = {
            "memory": MemoryStore(),
            "sqlite": SQLiteStore(str(Path(folder) / "bench.db")),
        }
        for name, store in stores.items():
            for key, value in overhead(store).items():
                figures[f"{name}_{key}"] = value
            close = getattr(store, "close", None)
            if close is not None:
                close()
    for name in ("memory", "sqlite"):
        print(
            f"{name:>6} store: facade {figures[f'{name}_facade_ms']:.3f} ms/flow, raw stripe "
            f"{figures[f'{name}_raw_ms']:.3f} ms/flow, ratio {figures[f'{name}_ratio']:.2f}"
        )
    return figures


if __name__ == "__main__":
    main()
