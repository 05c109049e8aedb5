"""The parts of ``bench_inbox``: the floor, signed deliveries, worker processes, counts.

Kept apart from the phases so that each file does one job; the worker processes import this
module (spawn), not the benchmark.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs

from future_payments import FuturePayments, SQLiteStore
from future_payments.stores import Store
from future_payments.testing import FakeStripe, saved_card
from future_payments.webhooks import sign_payload

SECRET = "whsec_benchmark_0123456789abcdef0123456789abcdef"  # noqa: S105 -- made up, signs locally
BARRIER_SECONDS = 120.0
UPDATED = "payment_method.automatically_updated"

Delivery = tuple[bytes, str]  # (body, Stripe-Signature header)
Span = tuple[float, float]  # (start, end), wall clock
# A store to open in a worker: ("sqlite", path) or ("sqlalchemy", url, table prefix).
StoreSpec = tuple[str, ...]


# -- the floor: raw driver connections ---------------------------------------------------------


@attrs.frozen
class Floor:
    """Two one-statement transactions per event on one raw driver connection.

    ``kind`` is ``postgresql`` (psycopg, which sends ``BEGIN`` itself), ``mariadb`` (PyMySQL
    with autocommit off: the statement opens the transaction) or ``sqlite`` (sqlite3 in
    autocommit mode with ``BEGIN IMMEDIATE``, as ``SQLiteStore`` writes). ``where`` is the
    SQLAlchemy URL of the server, or the SQLite file.
    """

    kind: str
    where: str
    table: str

    def connect(self) -> Any:
        """A new DBAPI connection."""
        if self.kind == "sqlite":
            conn = sqlite3.connect(self.where, isolation_level=None, timeout=30.0)
            conn.execute("PRAGMA journal_mode=WAL")
            return conn
        import sqlalchemy as sa

        url = sa.make_url(self.where)
        if self.kind == "postgresql":
            import psycopg

            return psycopg.connect(
                host=url.host,
                port=url.port or 5432,
                user=url.username,
                password=url.password,
                dbname=url.database,
                connect_timeout=5,
            )
        import pymysql  # type: ignore[import-untyped]  # PyMySQL ships no type hints

        return pymysql.connect(
            host=url.host,
            port=url.port or 3306,
            user=url.username,
            password=url.password or "",
            database=url.database,
            autocommit=False,
            connect_timeout=5,
        )

    def _run(self, statements: Sequence[str]) -> None:
        conn = self.connect()
        try:
            cur = conn.cursor()
            for statement in statements:
                cur.execute(statement)
            conn.commit()
        finally:
            conn.close()

    def create(self) -> None:
        """Create the scratch table."""
        key = {"postgresql": "VARCHAR(255)", "mariadb": "VARBINARY(255)", "sqlite": "TEXT"}
        engine = " ENGINE=InnoDB" if self.kind == "mariadb" else ""
        self._run(
            [
                f"CREATE TABLE {self.table} (event_id {key[self.kind]} PRIMARY KEY, "
                f"done BOOLEAN NOT NULL DEFAULT FALSE){engine}"
            ]
        )

    def drop(self) -> None:
        """Drop the scratch table."""
        self._run([f"DROP TABLE IF EXISTS {self.table}"])

    def events(self, conn: Any, ids: Sequence[str]) -> None:
        """Per id: INSERT in one transaction, then UPDATE in another."""
        mark = "?" if self.kind == "sqlite" else "%s"
        insert = f"INSERT INTO {self.table} (event_id) VALUES ({mark})"  # noqa: S608 -- our table
        update = f"UPDATE {self.table} SET done = TRUE WHERE event_id = {mark}"  # noqa: S608
        if self.kind == "sqlite":
            for event_id in ids:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(insert, (event_id,))
                conn.execute("COMMIT")
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(update, (event_id,))
                conn.execute("COMMIT")
            return
        cur = conn.cursor()
        for event_id in ids:
            cur.execute(insert, (event_id,))
            conn.commit()
            cur.execute(update, (event_id,))
            conn.commit()


def new_ids(count: int) -> list[str]:
    return [f"evt_{secrets.token_hex(12)}" for _ in range(count)]


# -- deliveries --------------------------------------------------------------------------------


def ignored_deliveries(count: int) -> list[Delivery]:
    """Signed ``customer.created`` deliveries with fresh event ids: nothing to do but the inbox."""
    now = int(time.time())
    deliveries = []
    for _ in range(count):
        customer = f"cus_{secrets.token_hex(7)}"
        event = {
            "id": f"evt_{secrets.token_hex(12)}",
            "object": "event",
            "api_version": "2025-09-30.clover",
            "created": now,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": f"req_{secrets.token_hex(7)}", "idempotency_key": None},
            "type": "customer.created",
            "data": {
                "object": {
                    "id": customer,
                    "object": "customer",
                    "created": now,
                    "email": None,
                    "livemode": False,
                    "metadata": {"future_payments_customer_ref": f"user-{customer}"},
                }
            },
        }
        body = json.dumps(event).encode()
        deliveries.append((body, sign_payload(body, SECRET, now)))
    return deliveries


@attrs.define
class Cards:
    """Cards saved through the public flow, and the fake that sends their updates."""

    fake: FakeStripe
    months: dict[str, int]  # payment method id -> its current exp_month on the fake

    @classmethod
    def save(cls, fake: FakeStripe, payments: FuturePayments, count: int) -> Cards:
        """Save ``count`` cards (one customer each) in ``payments``' store."""
        months = {}
        for _ in range(count):
            method = saved_card(payments, fake, f"bench-{secrets.token_hex(6)}")
            months[method.id] = method.exp_month or 1
        fake.webhooks()  # the setup's own events: not what is measured
        return cls(fake, months)

    def updates(self, count: int) -> list[Delivery]:
        """``count`` signed ``payment_method.automatically_updated`` deliveries, round robin.

        Each moves a card's expiry month on, so each is news the store must write.
        """
        ids = list(self.months)
        for i in range(count):
            pm = ids[i % len(ids)]
            self.months[pm] = self.months[pm] % 12 + 1
            self.fake.update_card(pm, exp_month=self.months[pm])
        found = [(d.body, d.signature) for d in self.fake.webhooks() if d.type == UPDATED]
        if len(found) != count:
            raise AssertionError(f"the fake sent {len(found)} card updates, not {count}")
        return found


def deliver(payments: FuturePayments, deliveries: Sequence[Delivery]) -> None:
    """Inline: ``complete_from_event`` for each delivery."""
    for body, signature in deliveries:
        payments.complete_from_event(body, signature)


def accept(payments: FuturePayments, deliveries: Sequence[Delivery]) -> None:
    """Deferred, at the endpoint: ``accept_event`` for each delivery."""
    for body, signature in deliveries:
        payments.accept_event(body, signature)


def drain(payments: FuturePayments) -> int:
    """Deferred, in a worker: ``process_events()`` until it finds nothing; how many it handled."""
    handled = 0
    while batch := payments.process_events():
        handled += len(batch)
    return handled


# -- stores and worker processes ---------------------------------------------------------------


def open_store(spec: StoreSpec) -> Store:
    """The store ``spec`` names (as every worker process opens it)."""
    if spec[0] == "sqlite":
        return SQLiteStore(spec[1])
    from future_payments.stores import SQLAlchemyStore

    return SQLAlchemyStore(spec[1], table_prefix=spec[2])


def close_store(store: Store) -> None:
    """Close a store that can be closed."""
    close = getattr(store, "close", None)
    if close is not None:
        close()


def facade(store: Store, fake: FakeStripe | None = None) -> FuturePayments:
    """A facade on ``store`` whose Stripe is ``fake`` (or a fake of its own)."""
    # Only the card setup reaches Stripe; the events measured make no request.
    client = (fake or FakeStripe()).client()
    return FuturePayments(client=client, store=store, webhook_secret=SECRET)


_barriers: dict[int, Any] = {}  # worker count -> a Barrier of that many parties (per process)
_facades: dict[StoreSpec, FuturePayments] = {}  # this worker process's facade per store


def _init_worker(barriers: dict[int, Any]) -> None:
    global _barriers
    _barriers = barriers


def _worker_facade(spec: StoreSpec) -> FuturePayments:
    payments = _facades.get(spec)
    if payments is None:
        payments = facade(open_store(spec))
        payments.payment_methods("bench-warm-up")  # connect, check the schema: before the clock
        _facades[spec] = payments
    return payments


def _wait(workers: int) -> float:
    _barriers[workers].wait(timeout=BARRIER_SECONDS)
    return time.time()


def floor_task(floor: Floor, ids: list[str], workers: int) -> Span:
    """A worker's share of the floor, on a connection of its own."""
    conn = floor.connect()
    try:
        start = _wait(workers)
        floor.events(conn, ids)
        return start, time.time()
    finally:
        conn.close()


def inline_task(spec: StoreSpec, deliveries: list[Delivery], workers: int) -> Span:
    """A worker's share of inline deliveries."""
    payments = _worker_facade(spec)
    start = _wait(workers)
    deliver(payments, deliveries)
    return start, time.time()


def deferred_task(
    spec: StoreSpec, deliveries: list[Delivery], workers: int
) -> tuple[Span, Span, int]:
    """Accept this worker's share; once every worker has, process until nothing is pending."""
    payments = _worker_facade(spec)
    start = _wait(workers)
    accept(payments, deliveries)
    accepted = (start, time.time())
    start = _wait(workers)
    handled = drain(payments)
    return accepted, (start, time.time()), handled


def _ready_task(workers: int) -> None:
    """Nothing, once every worker process is up and has imported this module."""
    _wait(workers)


def _forget_task(spec: StoreSpec, workers: int) -> None:
    """Close this worker's store for ``spec`` (one task per worker: the barrier sees to it)."""
    _wait(workers)
    payments = _facades.pop(spec, None)
    if payments is not None:
        close_store(payments.store)


def span(spans: Sequence[Span]) -> float:
    """Seconds from the first worker's start to the last one's end."""
    return max(end for _, end in spans) - min(start for start, _ in spans)


@attrs.define
class Workers:
    """A pool of spawned worker processes, with a barrier for each worker count."""

    pool: Any
    counts: tuple[int, ...]

    def run(self, task: Callable[..., Any], shares: Sequence[tuple[Any, ...]]) -> list[Any]:
        """Run ``task`` once per share, each in its own process, released together."""
        workers = len(shares)
        args = [(*share, workers) for share in shares]
        return list(self.pool.starmap_async(task, args, chunksize=1).get(timeout=1800))

    def forget(self, spec: StoreSpec) -> None:
        """Close every worker's store for ``spec``."""
        most = max(self.counts)
        self.run(_forget_task, [(spec,)] * most)


@contextlib.contextmanager
def worker_pool(counts: tuple[int, ...]) -> Iterator[Workers]:
    """``max(counts)`` spawned worker processes, up and waiting, for the block."""
    ctx = multiprocessing.get_context("spawn")
    barriers = {n: ctx.Barrier(n) for n in {*counts, max(counts)}}
    pool = ctx.Pool(max(counts), initializer=_init_worker, initargs=(barriers,))
    try:
        workers = Workers(pool, counts)
        workers.run(_ready_task, [()] * max(counts))  # started and imported: before any clock
        yield workers
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


# -- statement counts --------------------------------------------------------------------------


@attrs.define
class Counts:
    """What SQLAlchemy saw: cursor executions, commits, connections taken from the pool."""

    statements: int = 0
    commits: int = 0
    checkouts: int = 0


@contextlib.contextmanager
def counting() -> Iterator[Counts]:
    """Count, on every SQLAlchemy engine and pool, while the block runs."""
    import sqlalchemy as sa

    counts = Counts()

    def executed(*_: object) -> None:
        counts.statements += 1

    def committed(*_: object) -> None:
        counts.commits += 1

    def checked_out(*_: object) -> None:
        counts.checkouts += 1

    hooks: list[tuple[Any, str, Callable[..., None]]] = [
        (sa.Engine, "before_cursor_execute", executed),
        (sa.Engine, "commit", committed),
        (sa.pool.Pool, "checkout", checked_out),
    ]
    for target, name, hook in hooks:
        sa.event.listen(target, name, hook)
    try:
        yield counts
    finally:
        for target, name, hook in hooks:
            sa.event.remove(target, name, hook)
