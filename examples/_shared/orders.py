"""The charges each customer made in this app: a stand-in for your own orders table."""

from __future__ import annotations

import threading


class Orders:
    """The idempotency keys of the charges made through the app, per customer, in memory.

    Your app has an orders (or invoices) table that names each charge's key; the ledger in the
    store has the rest (amount, state, refunds). This stand-in forgets the list when the
    process ends, though the ledger does not. Thread-safe.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[str, list[str]] = {}

    def add(self, customer_ref: str, idempotency_key: str) -> None:
        """Remember a charge key of the customer (once)."""
        with self._lock:
            keys = self._keys.setdefault(customer_ref, [])
            if idempotency_key not in keys:
                keys.append(idempotency_key)

    def of(self, customer_ref: str) -> list[str]:
        """The customer's charge keys, newest first."""
        with self._lock:
            return list(reversed(self._keys.get(customer_ref, [])))
