"""Storage for future_payments: the store contract and its implementations.

``Store`` is what ``FuturePayments`` calls; ``AsyncStore`` what ``AsyncFuturePayments`` awaits.
``ThreadedStore(store)`` makes any ``Store`` an ``AsyncStore``. ``SQLAlchemyStore`` and
``AsyncSQLAlchemyStore`` need the ``sqlalchemy`` extra
(in a clone: ``pip install '.[sqlalchemy]'``) and are imported only when first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from future_payments._limits import MAX_REF_LENGTH
from future_payments._models import (
    Attempt,
    ChargeRecord,
    PendingEvent,
    RefundRecord,
    SetupSessionRecord,
)
from future_payments.stores._memory import MemoryStore
from future_payments.stores._protocol import AsyncStore, Store
from future_payments.stores._sqlite import SQLiteStore
from future_payments.stores._threaded import ThreadedStore

if TYPE_CHECKING:
    from future_payments.stores._sqlalchemy import SQLAlchemyStore
    from future_payments.stores._sqlalchemy_async import AsyncSQLAlchemyStore

__all__ = [
    "MAX_REF_LENGTH",
    "AsyncSQLAlchemyStore",
    "AsyncStore",
    "Attempt",
    "ChargeRecord",
    "MemoryStore",
    "PendingEvent",
    "RefundRecord",
    "SQLAlchemyStore",
    "SQLiteStore",
    "SetupSessionRecord",
    "Store",
    "ThreadedStore",
]


def __getattr__(name: str) -> Any:
    if name == "SQLAlchemyStore":
        from future_payments.stores._sqlalchemy import SQLAlchemyStore

        return SQLAlchemyStore
    if name == "AsyncSQLAlchemyStore":
        from future_payments.stores._sqlalchemy_async import AsyncSQLAlchemyStore

        return AsyncSQLAlchemyStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
