"""Fixtures for the facade's behaviour: a fresh fake Stripe and a FuturePayments on it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from future_payments import (
    AsyncFuturePayments,
    FuturePayments,
    MemoryStore,
    SavedPaymentMethod,
    SQLiteStore,
)
from future_payments.stores import Store, ThreadedStore
from future_payments.testing import FakeStripe, saved_card

SUCCESS_URL = "https://shop.example/saved?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "https://shop.example/cancel"


@pytest.fixture
def fake() -> FakeStripe:
    """A fresh in-process fake Stripe."""
    return FakeStripe()


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each embedded store."""
    if request.param == "memory":
        yield MemoryStore()
    else:
        yield SQLiteStore(tmp_path / "payments.db")


class AsyncAsSync:
    """Runs each coroutine method of an ``AsyncFuturePayments`` to completion.

    So that one behavioural suite checks both facades: every test runs once on
    ``FuturePayments`` and once, through this view, on ``AsyncFuturePayments``.
    """

    def __init__(self, payments: AsyncFuturePayments, store: Store) -> None:
        self._payments = payments
        self.store = store  # the blocking store the facade's ThreadedStore wraps

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._payments, name)

        def run(*args: Any, **kwargs: Any) -> Any:
            return asyncio.run(method(*args, **kwargs))

        return run


@pytest.fixture(params=["sync", "async"])
def payments(request: pytest.FixtureRequest, fake: FakeStripe, store: Store) -> FuturePayments:
    """A FuturePayments (or the async facade, run to completion) on the fake."""
    config: dict[str, Any] = {
        "client": fake.client(),
        "webhook_secret": fake.webhook_secret,
        "now": fake.clock.now,
    }
    if request.param == "async":
        made = AsyncFuturePayments(store=ThreadedStore(store), **config)
        return AsyncAsSync(made, store)  # type: ignore[return-value]
    return FuturePayments(store=store, **config)


def save_card(
    payments: FuturePayments,
    fake: FakeStripe,
    customer_ref: str = "user-42",
    card: str = "4242424242424242",
) -> SavedPaymentMethod:
    """The shipped scenario helper: setup, the customer completes it with ``card``, redirect."""
    return saved_card(payments, fake, customer_ref, card=card)
