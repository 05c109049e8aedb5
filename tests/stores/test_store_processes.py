"""Four processes race the compare-and-sets on one database: every key has exactly one winner.

For every store kind that processes can share (SQLiteStore's file, SQLAlchemyStore on SQLite,
PostgreSQL and MariaDB). Each worker (``spawn``: nothing shared but the database) opens its own
store, waits at a barrier, then in its own shuffled order claims the same 40 refunds, moves the
same 20 attempts on from 1, and replaces the same 20 charges at version 0, each record naming
the worker. Then: every worker was handed the same refunds and attempts, and each charge was
replaced by exactly one worker, whose record is the stored one.
"""

from __future__ import annotations

import multiprocessing
import random
from collections.abc import Iterator
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest

from future_payments.stores import SQLAlchemyStore, SQLiteStore, Store
from tests.stores._records import charge, refund
from tests.stores._sqlalchemy_factories import server_store, server_url

WORKERS = 4
REFUNDS, ATTEMPTS, CHARGES = 40, 20, 20

pytestmark = pytest.mark.slow

Spec = tuple[str, ...]
"""How a worker opens the store: ("sqlite", path) or ("sqlalchemy", url, table prefix)."""


def _work(spec: Spec, worker: int, start: Barrier, answers: Any) -> None:
    """One worker process: the shuffled claims, moves and replacements; reports its answers."""
    ops = [("refund", i) for i in range(REFUNDS)] + [("attempt", i) for i in range(ATTEMPTS)]
    ops += [("replace", i) for i in range(CHARGES)]
    random.Random(worker).shuffle(ops)
    handed: dict[str, Any] = {"refunds": {}, "attempts": {}, "replaced": []}
    store = (
        SQLiteStore(spec[1])
        if spec[0] == "sqlite"
        else SQLAlchemyStore(spec[1], table_prefix=spec[2])
    )
    with store:
        start.wait(timeout=120)
        for kind, i in ops:
            if kind == "refund":
                stored = store.claim_refund(refund(f"refund-{i}", amount=100 + worker))
                handed["refunds"][stored.refund_key] = stored.amount
            elif kind == "attempt":
                moved = store.next_attempt("charge", f"order-{i}", after=1, now=worker)
                handed["attempts"][moved.key] = (moved.number, moved.started_at)
            else:
                mine = charge(f"order-{i}", state="processing", message=f"worker-{worker}")
                if store.replace_charge(mine, expected_version=0) is not None:
                    handed["replaced"].append(mine.idempotency_key)
    answers.put((worker, handed))


def _in_processes(spec: Spec) -> list[dict[str, Any]]:
    """Run WORKERS spawned ``_work`` processes released together; their answers, in order."""
    context = multiprocessing.get_context("spawn")
    start, answers = context.Barrier(WORKERS), context.SimpleQueue()
    workers = [
        context.Process(target=_work, args=(spec, w, start, answers)) for w in range(WORKERS)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(600)
    assert [0] * WORKERS == [process.exitcode for process in workers]
    return [handed for _, handed in sorted(answers.get() for _ in workers)]


@pytest.fixture(
    params=[
        "sqlite",
        "sqlalchemy-sqlite",
        pytest.param("postgresql", marks=pytest.mark.database),
        pytest.param("mariadb", marks=pytest.mark.database),
    ]
)
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Spec, Store]]:
    """How a worker opens the database, and a store of the test's own on it, set up."""
    kind = request.param
    if kind == "sqlite":
        spec: Spec = ("sqlite", str(tmp_path / "shared.db"))
        with SQLiteStore(spec[1]) as store:
            yield spec, store
    elif kind == "sqlalchemy-sqlite":
        spec = ("sqlalchemy", f"sqlite:///{tmp_path / 'shared.db'}", "fp_")
        with SQLAlchemyStore(spec[1], table_prefix="fp_", create_schema=True) as sa_store:
            yield spec, sa_store
    else:
        with server_store(kind) as (_, sa_store, prefix):
            yield ("sqlalchemy", server_url(kind), prefix), sa_store


def test_processes_leave_one_winner_per_key(shared: tuple[Spec, Store]) -> None:
    """Every worker is handed the same refunds and attempts; each charge is replaced once."""
    spec, store = shared
    for i in range(ATTEMPTS):
        store.begin_attempt("charge", f"order-{i}", now=-1)
    for i in range(CHARGES):
        store.claim_charge(charge(f"order-{i}"))
    results = _in_processes(spec)

    same = all(r["refunds"] == results[0]["refunds"] for r in results) and all(
        r["attempts"] == results[0]["attempts"] for r in results
    )
    replaced = sorted(key for r in results for key in r["replaced"])
    stored = {
        key: (c.message, c.version) for key in replaced if (c := store.get_charge(key)) is not None
    }
    winners = {key: (f"worker-{w}", 1) for w, r in enumerate(results) for key in r["replaced"]}
    expected_numbers = {2}
    numbers = {number for number, _ in results[0]["attempts"].values()}
    assert (True, sorted(f"order-{i}" for i in range(CHARGES)), winners, expected_numbers) == (
        same,
        replaced,
        stored,
        numbers,
    )
