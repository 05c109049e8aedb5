"""SQLiteStore: the embedded default, one database file shared by threads and processes."""

from __future__ import annotations

import contextlib
import copy
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar, cast

import attrs

from future_payments._models import (
    Attempt,
    AttemptKind,
    ChargeRecord,
    PendingEvent,
    RefundRecord,
    SavedPaymentMethod,
    SessionStatus,
    SetupSessionRecord,
)
from future_payments.errors import InvalidInput
from future_payments.stores import _rows as rows
from future_payments.stores import _sqlite_sql as sql
from future_payments.stores._sqlite_db import JoinedFile, SQLiteFile
from future_payments.stores._values import refuses_unstorable

R = TypeVar("R")


@refuses_unstorable
class SQLiteStore:
    """A store in one SQLite file, safe for several threads and processes on one machine.

    The database runs in WAL mode, so readers never wait for the writer, and every write is
    one ``BEGIN IMMEDIATE`` transaction: each insert-if-absent, each conditional update and
    the default-method bookkeeping it triggers commit together or not at all. A writer that
    finds the file locked waits up to ``timeout`` seconds (SQLite's busy timeout), then raises
    ``DatabaseBusy``.

    The file and its tables are created on first use, and a file written by an older version
    of future_payments is migrated then, in one transaction. A file this process may only read
    (read-only file or directory) is opened for reading: reads work, writes raise
    ``DatabaseReadOnly``. Every failure is a ``StoreError`` leaf. Connections are pooled and
    handed to one thread at a time; ``close()`` (or leaving a ``with`` block) closes the idle
    ones. Not for network file systems: SQLite's locking needs one machine's local disk.

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
        self._file: SQLiteFile | JoinedFile = SQLiteFile(self.path, timeout)

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r})"

    def close(self) -> None:
        """Close the pooled connections; the store opens new ones if it is used again."""
        self._file.close()

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
        with self._write() as conn:
            conn.execute(sql.INSERT_CUSTOMER, params)
            return cast(str, conn.execute(sql.GET_CUSTOMER_ID, params).fetchone()["customer_id"])

    # -- setup sessions ----------------------------------------------------------------------

    def add_setup_session(self, session: SetupSessionRecord) -> SetupSessionRecord:
        with self._write() as conn:
            conn.execute(sql.INSERT_SESSION, attrs.asdict(session))
            return rows.session_from_row(
                conn.execute(sql.GET_SESSION, attrs.asdict(session)).fetchone()
            )

    def get_setup_session(self, session_id: str) -> SetupSessionRecord | None:
        return self._read_record(rows.session_from_row, sql.GET_SESSION, session_id=session_id)

    def finish_setup_session(
        self, session_id: str, *, status: SessionStatus, payment_method_id: str | None
    ) -> SetupSessionRecord | None:
        params = {
            "session_id": session_id,
            "status": status,
            "payment_method_id": payment_method_id,
        }
        with self._write() as conn:
            conn.execute(sql.FINISH_SESSION, params)
            row = conn.execute(sql.GET_SESSION, params).fetchone()
            return None if row is None else rows.session_from_row(row)

    # -- saved payment methods ---------------------------------------------------------------

    def add_payment_method(self, method: SavedPaymentMethod, *, as_of: int) -> SavedPaymentMethod:
        params = rows.method_params(method, as_of=as_of)
        with self._write() as conn:
            if conn.execute(sql.INSERT_METHOD, params).rowcount:
                _settle_default(conn, method.customer_ref)
            return rows.method_from_row(conn.execute(sql.GET_METHOD, params).fetchone())

    def update_payment_method(
        self, method: SavedPaymentMethod, *, as_of: int
    ) -> SavedPaymentMethod:
        params = rows.method_params(method, as_of=as_of)
        with self._write() as conn:
            owner = conn.execute(sql.GET_METHOD_OWNER, params).fetchone()
            if conn.execute(sql.UPSERT_METHOD, params).rowcount:
                _settle_default(conn, method.customer_ref)
                if owner is not None and owner["customer_ref"] != method.customer_ref:
                    # The method moved to another customer: the one it left settles too.
                    _settle_default(conn, owner["customer_ref"])
            return rows.method_from_row(conn.execute(sql.GET_METHOD, params).fetchone())

    def get_payment_method(self, payment_method_id: str) -> SavedPaymentMethod | None:
        return self._read_record(rows.method_from_row, sql.GET_METHOD, id=payment_method_id)

    def list_payment_methods(self, customer_ref: str) -> Sequence[SavedPaymentMethod]:
        found = self._read_all(sql.LIST_METHODS, customer_ref=customer_ref)
        return [rows.method_from_row(row) for row in found]

    def set_default(self, customer_ref: str, payment_method_id: str) -> SavedPaymentMethod | None:
        params = {"customer_ref": customer_ref, "id": payment_method_id, "keep": payment_method_id}
        with self._write() as conn:
            if conn.execute(sql.IS_ACTIVE_METHOD_OF, params).fetchone() is None:
                return None
            conn.execute(sql.CLEAR_OTHER_DEFAULTS, params)
            conn.execute(sql.SET_DEFAULT, params)
            return rows.method_from_row(conn.execute(sql.GET_METHOD, params).fetchone())

    # -- webhook event inbox -----------------------------------------------------------------

    def record_event(self, event_id: str) -> bool:
        with self._write() as conn:
            return bool(conn.execute(sql.RECORD_EVENT, {"event_id": event_id}).rowcount)

    def claim_event(self, event_id: str, *, token: str, now: float, lease_seconds: float) -> bool:
        params = {
            "event_id": event_id,
            "token": token,
            "now": now,
            "expires_at": now + lease_seconds,
        }
        with self._write() as conn:
            return bool(conn.execute(sql.CLAIM_EVENT, params).rowcount)

    def complete_event(self, event_id: str) -> None:
        with self._write() as conn:
            conn.execute(sql.COMPLETE_EVENT, {"event_id": event_id})
            conn.execute(sql.DROP_PENDING, {"event_id": event_id})

    def release_event(self, event_id: str, *, token: str) -> None:
        with self._write() as conn:
            conn.execute(sql.RELEASE_EVENT, {"event_id": event_id, "token": token})

    def add_pending_event(self, event: PendingEvent) -> bool:
        with self._write() as conn:
            return bool(conn.execute(sql.ADD_PENDING, attrs.asdict(event)).rowcount)

    def claim_pending_events(
        self, *, limit: int, now: float, lease_seconds: float
    ) -> Sequence[PendingEvent]:
        params = {"limit": limit, "now": now, "expires_at": now + lease_seconds}
        with self._write() as conn:
            conn.execute(sql.DROP_PROCESSED_PENDING)
            rows_taken = conn.execute(sql.TAKE_PENDING, params).fetchall()
            taken = [rows.pending_from_row(row) for row in rows_taken]
        return sorted(taken, key=lambda e: (e.received_at, e.event_id))

    def release_pending_events(self, event_ids: Sequence[str]) -> None:
        with self._write() as conn:
            conn.executemany(sql.RELEASE_PENDING, [{"event_id": e} for e in event_ids])

    # -- transactions ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def atomic(self) -> Iterator[SQLiteStore]:
        if isinstance(self._file, JoinedFile):
            yield self  # already inside a block: join it
            return
        with self._file.connection(write=True) as conn:
            joined = copy.copy(self)
            joined._file = JoinedFile(conn, self._file)
            yield joined

    # -- charge ledger -----------------------------------------------------------------------

    def claim_charge(self, charge: ChargeRecord) -> ChargeRecord:
        return self._write_charge(sql.CLAIM_CHARGE, rows.charge_params(charge))

    def update_charge(self, charge: ChargeRecord) -> ChargeRecord:
        # An insert is the first applied change: version 1, as in MemoryStore.
        return self._write_charge(sql.UPSERT_CHARGE, {**rows.charge_params(charge), "version": 1})

    def replace_charge(self, charge: ChargeRecord, *, expected_version: int) -> ChargeRecord | None:
        params = {**rows.charge_params(charge), "expected_version": expected_version}
        with self._write() as conn:
            if not conn.execute(sql.REPLACE_CHARGE, params).rowcount:
                return None
            return rows.charge_from_row(conn.execute(sql.GET_CHARGE, params).fetchone())

    def mark_disputed(self, idempotency_key: str) -> ChargeRecord | None:
        params = {"idempotency_key": idempotency_key}
        with self._write() as conn:
            conn.execute(sql.MARK_DISPUTED, params)
            row = conn.execute(sql.GET_CHARGE, params).fetchone()
            return None if row is None else rows.charge_from_row(row)

    def get_charge(self, idempotency_key: str) -> ChargeRecord | None:
        return self._read_record(
            rows.charge_from_row, sql.GET_CHARGE, idempotency_key=idempotency_key
        )

    def find_charge_by_payment_intent(self, payment_intent_id: str) -> ChargeRecord | None:
        return self._read_record(
            rows.charge_from_row,
            sql.FIND_CHARGE_BY_PAYMENT_INTENT,
            payment_intent_id=payment_intent_id,
        )

    def _write_charge(self, statement: str, params: dict[str, Any]) -> ChargeRecord:
        with self._write() as conn:
            conn.execute(statement, params)
            return rows.charge_from_row(conn.execute(sql.GET_CHARGE, params).fetchone())

    # -- refunds -------------------------------------------------------------------------------

    def claim_refund(self, refund: RefundRecord) -> RefundRecord:
        return self._write_refund(sql.CLAIM_REFUND, refund)

    def update_refund(self, refund: RefundRecord) -> RefundRecord:
        return self._write_refund(sql.UPSERT_REFUND, refund)

    def get_refund(self, refund_key: str) -> RefundRecord | None:
        return self._read_record(rows.refund_from_row, sql.GET_REFUND, refund_key=refund_key)

    def find_refund(self, refund_id: str) -> RefundRecord | None:
        return self._read_record(rows.refund_from_row, sql.FIND_REFUND, refund_id=refund_id)

    def list_refunds(self, idempotency_key: str) -> Sequence[RefundRecord]:
        found = self._read_all(sql.LIST_REFUNDS, idempotency_key=idempotency_key)
        return [rows.refund_from_row(row) for row in found]

    def _write_refund(self, statement: str, refund: RefundRecord) -> RefundRecord:
        params = rows.refund_params(refund)
        with self._write() as conn:
            conn.execute(statement, params)
            return rows.refund_from_row(conn.execute(sql.GET_REFUND, params).fetchone())

    # -- attempts ------------------------------------------------------------------------------

    def begin_attempt(self, kind: AttemptKind, key: str, *, now: int) -> Attempt:
        params = {"kind": kind, "key": key, "number": 1, "now": now}
        with self._write() as conn:
            conn.execute(sql.INSERT_ATTEMPT, params)
            return rows.attempt_from_row(conn.execute(sql.GET_ATTEMPT, params).fetchone())

    def next_attempt(self, kind: AttemptKind, key: str, *, after: int, now: int) -> Attempt:
        params = {"kind": kind, "key": key, "number": after + 1, "after": after, "now": now}
        with self._write() as conn:
            conn.execute(sql.INSERT_ATTEMPT, params)
            conn.execute(sql.NEXT_ATTEMPT, params)
            return rows.attempt_from_row(conn.execute(sql.GET_ATTEMPT, params).fetchone())

    def mark_uncertain(self, kind: AttemptKind, key: str, *, number: int) -> None:
        with self._write() as conn:
            conn.execute(sql.MARK_UNCERTAIN, {"kind": kind, "key": key, "number": number})

    def finish_attempt(self, kind: AttemptKind, key: str, *, number: int) -> None:
        with self._write() as conn:
            conn.execute(sql.FINISH_ATTEMPT, {"kind": kind, "key": key, "number": number})

    # -- connections -------------------------------------------------------------------------

    def _read_record(
        self, convert: Callable[[sqlite3.Row], R], statement: str, **params: object
    ) -> R | None:
        row = self._read_one(statement, **params)
        return None if row is None else convert(row)

    def _read_one(self, statement: str, **params: object) -> sqlite3.Row | None:
        with self._file.connection(write=False) as conn:
            return cast(sqlite3.Row | None, conn.execute(statement, params).fetchone())

    def _read_all(self, statement: str, **params: object) -> list[sqlite3.Row]:
        with self._file.connection(write=False) as conn:
            return conn.execute(statement, params).fetchall()

    def _write(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One write transaction (``SQLiteFile.connection``): commits whole or not at all."""
        return self._file.connection(write=True)


def _settle_default(conn: sqlite3.Connection, customer_ref: str) -> None:
    """Keep exactly one default among the customer's active methods (see the protocol)."""
    row = conn.execute(sql.DEFAULT_TO_KEEP, {"customer_ref": customer_ref}).fetchone()
    params = {"customer_ref": customer_ref, "keep": None if row is None else row["id"]}
    conn.execute(sql.CLEAR_OTHER_DEFAULTS, params)
    if row is not None:
        conn.execute(sql.SET_DEFAULT, params)
