"""The ``store`` fixture: every Store implementation, for the shared conformance suite."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from future_payments.stores import MemoryStore, SQLiteStore, Store


def _memory(tmp_path: Path) -> Iterator[Store]:
    yield MemoryStore()


def _sqlite(tmp_path: Path) -> Iterator[Store]:
    yield SQLiteStore(tmp_path / "store.db")


def _sqlalchemy(kind: str) -> Callable[[Path], Iterator[Store]]:
    def make(tmp_path: Path) -> Iterator[Store]:
        # The SQLAlchemy factories live beside this file; imported lazily so that a broken
        # database driver fails only the tests that need it.
        from tests.stores._sqlalchemy_factories import make_sqlalchemy_store

        yield from make_sqlalchemy_store(kind, tmp_path)

    return make


def _async(kind: str) -> Callable[[Path], Iterator[Store]]:
    def make(tmp_path: Path) -> Iterator[Store]:
        from tests.stores._async_factories import make_async_store

        yield from make_async_store(kind, tmp_path)

    return make


STORE_KINDS: dict[str, Callable[[Path], Iterator[Store]]] = {
    "memory": _memory,
    "sqlite": _sqlite,
    "sqlalchemy-sqlite": _sqlalchemy("sqlite"),
    "postgresql": _sqlalchemy("postgresql"),
    "mariadb": _sqlalchemy("mariadb"),
    "async-sqlite": _async("sqlite"),
    "async-postgresql": _async("postgresql"),
}

# Stores that several processes can share (the cross-process race tests use these).
SHARED_KINDS = ["sqlite", "sqlalchemy-sqlite", "postgresql", "mariadb"]


@pytest.fixture(params=list(STORE_KINDS))
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty store of each kind."""
    yield from STORE_KINDS[request.param](tmp_path)
