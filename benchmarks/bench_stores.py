"""Webhook events per second through ``complete_from_event``, per store, with 1 and 8 workers.

Run with ``python -m benchmarks.bench_stores``. Backends: ``SQLiteStore`` on a temporary file,
and ``SQLAlchemyStore`` on the PostgreSQL and MariaDB servers of the test suite
(``FUTURE_PAYMENTS_PG_URL`` / ``FUTURE_PAYMENTS_MYSQL_URL``, or 127.0.0.1 defaults); a server
that cannot be reached is skipped with a note. Each server run uses its own freshly created
tables (random prefix), dropped afterwards.

What one delivery costs: the signature check and parse, then the store's event inbox.
- fresh: a new event id, of a type the library does not act on (``customer.created``), so
  no Stripe request is made: ``claim_event`` (insert-if-absent) then ``complete_event``;
- duplicate: the same deliveries again: one ``claim_event`` that finds the id processed.
Workers are separate processes (spawn) with their own FuturePayments and store, released
together by a barrier; each handles an equal, disjoint share of the deliveries, and the rate
is all deliveries over the wall time from the release to the last worker's end.
"""

from __future__ import annotations

import multiprocessing
import os
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._inbox import SECRET, ignored_deliveries
from future_payments import FuturePayments, FuturePaymentsError, SQLiteStore
from future_payments.stores import Store
from future_payments.testing import FakeStripe

EVENTS = 2000
WORKER_COUNTS = (1, 8)
SERVERS = {
    "postgresql": ("FUTURE_PAYMENTS_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    "mariadb": ("FUTURE_PAYMENTS_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}

# A store to open in each worker: ("sqlite", path) or ("sqlalchemy", url, table prefix).
StoreSpec = tuple[str, ...]

_barrier: Any = None  # set in each worker process by _init_worker


def _init_worker(barrier: Any) -> None:
    global _barrier
    _barrier = barrier


def _open(spec: StoreSpec) -> Store:
    if spec[0] == "sqlite":
        return SQLiteStore(spec[1])
    from future_payments.stores import SQLAlchemyStore

    return SQLAlchemyStore(spec[1], table_prefix=spec[2])


def _close(store: Store) -> None:
    close = getattr(store, "close", None)
    if close is not None:
        close()


def _work(spec: StoreSpec, deliveries: list[tuple[bytes, str]]) -> tuple[float, float]:
    """One worker: deliver its share at the barrier's release; returns (start, end) wall time."""
    store = _open(spec)
    # No request reaches Stripe for these events; the client is only there to be complete.
    payments = FuturePayments(client=FakeStripe().client(), store=store, webhook_secret=SECRET)
    try:
        _barrier.wait(timeout=120)
        start = time.time()
        for body, signature in deliveries:
            payments.complete_from_event(body, signature)
        return start, time.time()
    finally:
        _close(store)


def _rate(spec: StoreSpec, workers: int, deliveries: list[tuple[bytes, str]]) -> float:
    """Deliveries per second when ``workers`` processes share ``deliveries``."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(workers)
    shares = [(spec, deliveries[w::workers]) for w in range(workers)]
    with ctx.Pool(workers, initializer=_init_worker, initargs=(barrier,)) as pool:
        spans = pool.starmap_async(_work, shares, chunksize=1).get(timeout=1200)
    return len(deliveries) / (max(end for _, end in spans) - min(start for start, _ in spans))


def _measure(name: str, spec: StoreSpec, results: dict[str, float]) -> None:
    for workers in WORKER_COUNTS:
        deliveries = ignored_deliveries(EVENTS)
        results[f"{name}/{workers}/fresh"] = _rate(spec, workers, deliveries)
        results[f"{name}/{workers}/duplicate"] = _rate(spec, workers, deliveries)


def _server(name: str, results: dict[str, float], notes: list[str]) -> None:
    import sqlalchemy as sa

    from future_payments.stores import SQLAlchemyStore

    variable, default = SERVERS[name]
    url = os.environ.get(variable) or default
    engine = sa.create_engine(url, connect_args={"connect_timeout": 5}, hide_parameters=True)
    prefix = f"b{secrets.token_hex(5)}_"
    try:
        try:
            SQLAlchemyStore(engine, table_prefix=prefix, create_schema=True)
        except (FuturePaymentsError, sa.exc.DBAPIError) as exc:
            shown = sa.make_url(url).render_as_string(hide_password=True)
            notes.append(f"{name} skipped: {shown} unreachable ({type(exc).__name__})")
            return
        try:
            _measure(name, ("sqlalchemy", url, prefix), results)
        finally:
            from future_payments.stores._sqlalchemy_schema import build_tables

            build_tables(prefix).metadata.drop_all(engine)
    finally:
        engine.dispose()


def main() -> dict[str, float]:
    """Measure every reachable backend once; print a table and return ``{key: events/s}``.

    Keys are ``<backend>/<workers>/<fresh|duplicate>``, e.g. ``postgresql/8/fresh``.
    """
    results: dict[str, float] = {}
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        _measure("sqlite", ("sqlite", str(Path(tmp) / "bench.db")), results)
    for name in SERVERS:
        _server(name, results, notes)

    print(f"complete_from_event, {EVENTS} deliveries per figure, events per second")
    print(f"{'backend':<12} {'workers':>7} {'fresh':>9} {'duplicate':>10}")
    for key in results:
        name, workers, kind = key.split("/")
        if kind == "fresh":
            dup = results[f"{name}/{workers}/duplicate"]
            print(f"{name:<12} {workers:>7} {results[key]:>9,.0f} {dup:>10,.0f}")
    for note in notes:
        print(note)
    return results


if __name__ == "__main__":
    main()
