"""SQLAlchemyStore factories for the tests: SQLite in tmp_path, or a live PostgreSQL / MariaDB.

Isolation on the servers: every store gets its own random table prefix (``t<hex>_``) in the
shared ``test`` database, its tables are created for the test and dropped afterwards. That
takes tens of milliseconds, needs no rights beyond CREATE/DROP TABLE, and lets tests run in
parallel (pytest-xdist, or several checkouts on one machine) without seeing each other.

When a server is unreachable the tests that need it skip with the reason, except under
``CI=true``, where they fail: CI must prove the store against both servers.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from future_payments.stores import SQLAlchemyStore, Store
from future_payments.stores._sqlalchemy_schema import build_tables

SERVER_URLS = {
    "postgresql": ("FUTURE_PAYMENTS_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    "mariadb": ("FUTURE_PAYMENTS_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
SERVER_KINDS = list(SERVER_URLS)

# Why a server was unreachable, remembered so that the next tests skip without waiting again.
_unreachable: dict[str, str] = {}


def server_url(kind: str) -> str:
    """The URL of the test server for ``kind``, from the environment or the default."""
    variable, default = SERVER_URLS[kind]
    return os.environ.get(variable) or default


def unavailable(reason: str) -> None:
    """Skip the test, or fail it under CI (where the servers must be there)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: database tests must not skip)", pytrace=False)
    pytest.skip(reason)


def server_engine(kind: str) -> sa.Engine:
    """An engine on the live server for ``kind``; skips or fails the test when unreachable."""
    if kind in _unreachable:
        unavailable(_unreachable[kind])
    url = sa.make_url(server_url(kind))
    engine = sa.create_engine(url, connect_args={"connect_timeout": 5}, hide_parameters=True)
    try:
        with engine.connect():
            pass
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        shown = url.render_as_string(hide_password=True)
        variable = SERVER_URLS[kind][0]
        _unreachable[kind] = (
            f"{kind} server not reachable at {shown} ({str(exc.orig).strip().splitlines()[0]}); "
            f"start it or point {variable} at one"
        )
        unavailable(_unreachable[kind])
    return engine


def new_prefix() -> str:
    """A table prefix no other test uses."""
    return f"t{secrets.token_hex(5)}_"


def drop_tables(engine: sa.Engine, prefix: str) -> None:
    """Drop every table the store made with ``prefix``."""
    build_tables(prefix).metadata.drop_all(engine)


def make_sqlalchemy_store(kind: str, tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty SQLAlchemyStore of ``kind`` (sqlite, postgresql or mariadb)."""
    if kind == "sqlite":
        store = SQLAlchemyStore(f"sqlite:///{tmp_path / 'sqlalchemy.db'}", create_schema=True)
        try:
            yield store
        finally:
            store.close()
        return
    if kind not in SERVER_URLS:
        raise ValueError(f"unknown SQLAlchemy store kind {kind!r}")
    engine = server_engine(kind)
    prefix = new_prefix()
    try:
        yield SQLAlchemyStore(engine, table_prefix=prefix, create_schema=True)
    finally:
        try:
            drop_tables(engine, prefix)
        finally:
            engine.dispose()


@contextmanager
def server_store(kind: str) -> Iterator[tuple[sa.Engine, SQLAlchemyStore, str]]:
    """Fresh tables on the live ``kind`` server: an engine, a store on them, their prefix.

    For tests whose worker processes open the same tables themselves, with
    ``SQLAlchemyStore(server_url(kind), table_prefix=prefix)``. The tables are dropped
    afterwards. Skips or fails (under CI) like ``server_engine`` when the server is unreachable.
    """
    engine = server_engine(kind)
    prefix = new_prefix()
    try:
        with SQLAlchemyStore(engine, table_prefix=prefix, create_schema=True) as store:
            yield engine, store, prefix
    finally:
        try:
            drop_tables(engine, prefix)
        finally:
            engine.dispose()


@contextmanager
def tables_of(kind: str, tmp_path: Path) -> Iterator[tuple[sa.Engine, str]]:
    """An engine of ``kind`` (a file in ``tmp_path`` for sqlite) and a prefix for its tables.

    The tables made with the prefix are dropped, and the engine disposed, afterwards.
    """
    if kind == "sqlite":
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'tables.db'}")
    else:
        engine = server_engine(kind)
    prefix = new_prefix()
    try:
        yield engine, prefix
    finally:
        try:
            drop_tables(engine, prefix)
        finally:
            engine.dispose()
