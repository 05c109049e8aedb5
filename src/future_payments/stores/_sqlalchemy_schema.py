"""The tables behind ``SQLAlchemyStore``: their layout, version, and the type of every key.

Imported only by the SQLAlchemy store's modules, which check first that SQLAlchemy is
installed. ``docs/storage.md`` shows the same schema as PostgreSQL DDL (a test compares them);
change both together, and whenever a table changes bump ``SCHEMA_VERSION`` and add a step in
``_migrations`` (the SQLite store's tables change with these).
"""

from __future__ import annotations

import re
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from future_payments._limits import MAX_REF_LENGTH, SHORT_LENGTH, TEXT_LENGTH, TOKEN_LENGTH
from future_payments.stores._migrations import SCHEMA_VERSION
from future_payments.stores._sqlalchemy_errors import is_transient

__all__ = ["PREFIX_PATTERN", "SCHEMA_VERSION", "ExactKey", "Tables", "build_tables", "is_transient"]


PREFIX_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,19}|")
"""Lower-case letters, digits and ``_``; at most 20 characters so that every index name fits
PostgreSQL's 63-character identifiers."""

# MariaDB: InnoDB for transactions and row locks. The table collation serves the columns that
# hold our own words (states, currencies); keys are ExactKey columns.
# SQLAlchemy reads the mysql_ options for mysql:// URLs and the mariadb_ ones for mariadb://.
_MARIADB: dict[str, Any] = {
    f"{dialect}_{option}": value
    for dialect in ("mysql", "mariadb")
    for option, value in (("engine", "InnoDB"), ("charset", "utf8mb4"), ("collate", "utf8mb4_bin"))
}

# An auto-increment surrogate key orders rows by insertion ("oldest first"). SQLite only
# auto-increments an INTEGER PRIMARY KEY, hence the variant.
_SEQ_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_MYSQL = ("mysql", "mariadb")


class ExactKey(sa.types.TypeDecorator[str]):
    """A key, ref or id that compares exactly: every character, case and trailing space counts.

    PostgreSQL and SQLite compare ``VARCHAR`` exactly already. MariaDB and MySQL do not: their
    PAD SPACE collations (``utf8mb4_bin`` included) make ``"order-1 "`` equal ``"order-1"`` in
    unique keys and in ``WHERE``, and the default ones fold case. There the key is stored as
    ``VARBINARY`` holding its UTF-8 bytes, compared byte for byte.
    """

    impl = sa.String
    cache_ok = True

    def __init__(self, length: int = MAX_REF_LENGTH) -> None:
        super().__init__(length)
        self.length = length

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name in _MYSQL:
            return dialect.type_descriptor(mysql.VARBINARY(4 * self.length))  # UTF-8: 4 bytes
        return dialect.type_descriptor(sa.String(self.length))

    def process_bind_param(self, value: str | None, dialect: sa.Dialect) -> Any:
        if value is not None and dialect.name in _MYSQL:
            return value.encode("utf-8")
        return value

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> str | None:
        if isinstance(value, bytes | bytearray):
            return bytes(value).decode("utf-8")
        return value  # type: ignore[no-any-return]


def _key(
    name: str,
    *,
    nullable: bool = False,
    primary_key: bool = False,
    unique: bool = False,
    index: bool = False,
    length: int = MAX_REF_LENGTH,
) -> sa.Column[str]:
    return sa.Column(
        name,
        ExactKey(length),
        nullable=nullable,
        primary_key=primary_key,
        unique=unique,
        index=index,
    )


def _seq() -> sa.Column[int]:
    return sa.Column("seq", _SEQ_TYPE, primary_key=True, autoincrement=True)


def _text(name: str, length: int = TEXT_LENGTH, *, nullable: bool = True) -> sa.Column[str]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _status(name: str) -> sa.Column[str]:
    return _text(name, SHORT_LENGTH, nullable=False)


def _flag(name: str) -> sa.Column[bool]:
    return sa.Column(name, sa.Boolean, nullable=False, server_default=sa.false())


def _counter(name: str, kind: type[sa.Integer] = sa.BigInteger) -> sa.Column[int]:
    return sa.Column(name, kind, nullable=False, server_default=sa.text("0"))


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
    pending_events: sa.Table
    charges: sa.Table
    refunds: sa.Table
    attempts: sa.Table

    def named(self, table: str) -> sa.Table:
        """The table called ``table`` without the prefix (``"charges"``)."""
        found: sa.Table = getattr(self, table)
        return found


def build_tables(prefix: str) -> Tables:
    """Describe the tables for ``prefix``; nothing touches a database here."""
    if not PREFIX_PATTERN.fullmatch(prefix):
        raise ValueError(f"bad table prefix {prefix!r}")
    md = sa.MetaData()

    def table(name: str, *columns: sa.Column[Any]) -> sa.Table:
        return sa.Table(f"{prefix}{name}", md, *columns, **_MARIADB)

    schema_version = table(
        "schema_version",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    customers = table(
        "customers",
        _seq(),
        _key("customer_ref", nullable=False, unique=True),
        _key("customer_id", nullable=False, index=True),
    )
    setup_sessions = table(
        "setup_sessions",
        _key("session_id", primary_key=True),
        _key("customer_ref", nullable=False),
        _key("customer_id", nullable=True),
        _status("status"),
        _key("payment_method_id", nullable=True),
    )
    payment_methods = table(
        "payment_methods",
        _seq(),
        _key("id", nullable=False, unique=True),
        _key("customer_ref", nullable=False, index=True),
        _key("customer_id", nullable=False),
        _text("type", nullable=False),
        _text("brand"),
        _text("last4", SHORT_LENGTH),
        sa.Column("exp_month", sa.Integer, nullable=True),
        sa.Column("exp_year", sa.Integer, nullable=True),
        _key("fingerprint", nullable=True),
        _status("status"),
        sa.Column("is_default", sa.Boolean, nullable=False),
        sa.Column("as_of", sa.BigInteger, nullable=False),
    )
    # One row per customer that has methods. Every write to a customer's methods first
    # upserts this row, which locks it until commit: concurrent writers for one customer
    # queue up, so the "exactly one default" rule cannot be broken by two of them at once.
    customer_locks = table(
        "customer_locks",
        _key("customer_ref", primary_key=True),
        sa.Column("writes", sa.BigInteger, nullable=False),
    )
    events = table(
        "events",
        _key("event_id", primary_key=True),
        sa.Column("completed", sa.Boolean, nullable=False),
        sa.Column("expires_at", sa.Double, nullable=False),
        sa.Column("claim_token", sa.String(TOKEN_LENGTH), nullable=False),
    )
    # Version 3: verified events waiting for process_events (deferred mode), oldest first.
    pending_events = table(
        "pending_events",
        _key("event_id", primary_key=True),
        _text("event_type", nullable=False),
        sa.Column("payload", sa.Text().with_variant(mysql.LONGTEXT(), *_MYSQL), nullable=False),
        sa.Column("received_at", sa.Double, nullable=False, index=True),
        sa.Column("expires_at", sa.Double, nullable=False),
    )
    charges = table(
        "charges",
        _key("idempotency_key", primary_key=True),
        _key("customer_ref", nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        _text("currency", SHORT_LENGTH, nullable=False),
        _key("payment_method_id", nullable=False),
        _status("state"),
        _key("payment_intent_id", nullable=True, index=True),
        sa.Column("client_secret", sa.Text, nullable=True),
        _text("code"),
        _text("decline_code"),
        sa.Column("message", sa.Text, nullable=True),
        sa.Column("as_of", sa.BigInteger, nullable=False),
        # Version 2:
        _flag("disputed"),
        _counter("version"),
        _counter("state_rank", sa.Integer),  # CHARGE_STATE_RANK[state], for same-second news
    )
    refunds = table(
        "refunds",
        _seq(),
        _key("refund_key", nullable=False, unique=True),
        _key("idempotency_key", nullable=False, index=True),
        sa.Column("amount", sa.BigInteger, nullable=False),
        _text("currency", SHORT_LENGTH, nullable=False),
        _text("reason"),
        _status("status"),
        sa.Column("status_rank", sa.Integer, nullable=False),
        _key("refund_id", nullable=True, index=True),
        _key("payment_intent_id", nullable=True),
        _text("failure_reason"),
        sa.Column("as_of", sa.BigInteger, nullable=False),
    )
    attempts = table(
        "attempts",
        _key("kind", primary_key=True, length=SHORT_LENGTH),
        _key("attempt_key", primary_key=True),
        sa.Column("number", sa.BigInteger, nullable=False),
        sa.Column("started_at", sa.BigInteger, nullable=False),
        sa.Column("uncertain", sa.Boolean, nullable=False),
        sa.Column("done", sa.Boolean, nullable=False),
    )
    return Tables(
        metadata=md,
        schema_version=schema_version,
        customers=customers,
        setup_sessions=setup_sessions,
        payment_methods=payment_methods,
        customer_locks=customer_locks,
        events=events,
        pending_events=pending_events,
        charges=charges,
        refunds=refunds,
        attempts=attempts,
    )
