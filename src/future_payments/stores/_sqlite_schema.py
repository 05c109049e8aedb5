"""The tables of ``SQLiteStore``'s file, their version, and the steps that migrate older files.

A fresh file gets ``SCHEMA`` and version ``SCHEMA_VERSION``. A file of an older version runs
each ``Step`` above its version, in order, then ``SCHEMA`` (whose ``IF NOT EXISTS`` creates the
tables later versions added), all in one transaction. The next version appends a ``Step``: the
columns it adds to tables that already existed, and the tables it introduces (defined in
``SCHEMA``). Steps only add: a file half-way through one cannot exist, since each migration
commits whole or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from future_payments.stores._rows import CHARGE_RANK_SQL

SCHEMA_VERSION = 2
"""The layout ``SCHEMA`` describes; older files are migrated when a store opens them."""

# Timestamps are Stripe's integer seconds (``as_of``) or the caller's float clock (leases).
# ``seq`` columns are the insertion order behind "oldest first" and "first stored";
# AUTOINCREMENT keeps them strictly increasing even if rows were ever deleted by hand. The
# partial unique index makes "at most one default per customer" a property of the database.
# TEXT columns compare with SQLite's BINARY collation: keys match exactly (no case folding,
# no padding, no Unicode normalisation).
SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS customers (
    customer_ref TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS customers_by_customer_id ON customers (customer_id);
CREATE TABLE IF NOT EXISTS setup_sessions (
    session_id        TEXT PRIMARY KEY,
    customer_ref      TEXT NOT NULL,
    customer_id       TEXT,
    status            TEXT NOT NULL,
    payment_method_id TEXT
);
CREATE TABLE IF NOT EXISTS payment_methods (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    customer_ref TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    type         TEXT NOT NULL,
    brand        TEXT,
    last4        TEXT,
    exp_month    INTEGER,
    exp_year     INTEGER,
    fingerprint  TEXT,
    status       TEXT NOT NULL,
    is_default   INTEGER NOT NULL DEFAULT 0,
    as_of        INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS payment_methods_by_customer
    ON payment_methods (customer_ref, seq);
CREATE UNIQUE INDEX IF NOT EXISTS payment_methods_one_default
    ON payment_methods (customer_ref) WHERE is_default = 1;
CREATE TABLE IF NOT EXISTS events (
    event_id   TEXT PRIMARY KEY,
    completed  INTEGER NOT NULL DEFAULT 0,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS charges (
    idempotency_key   TEXT PRIMARY KEY,
    customer_ref      TEXT NOT NULL,
    amount            INTEGER NOT NULL,
    currency          TEXT NOT NULL,
    payment_method_id TEXT NOT NULL,
    state             TEXT NOT NULL,
    payment_intent_id TEXT,
    client_secret     TEXT,
    code              TEXT,
    decline_code      TEXT,
    message           TEXT,
    as_of             INTEGER NOT NULL,
    disputed          INTEGER NOT NULL DEFAULT 0,
    version           INTEGER NOT NULL DEFAULT 0,
    state_rank        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS charges_by_payment_intent ON charges (payment_intent_id);
CREATE TABLE IF NOT EXISTS refunds (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    refund_key        TEXT NOT NULL UNIQUE,
    idempotency_key   TEXT NOT NULL,
    amount            INTEGER NOT NULL,
    currency          TEXT NOT NULL,
    reason            TEXT,
    status            TEXT NOT NULL,
    status_rank       INTEGER NOT NULL,
    refund_id         TEXT,
    payment_intent_id TEXT,
    failure_reason    TEXT,
    as_of             INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS refunds_by_charge ON refunds (idempotency_key, seq);
CREATE INDEX IF NOT EXISTS refunds_by_refund_id ON refunds (refund_id, seq);
CREATE TABLE IF NOT EXISTS attempts (
    kind        TEXT NOT NULL,
    attempt_key TEXT NOT NULL,
    number      INTEGER NOT NULL,
    started_at  INTEGER NOT NULL,
    uncertain   INTEGER NOT NULL DEFAULT 0,
    done        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, attempt_key)
);
"""


@attrs.frozen
class Step:
    """What one schema version adds to the one before it."""

    version: int
    """The version a file has after this step."""
    columns: Mapping[str, Sequence[str]] = attrs.field(factory=dict)
    """Per existing table, the column definitions it gains (as in ``SCHEMA``)."""
    fill: Sequence[str] = ()
    """Statements that compute the new columns of the rows already stored."""
    tables: Sequence[str] = ()
    """The tables this version introduces; ``SCHEMA`` creates them."""


MIGRATIONS: Sequence[Step] = (
    Step(
        version=2,
        columns={
            "charges": (
                "disputed INTEGER NOT NULL DEFAULT 0",
                "version INTEGER NOT NULL DEFAULT 0",
                "state_rank INTEGER NOT NULL DEFAULT 0",
            )
        },
        fill=(f"UPDATE charges SET state_rank = {CHARGE_RANK_SQL}",),
        tables=("refunds", "attempts"),
    ),
)
"""Every step from version 1 on, in order; ``MIGRATIONS[-1].version == SCHEMA_VERSION``."""


def tables_at(version: int, every_table: Sequence[str]) -> list[str]:
    """The tables a file of ``version`` has: all but those later steps introduce."""
    later = {t for step in MIGRATIONS if step.version > version for t in step.tables}
    return [t for t in every_table if t not in later]


def columns_at(version: int, table: str, columns: frozenset[str]) -> frozenset[str]:
    """The columns ``table`` has at ``version``: today's, less those later steps add."""
    later = {
        definition.split()[0]
        for step in MIGRATIONS
        if step.version > version
        for definition in step.columns.get(table, ())
    }
    return columns - later


SELECT_VERSION = "SELECT max(version) FROM schema_version"
INSERT_VERSION = "INSERT INTO schema_version (version) VALUES (:version)"
LIST_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
LIST_COLUMNS = "SELECT name FROM pragma_table_info(:table)"
