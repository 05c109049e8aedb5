"""SQLAlchemyStore: the Store on PostgreSQL or MariaDB (or SQLite), for many app servers.

Every guarantee is the database's own: unique keys, insert-if-absent (``ON CONFLICT DO NOTHING``
on PostgreSQL and SQLite, ``ON DUPLICATE KEY UPDATE key = key`` on MariaDB) followed by a read of
the winner in the same transaction, and conditional ``UPDATE ... WHERE`` statements. Writes run
at READ COMMITTED (SQLite: ``BEGIN IMMEDIATE``); deadlocks and serialization failures retry the
whole transaction a bounded number of times.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from future_payments._errors import (
    DatabaseDriverMissing,
    DatabaseUnreachable,
    InvalidDatabaseURL,
    InvalidInput,
    SchemaMissing,
    SchemaVersionMismatch,
)
from future_payments._models import (
    ChargeRecord,
    SavedPaymentMethod,
    SessionStatus,
    SetupSessionRecord,
)

_EXTRA = "pip install 'future-payments[sqlalchemy]'"


try:
    import sqlalchemy as sa
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise DatabaseDriverMissing(f"SQLAlchemyStore needs SQLAlchemy: {_EXTRA}") from exc

from future_payments.stores._sqlalchemy_schema import (  # noqa: E402 - after the import guard
    IMMUTABLE_CHARGE_FIELDS,
    PREFIX_PATTERN,
    SCHEMA_VERSION,
    build_tables,
    charge_from_row,
    charge_values,
    insert_if_absent,
    is_transient,
    method_from_row,
    method_values,
    session_from_row,
    upsert,
)

T = TypeVar("T")

_DEFAULT_DRIVERS = {"postgresql": "psycopg", "mysql": "pymysql", "mariadb": "pymysql"}
_BACKENDS = ("postgresql", "mysql", "mariadb", "sqlite")
_MAX_ATTEMPTS = 8


def _engine_from_url(text: str) -> sa.Engine:
    try:
        url = sa.make_url(text)
    except (sa.exc.ArgumentError, ValueError):
        # The text may hold a password: never echo it.
        raise InvalidDatabaseURL(
            "not a database URL; expected dialect+driver://user:password@host:port/database, "
            "e.g. postgresql+psycopg://app@db.internal:5432/shop"
        ) from None
    backend = url.get_backend_name()
    shown = url.render_as_string(hide_password=True)
    if backend not in _BACKENDS:
        raise InvalidDatabaseURL(
            f"SQLAlchemyStore supports PostgreSQL, MariaDB/MySQL and SQLite, not {backend!r} "
            f"(URL {shown})"
        )
    if "+" not in url.drivername and backend in _DEFAULT_DRIVERS:
        # SQLAlchemy's default driver differs between versions and is not what our extra
        # installs; pick the one that is.
        url = url.set(drivername=f"{backend}+{_DEFAULT_DRIVERS[backend]}")
    try:
        # hide_parameters: error messages must never carry a stored client_secret.
        return sa.create_engine(url, pool_pre_ping=True, hide_parameters=True)
    except (ImportError, sa.exc.NoSuchModuleError) as exc:
        raise DatabaseDriverMissing(
            f"the driver for {url.drivername!r} is not installed ({exc}); {_EXTRA} installs "
            "psycopg (postgresql+psycopg://) and PyMySQL (mariadb+pymysql://, mysql+pymysql://)"
        ) from exc


class SQLAlchemyStore:
    """A store in a PostgreSQL, MariaDB or SQLite database, shared by any number of processes.

    Args:
        engine_or_url: your app's ``sqlalchemy.Engine`` (the store borrows it and never
            disposes it), or a URL such as ``postgresql+psycopg://app@db:5432/shop`` (the store
            makes and owns an engine; ``close()`` disposes it).
        table_prefix: prepended to every table name.
        create_schema: create the tables now if they do not exist (same as ``create_schema()``).

    Raises:
        InvalidDatabaseURL: the URL cannot be parsed or names another database.
        DatabaseDriverMissing: the URL's driver is not installed.
    """

    def __init__(
        self,
        engine_or_url: sa.Engine | str,
        *,
        table_prefix: str = "fp_",
        create_schema: bool = False,
    ) -> None:
        if not isinstance(table_prefix, str) or not PREFIX_PATTERN.fullmatch(table_prefix):
            raise InvalidInput(
                f"table_prefix {table_prefix!r} must be up to 20 lower-case letters, digits "
                "and underscores, starting with a letter (or empty)"
            )
        if isinstance(engine_or_url, str):
            self._engine, self._owns_engine = _engine_from_url(engine_or_url), True
        elif isinstance(engine_or_url, sa.Engine):
            self._engine, self._owns_engine = engine_or_url, False
        else:
            raise InvalidInput(
                f"engine_or_url must be a sqlalchemy.Engine or a URL string, "
                f"not {type(engine_or_url).__name__}"
            )
        self._dialect = self._engine.dialect.name
        if self._dialect not in _BACKENDS:
            raise InvalidDatabaseURL(
                f"SQLAlchemyStore supports PostgreSQL, MariaDB/MySQL and SQLite, "
                f"not {self._dialect!r}"
            )
        self._sqlite = self._dialect == "sqlite"
        # Proxies that share the engine's pool: writes at READ COMMITTED (the statements
        # below rely on each statement seeing the latest commits), reads in autocommit.
        self._writer = (
            self._engine
            if self._sqlite
            else self._engine.execution_options(isolation_level="READ COMMITTED")
        )
        self._reader = self._engine.execution_options(isolation_level="AUTOCOMMIT")
        self._t = build_tables(table_prefix)
        self._prefix = table_prefix
        self._schema_checked = False
        if create_schema:
            self.create_schema()

    def __repr__(self) -> str:
        url = self._engine.url.render_as_string(hide_password=True)
        return f"SQLAlchemyStore({url!r}, table_prefix={self._prefix!r})"

    def close(self) -> None:
        """Dispose the engine if the store made it from a URL; a borrowed engine is left open."""
        if self._owns_engine:
            self._engine.dispose()

    def __enter__(self) -> SQLAlchemyStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- schema ------------------------------------------------------------------------------

    def create_schema(self) -> None:
        """Create the tables and record the schema version; safe to call again and again.

        Raises:
            SchemaVersionMismatch: the tables exist but belong to another schema version.
            DatabaseUnreachable: the database cannot be reached.
        """
        t = self._t
        for attempt in range(3):
            try:
                with self._connect(self._engine) as conn, conn.begin():
                    t.metadata.create_all(conn, checkfirst=True)
                    self._insert_if_absent(
                        conn, t.schema_version, {"id": 1, "version": SCHEMA_VERSION}, "id"
                    )
                break
            except sa.exc.DBAPIError:
                # Another process created the same tables between our check and our CREATE.
                if attempt == 2:
                    raise
                time.sleep(0.05 * (attempt + 1))
        self._schema_checked = False
        self._check_schema()

    def _check_schema(self) -> None:
        if self._schema_checked:
            return
        name = self._t.schema_version.name
        with self._connect(self._reader) as conn:
            stored = None
            if sa.inspect(conn).has_table(name):
                stored = conn.execute(sa.select(self._t.schema_version.c.version)).scalar()
        if stored is None:
            raise SchemaMissing(
                f"the future_payments tables ({name} and the others with prefix "
                f"{self._prefix!r}) do not exist in {self._shown_url()}; call "
                "store.create_schema() once, or pass create_schema=True"
            )
        if stored != SCHEMA_VERSION:
            what = (
                f"migrate it to version {SCHEMA_VERSION} (see the migration notes in the docs)"
                if stored < SCHEMA_VERSION
                else "upgrade future-payments to the version that wrote it"
            )
            raise SchemaVersionMismatch(
                f"the tables with prefix {self._prefix!r} in {self._shown_url()} have schema "
                f"version {stored}, this future_payments uses {SCHEMA_VERSION}; {what}"
            )
        self._schema_checked = True

    def _shown_url(self) -> str:
        return self._engine.url.render_as_string(hide_password=True)

    # -- plumbing ----------------------------------------------------------------------------

    def _connect(self, engine: sa.Engine) -> sa.Connection:
        try:
            return engine.connect()
        except sa.exc.DBAPIError as exc:
            url = self._engine.url
            where = f"{url.host or 'localhost'}:{url.port or 'default port'}"
            if self._sqlite:
                where = f"file {url.database!r}"
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise DatabaseUnreachable(
                f"cannot connect to the {self._dialect} database at {where} (database "
                f"{url.database!r}, user {url.username!r}): {reason}. Check that the server "
                "is running and reachable from here, and that the user, password and "
                "database name are right."
            ) from exc

    def _read(self, work: Callable[[sa.Connection], T]) -> T:
        self._check_schema()
        with self._connect(self._reader) as conn:
            return work(conn)

    def _write(self, work: Callable[[sa.Connection], T]) -> T:
        """Run ``work`` in one transaction, retrying it whole after a deadlock."""
        self._check_schema()
        for attempt in range(1, _MAX_ATTEMPTS + 1):
            try:
                with self._connect(self._writer) as conn, conn.begin():
                    if self._sqlite:
                        # Take the write lock now: a deferred transaction that reads, then
                        # writes, could otherwise fail to upgrade its lock.
                        conn.exec_driver_sql("BEGIN IMMEDIATE")
                    return work(conn)
            except sa.exc.DBAPIError as exc:
                if attempt == _MAX_ATTEMPTS or not is_transient(exc):
                    raise
            # Jitter, not cryptography: spread the retries of colliding transactions apart.
            time.sleep(random.uniform(0, 0.002 * 2**attempt))  # noqa: S311
        raise AssertionError("unreachable")  # pragma: no cover

    def _insert_if_absent(
        self, conn: sa.Connection, table: sa.Table, values: dict[str, Any], key: str
    ) -> None:
        conn.execute(insert_if_absent(self._dialect, table, values, key))

    def _upsert(
        self,
        conn: sa.Connection,
        table: sa.Table,
        values: dict[str, Any],
        key: str,
        update: dict[str, Any],
    ) -> None:
        conn.execute(upsert(self._dialect, table, values, key, update))

    def _one(self, conn: sa.Connection, table: sa.Table, key: str, value: str) -> sa.Row[Any]:
        return conn.execute(sa.select(table).where(table.c[key] == value)).one()

    # -- customers ---------------------------------------------------------------------------

    def get_customer_id(self, customer_ref: str) -> str | None:
        c = self._t.customers
        query = sa.select(c.c.customer_id).where(c.c.customer_ref == customer_ref)
        return self._read(lambda conn: conn.execute(query).scalar())

    def find_customer_ref(self, customer_id: str) -> str | None:
        c = self._t.customers
        query = (
            sa.select(c.c.customer_ref)
            .where(c.c.customer_id == customer_id)
            .order_by(c.c.seq)
            .limit(1)
        )
        return self._read(lambda conn: conn.execute(query).scalar())

    def add_customer(self, customer_ref: str, customer_id: str) -> str:
        c = self._t.customers

        def work(conn: sa.Connection) -> str:
            values = {"customer_ref": customer_ref, "customer_id": customer_id}
            self._insert_if_absent(conn, c, values, "customer_ref")
            return str(self._one(conn, c, "customer_ref", customer_ref).customer_id)

        return self._write(work)

    # -- setup sessions ----------------------------------------------------------------------

    def add_setup_session(self, session: SetupSessionRecord) -> SetupSessionRecord:
        s = self._t.setup_sessions

        def work(conn: sa.Connection) -> SetupSessionRecord:
            values = {
                "session_id": session.session_id,
                "customer_ref": session.customer_ref,
                "customer_id": session.customer_id,
                "status": session.status,
                "payment_method_id": session.payment_method_id,
            }
            self._insert_if_absent(conn, s, values, "session_id")
            return session_from_row(self._one(conn, s, "session_id", session.session_id))

        return self._write(work)

    def get_setup_session(self, session_id: str) -> SetupSessionRecord | None:
        s = self._t.setup_sessions
        query = sa.select(s).where(s.c.session_id == session_id)
        row = self._read(lambda conn: conn.execute(query).first())
        return session_from_row(row) if row is not None else None

    def finish_setup_session(
        self, session_id: str, *, status: SessionStatus, payment_method_id: str | None
    ) -> SetupSessionRecord | None:
        s = self._t.setup_sessions

        def work(conn: sa.Connection) -> SetupSessionRecord | None:
            conn.execute(
                sa.update(s)
                .where(s.c.session_id == session_id, s.c.status == "open")
                .values(status=status, payment_method_id=payment_method_id)
            )
            row = conn.execute(sa.select(s).where(s.c.session_id == session_id)).first()
            return session_from_row(row) if row is not None else None

        return self._write(work)

    # -- saved payment methods ---------------------------------------------------------------

    def add_payment_method(self, method: SavedPaymentMethod, *, as_of: int) -> SavedPaymentMethod:
        existing = self.get_payment_method(method.id)
        if existing is not None:  # the common duplicate: no lock, no write
            return existing
        m = self._t.payment_methods

        def work(conn: sa.Connection) -> SavedPaymentMethod:
            self._lock_customer(conn, method.customer_ref)
            if self._owner(conn, method.id) is None:
                self._insert_method(conn, method, as_of)
            return method_from_row(self._one(conn, m, "id", method.id))

        return self._write(work)

    def update_payment_method(
        self, method: SavedPaymentMethod, *, as_of: int
    ) -> SavedPaymentMethod:
        m = self._t.payment_methods

        def work(conn: sa.Connection) -> SavedPaymentMethod:
            self._lock_customer(conn, method.customer_ref)
            before = self._owner(conn, method.id)
            if before is None:
                self._insert_method(conn, method, as_of)
                return method_from_row(self._one(conn, m, "id", method.id))
            values = method_values(method, as_of)
            moved = before != method.customer_ref
            if moved:  # the method changes customer: it arrives as a non-default
                self._lock_customer(conn, before)
                values["is_default"] = False
            if conn.execute(
                sa.update(m)
                .where(m.c.id == method.id, m.c.status != "detached", m.c.as_of <= as_of)
                .values(values)
            ).rowcount:
                self._settle_default(conn, method.customer_ref)
                if moved:  # the customer it left keeps one default
                    self._settle_default(conn, before)
            return method_from_row(self._one(conn, m, "id", method.id))

        return self._write(work)

    def _owner(self, conn: sa.Connection, payment_method_id: str) -> str | None:
        """The customer_ref of a stored method (now locked), or None when there is none."""
        m = self._t.payment_methods
        query = sa.select(m.c.customer_ref).where(m.c.id == payment_method_id).with_for_update()
        return conn.execute(query).scalar()

    def _insert_method(self, conn: sa.Connection, method: SavedPaymentMethod, as_of: int) -> None:
        values = {**method_values(method, as_of), "is_default": False}
        self._insert_if_absent(conn, self._t.payment_methods, values, "id")
        self._settle_default(conn, method.customer_ref)

    def get_payment_method(self, payment_method_id: str) -> SavedPaymentMethod | None:
        m = self._t.payment_methods
        query = sa.select(m).where(m.c.id == payment_method_id)
        row = self._read(lambda conn: conn.execute(query).first())
        return method_from_row(row) if row is not None else None

    def list_payment_methods(self, customer_ref: str) -> Sequence[SavedPaymentMethod]:
        m = self._t.payment_methods
        query = (
            sa.select(m)
            .where(m.c.customer_ref == customer_ref, m.c.status.in_(("active", "pending")))
            .order_by(m.c.seq)
        )
        rows = self._read(lambda conn: conn.execute(query).all())
        return [method_from_row(row) for row in rows]

    def set_default(self, customer_ref: str, payment_method_id: str) -> SavedPaymentMethod | None:
        m = self._t.payment_methods

        def work(conn: sa.Connection) -> SavedPaymentMethod | None:
            self._lock_customer(conn, customer_ref)
            row = conn.execute(
                sa.select(m.c.customer_ref, m.c.status).where(m.c.id == payment_method_id)
            ).first()
            if row is None or row.customer_ref != customer_ref or row.status != "active":
                return None
            mine = m.c.customer_ref == customer_ref
            conn.execute(
                sa.update(m)
                .where(mine, m.c.is_default, m.c.id != payment_method_id)
                .values(is_default=False)
            )
            conn.execute(sa.update(m).where(m.c.id == payment_method_id).values(is_default=True))
            return method_from_row(self._one(conn, m, "id", payment_method_id))

        return self._write(work)

    def _lock_customer(self, conn: sa.Connection, customer_ref: str) -> None:
        """Upsert the customer's lock row, which holds its row lock until commit."""
        locks = self._t.customer_locks
        self._upsert(
            conn,
            locks,
            {"customer_ref": customer_ref, "writes": 1},
            "customer_ref",
            {"writes": locks.c.writes + 1},
        )

    def _settle_default(self, conn: sa.Connection, customer_ref: str) -> None:
        """Keep exactly one default among the customer's active methods (see the protocol).

        Runs under the customer's lock (``_lock_customer``), so deciding in Python is safe.
        """
        m = self._t.payment_methods
        rows = conn.execute(
            sa.select(m.c.id, m.c.status, m.c.is_default)
            .where(m.c.customer_ref == customer_ref)
            .order_by(m.c.seq)
        ).all()
        active = [r for r in rows if r.status == "active"]
        keep = next((r.id for r in active if r.is_default), active[0].id if active else None)
        clear = [r.id for r in rows if r.is_default and r.id != keep]
        if clear:
            conn.execute(sa.update(m).where(m.c.id.in_(clear)).values(is_default=False))
        if keep is not None and not any(r.is_default for r in active):
            conn.execute(sa.update(m).where(m.c.id == keep).values(is_default=True))

    # -- webhook event inbox -----------------------------------------------------------------

    def claim_event(self, event_id: str, *, now: float, lease_seconds: float) -> bool:
        e = self._t.events
        token = secrets.token_hex(16)
        values = {"completed": False, "expires_at": now + lease_seconds, "claim_token": token}

        def work(conn: sa.Connection) -> bool:
            self._insert_if_absent(conn, e, {"event_id": event_id, **values}, "event_id")
            # Take over a claim whose worker crashed: one conditional UPDATE; the row lock it
            # takes makes it the only winner.
            conn.execute(
                sa.update(e)
                .where(e.c.event_id == event_id, ~e.c.completed, e.c.expires_at <= now)
                .values(values)
            )
            # Our token is in the row iff our insert or our takeover won.
            stored = conn.execute(
                sa.select(e.c.claim_token).where(e.c.event_id == event_id)
            ).scalar()
            return stored == token

        return self._write(work)

    def complete_event(self, event_id: str) -> None:
        e = self._t.events
        values = {"event_id": event_id, "completed": True, "expires_at": 0.0, "claim_token": ""}
        self._write(lambda conn: self._upsert(conn, e, values, "event_id", {"completed": True}))

    def release_event(self, event_id: str) -> None:
        e = self._t.events
        stmt = sa.delete(e).where(e.c.event_id == event_id, ~e.c.completed)
        self._write(lambda conn: conn.execute(stmt))

    # -- charge ledger -----------------------------------------------------------------------

    def claim_charge(self, charge: ChargeRecord) -> ChargeRecord:
        c = self._t.charges

        def work(conn: sa.Connection) -> ChargeRecord:
            self._insert_if_absent(conn, c, charge_values(charge), "idempotency_key")
            return charge_from_row(self._one(conn, c, "idempotency_key", charge.idempotency_key))

        return self._write(work)

    def update_charge(self, charge: ChargeRecord) -> ChargeRecord:
        c = self._t.charges
        values = charge_values(charge)
        newer = {k: v for k, v in values.items() if k not in IMMUTABLE_CHARGE_FIELDS}

        def work(conn: sa.Connection) -> ChargeRecord:
            self._insert_if_absent(conn, c, values, "idempotency_key")
            # If the insert just happened, this rewrites the same values: harmless.
            conn.execute(
                sa.update(c)
                .where(
                    c.c.idempotency_key == charge.idempotency_key,
                    c.c.state != "succeeded",
                    c.c.as_of <= charge.as_of,
                )
                .values(newer)
            )
            return charge_from_row(self._one(conn, c, "idempotency_key", charge.idempotency_key))

        return self._write(work)

    def get_charge(self, idempotency_key: str) -> ChargeRecord | None:
        c = self._t.charges
        query = sa.select(c).where(c.c.idempotency_key == idempotency_key)
        row = self._read(lambda conn: conn.execute(query).first())
        return charge_from_row(row) if row is not None else None

    def find_charge_by_payment_intent(self, payment_intent_id: str) -> ChargeRecord | None:
        c = self._t.charges
        query = sa.select(c).where(c.c.payment_intent_id == payment_intent_id).limit(1)
        row = self._read(lambda conn: conn.execute(query).first())
        return charge_from_row(row) if row is not None else None
