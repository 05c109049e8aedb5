"""AsyncSQLAlchemyStore under the shared (sync) conformance suite.

The suite calls store methods synchronously; ``OnLoop`` runs each coroutine on one event loop
kept in a background thread, so the async engine's connections stay on the loop they were
made on.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

from future_payments.stores import AsyncSQLAlchemyStore, Store
from tests.stores._sqlalchemy_factories import drop_tables, new_prefix, server_engine, server_url


class OnLoop:
    """A sync view of an AsyncStore: each Store method runs through ``store.run`` on ``loop``."""

    def __init__(self, store: AsyncSQLAlchemyStore, loop: asyncio.AbstractEventLoop) -> None:
        self._store = store
        self._loop = loop

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=60)

    @contextlib.contextmanager
    def atomic(self) -> Iterator[OnLoop]:
        """The calls of the block run one ``store.run`` each: this sync view cannot keep one
        transaction open across them (``whole`` runs a block in one). The async facade's own
        path runs each block inside one ``run`` (``run_units_async``)."""
        yield self

    def whole(self, work: Callable[[Store], Any]) -> Any:
        """Run ``work`` in one ``store.run``: a block of calls such as ``atomic()`` needs it."""
        return self.run(self._store.run(work))

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)  # not a Store method (a pretty-printer probing, say)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self.run(self._store.run(lambda s: getattr(s, name)(*args, **kwargs)))

        return call


def make_async_store(kind: str, tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty AsyncSQLAlchemyStore on aiosqlite or PostgreSQL (psycopg async)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    prefix = new_prefix()
    sync_engine = None
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'async.db'}"
    else:
        sync_engine = server_engine(kind)  # skips, or fails in CI, when unreachable
        url = server_url(kind)
    store = AsyncSQLAlchemyStore(url, table_prefix=prefix)
    view = OnLoop(store, loop)
    try:
        view.run(store.create_schema())
        yield view  # type: ignore[misc]
    finally:
        view.run(store.close())
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
        if sync_engine is not None:
            drop_tables(sync_engine, prefix)
            sync_engine.dispose()
