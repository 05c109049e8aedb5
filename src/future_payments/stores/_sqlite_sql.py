"""The statements ``SQLiteStore`` runs (its tables are in ``_sqlite_schema``).

Kept apart from the store so that the store reads as the protocol, and the SQL can be read in
one place. Named parameters (``:name``) throughout; columns match the value objects' fields.
Rows become value objects in ``_rows``, shared with the SQLAlchemy store.
"""

from __future__ import annotations

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

_METHOD_COLUMNS = """
    id, customer_ref, customer_id, type, brand, last4, exp_month, exp_year, fingerprint, status
"""
GET_METHOD = f"SELECT {_METHOD_COLUMNS}, is_default FROM payment_methods WHERE id = :id"
GET_METHOD_OWNER = "SELECT customer_ref FROM payment_methods WHERE id = :id"
LIST_METHODS = f"""
SELECT {_METHOD_COLUMNS}, is_default FROM payment_methods
WHERE customer_ref = :customer_ref AND status IN ('active', 'pending')
ORDER BY seq
"""
# A new record is never the default on its own: settling decides (``is_default`` is 0 here).
_INSERT_METHOD = f"""
INSERT INTO payment_methods ({_METHOD_COLUMNS}, is_default, as_of) VALUES (
    :id, :customer_ref, :customer_id, :type, :brand, :last4, :exp_month, :exp_year,
    :fingerprint, :status, 0, :as_of
)
"""
INSERT_METHOD = _INSERT_METHOD + "ON CONFLICT (id) DO NOTHING"
# Upsert unless the stored record is newer or detached. A method that moves to another
# customer cannot bring its old default flag along (the new customer has its own default).
UPSERT_METHOD = f"""
{_INSERT_METHOD}
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

RECORD_EVENT = """
INSERT INTO events (event_id, completed, expires_at) VALUES (:event_id, 1, 0)
ON CONFLICT (event_id) DO NOTHING
"""
# One statement: a fresh claim, a takeover of a claim whose lease ran out, or the renewal of
# the caller's own claim. Changes one row exactly when the caller holds the claim after it.
CLAIM_EVENT = """
INSERT INTO events (event_id, completed, expires_at, claim_token)
VALUES (:event_id, 0, :expires_at, :token)
ON CONFLICT (event_id) DO UPDATE SET expires_at = excluded.expires_at, claim_token = :token
WHERE completed = 0 AND (expires_at <= :now OR claim_token = :token)
"""
COMPLETE_EVENT = """
INSERT INTO events (event_id, completed, expires_at) VALUES (:event_id, 1, 0)
ON CONFLICT (event_id) DO UPDATE SET completed = 1, claim_token = ''
"""
DROP_PENDING = "DELETE FROM pending_events WHERE event_id = :event_id"
RELEASE_EVENT = """
DELETE FROM events WHERE event_id = :event_id AND completed = 0 AND claim_token = :token
"""
# A pending event is new unless it is pending already or completed (checked in the same write
# transaction, which holds SQLite's write lock).
ADD_PENDING = """
INSERT INTO pending_events (event_id, event_type, payload, received_at)
SELECT :event_id, :event_type, :payload, :received_at
WHERE NOT EXISTS (SELECT 1 FROM events WHERE event_id = :event_id AND completed = 1)
ON CONFLICT (event_id) DO NOTHING
"""
# Pending events processed meanwhile (inline, or recorded as not acted on) are dropped first.
DROP_PROCESSED_PENDING = """
DELETE FROM pending_events WHERE EXISTS (
    SELECT 1 FROM events WHERE events.event_id = pending_events.event_id AND completed = 1
)
"""
TAKE_PENDING = """
UPDATE pending_events SET expires_at = :expires_at
WHERE event_id IN (
    SELECT event_id FROM pending_events WHERE expires_at <= :now
    ORDER BY received_at, event_id LIMIT :limit
)
RETURNING event_id, event_type, payload, received_at
"""
RELEASE_PENDING = "UPDATE pending_events SET expires_at = 0 WHERE event_id = :event_id"

# -- charge ledger ---------------------------------------------------------------------------

_CHARGE_COLUMNS = """
    idempotency_key, customer_ref, amount, currency, payment_method_id, state,
    payment_intent_id, client_secret, code, decline_code, message, as_of, disputed, version
"""
GET_CHARGE = f"SELECT {_CHARGE_COLUMNS} FROM charges WHERE idempotency_key = :idempotency_key"
FIND_CHARGE_BY_PAYMENT_INTENT = f"""
SELECT {_CHARGE_COLUMNS} FROM charges WHERE payment_intent_id = :payment_intent_id
ORDER BY rowid LIMIT 1
"""
# ``:version`` is the argument's for a claim and 1 for an update's insert (as in MemoryStore).
INSERT_CHARGE = f"""
INSERT INTO charges ({_CHARGE_COLUMNS}, state_rank) VALUES (
    :idempotency_key, :customer_ref, :amount, :currency, :payment_method_id, :state,
    :payment_intent_id, :client_secret, :code, :decline_code, :message, :as_of, :disputed,
    :version, :state_rank
)
"""
CLAIM_CHARGE = INSERT_CHARGE + "ON CONFLICT (idempotency_key) DO NOTHING"
# The news a charge row takes: amount, currency, customer and method never change; a dispute
# is never undone; every applied change counts in ``version``.
_NEWS = """
    state = :state,
    payment_intent_id = :payment_intent_id,
    client_secret = :client_secret,
    code = :code,
    decline_code = :decline_code,
    message = :message,
    as_of = :as_of,
    state_rank = :state_rank,
    disputed = disputed OR :disputed,
    version = version + 1
"""
_UNSETTLED = "state NOT IN ('succeeded', 'canceled')"
# One statement: insert, or apply when (as_of, state_rank) is at least the stored pair.
UPSERT_CHARGE = f"""
{INSERT_CHARGE}
ON CONFLICT (idempotency_key) DO UPDATE SET {_NEWS}
WHERE {_UNSETTLED}
    AND (:as_of > as_of OR (:as_of = as_of AND :state_rank >= state_rank))
"""
REPLACE_CHARGE = f"""
UPDATE charges SET {_NEWS}
WHERE idempotency_key = :idempotency_key AND version = :expected_version AND {_UNSETTLED}
"""
MARK_DISPUTED = """
UPDATE charges SET disputed = 1, version = version + 1
WHERE idempotency_key = :idempotency_key AND disputed = 0
"""

# -- refunds ---------------------------------------------------------------------------------

_REFUND_COLUMNS = """
    refund_key, idempotency_key, amount, currency, reason, status, refund_id,
    payment_intent_id, failure_reason, as_of
"""
GET_REFUND = f"SELECT {_REFUND_COLUMNS} FROM refunds WHERE refund_key = :refund_key"
FIND_REFUND = f"""
SELECT {_REFUND_COLUMNS} FROM refunds WHERE refund_id = :refund_id ORDER BY seq LIMIT 1
"""
LIST_REFUNDS = f"""
SELECT {_REFUND_COLUMNS} FROM refunds WHERE idempotency_key = :idempotency_key ORDER BY seq
"""
_INSERT_REFUND = f"""
INSERT INTO refunds ({_REFUND_COLUMNS}, status_rank) VALUES (
    :refund_key, :idempotency_key, :amount, :currency, :reason, :status, :refund_id,
    :payment_intent_id, :failure_reason, :as_of, :status_rank
)
"""
CLAIM_REFUND = _INSERT_REFUND + "ON CONFLICT (refund_key) DO NOTHING"
# The charge, amount and currency never change; a known Stripe id is never forgotten;
# ``canceled`` is final.
UPSERT_REFUND = f"""
{_INSERT_REFUND}
ON CONFLICT (refund_key) DO UPDATE SET
    reason = :reason,
    status = :status,
    status_rank = :status_rank,
    refund_id = coalesce(:refund_id, refund_id),
    payment_intent_id = coalesce(:payment_intent_id, payment_intent_id),
    failure_reason = :failure_reason,
    as_of = :as_of
WHERE status != 'canceled'
    AND (:as_of > as_of OR (:as_of = as_of AND :status_rank >= status_rank))
"""

# -- attempts --------------------------------------------------------------------------------

GET_ATTEMPT = """
SELECT kind, attempt_key, number, started_at, uncertain, done
FROM attempts WHERE kind = :kind AND attempt_key = :key
"""
INSERT_ATTEMPT = """
INSERT INTO attempts (kind, attempt_key, number, started_at, uncertain, done)
VALUES (:kind, :key, :number, :now, 0, 0)
ON CONFLICT (kind, attempt_key) DO NOTHING
"""
# The compare-and-set: only the caller that still sees attempt ``after`` moves it on.
NEXT_ATTEMPT = """
UPDATE attempts SET number = :number, started_at = :now, uncertain = 0, done = 0
WHERE kind = :kind AND attempt_key = :key AND number = :after
"""
MARK_UNCERTAIN = """
UPDATE attempts SET uncertain = 1 WHERE kind = :kind AND attempt_key = :key AND number = :number
"""
FINISH_ATTEMPT = """
UPDATE attempts SET done = 1 WHERE kind = :kind AND attempt_key = :key AND number = :number
"""
