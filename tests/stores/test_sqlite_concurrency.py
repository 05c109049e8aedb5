"""SQLiteStore under contention: threads sharing one store, processes sharing one file.

Every race starts its workers together behind a barrier and checks outcomes only (one row,
one winner that every caller sees), never timings. The process races use the ``spawn`` start
method, so the worker below must stay importable at module level.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest

from future_payments._models import ChargeRecord, SavedPaymentMethod
from future_payments.errors import FuturePaymentsError, InvalidInput
from future_payments.stores import SQLiteStore
from future_payments.stores._sqlite_schema import SCHEMA_VERSION

THREADS = 8
PROCESSES = 4
BARRIER_TIMEOUT = 120.0  # a guard against a hung worker, not a performance expectation

RACES = ["add_payment_method", "add_customer", "claim_event", "claim_charge"]

# The rows each race may leave behind: exactly one.
ROW_COUNTS = {
    "add_payment_method": "SELECT count(*) FROM payment_methods WHERE id = 'pm_race'",
    "add_customer": "SELECT count(*) FROM customers WHERE customer_ref = 'user-race'",
    "claim_event": "SELECT count(*) FROM events WHERE event_id = 'evt_race'",
    "claim_charge": "SELECT count(*) FROM charges WHERE idempotency_key = 'order-race'",
}


def race(store: SQLiteStore, operation: str, worker: int) -> object:
    """One racer's call: the same key for everyone, a value that names the worker."""
    if operation == "add_payment_method":
        method = SavedPaymentMethod(
            id="pm_race",
            customer_ref="user-race",
            customer_id="cus_race",
            type="card",
            brand=f"brand-{worker}",
        )
        return store.add_payment_method(method, as_of=worker)
    if operation == "add_customer":
        return store.add_customer("user-race", f"cus_{worker}")
    if operation == "claim_event":
        return store.claim_event("evt_race", token=f"w{worker}", now=100.0, lease_seconds=60.0)
    if operation == "claim_charge":
        record = ChargeRecord(
            idempotency_key="order-race",
            customer_ref="user-race",
            amount=100 + worker,
            currency="usd",
            payment_method_id="pm_race",
        )
        return store.claim_charge(record)
    raise ValueError(operation)


def race_in_process(path: str, operation: str, worker: int, barrier: Barrier, results: Any) -> None:
    """A spawned worker: open its own store on the shared file, wait, race, report."""
    with SQLiteStore(path) as store:
        barrier.wait(BARRIER_TIMEOUT)
        results.put(race(store, operation, worker))


def race_in_threads(store: SQLiteStore, operation: str) -> list[object]:
    """Run the race in THREADS threads sharing ``store``; return every caller's result."""
    barrier = threading.Barrier(THREADS)

    def run(worker: int) -> object:
        barrier.wait(BARRIER_TIMEOUT)
        return race(store, operation, worker)

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(run, range(THREADS)))


def race_in_processes(path: Path, operation: str) -> list[object]:
    """Run the race in PROCESSES spawned processes on one file; return every result."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results = context.SimpleQueue()
    processes = [
        context.Process(
            target=race_in_process, args=(str(path), operation, worker, barrier, results)
        )
        for worker in range(PROCESSES)
    ]
    try:
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        assert [0] * PROCESSES == [process.exitcode for process in processes]
        return [results.get() for _ in processes]
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join()
            process.close()
        results.close()


def count_rows(path: Path, operation: str) -> int:
    """How many rows the race left, read through a connection of its own."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return int(conn.execute(ROW_COUNTS[operation]).fetchone()[0])


def outcome(operation: str, results: list[object]) -> tuple[int, int]:
    """(number of distinct results, number of winners) for a race's results."""
    if operation == "claim_event":
        return 1, results.count(True)
    distinct = [r for i, r in enumerate(results) if r not in results[:i]]
    return len(distinct), 1


# -- races ---------------------------------------------------------------------------------


@pytest.mark.parametrize("operation", RACES)
def test_threads_race_to_one_winner(tmp_path: Path, operation: str) -> None:
    """Threads sharing a store racing on one key all see one winner, stored once."""
    path = tmp_path / "store.db"
    with SQLiteStore(path) as store:
        results = race_in_threads(store, operation)
    assert ((1, 1), 1) == (outcome(operation, results), count_rows(path, operation))


@pytest.mark.parametrize("operation", RACES)
def test_processes_race_to_one_winner(tmp_path: Path, operation: str) -> None:
    """Processes racing on one key of a fresh file all see one winner, stored once."""
    path = tmp_path / "store.db"
    results = race_in_processes(path, operation)
    assert ((1, 1), 1) == (outcome(operation, results), count_rows(path, operation))


def test_threads_adding_methods_leave_one_default(tmp_path: Path) -> None:
    """Concurrent adds of different methods for one customer leave exactly one default."""
    barrier = threading.Barrier(THREADS)

    def add(store: SQLiteStore, worker: int) -> None:
        barrier.wait(BARRIER_TIMEOUT)
        method = SavedPaymentMethod(
            id=f"pm_{worker}", customer_ref="user-race", customer_id="cus_race", type="card"
        )
        store.add_payment_method(method, as_of=1)

    with SQLiteStore(tmp_path / "store.db") as store, ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(lambda worker: add(store, worker), range(THREADS)))
        listed = store.list_payment_methods("user-race")
    assert (THREADS, 1) == (len(listed), sum(m.is_default for m in listed))


def test_writer_waits_for_another_connections_write(tmp_path: Path) -> None:
    """A write that finds the file locked waits (busy timeout) instead of failing."""
    path = tmp_path / "store.db"
    with SQLiteStore(path) as store, contextlib.closing(sqlite3.connect(path)) as other:
        store.get_customer_id("warm-up")  # creates the schema
        other.isolation_level = None
        other.execute("BEGIN IMMEDIATE")
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(store.add_customer, "user-42", "cus_1")
            time.sleep(0.2)  # let the write reach the lock; correctness does not depend on it
            other.execute("COMMIT")
            assert "cus_1" == waiting.result()


# -- file, schema and presentation ------------------------------------------------------------


def test_creates_file_and_schema_on_first_use(tmp_path: Path) -> None:
    """The first call creates the database file and its tables."""
    path = tmp_path / "new.db"
    with SQLiteStore(path) as store:
        assert None is store.get_customer_id("user-42")
    assert path.exists()


def test_schema_creation_is_idempotent(tmp_path: Path) -> None:
    """A second store on the same file keeps the data and one schema_version row."""
    path = tmp_path / "store.db"
    with SQLiteStore(path) as first:
        first.add_customer("user-42", "cus_1")
    with SQLiteStore(path) as second:
        stored = second.get_customer_id("user-42")
    with contextlib.closing(sqlite3.connect(path)) as conn:
        versions = conn.execute("SELECT version FROM schema_version").fetchall()
    assert ("cus_1", [(SCHEMA_VERSION,)]) == (stored, versions)


def test_database_is_in_wal_mode(tmp_path: Path) -> None:
    """The file is switched to WAL, which persists for every later connection."""
    path = tmp_path / "store.db"
    with SQLiteStore(path) as store:
        store.get_customer_id("user-42")
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert "wal" == conn.execute("PRAGMA journal_mode").fetchone()[0]


def test_refuses_newer_schema(tmp_path: Path) -> None:
    """A file written by a newer schema version is refused with a clear error."""
    path = tmp_path / "store.db"
    with SQLiteStore(path) as store:
        store.get_customer_id("user-42")
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE schema_version SET version = 999")
    with SQLiteStore(path) as newer, pytest.raises(FuturePaymentsError, match="999"):
        newer.get_customer_id("user-42")


@pytest.mark.parametrize("path", [":memory:", ""])
def test_refuses_in_memory_database(path: str) -> None:
    """A database private to each connection is refused, pointing at MemoryStore."""
    with pytest.raises(InvalidInput, match="MemoryStore"):
        SQLiteStore(path)


def test_usable_after_close(tmp_path: Path) -> None:
    """close() only closes idle connections; the store reopens on the next call."""
    store = SQLiteStore(tmp_path / "store.db")
    store.add_customer("user-42", "cus_1")
    store.close()
    try:
        assert "cus_1" == store.get_customer_id("user-42")
    finally:
        store.close()


def test_repr_shows_path_only(tmp_path: Path) -> None:
    """The repr names the file and nothing stored in it."""
    path = tmp_path / "store.db"
    with SQLiteStore(path) as store:
        assert f"SQLiteStore({str(path)!r})" == repr(store)


def test_client_secret_is_stored(tmp_path: Path) -> None:
    """The client_secret is kept (to replay NeedsAuthentication) yet absent from the repr."""
    record = ChargeRecord(
        idempotency_key="order-1",
        customer_ref="user-42",
        amount=1999,
        currency="usd",
        payment_method_id="pm_1",
        state="requires_action",
        client_secret="pi_1_secret_xyz",
    )
    with SQLiteStore(tmp_path / "store.db") as store:
        stored = store.claim_charge(record)
    assert ("pi_1_secret_xyz", False) == (stored.client_secret, "secret" in repr(stored))


def test_lock_held_past_the_timeout_is_a_store_error(tmp_path: Path) -> None:
    """A write that waits out the busy timeout raises StoreError, naming the file."""
    import sqlite3

    from future_payments import StoreError

    path = tmp_path / "locked.db"
    SQLiteStore(path).add_customer("warm-up", "cus_0")
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError, match="locked"):
            SQLiteStore(path, timeout=0.05).add_customer("user-42", "cus_1")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
