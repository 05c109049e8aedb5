"""SQLiteStore: the embedded default, one database file shared by threads and processes."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from typing import cast

import attrs

from future_payments._models import (
    ChargeRecord,
    SavedPaymentMethod,
    SessionStatus,
    SetupSessionRecord,
)
from future_payments.errors import InvalidInput, SchemaVersionMismatch, StoreError
from future_payments.stores import _rows as rows
from future_payments.stores import _sqlite_schema as sql

_MAX_IDLE_CONNECTIONS = 8


class SQLiteStore:
    """A store in one SQLite file, safe for several threads and processes on one machine.

    The database runs in WAL mode, so readers never wait for the writer, and every write is
    one ``BEGIN IMMEDIATE`` transaction: each insert-if-absent, each conditional update and
    the default-method bookkeeping it triggers commit together or not at all. A writer that
    finds the file locked waits up to ``timeout`` seconds (SQLite's busy timeout).

    The file and its tables are created on first use. Connections are pooled and handed to
    one thread at a time; ``close()`` (or leaving a ``with`` block) closes the idle ones.
    Not for network file systems: SQLite's locking needs one machine's local disk.

    Args:
        path: The database file. ``":memory:"`` is refused: use ``MemoryStore`` instead.
        timeout: Seconds a write waits for another connection's write to finish.
    """

    def __init__(
        self, path: str | os.PathLike[str] = "future_payments.db", *, timeout: float = 30.0
    ) -> None:
        self.path = os.fspath(path)
        if self.path in ("", ":memory:"):
            raise InvalidInput(
                f"SQLiteStore needs a file path, not {self.path!r}: a temporary database is "
                "not shared between connections. Use MemoryStore() for that."
            )
        self.timeout = timeout
        self._lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._pid = os.getpid()
        self._schema_ready = False
        # Closes pooled connections when the store is garbage collected without close().
        weakref.finalize(self, _close_all, self._idle)

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r})"

    def close(self) -> None:
        """Close the pooled connections; the store opens new ones if it is used again."""
        with self._lock:
            _close_all(self._idle)

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- customers ---------------------------------------------------------------------------

    def get_customer_id(self, customer_ref: str) -> str | None:
        row = self._read_one(sql.GET_CUSTOMER_ID, customer_ref=customer_ref)
        return None if row is None else cast(str, row["customer_id"])

    def find_customer_ref(self, customer_id: str) -> str | None:
        row = self._read_one(sql.FIND_CUSTOMER_REF, customer_id=customer_id)
        return None if row is None else cast(str, row["customer_ref"])

    def add_customer(self, customer_ref: str, customer_id: str) -> str:
        params = {"customer_ref": customer_ref, "customer_id": customer_id}
        with self._transaction() as conn:
            conn.execute(sql.INSERT_CUSTOMER, params)
            return cast(str, conn.execute(sql.GET_CUSTOMER_ID, params).fetchone()["customer_id"])

    # -- setup sessions ----------------------------------------------------------------------

    def add_setup_session(self, session: SetupSessionRecord) -> SetupSessionRecord:
        with self._transaction() as conn:
            conn.execute(sql.INSERT_SESSION, attrs.asdict(session))
            return rows.session_from_row(
                conn.execute(sql.GET_SESSION, attrs.asdict(session)).fetchone()
            )

    def get_setup_session(self, session_id: str) -> SetupSessionRecord | None:
        row = self._read_one(sql.GET_SESSION, session_id=session_id)
        return None if row is None else rows.session_from_row(row)

    def finish_setup_session(
        self, session_id: str, *, status: SessionStatus, payment_method_id: str | None
    ) -> SetupSessionRecord | None:
        params = {
            "session_id": session_id,
            "status": status,
            "payment_method_id": payment_method_id,
        }
        with self._transaction() as conn:
            conn.execute(sql.FINISH_SESSION, params)
            row = conn.execute(sql.GET_SESSION, params).fetchone()
            return None if row is None else rows.session_from_row(row)

    # -- saved payment methods ---------------------------------------------------------------

    def add_payment_method(self, method: SavedPaymentMethod, *, as_of: int) -> SavedPaymentMethod:
        params = {**attrs.asdict(method), "as_of": as_of}
        with self._transaction() as conn:
            if conn.execute(sql.INSERT_METHOD, params).rowcount:
                _settle_default(conn, method.customer_ref)
            return rows.method_from_row(conn.execute(sql.GET_METHOD, params).fetchone())

    def update_payment_method(
        self, method: SavedPaymentMethod, *, as_of: int
    ) -> SavedPaymentMethod:
        params = {**attrs.asdict(method), "as_of": as_of}
        with self._transaction() as conn:
            owner = conn.execute(sql.GET_METHOD_OWNER, params).fetchone()
            if conn.execute(sql.UPSERT_METHOD, params).rowcount:
                _settle_default(conn, method.customer_ref)
                if owner is not None and owner["customer_ref"] != method.customer_ref:
                    # The method moved to another customer: the one it left settles too.
                    _settle_default(conn, owner["customer_ref"])
            return rows.method_from_row(conn.execute(sql.GET_METHOD, params).fetchone())

    def get_payment_method(self, payment_method_id: str) -> SavedPaymentMethod | None:
        row = self._read_one(sql.GET_METHOD, id=payment_method_id)
        return None if row is None else rows.method_from_row(row)

    def list_payment_methods(self, customer_ref: str) -> Sequence[SavedPaymentMethod]:
        with self._connection() as conn:
            found = conn.execute(sql.LIST_METHODS, {"customer_ref": customer_ref}).fetchall()
        return [rows.method_from_row(row) for row in found]

    def set_default(self, customer_ref: str, payment_method_id: str) -> SavedPaymentMethod | None:
        params = {"customer_ref": customer_ref, "id": payment_method_id, "keep": payment_method_id}
        with self._transaction() as conn:
            if conn.execute(sql.IS_ACTIVE_METHOD_OF, params).fetchone() is None:
                return None
            conn.execute(sql.CLEAR_OTHER_DEFAULTS, params)
            conn.execute(sql.SET_DEFAULT, params)
            return rows.method_from_row(conn.execute(sql.GET_METHOD, params).fetchone())

    # -- webhook event inbox -----------------------------------------------------------------

    def claim_event(self, event_id: str, *, now: float, lease_seconds: float) -> bool:
        params = {"event_id": event_id, "now": now, "expires_at": now + lease_seconds}
        with self._transaction() as conn:
            return conn.execute(sql.CLAIM_EVENT, params).rowcount == 1

    def complete_event(self, event_id: str) -> None:
        with self._transaction() as conn:
            conn.execute(sql.COMPLETE_EVENT, {"event_id": event_id})

    def release_event(self, event_id: str) -> None:
        with self._transaction() as conn:
            conn.execute(sql.RELEASE_EVENT, {"event_id": event_id})

    # -- charge ledger -----------------------------------------------------------------------

    def claim_charge(self, charge: ChargeRecord) -> ChargeRecord:
        params = attrs.asdict(charge)
        with self._transaction() as conn:
            conn.execute(sql.INSERT_CHARGE, params)
            return rows.charge_from_row(conn.execute(sql.GET_CHARGE, params).fetchone())

    def update_charge(self, charge: ChargeRecord) -> ChargeRecord:
        params = attrs.asdict(charge)
        with self._transaction() as conn:
            conn.execute(sql.UPSERT_CHARGE, params)
            return rows.charge_from_row(conn.execute(sql.GET_CHARGE, params).fetchone())

    def get_charge(self, idempotency_key: str) -> ChargeRecord | None:
        row = self._read_one(sql.GET_CHARGE, idempotency_key=idempotency_key)
        return None if row is None else rows.charge_from_row(row)

    def find_charge_by_payment_intent(self, payment_intent_id: str) -> ChargeRecord | None:
        row = self._read_one(sql.FIND_CHARGE_BY_PAYMENT_INTENT, payment_intent_id=payment_intent_id)
        return None if row is None else rows.charge_from_row(row)

    # -- connections -------------------------------------------------------------------------

    def _read_one(self, statement: str, **params: object) -> sqlite3.Row | None:
        with self._connection() as conn:
            return cast(sqlite3.Row | None, conn.execute(statement, params).fetchone())

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: it takes the database's write lock before its first read."""
        with self._connection() as conn:
            self._begin(conn)
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.execute("COMMIT")

    def _begin(self, conn: sqlite3.Connection) -> None:
        """Take the write lock, waiting up to the busy timeout; a timeout is a StoreError."""
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            raise StoreError(
                f"the SQLite database {self.path} stayed locked by another writer for the "
                f"whole busy timeout ({self.timeout} s); retry, or use a longer timeout"
            ) from exc

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A connection for this thread alone until the block ends."""
        if not self._schema_ready:
            self._create_schema()
        conn = self._acquire()
        try:
            yield conn
        finally:
            self._release(conn)

    def _acquire(self) -> sqlite3.Connection:
        with self._lock:
            if self._pid != os.getpid():
                # A forked child must not use its parent's connections: forget them.
                self._idle.clear()
                self._pid = os.getpid()
            if self._idle:
                return self._idle.pop()
        return self._open()

    def _release(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            if not conn.in_transaction and len(self._idle) < _MAX_IDLE_CONNECTIONS:
                self._idle.append(conn)
                return
        conn.close()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        return conn

    def _create_schema(self) -> None:
        """Create the file and tables if missing; safe when several processes race to do it."""
        with contextlib.closing(self._open()) as conn:
            _enable_wal(conn, deadline=time.monotonic() + self.timeout)
            self._begin(conn)
            try:
                for statement in sql.SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                version = conn.execute(sql.SELECT_VERSION).fetchone()[0]
                if version is None:
                    conn.execute(sql.INSERT_VERSION, {"version": sql.SCHEMA_VERSION})
                elif version > sql.SCHEMA_VERSION:
                    raise SchemaVersionMismatch(
                        f"{self.path} has schema version {version}, newer than this "
                        f"future_payments understands ({sql.SCHEMA_VERSION}); upgrade it."
                    )
            except BaseException:
                conn.rollback()
                raise
            conn.execute("COMMIT")
        self._schema_ready = True


def _enable_wal(conn: sqlite3.Connection, *, deadline: float) -> None:
    """Switch the file to WAL (persistent); the switch ignores the busy timeout, so retry."""
    while True:
        try:
            if conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal":
                return
        except sqlite3.OperationalError:
            if time.monotonic() >= deadline:
                raise
        if time.monotonic() >= deadline:
            raise StoreError(
                "could not switch the SQLite database to WAL mode: another process holds it "
                "locked; retry, or check that the file is not on a network filesystem"
            )
        time.sleep(0.01)


def _close_all(connections: list[sqlite3.Connection]) -> None:
    while connections:
        connections.pop().close()


def _settle_default(conn: sqlite3.Connection, customer_ref: str) -> None:
    """Keep exactly one default among the customer's active methods (see the protocol)."""
    row = conn.execute(sql.DEFAULT_TO_KEEP, {"customer_ref": customer_ref}).fetchone()
    params = {"customer_ref": customer_ref, "keep": None if row is None else row["id"]}
    conn.execute(sql.CLEAR_OTHER_DEFAULTS, params)
    if row is not None:
        conn.execute(sql.SET_DEFAULT, params)
