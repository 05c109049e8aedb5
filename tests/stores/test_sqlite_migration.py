"""SQLiteStore migrates a version-1 file (made by release 1's DDL) when it opens it.

In one transaction: every row survives and reads back as before, the new columns get their
values (the state rank of each stored charge), the new tables appear, and a migration that
fails leaves the file at version 1, untouched. Processes opening one old file at once
migrate it once.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from future_payments._models import ChargeRecord
from future_payments.errors import ForeignSchema
from future_payments.stores import SQLiteStore
from future_payments.stores._sqlite_schema import SCHEMA_VERSION
from tests.stores._records import refund
from tests.stores._version1 import EXPECTED, read_back, sqlite_store_statements


def _version1(path: Path) -> Path:
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        for statement in sqlite_store_statements():
            conn.execute(statement)
    return path


def _versions(path: Path) -> list[int]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return [r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY 1")]


def _columns(path: Path, table: str) -> list[str]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def test_every_row_survives(tmp_path: Path) -> None:
    """Customers, sessions, methods with their default, events and charges read back alike."""
    with SQLiteStore(_version1(tmp_path / "v1.db")) as store:
        assert EXPECTED == read_back(store)


def test_the_file_is_at_the_new_version(tmp_path: Path) -> None:
    """The migration records the new version beside the old one."""
    path = _version1(tmp_path / "v1.db")
    with SQLiteStore(path) as store:
        store.get_customer_id("user-1")
    assert [1, SCHEMA_VERSION] == _versions(path)


def test_a_migrated_file_has_a_fresh_files_columns(tmp_path: Path) -> None:
    """Every table of a migrated file has the same columns, in order, as a new file's."""
    old, new = _version1(tmp_path / "v1.db"), tmp_path / "new.db"
    for path in (old, new):
        with SQLiteStore(path) as store:
            store.get_customer_id("user-1")
    tables = ["customers", "setup_sessions", "payment_methods", "events", "charges"]
    tables += ["refunds", "attempts"]
    assert [_columns(new, t) for t in tables] == [_columns(old, t) for t in tables]


def test_stored_charges_get_their_state_rank(tmp_path: Path) -> None:
    """A migrated declined charge outranks same-second processing news (rank filled in)."""
    with SQLiteStore(_version1(tmp_path / "v1.db")) as store:
        news = ChargeRecord("order-2", "user-1", 500, "eur", "pm_1", "processing", "pi_2", as_of=11)
        assert "declined" == store.update_charge(news).state


def test_new_tables_work_after_migration(tmp_path: Path) -> None:
    """Refunds and attempts can be stored in a migrated file."""
    with SQLiteStore(_version1(tmp_path / "v1.db")) as store:
        store.claim_refund(refund())
        store.begin_attempt("charge", "order-1", now=5)
        refunds = list(store.list_refunds("order-1"))
        attempt = store.next_attempt("charge", "order-1", after=1, now=6)
    assert ([refund()], 2) == (refunds, attempt.number)


def test_a_failed_migration_leaves_version_1(tmp_path: Path) -> None:
    """A migration stopped by a foreign table leaves the file as it was, at version 1."""
    path = _version1(tmp_path / "v1.db")
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("CREATE TABLE refunds (id INTEGER PRIMARY KEY, note TEXT)")
    before = _columns(path, "charges")
    with pytest.raises(ForeignSchema, match="refunds"):
        SQLiteStore(path).get_customer_id("user-1")
    assert ([1], before) == (_versions(path), _columns(path, "charges"))


def _open_and_read(path: str) -> str | None:
    with SQLiteStore(path) as store:
        return store.get_customer_id("user-1")


def test_processes_opening_an_old_file_migrate_it_once(tmp_path: Path) -> None:
    """Four processes opening one version-1 file at once all read it; it migrates once."""
    path = _version1(tmp_path / "v1.db")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        answers = pool.map(_open_and_read, [str(path)] * 4)
    assert (["cus_1"] * 4, [1, SCHEMA_VERSION]) == (answers, _versions(path))
