"""AsyncSQLAlchemyStore: the SQLAlchemy store on an ``AsyncEngine``, awaited natively.

The statements and transactions are ``SQLAlchemyStore``'s own, run on the async engine's
driver (asyncpg, psycopg's async connection, aiosqlite...) through SQLAlchemy's greenlet bridge,
the mechanism its ``AsyncSession`` is built on. No thread is used and no logic is copied: each
method awaits the sync store's method inside ``greenlet_spawn``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from future_payments._errors import DatabaseDriverMissing, InvalidInput
from future_payments._models import (
    ChargeRecord,
    SavedPaymentMethod,
    SessionStatus,
    SetupSessionRecord,
)

try:
    from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
    from sqlalchemy.util import greenlet_spawn
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise DatabaseDriverMissing(
        "AsyncSQLAlchemyStore needs SQLAlchemy with asyncio support: "
        "pip install 'future-payments[sqlalchemy]'"
    ) from exc

from future_payments.stores._sqlalchemy import SQLAlchemyStore

T = TypeVar("T")


class AsyncSQLAlchemyStore:
    """The ``Store`` protocol with coroutine methods, on an SQLAlchemy ``AsyncEngine``.

    Args:
        engine_or_url: your app's ``AsyncEngine``, or an async URL such as
            ``postgresql+psycopg://...``, ``postgresql+asyncpg://...``, ``sqlite+aiosqlite:///f``.
        table_prefix: as for ``SQLAlchemyStore``.

    ``AsyncFuturePayments`` awaits it directly (``is_async``); ``FuturePayments`` cannot use it.
    """

    is_async = True

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

    async def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        result: T = await greenlet_spawn(fn, *args, **kwargs)
        return result

    async def create_schema(self) -> None:
        """Create the tables if they do not exist (idempotent)."""
        await self._call(self._sync.create_schema)

    async def close(self) -> None:
        """Dispose the engine if this store created it."""
        if self._owns_engine:
            await self._engine.dispose()

    async def get_customer_id(self, customer_ref: str) -> str | None:
        return await self._call(self._sync.get_customer_id, customer_ref)

    async def find_customer_ref(self, customer_id: str) -> str | None:
        return await self._call(self._sync.find_customer_ref, customer_id)

    async def add_customer(self, customer_ref: str, customer_id: str) -> str:
        return await self._call(self._sync.add_customer, customer_ref, customer_id)

    async def add_setup_session(self, session: SetupSessionRecord) -> SetupSessionRecord:
        return await self._call(self._sync.add_setup_session, session)

    async def get_setup_session(self, session_id: str) -> SetupSessionRecord | None:
        return await self._call(self._sync.get_setup_session, session_id)

    async def finish_setup_session(
        self, session_id: str, *, status: SessionStatus, payment_method_id: str | None
    ) -> SetupSessionRecord | None:
        return await self._call(
            self._sync.finish_setup_session,
            session_id,
            status=status,
            payment_method_id=payment_method_id,
        )

    async def add_payment_method(
        self, method: SavedPaymentMethod, *, as_of: int
    ) -> SavedPaymentMethod:
        return await self._call(self._sync.add_payment_method, method, as_of=as_of)

    async def update_payment_method(
        self, method: SavedPaymentMethod, *, as_of: int
    ) -> SavedPaymentMethod:
        return await self._call(self._sync.update_payment_method, method, as_of=as_of)

    async def get_payment_method(self, payment_method_id: str) -> SavedPaymentMethod | None:
        return await self._call(self._sync.get_payment_method, payment_method_id)

    async def list_payment_methods(self, customer_ref: str) -> Sequence[SavedPaymentMethod]:
        return await self._call(self._sync.list_payment_methods, customer_ref)

    async def set_default(
        self, customer_ref: str, payment_method_id: str
    ) -> SavedPaymentMethod | None:
        return await self._call(self._sync.set_default, customer_ref, payment_method_id)

    async def claim_event(self, event_id: str, *, now: float, lease_seconds: float) -> bool:
        return await self._call(
            self._sync.claim_event, event_id, now=now, lease_seconds=lease_seconds
        )

    async def complete_event(self, event_id: str) -> None:
        await self._call(self._sync.complete_event, event_id)

    async def release_event(self, event_id: str) -> None:
        await self._call(self._sync.release_event, event_id)

    async def claim_charge(self, charge: ChargeRecord) -> ChargeRecord:
        return await self._call(self._sync.claim_charge, charge)

    async def update_charge(self, charge: ChargeRecord) -> ChargeRecord:
        return await self._call(self._sync.update_charge, charge)

    async def get_charge(self, idempotency_key: str) -> ChargeRecord | None:
        return await self._call(self._sync.get_charge, idempotency_key)

    async def find_charge_by_payment_intent(self, payment_intent_id: str) -> ChargeRecord | None:
        return await self._call(self._sync.find_charge_by_payment_intent, payment_intent_id)
