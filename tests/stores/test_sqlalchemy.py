"""SQLAlchemyStore specifics: bad input, schema and version, engines, MemoryStore parity."""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.schema import CreateIndex, CreateTable

from future_payments._models import (
    ChargeRecord,
    ChargeState,
    SavedPaymentMethod,
    SetupSessionRecord,
)
from future_payments.errors import (
    DatabaseDriverMissing,
    DatabaseFailed,
    DatabaseUnreachable,
    FuturePaymentsError,
    InvalidDatabaseURL,
    InvalidInput,
    SchemaMissing,
    SchemaVersionMismatch,
)
from future_payments.stores import MemoryStore, PendingEvent, SQLAlchemyStore
from future_payments.stores._sqlalchemy_schema import SCHEMA_VERSION, build_tables
from tests.stores._sqlalchemy_factories import make_sqlalchemy_store, tables_of

KINDS = [
    pytest.param("sqlite", id="sqlalchemy-sqlite"),
    pytest.param("postgresql", marks=pytest.mark.database),
    pytest.param("mariadb", marks=pytest.mark.database),
]
SERVER_KINDS = [p for p in KINDS if p.values[0] != "sqlite"]


@pytest.fixture(params=KINDS)
def sa_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLAlchemyStore]:
    """A fresh SQLAlchemyStore on each backend."""
    for store in make_sqlalchemy_store(request.param, tmp_path):
        assert isinstance(store, SQLAlchemyStore)
        yield store


class Database(NamedTuple):
    engine: sa.Engine
    prefix: str


@pytest.fixture(params=KINDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An engine on each backend, and a table prefix no other test uses."""
    with tables_of(request.param, tmp_path) as (engine, prefix):
        yield Database(engine, prefix)


def _method(pm_id: str, ref: str = "user-1", **changes: Any) -> SavedPaymentMethod:
    return SavedPaymentMethod(
        id=pm_id, customer_ref=ref, customer_id=f"cus_{ref}", type="card", **changes
    )


# -- bad input ------------------------------------------------------------------------------


def test_unparseable_url_is_refused_without_echoing_it() -> None:
    """An unparseable URL raises InvalidDatabaseURL without echoing it (it may hold a password)."""
    with pytest.raises(InvalidDatabaseURL) as info:
        SQLAlchemyStore("postgresql+psycopg://app:s3cret@db:notaport/shop")
    assert "s3cret" not in str(info.value)
    assert "dialect+driver://" in str(info.value)


def test_unsupported_database_is_refused() -> None:
    """A dialect other than PostgreSQL, MariaDB/MySQL or SQLite raises InvalidDatabaseURL."""
    with pytest.raises(InvalidDatabaseURL, match="supports PostgreSQL"):
        SQLAlchemyStore("oracle://app:s3cret@db/shop")


@pytest.mark.parametrize(
    "url", ["postgresql+nosuchdriver://app@db/shop", "postgresql+psycopg2://app@db/shop"]
)
def test_missing_driver_names_the_extra(url: str) -> None:
    """A driver that is not installed raises an ImportError that says which extra to install."""
    with pytest.raises(DatabaseDriverMissing, match=r"\.\[sqlalchemy\]") as info:
        SQLAlchemyStore(url)
    assert isinstance(info.value, ImportError)
    assert isinstance(info.value, FuturePaymentsError)


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://app@127.0.0.1/shop", "psycopg"),
        ("mysql://app@127.0.0.1/shop", "pymysql"),
        ("mariadb://app@127.0.0.1/shop", "pymysql"),
    ],
)
def test_url_without_driver_uses_the_extras_driver(url: str, driver: str) -> None:
    """A URL naming no driver gets the one the extra installs, whatever SQLAlchemy's default."""
    store = SQLAlchemyStore(url)
    try:
        assert driver == store._engine.dialect.driver
    finally:
        store.close()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://app:s3cret@127.0.0.1:1/shop",
        "mysql+pymysql://app:s3cret@127.0.0.1:1/shop",
    ],
)
def test_unreachable_database_says_where_and_hides_the_password(url: str) -> None:
    """A closed port raises DatabaseUnreachable naming host and port, never the password."""
    store = SQLAlchemyStore(url)
    try:
        with pytest.raises(DatabaseUnreachable) as info:
            store.create_schema()
    finally:
        store.close()
    message = str(info.value)
    assert "127.0.0.1:1" in message
    assert "s3cret" not in message
    assert "Check that the server is running" in message
    assert isinstance(info.value, ConnectionError)


@pytest.mark.parametrize("prefix", ["Fp_", "fp-", "1fp_", "x" * 21, "fp_; drop table"])
def test_bad_table_prefix_is_refused(prefix: str) -> None:
    """A table prefix that is not a short lower-case identifier raises InvalidInput."""
    with pytest.raises(InvalidInput, match="table_prefix"):
        SQLAlchemyStore("sqlite://", table_prefix=prefix)


def test_neither_engine_nor_url_is_refused() -> None:
    """Something other than an Engine or a URL string raises InvalidInput."""
    with pytest.raises(InvalidInput, match="Engine or a URL"):
        SQLAlchemyStore(42)  # type: ignore[arg-type]


def test_repr_masks_the_password() -> None:
    """The repr shows the URL with the password masked."""
    store = SQLAlchemyStore("postgresql+psycopg://app:s3cret@db.internal:5432/shop")
    try:
        shown = repr(store)
    finally:
        store.close()
    assert "s3cret" not in shown
    assert "app:***@db.internal:5432/shop" in shown


# -- schema ---------------------------------------------------------------------------------


def test_schema_version_is_recorded(db: Database) -> None:
    """create_schema() stores our schema version in <prefix>schema_version."""
    SQLAlchemyStore(db.engine, table_prefix=db.prefix, create_schema=True)
    table = build_tables(db.prefix).schema_version
    with db.engine.connect() as conn:
        assert [(1, SCHEMA_VERSION)] == [tuple(r) for r in conn.execute(sa.select(table))]


def test_create_schema_is_idempotent(db: Database) -> None:
    """Calling create_schema() again keeps the tables and their rows."""
    store = SQLAlchemyStore(db.engine, table_prefix=db.prefix, create_schema=True)
    store.add_customer("user-1", "cus_1")
    store.create_schema()
    again = SQLAlchemyStore(db.engine, table_prefix=db.prefix, create_schema=True)
    assert "cus_1" == again.get_customer_id("user-1")


def test_missing_schema_says_to_create_it(db: Database) -> None:
    """Using the store before its tables exist raises SchemaMissing naming create_schema()."""
    store = SQLAlchemyStore(db.engine, table_prefix=db.prefix)
    with pytest.raises(SchemaMissing, match=r"create_schema\(\)"):
        store.get_customer_id("user-1")


@pytest.mark.parametrize(("stored", "advice"), [(0, "migrate"), (SCHEMA_VERSION + 1, "upgrade")])
def test_other_schema_version_says_what_to_do(db: Database, stored: int, advice: str) -> None:
    """Tables of another schema version raise SchemaVersionMismatch with the way out."""
    SQLAlchemyStore(db.engine, table_prefix=db.prefix, create_schema=True)
    table = build_tables(db.prefix).schema_version
    with db.engine.begin() as conn:
        conn.execute(sa.update(table).values(version=stored))
    with pytest.raises(SchemaVersionMismatch, match=advice):
        SQLAlchemyStore(db.engine, table_prefix=db.prefix).get_customer_id("user-1")


def _normalized(sql: str) -> str:
    sql = re.sub(r"\s+", " ", sql)
    return re.sub(r"\s*([(),;])\s*", r"\1", sql).strip()


def test_documented_schema_matches_create_schema() -> None:
    """The PostgreSQL DDL in the docs is exactly what create_schema() runs."""
    docs = Path(__file__).parents[2] / "docs"
    pattern = re.compile(r"<!-- schema: postgresql -->\s*```sql\n(.*?)```", re.DOTALL)
    found = [m.group(1) for f in sorted(docs.glob("*.md")) for m in pattern.finditer(f.read_text())]
    dialect = PGDialect()  # type: ignore[no-untyped-call]  # SQLAlchemy leaves it untyped
    statements = []
    for table in build_tables("fp_").metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=dialect)) + ";")
        indexes = sorted(table.indexes, key=lambda i: str(i.name))  # a set: fix the order
        statements += [str(CreateIndex(i).compile(dialect=dialect)) + ";" for i in indexes]
    assert 1 == len(found)
    assert _normalized("".join(statements)) == _normalized(found[0])


def test_borrowed_engine_stays_open(db: Database) -> None:
    """close() leaves an engine the app handed over usable."""
    with SQLAlchemyStore(db.engine, table_prefix=db.prefix, create_schema=True) as store:
        store.add_customer("user-1", "cus_1")
    with db.engine.connect() as conn:
        assert 1 == conn.execute(sa.select(sa.literal(1))).scalar()


# -- behaviour the conformance suite may not pin down --------------------------------------


def test_keys_are_case_sensitive(sa_store: SQLAlchemyStore) -> None:
    """Ids differing only in case are two rows (MariaDB's default collation would merge them)."""
    sa_store.add_payment_method(_method("pm_A"), as_of=1)
    sa_store.add_payment_method(_method("pm_a"), as_of=1)
    assert ["pm_A", "pm_a"] == [m.id for m in sa_store.list_payment_methods("user-1")]


def test_client_secret_round_trips_but_stays_out_of_repr(sa_store: SQLAlchemyStore) -> None:
    """The ledger keeps client_secret; neither the record's nor the store's repr shows it."""
    charge = ChargeRecord("order-1", "user-1", 1999, "usd", "pm_1", client_secret="pi_1_secret_x")
    stored = sa_store.claim_charge(charge)
    assert "pi_1_secret_x" == stored.client_secret
    assert "pi_1_secret_x" not in repr(stored) + repr(sa_store)


def _race(workers: int, action: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(workers)
    results: list[Any] = [None] * workers

    def run(i: int) -> None:
        barrier.wait()
        results[i] = action(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_threads_racing_for_one_event_leave_one_winner(sa_store: SQLAlchemyStore) -> None:
    """Eight threads claiming one event: exactly one gets True."""
    results = _race(
        8, lambda i: sa_store.claim_event("evt_1", token=f"t{i}", now=1.0, lease_seconds=60)
    )
    assert 1 == results.count(True)


def test_threads_adding_methods_leave_one_default(sa_store: SQLAlchemyStore) -> None:
    """Eight threads adding different methods for one customer leave exactly one default."""
    _race(8, lambda i: sa_store.add_payment_method(_method(f"pm_{i}"), as_of=1))
    methods = sa_store.list_payment_methods("user-1")
    assert 8 == len(methods)
    assert 1 == sum(m.is_default for m in methods)


# -- parity with the reference implementation ---------------------------------------------


def _random_call(rng: random.Random) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
    ref = rng.choice(["u1", "u2"])
    pm = rng.choice(["pm_1", "pm_2", "pm_3", "pm_4"])
    key = rng.choice(["k1", "k2", "k3"])
    status = rng.choice(["active", "active", "pending", "failed", "detached"])
    method = _method(pm, ref, status=status, last4=rng.choice(["4242", "0002"]))
    states: list[ChargeState] = [
        "pending",
        "succeeded",
        "requires_action",
        "declined",
        "processing",
    ]
    state = rng.choice(states)
    charge = ChargeRecord(
        key, ref, rng.choice([100, 200]), "usd", pm, state=state,
        payment_intent_id=f"pi_{key}", client_secret=rng.choice([None, f"pi_{key}_secret"]),
        as_of=rng.randint(0, 3),
    )  # fmt: skip
    event = rng.choice(["evt_1", "evt_2"])
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
        ("add_customer", (ref, rng.choice(["cus_a", "cus_b"])), {}),
        ("get_customer_id", (ref,), {}),
        ("find_customer_ref", (rng.choice(["cus_a", "cus_b"]),), {}),
        ("add_setup_session", (SetupSessionRecord(rng.choice(["cs_1", "cs_2"]), ref, None),), {}),
        ("get_setup_session", (rng.choice(["cs_1", "cs_2"]),), {}),
        ("finish_setup_session", (rng.choice(["cs_1", "cs_2"]),),
         {"status": rng.choice(["complete", "expired"]), "payment_method_id": pm}),
        ("add_payment_method", (method,), {"as_of": rng.randint(0, 3)}),
        ("update_payment_method", (method,), {"as_of": rng.randint(0, 3)}),
        ("update_payment_method", (method,), {"as_of": rng.randint(0, 3)}),
        ("get_payment_method", (pm,), {}),
        ("list_payment_methods", (ref,), {}),
        ("set_default", (ref, pm), {}),
        ("claim_event", (event,), {"token": rng.choice("ab"), "now": float(rng.randint(0, 20)),
                                   "lease_seconds": 5.0}),
        ("record_event", (event,), {}),
        ("complete_event", (event,), {}),
        ("release_event", (event,), {"token": rng.choice("ab")}),
        ("add_pending_event", (PendingEvent(event, "t", "{}", float(rng.randint(0, 3))),), {}),
        ("claim_pending_events", (), {"limit": rng.randint(1, 3),
                                      "now": float(rng.randint(0, 20)), "lease_seconds": 5.0}),
        ("release_pending_events", ([event],), {}),
        ("claim_charge", (charge,), {}),
        ("update_charge", (charge,), {}),
        ("get_charge", (key,), {}),
        ("find_charge_by_payment_intent", (f"pi_{key}",), {}),
    ]  # fmt: skip
    return rng.choice(calls)


@pytest.mark.parametrize("seed", range(3))
def test_same_answers_as_memory_store(sa_store: SQLAlchemyStore, seed: int) -> None:
    """A random sequence of calls gets the same answer from SQLAlchemyStore and MemoryStore."""
    rng = random.Random(seed)
    memory = MemoryStore()
    for step in range(300):
        name, args, kwargs = _random_call(rng)
        expected = getattr(memory, name)(*args, **kwargs)
        actual = getattr(sa_store, name)(*args, **kwargs)
        if name == "list_payment_methods":
            expected, actual = list(expected), list(actual)
        assert expected == actual, f"step {step}: {name}{args}{kwargs}"


class _DriverError(Exception):
    """Stands in for a driver's exception: psycopg's carry ``sqlstate``, PyMySQL's an errno."""

    def __init__(self, *args: object, sqlstate: str | None = None) -> None:
        super().__init__(*args)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    "error",
    [
        _DriverError("deadlock detected", sqlstate="40P01"),
        _DriverError("could not serialize access", sqlstate="40001"),
        _DriverError(1213, "Deadlock found when trying to get lock"),
        _DriverError("database is locked"),
    ],
    ids=["pg-deadlock", "pg-serialization", "mariadb-deadlock", "sqlite-busy"],
)
def test_transaction_is_retried_after_a_deadlock(tmp_path: Path, error: _DriverError) -> None:
    """A deadlock or serialization failure rolls back and reruns the whole transaction."""
    attempts: list[int] = []

    def work(conn: sa.Connection) -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise sa.exc.OperationalError("UPDATE ...", {}, error)
        return "done"

    with SQLAlchemyStore(f"sqlite:///{tmp_path / 'r.db'}", create_schema=True) as store:
        assert "done" == store._write(work)
    assert 2 == len(attempts)


def test_other_database_errors_are_not_retried(tmp_path: Path) -> None:
    """An error that is not a deadlock is raised at once, as a StoreError leaf."""
    attempts: list[int] = []

    def work(conn: sa.Connection) -> None:
        attempts.append(1)
        raise sa.exc.IntegrityError("INSERT ...", {}, _DriverError(1062, "Duplicate entry"))

    store = SQLAlchemyStore(f"sqlite:///{tmp_path / 'r.db'}", create_schema=True)
    with store, pytest.raises(DatabaseFailed) as info:
        store._write(work)
    assert (1, sa.exc.IntegrityError) == (len(attempts), type(info.value.__cause__))
