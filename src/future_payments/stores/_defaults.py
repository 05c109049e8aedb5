"""Which store a facade uses when it is given none, and the check of the one it is given."""

from __future__ import annotations

from future_payments.errors import InvalidInput
from future_payments.stores._protocol import AsyncStore, Store
from future_payments.stores._threaded import ThreadedStore

DEFAULT_PATH = "future_payments.db"
"""The SQLite file a facade uses when it is given no store."""


def store_or_default(store: object) -> Store:
    """The facade's store: ``store``, or ``SQLiteStore("future_payments.db")`` when None."""
    if store is None:
        from future_payments.stores._sqlite import SQLiteStore

        return SQLiteStore(DEFAULT_PATH)
    if not isinstance(store, Store):
        hint = (
            " (an AsyncStore belongs to AsyncFuturePayments)"
            if isinstance(store, AsyncStore)
            else ""
        )
        raise InvalidInput(
            f"store must be a Store (MemoryStore, SQLiteStore, SQLAlchemyStore...), not "
            f"{type(store).__name__}{hint}.",
            param="store",
        )
    return store


def async_store_or_default(store: object) -> AsyncStore:
    """The async facade's store: ``store``, or the default SQLite file in a ``ThreadedStore``."""
    if store is None:
        return ThreadedStore(store_or_default(None))
    if not isinstance(store, AsyncStore):
        hint = ": wrap it as ThreadedStore(store)" if isinstance(store, Store) else ""
        raise InvalidInput(
            f"store must be an AsyncStore (ThreadedStore(...), AsyncSQLAlchemyStore...), not "
            f"{type(store).__name__}{hint}.",
            param="store",
        )
    return store
