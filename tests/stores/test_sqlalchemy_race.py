"""Eight processes race on one PostgreSQL / MariaDB database: every key has exactly one winner.

Each worker process (``multiprocessing`` spawn, so nothing is shared but the database) opens
its own SQLAlchemyStore on the same tables, waits at a barrier, then runs one shuffled mix of:
claiming the same 500 event ids (plus 100 duplicates) and completing the ones it wins, adding
the same 200 payment methods (10 per customer, so default-settling races too) and claiming the
same 200 charges. Each worker's records carry its own number, so the test can tell whether all
workers were handed the same winner.
"""

from __future__ import annotations

import collections
import multiprocessing
import random
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from future_payments._models import ChargeRecord, SavedPaymentMethod
from future_payments.stores import SQLAlchemyStore
from future_payments.stores._sqlalchemy_schema import build_tables
from tests.stores._sqlalchemy_factories import drop_tables, new_prefix, server_engine, server_url

WORKERS = 8
EVENTS = 500
DUPLICATE_EVENTS = 100
METHODS = 200
CUSTOMERS = 20
CHARGES = 200

pytestmark = [pytest.mark.database, pytest.mark.slow]

_barrier: Any = None  # set in each worker process by _init_worker


def _init_worker(barrier: Any) -> None:
    global _barrier
    _barrier = barrier


def _work(url: str, prefix: str, worker: int) -> dict[str, Any]:
    """One worker process: the shuffled mix of claims and adds; returns what it was handed."""
    rng = random.Random(worker)
    event_ids = [f"evt_{i}" for i in range(EVENTS)]
    event_ids += rng.sample(event_ids, DUPLICATE_EVENTS)
    ops: list[tuple[str, int | str]] = [("event", e) for e in event_ids]
    ops += [("method", i) for i in range(METHODS)] + [("charge", i) for i in range(CHARGES)]
    rng.shuffle(ops)
    claimed: list[str] = []
    methods: dict[str, str | None] = {}
    charges: dict[str, str] = {}
    store = SQLAlchemyStore(url, table_prefix=prefix)
    token = f"worker-{worker}"
    try:
        _barrier.wait(timeout=120)
        for kind, n in ops:
            if kind == "event":
                if store.claim_event(str(n), token=token, now=time.time(), lease_seconds=600):
                    claimed.append(str(n))
                    store.complete_event(str(n))
            elif kind == "method":
                ref = f"user-{int(n) % CUSTOMERS}"
                method = SavedPaymentMethod(
                    id=f"pm_{n}", customer_ref=ref, customer_id=f"cus_{ref}", type="card",
                    last4=f"{worker:04d}",
                )  # fmt: skip
                methods[method.id] = store.add_payment_method(method, as_of=1).last4
            else:
                charge = ChargeRecord(
                    f"order-{n}", f"user-{int(n) % CUSTOMERS}", 1999, "usd", f"pm_w{worker}"
                )
                charges[charge.idempotency_key] = store.claim_charge(charge).payment_method_id
    finally:
        store.close()
    return {"claimed": claimed, "methods": methods, "charges": charges}


@pytest.mark.parametrize("kind", ["postgresql", "mariadb"])
def test_eight_processes_leave_one_winner_per_key(kind: str, tmp_path: Path) -> None:
    """Events are claimed once, and every process is handed the same stored method and charge."""
    engine = server_engine(kind)
    prefix = new_prefix()
    try:
        store = SQLAlchemyStore(engine, table_prefix=prefix, create_schema=True)
        ctx = multiprocessing.get_context("spawn")
        barrier = ctx.Barrier(WORKERS)
        with ctx.Pool(WORKERS, initializer=_init_worker, initargs=(barrier,)) as pool:
            jobs = [(server_url(kind), prefix, w) for w in range(WORKERS)]
            results = pool.starmap_async(_work, jobs, chunksize=1).get(timeout=600)

        claims = collections.Counter(e for r in results for e in r["claimed"])
        assert {f"evt_{i}": 1 for i in range(EVENTS)} == dict(claims)
        for key in ("methods", "charges"):
            winners = [r[key] for r in results]
            assert all(w == winners[0] for w in winners), f"processes saw different {key}"
            assert (METHODS if key == "methods" else CHARGES) == len(winners[0])

        tables = build_tables(prefix)
        with engine.connect() as conn:
            count = sa.select(sa.func.count())
            assert METHODS == conn.execute(count.select_from(tables.payment_methods)).scalar()
            assert CHARGES == conn.execute(count.select_from(tables.charges)).scalar()
        for c in range(CUSTOMERS):
            listed = store.list_payment_methods(f"user-{c}")
            assert METHODS // CUSTOMERS == len(listed)
            assert 1 == sum(m.is_default for m in listed), f"user-{c} defaults"
    finally:
        drop_tables(engine, prefix)
        engine.dispose()
