"""Records the store tests build: a saved card, a ledger row, a refund, and a look at defaults."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import attrs

from future_payments._models import ChargeRecord, MethodStatus, RefundRecord, SavedPaymentMethod
from future_payments.stores import Store

CUSTOMER = "user-42"
T = TypeVar("T")
R = TypeVar("R", ChargeRecord, RefundRecord)


def method(
    payment_method_id: str,
    *,
    customer_ref: str = CUSTOMER,
    status: MethodStatus = "active",
    brand: str | None = "visa",
) -> SavedPaymentMethod:
    """A saved card for ``customer_ref``."""
    return SavedPaymentMethod(
        id=payment_method_id,
        customer_ref=customer_ref,
        customer_id=f"cus_{customer_ref}",
        type="card",
        brand=brand,
        last4="4242",
        exp_month=12,
        exp_year=2034,
        fingerprint="fp_1",
        status=status,
    )


def charge(idempotency_key: str = "order-1", **changes: Any) -> ChargeRecord:
    """A pending ledger row, with ``changes`` applied."""
    record = ChargeRecord(
        idempotency_key=idempotency_key,
        customer_ref=CUSTOMER,
        amount=1999,
        currency="usd",
        payment_method_id="pm_1",
    )
    return attrs.evolve(record, **changes)


def refund(refund_key: str = "refund-1", **changes: Any) -> RefundRecord:
    """A claimed refund of 500 of ``order-1``, with ``changes`` applied."""
    record = RefundRecord(
        refund_key=refund_key, idempotency_key="order-1", amount=500, currency="usd"
    )
    return attrs.evolve(record, **changes)


def filled(record: R, **changes: Any) -> R:
    """``record`` with each field that is None set to a string of its own, then ``changes``."""
    unset = {
        f.name: f"{f.name}-1" for f in attrs.fields(type(record)) if getattr(record, f.name) is None
    }
    return attrs.evolve(record, **unset, **changes)


def defaults(store: Store, customer_ref: str = CUSTOMER) -> list[str]:
    """Ids of the customer's listed methods that are marked default."""
    return [m.id for m in store.list_payment_methods(customer_ref) if m.is_default]


def race(workers: int, action: Callable[[int], T]) -> list[T]:
    """Run ``action(worker)`` in ``workers`` threads released together; every result."""
    barrier = threading.Barrier(workers)

    def run(worker: int) -> T:
        barrier.wait(120)  # a guard against a hung worker, not a timing expectation
        return action(worker)

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(run, range(workers)))
