"""ThreadedStore: any blocking ``Store`` as an ``AsyncStore``, its calls run in worker threads."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from future_payments.errors import InvalidInput
from future_payments.stores._protocol import Store

T = TypeVar("T")


class ThreadedStore:
    """Adapt a blocking ``Store`` (``SQLiteStore``, ``SQLAlchemyStore``, ``MemoryStore``...) for
    ``AsyncFuturePayments``: each piece of store work runs in a worker thread
    (``asyncio.to_thread``), so the event loop never blocks on the database.

    The wrapped store must be safe to call from several threads at once, as every store in
    ``future_payments.stores`` is.

    Args:
        store: the blocking store to run off the loop; also available as ``.store``.
    """

    def __init__(self, store: Store) -> None:
        if not isinstance(store, Store):
            raise InvalidInput(
                f"ThreadedStore wraps a blocking Store (MemoryStore, SQLiteStore, "
                f"SQLAlchemyStore...), not {type(store).__name__}.",
                param="store",
            )
        self.store = store

    def __repr__(self) -> str:
        return f"ThreadedStore({self.store!r})"

    async def run(self, work: Callable[[Store], T]) -> T:
        """Run ``work`` on the wrapped store in a worker thread; its result."""
        return await asyncio.to_thread(work, self.store)
