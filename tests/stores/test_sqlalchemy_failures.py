"""SQLAlchemyStore when the database fails: every failure a StoreError leaf, nothing half-written.

Driven for real: a session killed mid-transaction from a second connection
(``pg_terminate_backend`` / ``KILL``), a server that goes away (a TCP forwarder the test takes
down, mid-call and between calls) and comes back, a table dropped under the store, a read-only
server session, a pool with no free connection, a corrupt SQLite file, and values a driver
cannot encode when the store's own check is bypassed.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import sqlalchemy as sa

from future_payments._models import ChargeRecord
from future_payments.errors import (
    ConnectionLost,
    DatabaseBusy,
    DatabaseCorrupt,
    DatabaseReadOnly,
    DatabaseUnreachable,
    SchemaMissing,
    StoreError,
    UnstorableValue,
)
from future_payments.stores import SQLAlchemyStore
from future_payments.stores._sqlalchemy_schema import build_tables
from tests.stores._proxy import Forwarder
from tests.stores._records import method
from tests.stores._sqlalchemy_factories import server_store, server_url, tables_of


class Server(NamedTuple):
    """A live server: its kind, an engine on it, the test's table prefix, a store on those."""

    kind: str
    engine: sa.Engine
    prefix: str
    store: SQLAlchemyStore


SERVERS = [
    pytest.param("postgresql", marks=pytest.mark.database),
    pytest.param("mariadb", marks=pytest.mark.database),
]


@pytest.fixture(params=SERVERS)
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    """Fresh tables on each live server, a store on them, and the other customer's pm_x."""
    with server_store(request.param) as (engine, store, prefix):
        store.add_payment_method(method("pm_x", customer_ref="other"), as_of=1)
        yield Server(request.param, engine, prefix, store)


@contextlib.contextmanager
def _row_locked(server: Server) -> Iterator[int]:
    """Hold pm_x's row lock from a second connection, so a store write on it waits.

    Yields that connection's session id.
    """
    m = build_tables(server.prefix).payment_methods
    own_id = "pg_backend_pid()" if server.kind == "postgresql" else "CONNECTION_ID()"
    with server.engine.connect() as holder, holder.begin():
        holder.execute(sa.select(m.c.id).where(m.c.id == "pm_x").with_for_update())
        yield int(holder.exec_driver_sql(f"SELECT {own_id}").scalar_one())


def _blocked_session(server: Server, holder: int, call: Call) -> int:
    """The id of the session waiting for ``holder``'s lock (polled: the wait has begun)."""
    if server.kind == "postgresql":
        query = sa.text("SELECT pid FROM pg_stat_activity WHERE :h = ANY(pg_blocking_pids(pid))")
    else:
        # The statement that can only be waiting, since the holder has the row (InnoDB's lock
        # tables are a cache refreshed too rarely to poll).
        query = sa.text(
            "SELECT id FROM information_schema.PROCESSLIST WHERE command = 'Query' "
            "AND info LIKE :q AND id NOT IN (:h, CONNECTION_ID())"
        )
    pattern = f"%{server.prefix}payment_methods%FOR UPDATE%"
    # Autocommit: PostgreSQL keeps one snapshot of pg_stat_activity per transaction.
    with server.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as admin:
        for _ in range(6000):  # a guard against a hang, not a timing expectation
            if not call.thread.is_alive():  # it cannot end before the lock is released
                raise AssertionError(f"the store's write ended without waiting: {call.result()!r}")
            found = admin.execute(query, {"h": holder, "q": pattern}).scalar()
            if found is not None:
                return int(found)
            time.sleep(0.01)
    raise AssertionError("the store's write never waited for the row lock")


def _kill(server: Server, session: int) -> None:
    """End ``session`` from another connection, as an operator would."""
    with server.engine.connect() as admin:
        if server.kind == "postgresql":
            admin.execute(sa.select(sa.func.pg_terminate_backend(session)))
        else:
            admin.exec_driver_sql(f"KILL {session:d}")


class Call:
    """A store call running in a thread of its own."""

    def __init__(self, function: Callable[[], object]) -> None:
        self._failure: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, args=(function,))
        self.thread.start()

    def _run(self, function: Callable[[], object]) -> None:
        try:
            function()
        except BaseException as exc:  # handed to the test
            self._failure.append(exc)

    def result(self) -> BaseException | None:
        """Wait for the call; the exception it raised, or None."""
        self.thread.join(120)
        return self._failure[0] if self._failure else None


def _move_pm_x(store: SQLAlchemyStore) -> Callable[[], object]:
    # The store's transaction first writes user-new's lock row, then waits for pm_x.
    return lambda: store.update_payment_method(method("pm_x", customer_ref="user-new"), as_of=5)


def _lock_rows(server: Server, customer_ref: str) -> int:
    locks = build_tables(server.prefix).customer_locks
    query = sa.select(sa.func.count()).where(locks.c.customer_ref == customer_ref)
    with server.engine.connect() as conn:
        return int(conn.execute(query.select_from(locks)).scalar_one())


# -- a session killed mid-transaction --------------------------------------------------------


def test_a_killed_session_is_connection_lost(server: Server) -> None:
    """Killing the store's session mid-transaction raises ConnectionLost, a ConnectionError."""
    with _row_locked(server) as holder:
        call = Call(_move_pm_x(server.store))
        _kill(server, _blocked_session(server, holder, call))
        failure = call.result()
    assert (ConnectionLost, True) == (type(failure), isinstance(failure, ConnectionError))


def test_a_killed_transaction_leaves_nothing_behind(server: Server) -> None:
    """The write the kill interrupted is rolled back whole; the store works on afterwards."""
    with _row_locked(server) as holder:
        call = Call(_move_pm_x(server.store))
        _kill(server, _blocked_session(server, holder, call))
        call.result()
    moved = server.store.get_payment_method("pm_x")
    assert (0, "other") == (_lock_rows(server, "user-new"), moved.customer_ref if moved else None)


# -- the server goes away and comes back -----------------------------------------------------


@contextlib.contextmanager
def _through_forwarder(server: Server) -> Iterator[tuple[Forwarder, SQLAlchemyStore]]:
    url = sa.make_url(server_url(server.kind))
    forwarder = Forwarder(url.host or "127.0.0.1", url.port or 0)
    shown = url.set(host="127.0.0.1", port=forwarder.port).render_as_string(hide_password=False)
    store = SQLAlchemyStore(shown, table_prefix=server.prefix)
    try:
        yield forwarder, store
    finally:
        forwarder.stop()
        store.close()


def test_a_server_gone_between_calls_is_unreachable(server: Server) -> None:
    """After the server goes away, the next call raises DatabaseUnreachable naming host:port."""
    with _through_forwarder(server) as (forwarder, store):
        store.get_customer_id("user-1")
        forwarder.stop()
        with pytest.raises(DatabaseUnreachable, match=f"127.0.0.1:{forwarder.port}"):
            store.get_customer_id("user-1")


def test_a_server_that_comes_back_is_used_again(server: Server) -> None:
    """Once the server is back, the same store works without being made again."""
    with _through_forwarder(server) as (forwarder, store):
        store.add_customer("user-1", "cus_1")
        forwarder.stop()
        with contextlib.suppress(StoreError):
            store.get_customer_id("user-1")
        forwarder.start()
        assert "cus_1" == store.get_customer_id("user-1")


def test_a_server_gone_mid_transaction_is_connection_lost(server: Server) -> None:
    """The server going away while a write waits raises ConnectionLost; nothing is written."""
    with _through_forwarder(server) as (forwarder, store), _row_locked(server) as holder:
        call = Call(_move_pm_x(store))
        _blocked_session(server, holder, call)
        forwarder.stop()
        failure = call.result()
    assert (ConnectionLost, 0) == (type(failure), _lock_rows(server, "user-new"))


# -- the schema changes under the store ------------------------------------------------------


def test_a_dropped_table_is_schema_missing(server: Server) -> None:
    """A table dropped after the store checked the schema raises SchemaMissing."""
    build_tables(server.prefix).charges.drop(server.engine)
    with pytest.raises(SchemaMissing, match=r"create_schema\(\) to recreate it"):
        server.store.claim_charge(ChargeRecord("order-1", "user-1", 100, "usd", "pm_1"))


def test_create_schema_recreates_a_dropped_table(server: Server) -> None:
    """create_schema() after a drop makes the table again (empty) and the store works."""
    build_tables(server.prefix).charges.drop(server.engine)
    server.store.create_schema()
    claimed = server.store.claim_charge(ChargeRecord("order-1", "user-1", 100, "usd", "pm_1"))
    assert "order-1" == claimed.idempotency_key


def test_a_new_store_on_a_dropped_table_says_so(server: Server) -> None:
    """A store opened on tables with one missing raises SchemaMissing naming it."""
    build_tables(server.prefix).refunds.drop(server.engine)
    fresh = SQLAlchemyStore(server.engine, table_prefix=server.prefix)
    with pytest.raises(SchemaMissing, match=f"{server.prefix}refunds is missing"):
        fresh.get_customer_id("user-1")


# -- a read-only session, a full pool --------------------------------------------------------


def _read_only_engine(kind: str) -> sa.Engine:
    if kind == "postgresql":
        options = {"options": "-c default_transaction_read_only=on"}
    else:
        options = {"init_command": "SET SESSION TRANSACTION READ ONLY"}
    return sa.create_engine(server_url(kind), connect_args=options)


def test_a_read_only_session_reads(server: Server) -> None:
    """A store whose sessions may only read answers reads."""
    engine = _read_only_engine(server.kind)
    try:
        store = SQLAlchemyStore(engine, table_prefix=server.prefix)
        found = store.get_payment_method("pm_x")
    finally:
        engine.dispose()
    assert "other" == (found.customer_ref if found else None)


def test_a_read_only_session_refuses_writes(server: Server) -> None:
    """A write through a read-only session raises DatabaseReadOnly, a PermissionError."""
    engine = _read_only_engine(server.kind)
    try:
        store = SQLAlchemyStore(engine, table_prefix=server.prefix)
        with pytest.raises(DatabaseReadOnly) as info:
            store.add_customer("user-1", "cus_1")
    finally:
        engine.dispose()
    assert isinstance(info.value, PermissionError)


def test_a_pool_without_a_free_connection_is_busy(server: Server) -> None:
    """Every pooled connection in use past the pool timeout raises DatabaseBusy."""
    url = server_url(server.kind)
    engine = sa.create_engine(url, pool_size=1, max_overflow=0, pool_timeout=0.1)
    try:
        store = SQLAlchemyStore(engine, table_prefix=server.prefix)
        store.get_customer_id("warm-up")
        with engine.connect(), pytest.raises(DatabaseBusy, match="pool"):
            store.get_customer_id("user-1")
    finally:
        engine.dispose()


# -- SQLite behind SQLAlchemy, and the drivers' own refusals ---------------------------------


def test_a_corrupt_sqlite_file_is_corrupt(tmp_path: Path) -> None:
    """SQLAlchemyStore on a file that is not a database raises DatabaseCorrupt."""
    path = tmp_path / "notes.db"
    path.write_bytes(b"not a database\n" * 500)
    with pytest.raises(DatabaseCorrupt):
        SQLAlchemyStore(f"sqlite:///{path}").create_schema()


def test_deadlocks_that_never_end_are_busy(tmp_path: Path) -> None:
    """A transaction that deadlocks on every retry raises DatabaseBusy, not a driver error."""

    class Deadlock(Exception):
        sqlstate = "40P01"

    def work(conn: sa.Connection) -> None:
        raise sa.exc.OperationalError("UPDATE ...", {}, Deadlock("deadlock detected"))

    store = SQLAlchemyStore(f"sqlite:///{tmp_path / 'd.db'}", create_schema=True)
    with store, pytest.raises(DatabaseBusy):
        store._write(work)


@pytest.mark.parametrize(
    ("kind", "bad"),
    [
        pytest.param("postgresql", "a\x00b", marks=pytest.mark.database, id="postgresql-nul"),
        pytest.param("postgresql", "a\ud800", marks=pytest.mark.database, id="postgresql-lone"),
        pytest.param("mariadb", "a\ud800", marks=pytest.mark.database, id="mariadb-lone"),
        pytest.param("sqlite", "a\ud800", id="sqlalchemy-sqlite-lone"),
    ],
)
def test_driver_refusals_are_unstorable(kind: str, bad: str, tmp_path: Path) -> None:
    """With the store's own check bypassed, a value the driver refuses is UnstorableValue."""
    with tables_of(kind, tmp_path) as (engine, prefix):
        store = SQLAlchemyStore(engine, table_prefix=prefix, create_schema=True)
        unchecked: Any = SQLAlchemyStore.add_customer.__wrapped__  # type: ignore[attr-defined]
        with pytest.raises(UnstorableValue):
            unchecked(store, bad, "cus_1")
