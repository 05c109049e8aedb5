"""SQLAlchemy's and the drivers' errors as ``StoreError`` leaves, decided by code, not by text.

PostgreSQL (psycopg, asyncpg) reports a SQLSTATE, MariaDB/MySQL (PyMySQL) an error number and
SQLite a result code; SQLAlchemy wraps each in a ``DBAPIError`` whose ``orig`` carries it, and
marks the errors that broke the connection (``connection_invalidated``).
"""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa

from future_payments.errors import (
    ConnectionLost,
    DatabaseBusy,
    DatabaseFailed,
    DatabaseReadOnly,
    ForeignSchema,
    SchemaMissing,
    StoreError,
    UnstorableValue,
)
from future_payments.stores import _sqlite_errors

_TRANSIENT_SQLSTATES = {"40001", "40P01"}  # PostgreSQL: serialization failure, deadlock
_TRANSIENT_MYSQL_CODES = {1213, 1205}  # MariaDB: deadlock, lock wait timeout

# MariaDB/MySQL error numbers: server gone, lost, killed; client-side losses.
_MYSQL_LOST = {1053, 1077, 1927, 2006, 2013, 2055, 4031}
_MYSQL_NO_TABLE, _MYSQL_NO_COLUMN = 1146, 1054
_MYSQL_READ_ONLY = {1036, 1142, 1290, 1792}  # table read only, denied, --read-only, read-only txn
_MYSQL_BAD_VALUE = {1048, 1264, 1366, 1406, 1690}  # NULL, out of range, bad string, too long


def is_transient(exc: sa.exc.DBAPIError) -> bool:
    """Whether retrying the whole transaction may succeed: deadlock, serialization, busy."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in _TRANSIENT_SQLSTATES:
        return True
    args = getattr(orig, "args", ())
    if args and args[0] in _TRANSIENT_MYSQL_CODES:
        return True
    return "database is locked" in str(orig)  # SQLite's busy timeout ran out


def translate(exc: sa.exc.SQLAlchemyError, *, where: str) -> StoreError:
    """The ``StoreError`` leaf that says what ``exc`` means; ``where`` names the database."""
    orig = getattr(exc, "orig", None)
    if isinstance(orig, sqlite3.Error):
        return _sqlite_errors.translate(orig, path=where)
    reason = _first_line(orig if orig is not None else exc)
    sqlstate = str(getattr(orig, "sqlstate", None) or "")
    args = getattr(orig, "args", ())
    code = args[0] if args and isinstance(args[0], int) else None
    if (
        getattr(exc, "connection_invalidated", False)
        or code in _MYSQL_LOST
        or (sqlstate.startswith("08") or sqlstate in ("57P01", "57P02", "57P03"))
    ):
        return ConnectionLost(
            f"the connection to {where} broke during the call ({reason}). The database rolled "
            "the call back, unless the connection broke while it was committing; every store "
            "call is safe to repeat, so retry the operation."
        )
    if (
        isinstance(exc, sa.exc.TimeoutError)
        or sqlstate in ("55P03", "57014")  # lock_timeout, statement_timeout
        or (isinstance(exc, sa.exc.DBAPIError) and is_transient(exc))
    ):
        return DatabaseBusy(
            f"{where} stayed busy: {reason}. Other writers held the rows this call needs, or "
            "every pooled connection was in use; retry, or raise the pool size."
        )
    if sqlstate == "42P01" or code == _MYSQL_NO_TABLE:
        return SchemaMissing(
            f"a future_payments table is missing from {where} ({reason}); it was dropped after "
            "the store checked it. Restore it from a backup, or call store.create_schema() to "
            "recreate it empty."
        )
    if sqlstate == "42703" or code == _MYSQL_NO_COLUMN:
        return ForeignSchema(
            f"a table in {where} lacks a column future_payments needs ({reason}); it was "
            "changed by something else. Use another table_prefix for the store's tables."
        )
    if sqlstate in ("25006", "42501") or code in _MYSQL_READ_ONLY:
        return DatabaseReadOnly(
            f"{where} refused a write ({reason}): the server or this database user may only "
            "read. Grant INSERT, UPDATE and DELETE on the store's tables, or point the store "
            "at the primary."
        )
    if (
        isinstance(exc, sa.exc.DataError)
        or sqlstate.startswith(("22", "23"))
        or code in _MYSQL_BAD_VALUE
    ):
        return UnstorableValue(f"{where} refused a value: {reason}")
    if isinstance(exc, sa.exc.StatementError) and not isinstance(exc, sa.exc.DBAPIError):
        return UnstorableValue(f"a value could not be sent to {where}: {reason}")
    return DatabaseFailed(
        f"{where} failed: {reason}; nothing was stored. Retry, or check the server."
    )


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
