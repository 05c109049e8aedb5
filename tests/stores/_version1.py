"""Version-1 databases, made by the DDL that future_payments 1 ran, with rows in every table.

Kept here on purpose, apart from the code: the migration tests must start from what old
releases wrote, not from what today's code thinks they wrote. One line per table.
"""

from __future__ import annotations

from future_payments._models import ChargeRecord, SavedPaymentMethod, SetupSessionRecord
from future_payments.stores import Store

# SQLiteStore's file, version 1 (src/future_payments/stores/_sqlite_schema.py of release 1).
SQLITE_STORE = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version) VALUES (1);
CREATE TABLE customers (customer_ref TEXT PRIMARY KEY, customer_id TEXT NOT NULL);
CREATE INDEX customers_by_customer_id ON customers (customer_id);
CREATE TABLE setup_sessions (session_id TEXT PRIMARY KEY, customer_ref TEXT NOT NULL, customer_id TEXT, status TEXT NOT NULL, payment_method_id TEXT);
CREATE TABLE payment_methods (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, customer_ref TEXT NOT NULL, customer_id TEXT NOT NULL, type TEXT NOT NULL, brand TEXT, last4 TEXT, exp_month INTEGER, exp_year INTEGER, fingerprint TEXT, status TEXT NOT NULL, is_default INTEGER NOT NULL DEFAULT 0, as_of INTEGER NOT NULL);
CREATE INDEX payment_methods_by_customer ON payment_methods (customer_ref, seq);
CREATE UNIQUE INDEX payment_methods_one_default ON payment_methods (customer_ref) WHERE is_default = 1;
CREATE TABLE events (event_id TEXT PRIMARY KEY, completed INTEGER NOT NULL DEFAULT 0, expires_at REAL NOT NULL);
CREATE TABLE charges (idempotency_key TEXT PRIMARY KEY, customer_ref TEXT NOT NULL, amount INTEGER NOT NULL, currency TEXT NOT NULL, payment_method_id TEXT NOT NULL, state TEXT NOT NULL, payment_intent_id TEXT, client_secret TEXT, code TEXT, decline_code TEXT, message TEXT, as_of INTEGER NOT NULL);
CREATE INDEX charges_by_payment_intent ON charges (payment_intent_id);
"""  # noqa: E501 - one line per table

# SQLAlchemyStore's tables, version 1, as create_schema() of release 1 made them. {p} is the
# prefix; the other fields differ between PostgreSQL, MariaDB and SQLite (see _DIALECTS).
_SQLALCHEMY = """
CREATE TABLE {p}charges (idempotency_key VARCHAR(255) NOT NULL, customer_ref VARCHAR(255) NOT NULL, amount BIGINT NOT NULL, currency VARCHAR(16) NOT NULL, payment_method_id VARCHAR(255) NOT NULL, state VARCHAR(16) NOT NULL, payment_intent_id VARCHAR(255), client_secret TEXT, code VARCHAR(255), decline_code VARCHAR(255), message TEXT, as_of BIGINT NOT NULL, PRIMARY KEY (idempotency_key)){options};
CREATE INDEX ix_{p}charges_payment_intent_id ON {p}charges (payment_intent_id);
CREATE TABLE {p}customer_locks (customer_ref VARCHAR(255) NOT NULL, writes BIGINT NOT NULL, PRIMARY KEY (customer_ref)){options};
CREATE TABLE {p}customers (seq {seq}, customer_ref VARCHAR(255) NOT NULL, customer_id VARCHAR(255) NOT NULL, PRIMARY KEY (seq), UNIQUE (customer_ref)){options};
CREATE INDEX ix_{p}customers_customer_id ON {p}customers (customer_id);
CREATE TABLE {p}events (event_id VARCHAR(255) NOT NULL, completed {bool} NOT NULL, expires_at {double} NOT NULL, claim_token VARCHAR(32) NOT NULL, PRIMARY KEY (event_id)){options};
CREATE TABLE {p}payment_methods (seq {seq}, id VARCHAR(255) NOT NULL, customer_ref VARCHAR(255) NOT NULL, customer_id VARCHAR(255) NOT NULL, type VARCHAR(255) NOT NULL, brand VARCHAR(255), last4 VARCHAR(16), exp_month INTEGER, exp_year INTEGER, fingerprint VARCHAR(255), status VARCHAR(16) NOT NULL, is_default {bool} NOT NULL, as_of BIGINT NOT NULL, PRIMARY KEY (seq), UNIQUE (id)){options};
CREATE INDEX ix_{p}payment_methods_customer_ref ON {p}payment_methods (customer_ref);
CREATE TABLE {p}schema_version (id INTEGER NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (id)){options};
CREATE TABLE {p}setup_sessions (session_id VARCHAR(255) NOT NULL, customer_ref VARCHAR(255) NOT NULL, customer_id VARCHAR(255), status VARCHAR(16) NOT NULL, payment_method_id VARCHAR(255), PRIMARY KEY (session_id)){options};
INSERT INTO {p}schema_version (id, version) VALUES (1, 1);
"""  # noqa: E501 - one line per table
_DIALECTS = {
    "postgresql": {"seq": "BIGSERIAL NOT NULL", "bool": "BOOLEAN", "double": "DOUBLE PRECISION"},
    "mysql": {
        "seq": "BIGINT NOT NULL AUTO_INCREMENT",
        "bool": "BOOL",
        "double": "DOUBLE",
        "options": "ENGINE=InnoDB CHARSET=utf8mb4 COLLATE utf8mb4_bin",
    },
    "sqlite": {"seq": "INTEGER NOT NULL", "bool": "BOOLEAN", "double": "DOUBLE"},
}

# The rows: the same in both layouts ({p} is empty for SQLiteStore's file).
_ROWS = """
INSERT INTO {p}customers (customer_ref, customer_id) VALUES ('user-1', 'cus_1'), ('user-2', 'cus_2');
INSERT INTO {p}setup_sessions (session_id, customer_ref, customer_id, status, payment_method_id) VALUES ('cs_1', 'user-1', 'cus_1', 'complete', 'pm_1');
INSERT INTO {p}payment_methods (id, customer_ref, customer_id, type, brand, last4, exp_month, exp_year, fingerprint, status, is_default, as_of) VALUES ('pm_1', 'user-1', 'cus_1', 'card', 'visa', '4242', 12, 2034, 'fp_1', 'active', {true}, 5), ('pm_2', 'user-1', 'cus_1', 'card', 'amex', '0005', 1, 2030, 'fp_2', 'active', {false}, 6), ('pm_3', 'user-1', 'cus_1', 'card', NULL, NULL, NULL, NULL, NULL, 'detached', {false}, 7);
INSERT INTO {p}charges (idempotency_key, customer_ref, amount, currency, payment_method_id, state, payment_intent_id, client_secret, code, decline_code, message, as_of) VALUES ('order-1', 'user-1', 1999, 'usd', 'pm_1', 'succeeded', 'pi_1', NULL, NULL, NULL, NULL, 10), ('order-2', 'user-1', 500, 'eur', 'pm_1', 'declined', 'pi_2', NULL, 'card_declined', 'insufficient_funds', 'Your card has insufficient funds.', 11), ('order-3', 'user-1', 700, 'usd', 'pm_2', 'requires_action', 'pi_3', 'pi_3_secret_x', 'authentication_required', NULL, 'Authenticate', 12), ('order-4', 'user-2', 100, 'usd', 'pm_9', 'pending', NULL, NULL, NULL, NULL, NULL, 0), ('order-5', 'user-2', 300, 'usd', 'pm_9', 'processing', 'pi_5', NULL, NULL, NULL, NULL, 13);
"""  # noqa: E501 - one line per table
_EVENTS_SQLITE = "INSERT INTO events (event_id, completed, expires_at) VALUES ('evt_1', 1, 0), ('evt_2', 0, 1e12);"  # noqa: E501
_EVENTS_SQLALCHEMY = "INSERT INTO {p}events (event_id, completed, expires_at, claim_token) VALUES ('evt_1', {true}, 0, ''), ('evt_2', {false}, 1e12, 't');"  # noqa: E501


def sqlite_store_statements() -> list[str]:
    """Every statement that makes a version-1 SQLiteStore file with its rows."""
    rows = _ROWS.format(p="", true=1, false=0) + _EVENTS_SQLITE
    return _split(SQLITE_STORE + rows)


def sqlalchemy_statements(dialect: str, prefix: str) -> list[str]:
    """Every statement that makes version-1 SQLAlchemyStore tables with their rows."""
    fields = {"options": "", **_DIALECTS["mysql" if dialect == "mariadb" else dialect]}
    if fields["options"]:
        fields["options"] = " " + fields["options"]
    ddl = _SQLALCHEMY.format(p=prefix, **fields)
    rows = (_ROWS + _EVENTS_SQLALCHEMY).format(p=prefix, true="TRUE", false="FALSE")
    return _split(ddl + rows)


def _split(script: str) -> list[str]:
    return [s.strip() for s in script.split(";\n") if s.strip()]


# What a version-2 store reads from those rows.
EXPECTED_METHODS = [
    SavedPaymentMethod("pm_1", "user-1", "cus_1", "card", "visa", "4242", 12, 2034, "fp_1",
                       "active", is_default=True),
    SavedPaymentMethod("pm_2", "user-1", "cus_1", "card", "amex", "0005", 1, 2030, "fp_2",
                       "active"),
]  # fmt: skip
EXPECTED_SESSION = SetupSessionRecord("cs_1", "user-1", "cus_1", "complete", "pm_1")
EXPECTED_CHARGES = {
    "order-1": ChargeRecord("order-1", "user-1", 1999, "usd", "pm_1", "succeeded", "pi_1",
                            as_of=10),
    "order-2": ChargeRecord("order-2", "user-1", 500, "eur", "pm_1", "declined", "pi_2",
                            code="card_declined", decline_code="insufficient_funds",
                            message="Your card has insufficient funds.", as_of=11),
    "order-3": ChargeRecord("order-3", "user-1", 700, "usd", "pm_2", "requires_action", "pi_3",
                            client_secret="pi_3_secret_x", code="authentication_required",
                            message="Authenticate", as_of=12),
    "order-4": ChargeRecord("order-4", "user-2", 100, "usd", "pm_9"),
    "order-5": ChargeRecord("order-5", "user-2", 300, "usd", "pm_9", "processing", "pi_5",
                            as_of=13),
}  # fmt: skip


def read_back(store: Store) -> dict[str, object]:
    """What a migrated store answers about each version-1 row (compare with ``EXPECTED``)."""
    detached = store.get_payment_method("pm_3")
    return {
        "customers": (store.get_customer_id("user-1"), store.find_customer_ref("cus_2")),
        "session": store.get_setup_session("cs_1"),
        "methods": list(store.list_payment_methods("user-1")),
        "detached": detached.status if detached else None,
        "events": tuple(
            store.claim_event(e, token="v1", now=1.0, lease_seconds=1.0) for e in EXPECTED_EVENTS
        ),
        "charges": {key: store.get_charge(key) for key in EXPECTED_CHARGES},
    }


EXPECTED_EVENTS = ("evt_1", "evt_2")  # completed; claimed with a lease far in the future
EXPECTED = {
    "customers": ("cus_1", "user-2"),
    "session": EXPECTED_SESSION,
    "methods": EXPECTED_METHODS,
    "detached": "detached",
    "events": (False, False),
    "charges": EXPECTED_CHARGES,
}
