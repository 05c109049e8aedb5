"""Eight worker processes drain 10,000 deferred events while one of them is killed mid-batch.

The events are ``checkout.session.expired`` for 10,000 stored sessions, so handling one needs
no Stripe request. Each worker is its own process with its own ``FuturePayments`` and its own
``SQLAlchemyStore`` on the test's tables; it logs every event it handled (action ``updated``)
right after each batch. One worker is killed with SIGKILL once it has handled some: its taken
events come back when their lease (3 s) runs out. At the end every session is expired, every
event is completed, nothing is pending, and no event id was handled by two workers. On
PostgreSQL, on MariaDB, and on one SQLiteStore file shared by the eight processes.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from future_payments import FuturePayments
from future_payments.stores import SQLAlchemyStore, SQLiteStore
from future_payments.stores._sqlalchemy_schema import Tables, build_tables
from tests.stores._sqlalchemy_factories import server_store, server_url

pytestmark = [pytest.mark.database, pytest.mark.slow]

EVENTS = 10_000
WORKERS = 8
LEASE = 3.0
SECRET = "whsec_drain_test_0123456789abcdef"


def _worker(url: str, prefix: str, log: str, stop: str) -> None:
    """One worker process: process_events until the test says stop; log what it handled."""
    store: SQLAlchemyStore | SQLiteStore = (
        SQLiteStore(url) if prefix == "sqlite" else SQLAlchemyStore(url, table_prefix=prefix)
    )
    payments = FuturePayments(
        api_key="sk_test_drain_never_sent", store=store, webhook_secret=SECRET
    )
    with open(log, "a", encoding="utf-8") as out:
        while not os.path.exists(stop):
            batch = payments.process_events(limit=25, lease_seconds=LEASE)
            for outcome in batch:
                out.write(f"{outcome.event_id} {outcome.action}\n")
            out.flush()
            if not batch:
                time.sleep(0.05)
    store.close()


def _event(n: int) -> dict[str, Any]:
    session = {"id": f"cs_test_drain_{n}", "object": "checkout.session", "mode": "setup"}
    return {
        "id": f"evt_drain_{n}",
        "object": "event",
        "created": 1_760_000_000 + n,
        "livemode": False,
        "type": "checkout.session.expired",
        "data": {"object": session},
    }


def _rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    sessions = [
        {"session_id": f"cs_test_drain_{n}", "customer_ref": f"user-{n % 97}",
         "customer_id": None, "status": "open", "payment_method_id": None}
        for n in range(EVENTS)
    ]  # fmt: skip
    pending = [
        {"event_id": f"evt_drain_{n}", "event_type": "checkout.session.expired",
         "payload": json.dumps(_event(n)), "received_at": float(n), "expires_at": 0.0}
        for n in range(EVENTS)
    ]  # fmt: skip
    return sessions, pending


def _fill(engine: sa.Engine, prefix: str) -> None:
    """10,000 open sessions and their pending expiry events, in two bulk inserts."""
    tables = build_tables(prefix)
    sessions, pending = _rows()
    with engine.begin() as conn:
        conn.execute(sa.insert(tables.setup_sessions), sessions)
        conn.execute(sa.insert(tables.pending_events), pending)


def _count(engine: sa.Engine, query: sa.Select[Any]) -> int:
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


@pytest.mark.parametrize("kind", ["postgresql", "mariadb"])
def test_eight_workers_drain_ten_thousand_events_through_a_kill(kind: str, tmp_path: Path) -> None:
    """None lost, none handled twice, while one worker dies holding a batch."""
    with server_store(kind) as (engine, _store, prefix):
        _fill(engine, prefix)
        _drain_through_a_kill(engine, build_tables(prefix), server_url(kind), prefix, tmp_path)


def test_eight_sqlite_workers_drain_ten_thousand_events_through_a_kill(tmp_path: Path) -> None:
    """The same on one SQLiteStore file shared by eight processes of one machine."""
    path = tmp_path / "inbox.db"
    SQLiteStore(path).get_customer_id("nobody")  # creates the file and its tables
    sessions, pending = _rows()
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executemany(
            "INSERT INTO setup_sessions (session_id, customer_ref, customer_id, status, "
            "payment_method_id) VALUES (:session_id, :customer_ref, :customer_id, :status, "
            ":payment_method_id)",
            sessions,
        )
        conn.executemany(
            "INSERT INTO pending_events (event_id, event_type, payload, received_at, expires_at)"
            " VALUES (:event_id, :event_type, :payload, :received_at, :expires_at)",
            pending,
        )
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        _drain_through_a_kill(engine, build_tables(""), str(path), "sqlite", tmp_path)
    finally:
        engine.dispose()


def _drain_through_a_kill(
    engine: sa.Engine, tables: Tables, url: str, prefix: str, tmp_path: Path
) -> None:
    """Start the workers on ``url``, kill the first mid-batch, wait for the drain, check."""
    stop = str(tmp_path / "stop")
    logs = [str(tmp_path / f"worker-{i}.log") for i in range(WORKERS)]
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_worker, args=(url, prefix, log, stop)) for log in logs]
    for worker in workers:
        worker.start()
    pending = sa.select(sa.func.count()).select_from(tables.pending_events)
    try:
        victim = Path(logs[0])
        for _ in range(6000):  # a guard against a hang, not a timing expectation
            if victim.exists() and victim.read_text().count("\n") >= 25:
                break
            time.sleep(0.02)
        assert workers[0].pid is not None
        os.kill(workers[0].pid, signal.SIGKILL)  # mid-batch: it holds a taken batch
        workers[0].join(30)
        for _ in range(3000):
            if _count(engine, pending) == 0:
                break
            time.sleep(0.1)
    finally:
        Path(stop).touch()
        for worker in workers[1:]:
            worker.join(60)
    handled: dict[str, int] = {}
    for log in logs:
        for line in Path(log).read_text().splitlines():
            event_id, action = line.split()
            if action == "updated":
                handled[event_id] = handled.get(event_id, 0) + 1
    s, e = tables.setup_sessions, tables.events
    expired = sa.select(sa.func.count()).where(s.c.status == "expired")
    completed = sa.select(sa.func.count()).where(e.c.completed)
    twice = sorted(event_id for event_id, times in handled.items() if times > 1)
    assert (-signal.SIGKILL, [0] * (WORKERS - 1)) == (
        workers[0].exitcode,
        [w.exitcode for w in workers[1:]],
    )
    assert (EVENTS, EVENTS, 0, []) == (
        _count(engine, expired),
        _count(engine, completed),
        _count(engine, pending),
        twice,
    )
    # What the killed worker handled but never logged is completed all the same.
    assert EVENTS - len(handled) <= 25
