"""The SQLAlchemy store's building blocks: rows <-> values, and the dialect-specific inserts.

Imported only by the SQLAlchemy store's modules, which check first that SQLAlchemy is
installed.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from future_payments._models import (
    Attempt,
    ChargeRecord,
    RefundRecord,
    SavedPaymentMethod,
    SetupSessionRecord,
)
from future_payments.stores import _rows as rows

_MYSQL_DUPLICATE_KEY = 1062

# -- rows <-> value objects ------------------------------------------------------------------


def method_from_row(row: sa.Row[Any]) -> SavedPaymentMethod:
    return rows.method_from_row(row._mapping)


def session_from_row(row: sa.Row[Any]) -> SetupSessionRecord:
    return rows.session_from_row(row._mapping)


def charge_from_row(row: sa.Row[Any]) -> ChargeRecord:
    return rows.charge_from_row(row._mapping)


def refund_from_row(row: sa.Row[Any]) -> RefundRecord:
    return rows.refund_from_row(row._mapping)


def attempt_from_row(row: sa.Row[Any]) -> Attempt:
    return rows.attempt_from_row(row._mapping)


CHARGE_NEWS = (
    "state",
    "payment_intent_id",
    "client_secret",
    "code",
    "decline_code",
    "message",
    "as_of",
    "state_rank",
)
"""Ledger columns that news about a charge replaces; the others never change after the first
write, except ``disputed`` (only ever set) and ``version`` (counted by the store)."""


# -- dialect-specific statements -------------------------------------------------------------


def insert_if_absent(
    dialect: str, table: sa.Table, values: dict[str, Any], key: str
) -> sa.Executable:
    """INSERT unless a row with the same unique key exists; an existing row is left alone.

    The statement waits for a concurrent, uncommitted insert of the same key to finish, so
    a read after it (at READ COMMITTED) sees the winner.
    """
    if dialect == "postgresql":
        return postgresql.insert(table).values(values).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).values(values).on_conflict_do_nothing()
    # Not INSERT IGNORE: that would also turn truncation and other errors into warnings.
    return mysql.insert(table).values(values).on_duplicate_key_update({key: table.c[key]})


def insert_new(conn: sa.Connection, dialect: str, table: sa.Table, values: dict[str, Any]) -> bool:
    """Insert ``values`` unless their unique key is taken; whether this call inserted them.

    PostgreSQL says so through ``RETURNING`` (psycopg reports no row count for an INSERT),
    SQLite through the row count of ``ON CONFLICT DO NOTHING``. MariaDB's ``ON DUPLICATE KEY
    UPDATE`` reports 1 either way (SQLAlchemy sets CLIENT_FOUND_ROWS), so there a plain INSERT
    runs and a duplicate-key error (which InnoDB rolls back alone, not the transaction) means
    "taken".
    """
    if dialect == "postgresql":
        pg = postgresql.insert(table).values(values).on_conflict_do_nothing()
        return conn.execute(pg.returning(sa.literal(1))).first() is not None
    if dialect == "sqlite":
        lite = sqlite.insert(table).values(values).on_conflict_do_nothing()
        return bool(conn.execute(lite).rowcount)
    try:
        conn.execute(sa.insert(table).values(values))
    except sa.exc.IntegrityError as exc:
        args = getattr(exc.orig, "args", ())
        if not args or args[0] != _MYSQL_DUPLICATE_KEY:
            raise
        return False
    return True


def upsert(
    dialect: str, table: sa.Table, values: dict[str, Any], key: str, update: dict[str, Any]
) -> sa.Executable:
    """INSERT, or apply ``update`` to the row with the same ``key`` (which locks it)."""
    if dialect == "postgresql":
        pg = postgresql.insert(table).values(values)
        return pg.on_conflict_do_update(index_elements=[key], set_=update)
    if dialect == "sqlite":
        lite = sqlite.insert(table).values(values)
        return lite.on_conflict_do_update(index_elements=[key], set_=update)
    return mysql.insert(table).values(values).on_duplicate_key_update(update)
