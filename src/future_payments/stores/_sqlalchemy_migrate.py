"""Creating, migrating and checking the SQLAlchemy store's tables.

``create_schema`` brings the tables to ``SCHEMA_VERSION``: it runs each step of ``_migrations``
above the stored version, in order, then creates what is missing, under a lock that makes
concurrent callers wait for each other. Each operation of a step checks first whether it is
done, so a migration that stopped half-way (MariaDB commits each ``ALTER TABLE`` by itself)
completes when ``create_schema`` runs again; the version row changes last. On PostgreSQL and
SQLite the whole migration is one transaction.

``check_schema`` runs once per store, before its first call: tables of this version, with the
columns this code reads, or an error that says what to do.
"""

from __future__ import annotations

import contextlib
import time
import zlib
from collections.abc import Iterator, Mapping
from typing import Any, Protocol

import attrs
import sqlalchemy as sa

from future_payments.errors import (
    DatabaseBusy,
    ForeignSchema,
    SchemaMissing,
    SchemaVersionMismatch,
)
from future_payments.stores._migrations import (
    SCHEMA_VERSION,
    Step,
    columns_at,
    steps_after,
    tables_at,
)
from future_payments.stores._sqlalchemy_schema import ExactKey, Tables
from future_payments.stores._sqlalchemy_statements import upsert

_MYSQL = ("mysql", "mariadb")
_LOCK_WAIT_SECONDS = 120


class Database(Protocol):
    """What migrating needs of ``_sqlalchemy_engine.Database`` (which calls this module)."""

    engine: sa.Engine
    dialect: str
    prefix: str
    tables: Tables

    def shown_url(self) -> str: ...

    def connect(self, engine: sa.Engine) -> sa.Connection: ...


def create_schema(db: Database) -> None:
    """Create the missing tables and migrate older ones to ``SCHEMA_VERSION``, keeping rows."""
    for attempt in range(3):
        try:
            with db.connect(db.engine) as conn, _exclusive(conn, db):
                _create_or_migrate(conn, db)
            return
        except sa.exc.DBAPIError:
            # Another process created the same tables between our check and our CREATE.
            if attempt == 2:
                raise
            time.sleep(0.05 * (attempt + 1))


def check_schema(db: Database, conn: sa.Connection) -> None:
    """Raise unless ``conn`` sees this version's tables with their columns."""
    stored = _stored_version(conn, db.tables)
    name = db.tables.schema_version.name
    if stored is None:
        raise SchemaMissing(
            f"the future_payments tables ({name} and the others with prefix "
            f"{db.prefix!r}) do not exist in {db.shown_url()}; call "
            "store.create_schema() once, or pass create_schema=True"
        )
    if stored > SCHEMA_VERSION:
        raise _newer(db, stored)
    if stored < SCHEMA_VERSION:
        raise SchemaVersionMismatch(
            f"the tables with prefix {db.prefix!r} in {db.shown_url()} have schema version "
            f"{stored}; this future_payments uses {SCHEMA_VERSION}. Call store.create_schema() "
            "once (await it on AsyncSQLAlchemyStore), as a database user that may ALTER and "
            "CREATE tables: it migrates them in place and keeps every row (see 'Migrating' in "
            "docs/storage.md)."
        )
    present = _columns(conn, db.tables)
    for table in _tables_at(db.tables, SCHEMA_VERSION):
        if table.name not in present:
            raise SchemaMissing(
                f"the table {table.name} is missing from {db.shown_url()}: it was dropped. "
                "Restore it from a backup if it held data; store.create_schema() recreates it "
                "empty."
            )
    _verify_columns(db, present, SCHEMA_VERSION)


# -- the migration ---------------------------------------------------------------------------


def _create_or_migrate(conn: sa.Connection, db: Database) -> None:
    with conn.begin():
        if db.dialect == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif db.dialect == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_lock_number(db))))
        stored = _stored_version(conn, db.tables)
        if stored is not None and stored > SCHEMA_VERSION:
            raise _newer(db, stored)
        if stored is not None:
            _verify_columns(db, _columns(conn, db.tables), stored)
            for step in steps_after(stored):
                _apply(conn, db, step, stored)
        db.tables.metadata.create_all(conn, checkfirst=True)
        sv = db.tables.schema_version
        version = {"version": SCHEMA_VERSION}
        conn.execute(upsert(db.dialect, sv, {"id": 1, **version}, "id", version))
        _verify_columns(db, _columns(conn, db.tables), SCHEMA_VERSION)


def _apply(conn: sa.Connection, db: Database, step: Step, stored: int) -> None:
    """Run one step; each operation first checks whether an interrupted run already did it."""
    present = _columns(conn, db.tables)
    ddl = conn.dialect
    for short, names in step.columns.items():
        table = db.tables.named(short)
        if table.name not in present:
            continue
        for name in names:
            if name not in present[table.name]:
                column = sa.schema.CreateColumn(table.c[name]).compile(dialect=ddl)
                conn.exec_driver_sql(f"ALTER TABLE {_quoted(conn, table)} ADD COLUMN {column}")
    quoted = {short: _quoted(conn, db.tables.named(short)) for short in _SHORT_NAMES}
    for statement in step.fill:
        conn.exec_driver_sql(statement.format(**quoted))
    if step.exact_keys and db.dialect in _MYSQL:
        for table in _tables_at(db.tables, stored):
            changes = [
                f"MODIFY {sa.schema.CreateColumn(column).compile(dialect=ddl)}"
                for column in table.columns
                if isinstance(column.type, ExactKey)
                and not isinstance(present[table.name][column.name], sa.types.VARBINARY)
            ]
            if changes:
                conn.exec_driver_sql(f"ALTER TABLE {_quoted(conn, table)} {', '.join(changes)}")


@contextlib.contextmanager
def _exclusive(conn: sa.Connection, db: Database) -> Iterator[None]:
    """On MariaDB/MySQL, a named lock that outlives the commits its DDL makes."""
    if db.dialect not in _MYSQL:
        yield
        return
    name = f"future_payments.{db.engine.url.database}.{db.prefix}"[:64]
    got = conn.execute(sa.select(sa.func.get_lock(name, _LOCK_WAIT_SECONDS))).scalar()
    conn.commit()  # the named lock belongs to the session, not to this transaction
    if got != 1:
        raise DatabaseBusy(
            f"another process kept the schema of {db.shown_url()} locked for "
            f"{_LOCK_WAIT_SECONDS} s (a migration?); retry create_schema() when it is done"
        )
    try:
        yield
    finally:
        with contextlib.suppress(sa.exc.DBAPIError):
            conn.execute(sa.select(sa.func.release_lock(name)))
            conn.commit()


def _lock_number(db: Database) -> int:
    """PostgreSQL's advisory lock key for this prefix: a stable number of the name."""
    return zlib.crc32(f"future_payments.{db.prefix}".encode())


# -- what is there ---------------------------------------------------------------------------


def _stored_version(conn: sa.Connection, tables: Tables) -> int | None:
    if not sa.inspect(conn).has_table(tables.schema_version.name):
        return None
    stored = conn.execute(sa.select(tables.schema_version.c.version)).scalar()
    return None if stored is None else int(stored)


def _columns(conn: sa.Connection, tables: Tables) -> dict[str, dict[str, Any]]:
    """The columns (name -> reflected type) of each of the store's tables that exist."""
    names = [t.name for t in tables.metadata.sorted_tables]
    found = sa.inspect(conn).get_multi_columns(filter_names=names)
    return {name: {c["name"]: c["type"] for c in columns} for (_, name), columns in found.items()}


def _tables_at(tables: Tables, version: int) -> list[sa.Table]:
    """The tables of ``version``: all but those later steps introduce."""
    return [tables.named(n) for n in tables_at(version, _SHORT_NAMES)]


def _verify_columns(db: Database, present: Mapping[str, Mapping[str, Any]], version: int) -> None:
    """Raise ``ForeignSchema`` for a table of ours that lacks a column ``version`` has."""
    for table in _tables_at(db.tables, version):
        if table.name not in present:
            continue
        short = table.name.removeprefix(db.prefix)
        missing = sorted(columns_at(version, short, table.c.keys()) - set(present[table.name]))
        if missing:
            raise ForeignSchema(
                f"the table {table.name} in {db.shown_url()} lacks the columns "
                f"{', '.join(missing)}: it is not future_payments'. Give the store another "
                "table_prefix."
            )


def _newer(db: Database, stored: int) -> SchemaVersionMismatch:
    return SchemaVersionMismatch(
        f"the tables with prefix {db.prefix!r} in {db.shown_url()} have schema version "
        f"{stored}, newer than this future_payments understands ({SCHEMA_VERSION}); upgrade "
        "future-payments to the version that wrote them"
    )


def _quoted(conn: sa.Connection, table: sa.Table) -> str:
    return conn.dialect.identifier_preparer.format_table(table)


_SHORT_NAMES = tuple(f.name for f in attrs.fields(Tables) if f.name != "metadata")
