"""SQLite's errors as ``StoreError`` leaves, for ``SQLiteStore`` and ``SQLAlchemyStore`` on SQLite.

Decided by SQLite's result code (``sqlite3.Error.sqlite_errorcode``), not by message text,
except for the generic ``SQLITE_ERROR`` whose cause only the message names.
"""

from __future__ import annotations

import sqlite3

from future_payments.errors import (
    DatabaseBusy,
    DatabaseCorrupt,
    DatabaseFailed,
    DatabaseReadOnly,
    DatabaseUnreachable,
    ForeignSchema,
    SchemaMissing,
    StoreError,
    UnstorableValue,
)

# Primary result codes (https://sqlite.org/rescode.html).
_ERROR, _PERM, _BUSY, _LOCKED, _READONLY, _CORRUPT = 1, 3, 5, 6, 8, 11
_FULL, _CANTOPEN, _TOOBIG, _CONSTRAINT, _MISMATCH, _AUTH, _RANGE, _NOTADB = (
    13, 14, 18, 19, 20, 23, 25, 26
)  # fmt: skip
_IOERR_SHORT_READ = 522  # an extended code: the file ends before its pages do (truncated)


def translate(exc: sqlite3.Error, *, path: str, timeout: float | None = None) -> StoreError:
    """The ``StoreError`` leaf that says what ``exc`` means for the database file ``path``."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    reason = str(exc).strip() or type(exc).__name__
    waited = f" for the whole busy timeout ({timeout} s)" if timeout is not None else ""
    if primary in (_BUSY, _LOCKED):
        return DatabaseBusy(
            f"the SQLite database {path} stayed locked by another writer{waited}; retry, or "
            "give SQLiteStore a longer timeout"
        )
    if primary in (_READONLY, _PERM, _AUTH):
        return DatabaseReadOnly(
            f"cannot write to the SQLite database {path} ({reason}): this process may only "
            "read it. Writing needs write access to the file and to its directory (SQLite "
            "keeps its -wal and -shm files beside it)."
        )
    if primary in (_CORRUPT, _NOTADB) or code == _IOERR_SHORT_READ:
        return DatabaseCorrupt(
            f"{path} is not a SQLite database, or it is damaged ({reason}). Restore it from a "
            "backup, or give SQLiteStore another file; future_payments never overwrites it."
        )
    if primary == _CANTOPEN:
        return DatabaseUnreachable(
            f"cannot open the SQLite database {path} ({reason}); check that the file and its "
            "directory exist and that this process may read and write them"
        )
    if primary in (_CONSTRAINT, _TOOBIG, _MISMATCH, _RANGE):
        return UnstorableValue(f"the SQLite database {path} refused a value: {reason}")
    if primary == _ERROR and "no such table" in reason:
        return SchemaMissing(
            f"a future_payments table is missing from {path} ({reason}); it was dropped after "
            "the store opened the file. Restore the file from a backup: the store never "
            "recreates a table that held data."
        )
    if primary == _ERROR and "column" in reason:
        return ForeignSchema(
            f"a table in {path} lacks a column future_payments needs ({reason}); it was "
            "changed by another application. Give SQLiteStore a file of its own."
        )
    what = "the disk is full" if primary == _FULL else reason
    return DatabaseFailed(
        f"the SQLite database {path} failed: {what}"
        + (f" ({exc.sqlite_errorname})" if hasattr(exc, "sqlite_errorname") else "")
        + "; nothing was stored. Check the disk and the file, then retry."
    )
