"""The SQL behind ``SQLiteStore``: its schema and every statement it runs.

Kept apart from the store so that the store reads as the protocol, and the SQL can be read in
one place. Named parameters (``:name``) throughout; columns match the value objects' fields.
Rows become value objects in ``_rows``, shared with the SQLAlchemy store.
"""

from __future__ import annotations

SCHEMA_VERSION = 1
"""Bumped whenever ``SCHEMA`` changes in a way older code cannot read."""

# Timestamps are Stripe's integer seconds (``as_of``) or the caller's float clock (leases).
# ``payment_methods.seq`` is the insertion order behind "oldest first"; AUTOINCREMENT keeps it
# strictly increasing even if rows were ever deleted by hand. The partial unique index makes
# "at most one default per customer" a property of the database, not only of the code.
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
    as_of             INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS charges_by_payment_intent ON charges (payment_intent_id);
"""

SELECT_VERSION = "SELECT max(version) FROM schema_version"
INSERT_VERSION = "INSERT INTO schema_version (version) VALUES (:version)"

# -- customers -------------------------------------------------------------------------------

GET_CUSTOMER_ID = "SELECT customer_id FROM customers WHERE customer_ref = :customer_ref"
# rowid order: the first mapping stored wins, as in MemoryStore's insertion-ordered dict.
FIND_CUSTOMER_REF = """
SELECT customer_ref FROM customers WHERE customer_id = :customer_id ORDER BY rowid LIMIT 1
"""
INSERT_CUSTOMER = """
INSERT INTO customers (customer_ref, customer_id) VALUES (:customer_ref, :customer_id)
ON CONFLICT (customer_ref) DO NOTHING
"""

# -- setup sessions --------------------------------------------------------------------------

GET_SESSION = """
SELECT session_id, customer_ref, customer_id, status, payment_method_id
FROM setup_sessions WHERE session_id = :session_id
"""
INSERT_SESSION = """
INSERT INTO setup_sessions (session_id, customer_ref, customer_id, status, payment_method_id)
VALUES (:session_id, :customer_ref, :customer_id, :status, :payment_method_id)
ON CONFLICT (session_id) DO NOTHING
"""
FINISH_SESSION = """
UPDATE setup_sessions SET status = :status, payment_method_id = :payment_method_id
WHERE session_id = :session_id AND status = 'open'
"""

# -- saved payment methods -------------------------------------------------------------------

GET_METHOD = """
SELECT id, customer_ref, customer_id, type, brand, last4, exp_month, exp_year, fingerprint,
    status, is_default
FROM payment_methods WHERE id = :id
"""
GET_METHOD_OWNER = "SELECT customer_ref FROM payment_methods WHERE id = :id"
LIST_METHODS = """
SELECT id, customer_ref, customer_id, type, brand, last4, exp_month, exp_year, fingerprint,
    status, is_default
FROM payment_methods
WHERE customer_ref = :customer_ref AND status IN ('active', 'pending')
ORDER BY seq
"""
# A new record is never the default on its own: settling decides (``is_default`` is 0 here).
INSERT_METHOD = """
INSERT INTO payment_methods (
    id, customer_ref, customer_id, type, brand, last4, exp_month, exp_year, fingerprint,
    status, is_default, as_of
) VALUES (
    :id, :customer_ref, :customer_id, :type, :brand, :last4, :exp_month, :exp_year,
    :fingerprint, :status, 0, :as_of
)
ON CONFLICT (id) DO NOTHING
"""
# Upsert unless the stored record is newer or detached. A method that moves to another
# customer cannot bring its old default flag along (the new customer has its own default).
UPSERT_METHOD = """
INSERT INTO payment_methods (
    id, customer_ref, customer_id, type, brand, last4, exp_month, exp_year, fingerprint,
    status, is_default, as_of
) VALUES (
    :id, :customer_ref, :customer_id, :type, :brand, :last4, :exp_month, :exp_year,
    :fingerprint, :status, 0, :as_of
)
ON CONFLICT (id) DO UPDATE SET
    customer_ref = excluded.customer_ref,
    customer_id = excluded.customer_id,
    type = excluded.type,
    brand = excluded.brand,
    last4 = excluded.last4,
    exp_month = excluded.exp_month,
    exp_year = excluded.exp_year,
    fingerprint = excluded.fingerprint,
    status = excluded.status,
    is_default = CASE WHEN customer_ref = excluded.customer_ref THEN is_default ELSE 0 END,
    as_of = excluded.as_of
WHERE status != 'detached' AND excluded.as_of >= as_of
"""
IS_ACTIVE_METHOD_OF = """
SELECT 1 FROM payment_methods
WHERE id = :id AND customer_ref = :customer_ref AND status = 'active'
"""
# The default to keep: the current one if it is still active, else the oldest active method.
# Clearing and setting are two statements because SQLite checks the unique index row by row.
DEFAULT_TO_KEEP = """
SELECT id FROM payment_methods
WHERE customer_ref = :customer_ref AND status = 'active'
ORDER BY is_default DESC, seq
LIMIT 1
"""
CLEAR_OTHER_DEFAULTS = """
UPDATE payment_methods SET is_default = 0
WHERE customer_ref = :customer_ref AND is_default = 1 AND id IS NOT :keep
"""
SET_DEFAULT = "UPDATE payment_methods SET is_default = 1 WHERE id = :keep AND is_default = 0"

# -- webhook event inbox ---------------------------------------------------------------------

# One statement: a fresh claim, or a takeover of a claim whose lease ran out. Changes one row
# exactly when the caller wins.
CLAIM_EVENT = """
INSERT INTO events (event_id, completed, expires_at) VALUES (:event_id, 0, :expires_at)
ON CONFLICT (event_id) DO UPDATE SET expires_at = excluded.expires_at
WHERE completed = 0 AND expires_at <= :now
"""
COMPLETE_EVENT = """
INSERT INTO events (event_id, completed, expires_at) VALUES (:event_id, 1, 0)
ON CONFLICT (event_id) DO UPDATE SET completed = 1
"""
RELEASE_EVENT = "DELETE FROM events WHERE event_id = :event_id AND completed = 0"

# -- charge ledger ---------------------------------------------------------------------------

GET_CHARGE = """
SELECT
    idempotency_key, customer_ref, amount, currency, payment_method_id, state,
    payment_intent_id, client_secret, code, decline_code, message, as_of
FROM charges WHERE idempotency_key = :idempotency_key
"""
FIND_CHARGE_BY_PAYMENT_INTENT = """
SELECT
    idempotency_key, customer_ref, amount, currency, payment_method_id, state,
    payment_intent_id, client_secret, code, decline_code, message, as_of
FROM charges WHERE payment_intent_id = :payment_intent_id
ORDER BY rowid LIMIT 1
"""
INSERT_CHARGE = """
INSERT INTO charges (
    idempotency_key, customer_ref, amount, currency, payment_method_id, state,
    payment_intent_id, client_secret, code, decline_code, message, as_of
) VALUES (
    :idempotency_key, :customer_ref, :amount, :currency, :payment_method_id, :state,
    :payment_intent_id, :client_secret, :code, :decline_code, :message, :as_of
)
ON CONFLICT (idempotency_key) DO NOTHING
"""
# Amount, currency, customer and method are never updated; ``succeeded`` is final.
UPSERT_CHARGE = """
INSERT INTO charges (
    idempotency_key, customer_ref, amount, currency, payment_method_id, state,
    payment_intent_id, client_secret, code, decline_code, message, as_of
) VALUES (
    :idempotency_key, :customer_ref, :amount, :currency, :payment_method_id, :state,
    :payment_intent_id, :client_secret, :code, :decline_code, :message, :as_of
)
ON CONFLICT (idempotency_key) DO UPDATE SET
    state = excluded.state,
    payment_intent_id = excluded.payment_intent_id,
    client_secret = excluded.client_secret,
    code = excluded.code,
    decline_code = excluded.decline_code,
    message = excluded.message,
    as_of = excluded.as_of
WHERE state != 'succeeded' AND excluded.as_of >= as_of
"""
