"""The file behind ``SQLiteStore``: opening it, its schema and migrations, pooled connections.

``SQLiteFile.connection(write=...)`` is the one way the store touches the file. It prepares the
file on first use (checks the path, decides whether this process may write it, switches it to
WAL, creates or migrates the tables and checks they are future_payments' own), runs a write as
one ``BEGIN IMMEDIATE`` transaction that commits whole or rolls back, and turns every
``sqlite3`` error into a ``StoreError`` leaf (``_sqlite_errors``).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import threading
import time
import urllib.parse
import weakref
from collections.abc import Iterator

from future_payments.errors import (
    DatabaseReadOnly,
    DatabaseUnreachable,
    ForeignSchema,
    InvalidDatabasePath,
    SchemaMissing,
    SchemaVersionMismatch,
    UnstorableValue,
)
from future_payments.stores import _sqlite_schema as schema
from future_payments.stores._migrations import Step, columns_at, steps_after, tables_at
from future_payments.stores._sqlite_errors import translate

_MAX_IDLE_CONNECTIONS = 8
_BUSY_CODES = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED
_NO_SHARED_MEMORY = (1544, 14)  # SQLITE_READONLY_DIRECTORY, SQLITE_CANTOPEN


@functools.cache
def expected_columns() -> dict[str, dict[str, str]]:
    """Each table of ``SCHEMA``: its columns and their definitions, from a scratch database."""
    with contextlib.closing(sqlite3.connect(":memory:")) as conn:
        conn.executescript(schema.SCHEMA)
        tables = [row[0] for row in conn.execute(schema.LIST_TABLES)]
        columns = {t: conn.execute(schema.LIST_COLUMNS, {"table": t}).fetchall() for t in tables}
        return {table: dict(rows) for table, rows in columns.items()}


class SQLiteFile:
    """One SQLite database file: its connections, transactions and schema.

    Args:
        path: the file (``SQLiteStore`` refuses ``:memory:`` before it gets here).
        timeout: seconds a write waits for another connection's write (the busy timeout).
    """

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self._lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._pid = os.getpid()
        self._ready = False
        self._uri: str | None = None  # set when the file is opened read-only
        self._read_only: str | None = None  # why this process may not write, if it may not
        # Closes pooled connections when the store is garbage collected without close().
        weakref.finalize(self, _close_all, self._idle)

    def close(self) -> None:
        """Close the pooled connections; new ones are opened if the file is used again."""
        with self._lock:
            _close_all(self._idle)

    @contextlib.contextmanager
    def connection(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        """A connection for this thread alone; with ``write``, inside one write transaction.

        Raises:
            StoreError: a leaf for whatever went wrong; a write is rolled back whole.
        """
        self._prepare()
        if write and self._read_only is not None:
            raise DatabaseReadOnly(
                f"cannot write to the SQLite database {self.path}: {self._read_only}. Reads "
                "work; writes need write access to the file and to its directory."
            )
        try:
            conn = self._acquire()
        except sqlite3.Error as exc:
            raise translate(exc, path=self.path) from exc
        healthy = False
        try:
            with translated(self.path, self.timeout):
                if write:
                    conn.execute("BEGIN IMMEDIATE")
                yield conn
                if write:
                    conn.execute("COMMIT")
            healthy = True
        finally:
            if not healthy:
                with contextlib.suppress(sqlite3.Error):
                    conn.rollback()
            self._release(conn, reuse=healthy)

    # -- pooled connections ------------------------------------------------------------------

    def _acquire(self) -> sqlite3.Connection:
        with self._lock:
            if self._pid != os.getpid():
                # A forked child must not use its parent's connections: forget them.
                self._idle.clear()
                self._pid = os.getpid()
            if self._idle:
                return self._idle.pop()
        return self._open()

    def _release(self, conn: sqlite3.Connection, *, reuse: bool) -> None:
        with self._lock:
            if reuse and not conn.in_transaction and len(self._idle) < _MAX_IDLE_CONNECTIONS:
                self._idle.append(conn)
                return
        conn.close()

    def _open(self) -> sqlite3.Connection:
        target = self._uri or self.path
        conn = sqlite3.connect(
            target,
            timeout=self.timeout,
            isolation_level=None,
            check_same_thread=False,
            uri=self._uri is not None,
        )
        conn.row_factory = sqlite3.Row
        return conn

    # -- first use ---------------------------------------------------------------------------

    def _prepare(self) -> None:
        """Check the path, open the file, create or migrate its tables; once per store."""
        if self._ready:
            return
        self._check_path()
        self._read_only = self._why_read_only()
        try:
            if self._read_only is None:
                with contextlib.closing(self._open()) as conn:
                    _enable_wal(conn, deadline=time.monotonic() + self.timeout)
                    self._create_or_migrate(conn)
            else:
                self._open_read_only()
        except sqlite3.Error as exc:
            raise translate(exc, path=self.path, timeout=self.timeout) from exc
        self._ready = True

    def _check_path(self) -> None:
        directory = os.path.dirname(os.path.abspath(self.path))
        if os.path.isdir(self.path):
            raise InvalidDatabasePath(
                f"{self.path} is a directory; SQLiteStore needs the path of a database file "
                f"in it, such as {os.path.join(self.path, 'future_payments.db')}"
            )
        if not os.path.isdir(directory):
            what = "is not a directory" if os.path.exists(directory) else "does not exist"
            raise InvalidDatabasePath(
                f"the directory {directory} of the SQLite database {self.path} {what}; "
                "create it first (SQLiteStore creates the file, not its directories)"
            )

    def _why_read_only(self) -> str | None:
        """Why this process may only read the file, or None when it may write it too."""
        directory = os.path.dirname(os.path.abspath(self.path))
        if not os.path.exists(self.path):
            if not os.access(directory, os.W_OK):
                raise DatabaseReadOnly(
                    f"cannot create the SQLite database {self.path}: this process may not "
                    f"write to the directory {directory}"
                )
            return None
        if not os.access(self.path, os.R_OK):
            raise DatabaseUnreachable(
                f"cannot open the SQLite database {self.path}: this process may not read it"
            )
        if not os.access(self.path, os.W_OK):
            return "the file is read-only for this process"
        side_files = [self.path + suffix for suffix in ("-wal", "-shm")]
        if not os.access(directory, os.W_OK) and not all(os.access(f, os.W_OK) for f in side_files):
            return (
                f"its directory {directory} is read-only for this process, and SQLite writes "
                "its -wal and -shm files there"
            )
        return None

    def _open_read_only(self) -> None:
        """Open for reading only; in a read-only directory without a WAL file, as immutable."""
        self._uri = f"file:{urllib.parse.quote(os.path.abspath(self.path))}?mode=ro"
        try:
            with contextlib.closing(self._open()) as conn:
                self._check_read_only(conn)
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", None) not in _NO_SHARED_MEMORY or (
                os.path.exists(self.path + "-wal")
            ):
                raise
            # SQLite cannot make the shared-memory file a WAL reader needs. With no WAL file
            # the database file holds every commit, and nobody can write here anyway.
            self._uri += "&immutable=1"
            with contextlib.closing(self._open()) as conn:
                self._check_read_only(conn)

    def _check_read_only(self, conn: sqlite3.Connection) -> None:
        version = _version(conn)
        if version is not None and version > schema.SCHEMA_VERSION:
            raise self._newer(version)
        if version != schema.SCHEMA_VERSION:
            needs = (
                "has no future_payments tables"
                if version is None
                else f"has schema version {version} and needs migrating to {schema.SCHEMA_VERSION}"
            )
            raise DatabaseReadOnly(
                f"the SQLite database {self.path} {needs}, but {self._read_only}. Open it "
                "once with write access, and this future_payments sets it up."
            )
        self._verify(conn, schema.SCHEMA_VERSION)

    # -- schema ------------------------------------------------------------------------------

    def _create_or_migrate(self, conn: sqlite3.Connection) -> None:
        """Bring the file to ``SCHEMA_VERSION`` in one transaction; safe for racing processes."""
        if _version(conn) == schema.SCHEMA_VERSION and self._is_current(conn):
            return  # the common case: nothing to write, so no write lock
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = _version(conn)  # again, now that this connection holds the write lock
            if version is not None and version > schema.SCHEMA_VERSION:
                raise self._newer(version)
            # The tables already there must be ours before anything is added to them.
            self._verify(conn, version or schema.SCHEMA_VERSION, all_tables=version is not None)
            for step in steps_after(version) if version is not None else ():
                _apply(conn, step)
            for statement in schema.SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            if version != schema.SCHEMA_VERSION:
                conn.execute(schema.INSERT_VERSION, {"version": schema.SCHEMA_VERSION})
            self._verify(conn, schema.SCHEMA_VERSION)
        except BaseException:
            conn.rollback()
            raise
        conn.execute("COMMIT")

    def _is_current(self, conn: sqlite3.Connection) -> bool:
        try:
            self._verify(conn, schema.SCHEMA_VERSION)
        except (SchemaMissing, ForeignSchema):
            return False  # decided again, and raised, under the write lock
        return True

    def _verify(self, conn: sqlite3.Connection, version: int, *, all_tables: bool = True) -> None:
        """Raise unless every table of ``version`` exists with future_payments' columns.

        A table that a later version introduces is checked against today's columns when it
        exists already. With ``all_tables=False`` (a new file), missing tables are fine.
        """
        expected = expected_columns()
        present = {row[0] for row in conn.execute(schema.LIST_TABLES)}
        of_version = set(tables_at(version, expected))
        for table, columns in expected.items():
            if table not in present:
                if table in of_version and all_tables:
                    raise SchemaMissing(
                        f"the table {table} is missing from the SQLite database {self.path}, "
                        f"which has schema version {version}: it was dropped. Restore the file "
                        "from a backup; the store never recreates a table that held data."
                    )
                continue
            at = version if table in of_version else schema.SCHEMA_VERSION
            found = {r[0] for r in conn.execute(schema.LIST_COLUMNS, {"table": table})}
            missing = sorted(columns_at(at, table, columns) - found)
            if missing:
                raise ForeignSchema(
                    f"the table {table} in {self.path} lacks the columns {', '.join(missing)}: "
                    "it belongs to another application. Give SQLiteStore a file of its own."
                )

    def _newer(self, version: int) -> SchemaVersionMismatch:
        return SchemaVersionMismatch(
            f"{self.path} has schema version {version}, newer than this future_payments "
            f"understands ({schema.SCHEMA_VERSION}); upgrade future-payments. (If that "
            "schema_version table is another application's, give SQLiteStore a file of its "
            "own.)"
        )


def _version(conn: sqlite3.Connection) -> int | None:
    """The file's schema version, or None when it has no ``schema_version`` table yet."""
    tables = {row[0] for row in conn.execute(schema.LIST_TABLES)}
    if "schema_version" not in tables:
        return None
    version = conn.execute(schema.SELECT_VERSION).fetchone()[0]
    return None if version is None else int(version)


def _apply(conn: sqlite3.Connection, step: Step) -> None:
    """Run one migration step inside the caller's transaction (its keys are exact already)."""
    for table, names in step.columns.items():
        present = {r[0] for r in conn.execute(schema.LIST_COLUMNS, {"table": table})}
        for name in names:
            if name not in present:
                definition = expected_columns()[table][name]
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {definition}")
    for statement in step.fill:
        conn.execute(statement.format(**{table: table for table in expected_columns()}))


def _enable_wal(conn: sqlite3.Connection, *, deadline: float) -> None:
    """Switch the file to WAL (persistent); the switch ignores the busy timeout, so retry."""
    while True:
        try:
            if conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal":
                return
        except sqlite3.OperationalError as exc:
            busy = getattr(exc, "sqlite_errorcode", 0) & 0xFF in _BUSY_CODES
            if not busy or time.monotonic() >= deadline:
                raise
        if time.monotonic() >= deadline:
            raise sqlite3.OperationalError("database is locked: could not switch to WAL mode")
        time.sleep(0.01)


def _close_all(connections: list[sqlite3.Connection]) -> None:
    while connections:
        connections.pop().close()


class JoinedFile:
    """The file as seen from inside ``SQLiteStore.atomic()``: every call joins one transaction.

    ``connection()`` hands out the block's connection, already inside its ``BEGIN IMMEDIATE``;
    the block commits or rolls back when it ends (``SQLiteFile.connection``).
    """

    def __init__(self, conn: sqlite3.Connection, file: SQLiteFile) -> None:
        self._conn = conn
        self.path = file.path
        self.timeout = file.timeout

    def close(self) -> None:
        """Nothing to close: the block's connection goes back to the pool when it ends."""

    @contextlib.contextmanager
    def connection(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        """The block's connection (reads and writes alike)."""
        with translated(self.path, self.timeout):
            yield self._conn


@contextlib.contextmanager
def translated(path: str, timeout: float) -> Iterator[None]:
    """Turn a ``sqlite3`` error into the ``StoreError`` leaf that explains it."""
    try:
        yield
    except sqlite3.Error as exc:
        raise translate(exc, path=path, timeout=timeout) from exc
    except (UnicodeEncodeError, OverflowError) as exc:
        # sqlite3 could not bind a parameter; refuses_unstorable stops these first.
        raise UnstorableValue(f"a value could not be stored in {path}: {exc}") from exc
