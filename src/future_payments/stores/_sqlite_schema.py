"""The tables of ``SQLiteStore``'s file, at ``SCHEMA_VERSION``, and the queries about them.

A fresh file gets ``SCHEMA``. A file of an older version runs the steps of ``_migrations``
above its version (each added column defined as in ``SCHEMA``), then ``SCHEMA``, whose
``IF NOT EXISTS`` creates the tables later versions added; all in one transaction, so a file
half-way through a migration cannot exist.
"""

from __future__ import annotations

from future_payments.stores._migrations import SCHEMA_VERSION

__all__ = ["LIST_COLUMNS", "LIST_TABLES", "SCHEMA", "SCHEMA_VERSION"]

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
    event_id    TEXT PRIMARY KEY,
    completed   INTEGER NOT NULL DEFAULT 0,
    expires_at  REAL NOT NULL,
    claim_token TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS pending_events (
    event_id    TEXT PRIMARY KEY,
    event_type  TEXT NOT NULL,
    payload     TEXT NOT NULL,
    received_at REAL NOT NULL,
    expires_at  REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS pending_events_by_age ON pending_events (received_at);
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


SELECT_VERSION = "SELECT max(version) FROM schema_version"
INSERT_VERSION = "INSERT INTO schema_version (version) VALUES (:version)"
LIST_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
# A column as its definition in ``CREATE TABLE`` (what ``ALTER TABLE ... ADD COLUMN`` takes).
LIST_COLUMNS = """
SELECT name, type || CASE WHEN "notnull" THEN ' NOT NULL' ELSE '' END
    || CASE WHEN dflt_value IS NULL THEN '' ELSE ' DEFAULT ' || dflt_value END
FROM pragma_table_info(:table) ORDER BY cid
"""
