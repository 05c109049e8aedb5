"""SQLAlchemyStore on version-1 tables (made by release 1's DDL): refused, then migrated.

Until ``create_schema()`` runs, every call raises ``SchemaVersionMismatch`` naming it. Then every
row reads back as before, the tables look exactly like freshly created ones (on MariaDB: key
columns become exact ``VARBINARY``), trailing-space twins are apart, and concurrent or repeated
migrations are harmless. On PostgreSQL and SQLite a failed migration leaves version 1 untouched.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import sqlalchemy as sa

from future_payments._models import ChargeRecord
from future_payments.errors import ForeignSchema, SchemaVersionMismatch
from future_payments.stores import SQLAlchemyStore
from future_payments.stores._sqlalchemy_schema import SCHEMA_VERSION, build_tables
from tests.stores._sqlalchemy_factories import drop_tables, new_prefix, tables_of
from tests.stores._version1 import EXPECTED, read_back, sqlalchemy_statements

KINDS = [
    pytest.param("sqlite", id="sqlalchemy-sqlite"),
    pytest.param("postgresql", marks=pytest.mark.database),
    pytest.param("mariadb", marks=pytest.mark.database),
]


class Old(NamedTuple):
    engine: sa.Engine
    prefix: str
    kind: str


@pytest.fixture(params=KINDS)
def old(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Old]:
    """Version-1 tables with rows, as release 1 made them, on each backend."""
    with tables_of(request.param, tmp_path) as (engine, prefix):
        with engine.begin() as conn:
            for statement in sqlalchemy_statements(request.param, prefix):
                conn.exec_driver_sql(statement)
        yield Old(engine, prefix, request.param)


def _migrated(old: Old) -> SQLAlchemyStore:
    store = SQLAlchemyStore(old.engine, table_prefix=old.prefix)
    store.create_schema()
    return store


def _layout(engine: sa.Engine, prefix: str) -> dict[str, list[tuple[str, str, bool]]]:
    """Each table's columns as (name, type, nullable), in order, without the prefix."""
    inspector = sa.inspect(engine)
    return {
        table.name.removeprefix(prefix): [
            (c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table.name)
        ]
        for table in build_tables(prefix).metadata.sorted_tables
        if inspector.has_table(table.name)
    }


def test_old_tables_are_refused_until_migrated(old: Old) -> None:
    """A call on version-1 tables raises SchemaVersionMismatch naming create_schema()."""
    store = SQLAlchemyStore(old.engine, table_prefix=old.prefix)
    with pytest.raises(SchemaVersionMismatch, match=r"version 1; .*Call store.create_schema\(\)"):
        store.get_customer_id("user-1")


def test_every_row_survives(old: Old) -> None:
    """Customers, sessions, methods with their default, events and charges read back alike."""
    assert EXPECTED == read_back(_migrated(old))


def test_the_version_row_is_the_new_version(old: Old) -> None:
    """The one schema_version row says the new version."""
    _migrated(old)
    with old.engine.connect() as conn:
        rows = conn.execute(sa.select(build_tables(old.prefix).schema_version)).all()
    assert [(1, SCHEMA_VERSION)] == [tuple(r) for r in rows]


def test_migrated_tables_look_like_new_ones(old: Old) -> None:
    """Every column of every table has the name, type and nullability a fresh one has."""
    _migrated(old)
    fresh = new_prefix()
    try:
        SQLAlchemyStore(old.engine, table_prefix=fresh, create_schema=True)
        expected = _layout(old.engine, fresh)
    finally:
        drop_tables(old.engine, fresh)
    assert expected == _layout(old.engine, old.prefix)


def test_keys_are_exact_after_migration(old: Old) -> None:
    """A trailing-space twin of a migrated customer_ref is a customer of its own."""
    store = _migrated(old)
    twin = store.add_customer("user-1 ", "cus_9")
    assert ("cus_9", "cus_1") == (twin, store.get_customer_id("user-1"))


def test_stored_charges_get_their_state_rank(old: Old) -> None:
    """A migrated declined charge outranks same-second processing news (rank filled in)."""
    news = ChargeRecord("order-2", "user-1", 500, "eur", "pm_1", "processing", "pi_2", as_of=11)
    assert "declined" == _migrated(old).update_charge(news).state


def test_migrating_again_changes_nothing(old: Old) -> None:
    """create_schema() on migrated tables keeps them and their rows."""
    store = _migrated(old)
    store.create_schema()
    assert EXPECTED == read_back(store)


def test_an_interrupted_migration_completes(old: Old) -> None:
    """Tables left half-way (a column added, version still 1) finish migrating."""
    charges = build_tables(old.prefix).charges
    column = sa.schema.CreateColumn(charges.c.disputed).compile(dialect=old.engine.dialect)
    with old.engine.begin() as conn:
        conn.exec_driver_sql(f"ALTER TABLE {charges.name} ADD COLUMN {column}")
    assert EXPECTED == read_back(_migrated(old))


def test_a_failed_migration_says_why(old: Old) -> None:
    """A table in the way (another app's refunds) raises ForeignSchema; version 1 stays."""
    with old.engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE {old.prefix}refunds (id INTEGER PRIMARY KEY)")
    with pytest.raises(ForeignSchema, match="refunds"):
        SQLAlchemyStore(old.engine, table_prefix=old.prefix).create_schema()
    version = build_tables(old.prefix).schema_version.c.version
    with old.engine.connect() as conn:
        assert 1 == conn.execute(sa.select(version)).scalar()


@pytest.mark.parametrize("old", [p for p in KINDS if p.values[0] != "mariadb"], indirect=True)
def test_a_failed_migration_changes_nothing_where_ddl_is_transactional(old: Old) -> None:
    """On PostgreSQL and SQLite the whole migration rolls back (MariaDB commits each ALTER)."""
    with old.engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE {old.prefix}refunds (id INTEGER PRIMARY KEY)")
    before = _layout(old.engine, old.prefix)
    with pytest.raises(ForeignSchema):
        SQLAlchemyStore(old.engine, table_prefix=old.prefix).create_schema()
    assert before == _layout(old.engine, old.prefix)


def test_concurrent_migrations_leave_one_result(old: Old) -> None:
    """Four stores migrating the same tables at once all succeed; the rows survive."""
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def migrate() -> None:
        barrier.wait(60)
        try:
            SQLAlchemyStore(old.engine, table_prefix=old.prefix).create_schema()
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=migrate) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store: Any = SQLAlchemyStore(old.engine, table_prefix=old.prefix)
    assert ([], EXPECTED) == (errors, read_back(store))
