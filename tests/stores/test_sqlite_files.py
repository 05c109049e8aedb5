"""SQLiteStore and its file: every way the file can be wrong is a StoreError leaf, nothing written.

A directory, a missing parent, a corrupt or truncated file, another application's tables, a
table dropped under the store, a read-only file or directory (reads still work), a lock held
past the busy timeout. The read-only cases run the store in a child process that may not write
(as ``nobody`` when the tests run as root, since root may write anything).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from future_payments._models import ChargeRecord
from future_payments.errors import (
    DatabaseBusy,
    DatabaseCorrupt,
    ForeignSchema,
    InvalidDatabasePath,
    SchemaMissing,
    StoreError,
)
from future_payments.stores import SQLiteStore
from tests.stores._version1 import sqlite_store_statements


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _made(path: Path) -> Path:
    """A current store file at ``path`` holding customer user-1, every connection closed."""
    with SQLiteStore(path) as store:
        store.add_customer("user-1", "cus_1")
    return path


# -- the path --------------------------------------------------------------------------------


def test_a_directory_is_refused(tmp_path: Path) -> None:
    """A path that is a directory raises InvalidDatabasePath, suggesting a file in it."""
    with pytest.raises(InvalidDatabasePath, match="is a directory") as info:
        SQLiteStore(tmp_path).get_customer_id("user-1")
    assert (True, str(tmp_path / "future_payments.db")) == (
        isinstance(info.value, ValueError),
        str(info.value).split("such as ")[1],
    )


def test_a_missing_parent_is_refused(tmp_path: Path) -> None:
    """A file in a directory that does not exist raises InvalidDatabasePath, creating nothing."""
    with pytest.raises(InvalidDatabasePath, match="does not exist; create it first"):
        SQLiteStore(tmp_path / "nowhere" / "store.db").add_customer("user-1", "cus_1")
    assert [] == list(tmp_path.iterdir())


def test_a_parent_that_is_a_file_is_refused(tmp_path: Path) -> None:
    """A path below a regular file raises InvalidDatabasePath."""
    (tmp_path / "plain").write_text("not a directory")
    with pytest.raises(InvalidDatabasePath, match="is not a directory"):
        SQLiteStore(tmp_path / "plain" / "store.db").get_customer_id("user-1")


def test_an_empty_file_becomes_a_store(tmp_path: Path) -> None:
    """An existing empty file is an empty database: the store sets it up."""
    path = tmp_path / "empty.db"
    path.touch()
    with SQLiteStore(path) as store:
        assert "cus_1" == store.add_customer("user-1", "cus_1")


# -- the content -----------------------------------------------------------------------------


def test_a_file_that_is_not_a_database_is_corrupt(tmp_path: Path) -> None:
    """A file of other bytes raises DatabaseCorrupt and is left exactly as it was."""
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    before = _digest(path)
    with pytest.raises(DatabaseCorrupt, match="not a SQLite database"):
        SQLiteStore(path).add_customer("user-1", "cus_1")
    assert before == _digest(path)


def test_a_truncated_file_is_corrupt(tmp_path: Path) -> None:
    """A store file cut short raises DatabaseCorrupt on every call, reads and writes alike."""
    path = tmp_path / "cut.db"
    with SQLiteStore(path) as store:
        for i in range(500):
            store.claim_charge(ChargeRecord(f"order-{i}", "u", 100, "usd", "pm", message="x" * 200))
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size // 2)
    store = SQLiteStore(path)
    raised = []
    for call in (lambda: store.get_charge("order-499"), lambda: store.add_customer("u", "c")):
        with pytest.raises(StoreError) as info:
            call()
        raised.append(type(info.value))
    assert [DatabaseCorrupt, DatabaseCorrupt] == raised


def test_another_apps_tables_are_a_foreign_schema(tmp_path: Path) -> None:
    """A table named like ours with other columns raises ForeignSchema and changes nothing."""
    path = tmp_path / "app.db"
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO customers (name) VALUES ('Ada')")
    with pytest.raises(ForeignSchema, match=r"customers .*lacks the columns customer_id"):
        SQLiteStore(path).add_customer("user-1", "cus_1")
    with contextlib.closing(sqlite3.connect(path)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows = conn.execute("SELECT * FROM customers").fetchall()
    assert (["customers"], [(1, "Ada")]) == (tables, rows)


def test_another_apps_schema_version_table_is_a_foreign_schema(tmp_path: Path) -> None:
    """A schema_version table without a version column raises ForeignSchema."""
    path = tmp_path / "app.db"
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE schema_version (id INTEGER, applied_at TEXT)")
    with pytest.raises(ForeignSchema):
        SQLiteStore(path).get_customer_id("user-1")


def test_unrelated_tables_are_left_alone(tmp_path: Path) -> None:
    """A file that holds only another app's unrelated tables gets ours beside them."""
    path = tmp_path / "app.db"
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER)")
        conn.execute("INSERT INTO orders (total) VALUES (1999)")
    with SQLiteStore(path) as store:
        store.add_customer("user-1", "cus_1")
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert [(1, 1999)] == conn.execute("SELECT * FROM orders").fetchall()


def test_a_table_dropped_while_open_is_schema_missing(tmp_path: Path) -> None:
    """A table dropped under an open store raises SchemaMissing; nothing recreates it."""
    path = _made(tmp_path / "store.db")
    store = SQLiteStore(path)
    store.get_customer_id("user-1")
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("DROP TABLE charges")
    with pytest.raises(SchemaMissing, match="Restore the file from a backup"):
        store.claim_charge(ChargeRecord("order-1", "user-1", 100, "usd", "pm_1"))


def test_a_file_missing_a_table_is_schema_missing(tmp_path: Path) -> None:
    """Opening a store file whose table was dropped raises SchemaMissing, recreating nothing."""
    path = _made(tmp_path / "store.db")
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("DROP TABLE events")
    with pytest.raises(SchemaMissing, match="the table events is missing"):
        SQLiteStore(path).get_customer_id("user-1")
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert [] == conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'events'").fetchall()


def test_lock_held_past_the_timeout_is_busy(tmp_path: Path) -> None:
    """A write that waits out the busy timeout raises DatabaseBusy, a TimeoutError."""
    path = _made(tmp_path / "locked.db")
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(DatabaseBusy, match="locked") as info:
            SQLiteStore(path, timeout=0.05).add_customer("user-2", "cus_2")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert isinstance(info.value, TimeoutError)


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    """A write that fails half-way (the default index refuses it) is rolled back whole."""
    path = _made(tmp_path / "store.db")
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        # A trigger that fails the second statement of add_customer's transaction.
        conn.execute(
            "CREATE TRIGGER no_cus_2 AFTER INSERT ON customers WHEN NEW.customer_id = 'cus_2' "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )
    with SQLiteStore(path) as store:
        with pytest.raises(StoreError, match="refused by the test"):
            store.add_customer("user-2", "cus_2")
        assert (None, "cus_1") == (store.get_customer_id("user-2"), store.get_customer_id("user-1"))


# -- read-only files and directories ---------------------------------------------------------

_NOBODY = 65534


def _read_and_write(path: str) -> dict[str, object]:
    """What a store on ``path`` answers to one read and one write."""
    store = SQLiteStore(path)
    out: dict[str, object] = {}
    try:
        out["read"] = store.get_customer_id("user-1")
    except StoreError as exc:
        out["read"] = type(exc).__name__
        out["message"] = str(exc)
    try:
        store.add_customer("user-2", "cus_2")
        out["write"] = "stored"
    except StoreError as exc:
        out["write"] = type(exc).__name__
        out["permission_error"] = isinstance(exc, PermissionError)
    return out


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory outside pytest's private tmp tree, that a child running as nobody reaches."""
    path = Path(tempfile.mkdtemp(prefix="fp-readonly-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        for p in (path, *path.iterdir()):
            p.chmod(0o755 if p.is_dir() else 0o644)
        shutil.rmtree(path)


def _as_reader(path: Path, *, owned: list[Path]) -> dict[str, object]:
    """``_read_and_write(path)`` in a forked child that owns ``owned`` and nothing else.

    Forked, not started afresh: after dropping to nobody the child could not read this
    interpreter's files, but it already has everything loaded.
    """
    if os.geteuid() == 0:  # root writes anything: the child becomes nobody
        for p in owned:
            os.chown(p, _NOBODY, -1)
    readable, writable = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12+ warns about forking a process with threads; the child only reads
        # and writes one file and exits.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child
        try:
            os.close(readable)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(_NOBODY)
                os.setuid(_NOBODY)
            try:
                out = _read_and_write(str(path))
            except BaseException as exc:  # report anything, never run the parent's code
                out = {"crashed": repr(exc)}
            os.write(writable, json.dumps(out).encode())
        finally:
            os._exit(0)
    os.close(writable)
    with os.fdopen(readable, "rb") as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    result: dict[str, object] = json.loads(answer)
    return result


def test_a_read_only_file_reads_and_refuses_writes(shared_dir: Path) -> None:
    """A read-only file in a writable directory: reads work, a write is DatabaseReadOnly."""
    path = _made(shared_dir / "store.db")
    path.chmod(0o444)
    before = _digest(path)
    outcome = _as_reader(path, owned=[shared_dir])
    expected = {"read": "cus_1", "write": "DatabaseReadOnly", "permission_error": True}
    assert (expected, before) == (outcome, _digest(path))


def test_a_read_only_directory_reads_and_refuses_writes(shared_dir: Path) -> None:
    """A writable file in a read-only directory (no room for -wal/-shm): reads still work."""
    path = _made(shared_dir / "store.db")
    before = _digest(path)
    shared_dir.chmod(0o555)
    outcome = _as_reader(path, owned=[path])
    expected = {"read": "cus_1", "write": "DatabaseReadOnly", "permission_error": True}
    assert (expected, before) == (outcome, _digest(path))


def test_a_read_only_old_file_says_it_needs_migrating(shared_dir: Path) -> None:
    """A read-only version-1 file raises DatabaseReadOnly, naming the migration it needs."""
    path = shared_dir / "old.db"
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        for statement in sqlite_store_statements():
            conn.execute(statement)
    path.chmod(0o444)
    outcome = _as_reader(path, owned=[])
    assert ("DatabaseReadOnly", True) == (
        outcome["read"],
        "schema version 1 and needs migrating" in str(outcome["message"]),
    )
