"""The tables behind ``SQLAlchemyStore``: schema version, rows <-> values, dialect statements.

Imported only by ``future_payments.stores._sqlalchemy``, which checks first that SQLAlchemy is
installed. ``docs/storage.md`` shows the same schema as PostgreSQL DDL; change both
together, and bump ``SCHEMA_VERSION`` (with a migration note) whenever a table changes.
"""

from __future__ import annotations

import re
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from future_payments._models import (
    ChargeRecord,
    SavedPaymentMethod,
    SetupSessionRecord,
)
from future_payments.stores import _rows as rows
from future_payments.stores._protocol import MAX_REF_LENGTH

SCHEMA_VERSION = 1
"""The layout these tables describe; stored in ``<prefix>schema_version``."""

PREFIX_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,19}|")
"""Lower-case letters, digits and ``_``; at most 20 characters so that every index name fits
PostgreSQL's 63-character identifiers."""

# MariaDB: InnoDB for transactions and row locks; a binary collation because Stripe ids and
# idempotency keys are case-sensitive (the default collations would make "pm_A" == "pm_a").
# SQLAlchemy reads the mysql_ options for mysql:// URLs and the mariadb_ ones for mariadb://.
_MARIADB: dict[str, Any] = {
    f"{dialect}_{option}": value
    for dialect in ("mysql", "mariadb")
    for option, value in (("engine", "InnoDB"), ("charset", "utf8mb4"), ("collate", "utf8mb4_bin"))
}

# An auto-increment surrogate key orders rows by insertion ("oldest first"). SQLite only
# auto-increments an INTEGER PRIMARY KEY, hence the variant.
_SEQ_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _key(
    name: str,
    *,
    nullable: bool = False,
    primary_key: bool = False,
    unique: bool = False,
    index: bool = False,
) -> sa.Column[str]:
    return sa.Column(
        name,
        sa.String(MAX_REF_LENGTH),
        nullable=nullable,
        primary_key=primary_key,
        unique=unique,
        index=index,
    )


def _status(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(16), nullable=False)


@attrs.frozen
class Tables:
    """The store's tables, named with one prefix, in their own ``MetaData``."""

    metadata: sa.MetaData
    schema_version: sa.Table
    customers: sa.Table
    setup_sessions: sa.Table
    payment_methods: sa.Table
    customer_locks: sa.Table
    events: sa.Table
    charges: sa.Table


def build_tables(prefix: str) -> Tables:
    """Describe the tables for ``prefix``; nothing touches a database here."""
    if not PREFIX_PATTERN.fullmatch(prefix):
        raise ValueError(f"bad table prefix {prefix!r}")
    md = sa.MetaData()
    p = prefix
    schema_version = sa.Table(
        f"{p}schema_version",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer, nullable=False),
        **_MARIADB,
    )
    customers = sa.Table(
        f"{p}customers",
        md,
        sa.Column("seq", _SEQ_TYPE, primary_key=True, autoincrement=True),
        _key("customer_ref", nullable=False, unique=True),
        _key("customer_id", nullable=False, index=True),
        **_MARIADB,
    )
    setup_sessions = sa.Table(
        f"{p}setup_sessions",
        md,
        _key("session_id", primary_key=True),
        _key("customer_ref", nullable=False),
        _key("customer_id", nullable=True),
        _status("status"),
        _key("payment_method_id", nullable=True),
        **_MARIADB,
    )
    payment_methods = sa.Table(
        f"{p}payment_methods",
        md,
        sa.Column("seq", _SEQ_TYPE, primary_key=True, autoincrement=True),
        _key("id", nullable=False, unique=True),
        _key("customer_ref", nullable=False, index=True),
        _key("customer_id", nullable=False),
        _key("type", nullable=False),
        _key("brand", nullable=True),
        sa.Column("last4", sa.String(16), nullable=True),
        sa.Column("exp_month", sa.Integer, nullable=True),
        sa.Column("exp_year", sa.Integer, nullable=True),
        _key("fingerprint", nullable=True),
        _status("status"),
        sa.Column("is_default", sa.Boolean, nullable=False),
        sa.Column("as_of", sa.BigInteger, nullable=False),
        **_MARIADB,
    )
    # One row per customer that has methods. Every write to a customer's methods first
    # upserts this row, which locks it until commit: concurrent writers for one customer
    # queue up, so the "exactly one default" rule cannot be broken by two of them at once.
    customer_locks = sa.Table(
        f"{p}customer_locks",
        md,
        _key("customer_ref", primary_key=True),
        sa.Column("writes", sa.BigInteger, nullable=False),
        **_MARIADB,
    )
    events = sa.Table(
        f"{p}events",
        md,
        _key("event_id", primary_key=True),
        sa.Column("completed", sa.Boolean, nullable=False),
        sa.Column("expires_at", sa.Double, nullable=False),
        sa.Column("claim_token", sa.String(32), nullable=False),
        **_MARIADB,
    )
    charges = sa.Table(
        f"{p}charges",
        md,
        _key("idempotency_key", primary_key=True),
        _key("customer_ref", nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(16), nullable=False),
        _key("payment_method_id", nullable=False),
        _status("state"),
        _key("payment_intent_id", nullable=True, index=True),
        sa.Column("client_secret", sa.Text, nullable=True),
        _key("code", nullable=True),
        _key("decline_code", nullable=True),
        sa.Column("message", sa.Text, nullable=True),
        sa.Column("as_of", sa.BigInteger, nullable=False),
        **_MARIADB,
    )
    return Tables(
        metadata=md,
        schema_version=schema_version,
        customers=customers,
        setup_sessions=setup_sessions,
        payment_methods=payment_methods,
        customer_locks=customer_locks,
        events=events,
        charges=charges,
    )


# -- rows <-> value objects ------------------------------------------------------------------

IMMUTABLE_CHARGE_FIELDS = frozenset(
    {"idempotency_key", "customer_ref", "amount", "currency", "payment_method_id"}
)
"""Ledger columns that ``update_charge`` never changes."""


def method_from_row(row: sa.Row[Any]) -> SavedPaymentMethod:
    return rows.method_from_row(row._mapping)


def session_from_row(row: sa.Row[Any]) -> SetupSessionRecord:
    return rows.session_from_row(row._mapping)


def charge_from_row(row: sa.Row[Any]) -> ChargeRecord:
    return rows.charge_from_row(row._mapping)


def method_values(method: SavedPaymentMethod, as_of: int) -> dict[str, Any]:
    return {
        "id": method.id,
        "customer_ref": method.customer_ref,
        "customer_id": method.customer_id,
        "type": method.type,
        "brand": method.brand,
        "last4": method.last4,
        "exp_month": method.exp_month,
        "exp_year": method.exp_year,
        "fingerprint": method.fingerprint,
        "status": method.status,
        "as_of": as_of,
    }


def charge_values(charge: ChargeRecord) -> dict[str, Any]:
    return {
        "idempotency_key": charge.idempotency_key,
        "customer_ref": charge.customer_ref,
        "amount": charge.amount,
        "currency": charge.currency,
        "payment_method_id": charge.payment_method_id,
        "state": charge.state,
        "payment_intent_id": charge.payment_intent_id,
        "client_secret": charge.client_secret,
        "code": charge.code,
        "decline_code": charge.decline_code,
        "message": charge.message,
        "as_of": charge.as_of,
    }


# -- dialect-specific statements -------------------------------------------------------------

_TRANSIENT_SQLSTATES = {"40001", "40P01"}  # PostgreSQL: serialization failure, deadlock
_TRANSIENT_MYSQL_CODES = {1213, 1205}  # MariaDB: deadlock, lock wait timeout


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


def is_transient(exc: sa.exc.DBAPIError) -> bool:
    """Whether retrying the whole transaction may succeed: deadlock, serialization, busy."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in _TRANSIENT_SQLSTATES:
        return True
    args = getattr(orig, "args", ())
    if args and args[0] in _TRANSIENT_MYSQL_CODES:
        return True
    return "database is locked" in str(orig)  # SQLite's busy timeout ran out
