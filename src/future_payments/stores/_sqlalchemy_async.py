"""AsyncSQLAlchemyStore: the SQLAlchemy store on an ``AsyncEngine``, an ``AsyncStore``.

The statements and transactions are ``SQLAlchemyStore``'s own, run on the async engine's
driver (asyncpg, psycopg's async connection, aiosqlite...) through SQLAlchemy's greenlet bridge,
the mechanism its ``AsyncSession`` is built on. No thread is used and no logic is copied:
``run(work)`` runs the store work inside ``greenlet_spawn``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from future_payments.errors import DatabaseDriverMissing, InvalidInput
from future_payments.stores._protocol import Store

try:
    from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
    from sqlalchemy.util import greenlet_spawn
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise DatabaseDriverMissing(
        "AsyncSQLAlchemyStore needs SQLAlchemy with asyncio support: "
        "install the 'sqlalchemy' extra (in a clone: pip install '.[sqlalchemy]')"
    ) from exc

from future_payments.stores._sqlalchemy import SQLAlchemyStore

T = TypeVar("T")


class AsyncSQLAlchemyStore:
    """An ``AsyncStore`` on an SQLAlchemy ``AsyncEngine``, running ``SQLAlchemyStore``'s statements.

    Args:
        engine_or_url: your app's ``AsyncEngine``, or an async URL such as
            ``postgresql+psycopg://...``, ``postgresql+asyncpg://...``, ``sqlite+aiosqlite:///f``.
        table_prefix: as for ``SQLAlchemyStore``.

    ``AsyncFuturePayments`` awaits it; ``FuturePayments`` cannot use it (give that one a
    ``SQLAlchemyStore`` on a sync engine). To call the store yourself:
    ``await store.run(lambda s: s.get_charge("order-1"))``.
    """

    def __init__(self, engine_or_url: AsyncEngine | str, *, table_prefix: str = "fp_") -> None:
        if isinstance(engine_or_url, str):
            self._engine = create_async_engine(engine_or_url, hide_parameters=True)
            self._owns_engine = True
        elif isinstance(engine_or_url, AsyncEngine):
            self._engine = engine_or_url
            self._owns_engine = False
        else:
            raise InvalidInput(
                "AsyncSQLAlchemyStore takes an sqlalchemy AsyncEngine or an async database URL."
            )
        self._sync = SQLAlchemyStore(self._engine.sync_engine, table_prefix=table_prefix)

    def __repr__(self) -> str:
        return f"AsyncSQLAlchemyStore({self._engine.url.render_as_string(hide_password=True)!r})"

    async def run(self, work: Callable[[Store], T]) -> T:
        """Run ``work`` on the store's statements, on the async driver; its result."""
        result: T = await greenlet_spawn(work, self._sync)
        return result

    async def create_schema(self) -> None:
        """Create the missing tables, or migrate older ones in place (``SQLAlchemyStore``'s)."""
        await greenlet_spawn(self._sync.create_schema)

    async def close(self) -> None:
        """Dispose the engine if this store created it."""
        if self._owns_engine:
            await self._engine.dispose()
