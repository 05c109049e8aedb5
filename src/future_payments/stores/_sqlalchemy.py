"""SQLAlchemyStore: the Store on PostgreSQL or MariaDB (or SQLite), for many app servers.

Every guarantee is the database's own: unique keys, insert-if-absent (``ON CONFLICT DO NOTHING``
on PostgreSQL and SQLite, ``ON DUPLICATE KEY UPDATE key = key`` on MariaDB) followed by a read of
the winner in the same transaction, and conditional ``UPDATE ... WHERE`` statements. Writes run
at READ COMMITTED (SQLite: ``BEGIN IMMEDIATE``); deadlocks and serialization failures retry the
whole transaction a bounded number of times (see ``_sqlalchemy_engine.Database``). Keys are
``ExactKey`` columns, compared exactly on every database. The charge ledger, refunds and
attempts are in ``_sqlalchemy_ledger``.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator, Sequence

import attrs

from future_payments._models import (
    Attempt,
    AttemptKind,
    ChargeRecord,
    PendingEvent,
    RefundRecord,
    SavedPaymentMethod,
    SessionStatus,
    SetupSessionRecord,
)
from future_payments.errors import DatabaseDriverMissing
from future_payments.stores._values import refuses_unstorable

try:
    import sqlalchemy as sa
    from sqlalchemy.dialects import mysql, postgresql, sqlite
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise DatabaseDriverMissing(
        "SQLAlchemyStore needs SQLAlchemy: install the 'sqlalchemy' extra "
        "(in a clone: pip install '.[sqlalchemy]')"
    ) from exc

# After the import guard: these modules import SQLAlchemy themselves.
from future_payments.stores._rows import method_params, pending_from_row
from future_payments.stores._sqlalchemy_engine import Database
from future_payments.stores._sqlalchemy_ledger import Ledger
from future_payments.stores._sqlalchemy_statements import method_from_row, session_from_row


@refuses_unstorable
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
        self._db = Database(engine_or_url, table_prefix=table_prefix)
        self._engine = self._db.engine
        self._t = self._db.tables
        self._read = self._db.read
        self._write = self._db.write
        self._ledger = Ledger(self._db)
        if create_schema:
            self.create_schema()

    def __repr__(self) -> str:
        return f"SQLAlchemyStore({self._db.shown_url()!r}, table_prefix={self._db.prefix!r})"

    @property
    def engine(self) -> sa.Engine:
        """The engine the store runs on (yours, or the one it made from the URL)."""
        return self._engine

    def close(self) -> None:
        """Dispose the engine if the store made it from a URL; a borrowed engine is left open."""
        self._db.close()

    def __enter__(self) -> SQLAlchemyStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def create_schema(self) -> None:
        """Create the missing tables, or migrate older ones in place; safe to call again.

        Tables of an older schema version get the columns and tables the newer versions add,
        with every stored row kept (on MariaDB, key columns become exact ``VARBINARY``). Several
        processes may call it at once: they wait for each other.

        Raises:
            SchemaVersionMismatch: the tables belong to a newer future_payments.
            ForeignSchema: tables with the store's names lack its columns.
            DatabaseUnreachable: the database cannot be reached.
        """
        self._db.create_schema()

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
            self._db.insert_if_absent(conn, c, values, "customer_ref")
            return str(self._db.one(conn, c, "customer_ref", customer_ref).customer_id)

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
            self._db.insert_if_absent(conn, s, values, "session_id")
            return session_from_row(self._db.one(conn, s, "session_id", session.session_id))

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
            return method_from_row(self._db.one(conn, m, "id", method.id))

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
                return method_from_row(self._db.one(conn, m, "id", method.id))
            values = method_params(method, as_of=as_of)
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
            return method_from_row(self._db.one(conn, m, "id", method.id))

        return self._write(work)

    def _owner(self, conn: sa.Connection, payment_method_id: str) -> str | None:
        """The customer_ref of a stored method (now locked), or None when there is none."""
        m = self._t.payment_methods
        query = sa.select(m.c.customer_ref).where(m.c.id == payment_method_id).with_for_update()
        return conn.execute(query).scalar()

    def _insert_method(self, conn: sa.Connection, method: SavedPaymentMethod, as_of: int) -> None:
        values = {**method_params(method, as_of=as_of), "is_default": False}
        self._db.insert_if_absent(conn, self._t.payment_methods, values, "id")
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
            return method_from_row(self._db.one(conn, m, "id", payment_method_id))

        return self._write(work)

    def _lock_customer(self, conn: sa.Connection, customer_ref: str) -> None:
        """Upsert the customer's lock row, which holds its row lock until commit."""
        locks = self._t.customer_locks
        self._db.upsert(
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

    def record_event(self, event_id: str) -> bool:
        e = self._t.events
        values = {"event_id": event_id, "completed": True, "expires_at": 0.0, "claim_token": ""}
        return self._db.write(lambda conn: self._db.insert_new(conn, e, values), single=True)

    def claim_event(self, event_id: str, *, token: str, now: float, lease_seconds: float) -> bool:
        e = self._t.events
        values = {
            "event_id": event_id,
            "completed": False,
            "expires_at": now + lease_seconds,
            "claim_token": token,
        }
        # Ours when absent, when its lease ran out (its worker crashed), or ours already.
        free = sa.and_(~e.c.completed, sa.or_(e.c.expires_at <= now, e.c.claim_token == token))
        dialect = self._db.dialect
        if dialect in ("postgresql", "sqlite"):
            # One statement: RETURNING gives a row exactly when the insert or takeover won.
            insert = postgresql.insert(e) if dialect == "postgresql" else sqlite.insert(e)
            stmt = insert.values(values).on_conflict_do_update(
                index_elements=[e.c.event_id],
                set_={"expires_at": insert.excluded.expires_at, "claim_token": token},
                where=free,
            )
            query = stmt.returning(e.c.event_id)
            return self._db.write(lambda conn: conn.execute(query).first() is not None, single=True)
        # MariaDB: ON DUPLICATE KEY UPDATE sees the old row in the first assignment only, so
        # the token decides, then the lease follows the token; a read in the same
        # transaction tells who holds it.
        new = mysql.insert(e).values(values)
        upsert = new.on_duplicate_key_update(
            [
                ("claim_token", sa.case((free, new.inserted.claim_token), else_=e.c.claim_token)),
                (
                    "expires_at",
                    sa.case(
                        (e.c.claim_token == new.inserted.claim_token, new.inserted.expires_at),
                        else_=e.c.expires_at,
                    ),
                ),
            ]
        )
        read = sa.select(e.c.claim_token, e.c.completed).where(e.c.event_id == event_id)

        def work(conn: sa.Connection) -> bool:
            conn.execute(upsert)
            row = conn.execute(read).one()
            return bool(row.claim_token == token and not row.completed)

        return self._write(work)

    def complete_event(self, event_id: str) -> None:
        e, p = self._t.events, self._t.pending_events
        values = {"event_id": event_id, "completed": True, "expires_at": 0.0, "claim_token": ""}

        def work(conn: sa.Connection) -> None:
            self._db.upsert(conn, e, values, "event_id", {"completed": True, "claim_token": ""})
            conn.execute(sa.delete(p).where(p.c.event_id == event_id))

        self._write(work)

    def release_event(self, event_id: str, *, token: str) -> None:
        e = self._t.events
        stmt = sa.delete(e).where(
            e.c.event_id == event_id, ~e.c.completed, e.c.claim_token == token
        )
        self._write(lambda conn: conn.execute(stmt))

    def add_pending_event(self, event: PendingEvent) -> bool:
        e, p = self._t.events, self._t.pending_events
        processed = sa.exists().where(e.c.event_id == event.event_id, e.c.completed)
        values = {**attrs.asdict(event), "expires_at": 0.0}
        if self._db.dialect == "postgresql":
            # One statement, in autocommit: insert unless processed or pending already.
            row = sa.select(*(sa.literal(v, p.c[k].type).label(k) for k, v in values.items()))
            stmt = (
                postgresql.insert(p)
                .from_select(list(values), row.where(~processed))
                .on_conflict_do_nothing()
                .returning(sa.literal(1))
            )
            return self._db.write(lambda conn: conn.execute(stmt).first() is not None, single=True)
        done = sa.select(e.c.completed).where(e.c.event_id == event.event_id)

        def work(conn: sa.Connection) -> bool:
            if conn.execute(done).scalar():
                return False
            # A completion racing this insert leaves a pending row of a completed event;
            # claim_pending_events drops such rows.
            return self._db.insert_new(conn, p, values)

        return self._write(work)

    def claim_pending_events(
        self, *, limit: int, now: float, lease_seconds: float
    ) -> Sequence[PendingEvent]:
        e, p = self._t.events, self._t.pending_events
        # SKIP LOCKED (PostgreSQL, MariaDB 10.6+): rows another worker is taking are passed
        # over, not waited for. SQLite has no row locks; BEGIN IMMEDIATE serialises instead.
        take = (
            sa.select(p.c.event_id, p.c.event_type, p.c.payload, p.c.received_at)
            .where(p.c.expires_at <= now)
            .order_by(p.c.received_at, p.c.event_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )

        def work(conn: sa.Connection) -> list[PendingEvent]:
            taken = [pending_from_row(row._mapping) for row in conn.execute(take)]
            if not taken:
                return []
            ids = [event.event_id for event in taken]
            done = set(
                conn.execute(
                    sa.select(e.c.event_id).where(e.c.event_id.in_(ids), e.c.completed)
                ).scalars()
            )
            if done:
                conn.execute(sa.delete(p).where(p.c.event_id.in_(done)))
            keep = [event for event in taken if event.event_id not in done]
            if keep:
                conn.execute(
                    sa.update(p)
                    .where(p.c.event_id.in_([event.event_id for event in keep]))
                    .values(expires_at=now + lease_seconds)
                )
            return keep

        return self._write(work)

    def release_pending_events(self, event_ids: Sequence[str]) -> None:
        p = self._t.pending_events
        if not event_ids:
            return
        stmt = sa.update(p).where(p.c.event_id.in_(list(event_ids))).values(expires_at=0.0)
        self._write(lambda conn: conn.execute(stmt))

    # -- transactions ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def atomic(self) -> Iterator[SQLAlchemyStore]:
        if self._db.joined is not None:
            yield self  # already inside a block: join it
            return
        with self._db.transaction() as db:
            joined = copy.copy(self)
            joined._db, joined._read, joined._write = db, db.read, db.write
            joined._ledger = Ledger(db)
            yield joined

    # -- charge ledger, refunds, attempts (``_sqlalchemy_ledger``) ------------------------------

    def claim_charge(self, charge: ChargeRecord) -> ChargeRecord:
        return self._ledger.claim_charge(charge)

    def update_charge(self, charge: ChargeRecord) -> ChargeRecord:
        return self._ledger.update_charge(charge)

    def replace_charge(self, charge: ChargeRecord, *, expected_version: int) -> ChargeRecord | None:
        return self._ledger.replace_charge(charge, expected_version=expected_version)

    def mark_disputed(self, idempotency_key: str) -> ChargeRecord | None:
        return self._ledger.mark_disputed(idempotency_key)

    def get_charge(self, idempotency_key: str) -> ChargeRecord | None:
        return self._ledger.get_charge(idempotency_key)

    def find_charge_by_payment_intent(self, payment_intent_id: str) -> ChargeRecord | None:
        return self._ledger.find_charge_by_payment_intent(payment_intent_id)

    def claim_refund(self, refund: RefundRecord) -> RefundRecord:
        return self._ledger.claim_refund(refund)

    def update_refund(self, refund: RefundRecord) -> RefundRecord:
        return self._ledger.update_refund(refund)

    def get_refund(self, refund_key: str) -> RefundRecord | None:
        return self._ledger.get_refund(refund_key)

    def find_refund(self, refund_id: str) -> RefundRecord | None:
        return self._ledger.find_refund(refund_id)

    def list_refunds(self, idempotency_key: str) -> Sequence[RefundRecord]:
        return self._ledger.list_refunds(idempotency_key)

    def begin_attempt(self, kind: AttemptKind, key: str, *, now: int) -> Attempt:
        return self._ledger.begin_attempt(kind, key, now=now)

    def next_attempt(self, kind: AttemptKind, key: str, *, after: int, now: int) -> Attempt:
        return self._ledger.next_attempt(kind, key, after=after, now=now)

    def mark_uncertain(self, kind: AttemptKind, key: str, *, number: int) -> None:
        self._ledger.mark_uncertain(kind, key, number=number)

    def finish_attempt(self, kind: AttemptKind, key: str, *, number: int) -> None:
        self._ledger.finish_attempt(kind, key, number=number)
