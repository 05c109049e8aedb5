"""The money side of ``SQLAlchemyStore``: the charge ledger, refunds and attempts.

Each write is one transaction of ``Database.write`` (READ COMMITTED; ``BEGIN IMMEDIATE`` on
SQLite). Every compare-and-set is one conditional ``UPDATE ... WHERE``: the row lock it takes
makes racing callers queue, and each re-checks the condition on the row the one before it
committed, so exactly one of them applies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa

from future_payments._models import Attempt, AttemptKind, ChargeRecord, RefundRecord
from future_payments.stores._rows import SETTLED_STATES, charge_params, refund_params
from future_payments.stores._sqlalchemy_engine import Database
from future_payments.stores._sqlalchemy_statements import (
    CHARGE_NEWS,
    attempt_from_row,
    charge_from_row,
    refund_from_row,
)

R = TypeVar("R")


def _at_least(table: sa.Table, as_of: int, rank: int, rank_column: str) -> sa.ColumnElement[bool]:
    """The stored ``(as_of, rank)`` is at most the news' own: the news applies."""
    stored_rank = table.c[rank_column]
    return sa.or_(table.c.as_of < as_of, sa.and_(table.c.as_of == as_of, stored_rank <= rank))


class Ledger:
    """Charges, refunds and attempts in the tables of one ``Database``."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._t = db.tables

    # -- charges -----------------------------------------------------------------------------

    def claim_charge(self, charge: ChargeRecord) -> ChargeRecord:
        values = charge_params(charge)
        return self._claim(self._t.charges, values, "idempotency_key", self._charge)

    def update_charge(self, charge: ChargeRecord) -> ChargeRecord:
        c = self._t.charges
        values = charge_params(charge)

        def work(conn: sa.Connection) -> ChargeRecord:
            # An insert is the first applied change: version 1, as in MemoryStore.
            if not self._db.insert_new(conn, c, {**values, "version": 1}):
                conn.execute(
                    sa.update(c)
                    .where(
                        c.c.idempotency_key == charge.idempotency_key,
                        c.c.state.not_in(SETTLED_STATES),
                        _at_least(c, charge.as_of, charge.rank, "state_rank"),
                    )
                    .values(self._news(charge, values))
                )
            return self._charge(conn, charge.idempotency_key)

        return self._db.write(work)

    def replace_charge(self, charge: ChargeRecord, *, expected_version: int) -> ChargeRecord | None:
        c = self._t.charges
        values = charge_params(charge)

        def work(conn: sa.Connection) -> ChargeRecord | None:
            applied = conn.execute(
                sa.update(c)
                .where(
                    c.c.idempotency_key == charge.idempotency_key,
                    c.c.version == expected_version,
                    c.c.state.not_in(SETTLED_STATES),
                )
                .values(self._news(charge, values))
            ).rowcount
            return self._charge(conn, charge.idempotency_key) if applied else None

        return self._db.write(work)

    def mark_disputed(self, idempotency_key: str) -> ChargeRecord | None:
        c = self._t.charges

        def work(conn: sa.Connection) -> ChargeRecord | None:
            conn.execute(
                sa.update(c)
                .where(c.c.idempotency_key == idempotency_key, ~c.c.disputed)
                .values(disputed=True, version=c.c.version + 1)
            )
            row = conn.execute(sa.select(c).where(c.c.idempotency_key == idempotency_key)).first()
            return charge_from_row(row) if row is not None else None

        return self._db.write(work)

    def get_charge(self, idempotency_key: str) -> ChargeRecord | None:
        c = self._t.charges
        return self._read_first(sa.select(c).where(c.c.idempotency_key == idempotency_key))

    def find_charge_by_payment_intent(self, payment_intent_id: str) -> ChargeRecord | None:
        c = self._t.charges
        query = sa.select(c).where(c.c.payment_intent_id == payment_intent_id).limit(1)
        return self._read_first(query)

    def _news(self, charge: ChargeRecord, values: dict[str, Any]) -> dict[str, Any]:
        """The SET of an applied change: the news, a dispute kept, one more version."""
        c = self._t.charges
        news: dict[str, Any] = {k: values[k] for k in CHARGE_NEWS}
        news["version"] = c.c.version + 1
        if charge.disputed:
            news["disputed"] = True
        return news

    def _charge(self, conn: sa.Connection, idempotency_key: str) -> ChargeRecord:
        c = self._t.charges
        return charge_from_row(
            conn.execute(sa.select(c).where(c.c.idempotency_key == idempotency_key)).one()
        )

    def _read_first(self, query: sa.Select[Any]) -> ChargeRecord | None:
        row = self._db.read(lambda conn: conn.execute(query).first())
        return charge_from_row(row) if row is not None else None

    # -- refunds -----------------------------------------------------------------------------

    def claim_refund(self, refund: RefundRecord) -> RefundRecord:
        return self._claim(self._t.refunds, refund_params(refund), "refund_key", self._refund)

    def update_refund(self, refund: RefundRecord) -> RefundRecord:
        r = self._t.refunds
        values = refund_params(refund)
        news = {
            k: v
            for k, v in values.items()
            if k not in ("refund_key", "idempotency_key", "amount", "currency")
            # A known Stripe id is never forgotten.
            and not (k in ("refund_id", "payment_intent_id") and v is None)
        }

        def work(conn: sa.Connection) -> RefundRecord:
            if not self._db.insert_new(conn, r, values):
                conn.execute(
                    sa.update(r)
                    .where(
                        r.c.refund_key == refund.refund_key,
                        r.c.status != "canceled",
                        _at_least(r, refund.as_of, refund.rank, "status_rank"),
                    )
                    .values(news)
                )
            return self._refund(conn, refund.refund_key)

        return self._db.write(work)

    def get_refund(self, refund_key: str) -> RefundRecord | None:
        r = self._t.refunds
        row = self._db.read(
            lambda conn: conn.execute(sa.select(r).where(r.c.refund_key == refund_key)).first()
        )
        return refund_from_row(row) if row is not None else None

    def find_refund(self, refund_id: str) -> RefundRecord | None:
        r = self._t.refunds
        query = sa.select(r).where(r.c.refund_id == refund_id).order_by(r.c.seq).limit(1)
        row = self._db.read(lambda conn: conn.execute(query).first())
        return refund_from_row(row) if row is not None else None

    def list_refunds(self, idempotency_key: str) -> Sequence[RefundRecord]:
        r = self._t.refunds
        query = sa.select(r).where(r.c.idempotency_key == idempotency_key).order_by(r.c.seq)
        return [refund_from_row(row) for row in self._db.read(lambda c: c.execute(query).all())]

    def _refund(self, conn: sa.Connection, refund_key: str) -> RefundRecord:
        r = self._t.refunds
        return refund_from_row(conn.execute(sa.select(r).where(r.c.refund_key == refund_key)).one())

    def _claim(
        self,
        table: sa.Table,
        values: dict[str, Any],
        key: str,
        read: Callable[[sa.Connection, str], R],
    ) -> R:
        """Insert-if-absent by ``key``, then read the winner in the same transaction."""

        def work(conn: sa.Connection) -> R:
            self._db.insert_if_absent(conn, table, values, key)
            return read(conn, values[key])

        return self._db.write(work)

    # -- attempts ----------------------------------------------------------------------------

    def begin_attempt(self, kind: AttemptKind, key: str, *, now: int) -> Attempt:
        def work(conn: sa.Connection) -> Attempt:
            self._insert_attempt(conn, kind, key, 1, now)
            return self._attempt(conn, kind, key)

        return self._db.write(work)

    def next_attempt(self, kind: AttemptKind, key: str, *, after: int, now: int) -> Attempt:
        a = self._t.attempts

        def work(conn: sa.Connection) -> Attempt:
            self._insert_attempt(conn, kind, key, after + 1, now)
            # The compare-and-set: only the caller that still sees ``after`` moves it on.
            conn.execute(
                sa.update(a)
                .where(self._attempt_is(kind, key), a.c.number == after)
                .values(number=after + 1, started_at=now, uncertain=False, done=False)
            )
            return self._attempt(conn, kind, key)

        return self._db.write(work)

    def mark_uncertain(self, kind: AttemptKind, key: str, *, number: int) -> None:
        self._flag_attempt(kind, key, number, uncertain=True)

    def finish_attempt(self, kind: AttemptKind, key: str, *, number: int) -> None:
        self._flag_attempt(kind, key, number, done=True)

    def _flag_attempt(self, kind: AttemptKind, key: str, number: int, **flag: bool) -> None:
        a = self._t.attempts
        stmt = sa.update(a).where(self._attempt_is(kind, key), a.c.number == number).values(flag)
        self._db.write(lambda conn: conn.execute(stmt))

    def _insert_attempt(
        self, conn: sa.Connection, kind: AttemptKind, key: str, number: int, now: int
    ) -> None:
        values = {
            "kind": kind,
            "attempt_key": key,
            "number": number,
            "started_at": now,
            "uncertain": False,
            "done": False,
        }
        self._db.insert_if_absent(conn, self._t.attempts, values, "kind")

    def _attempt_is(self, kind: AttemptKind, key: str) -> sa.ColumnElement[bool]:
        a = self._t.attempts
        return sa.and_(a.c.kind == kind, a.c.attempt_key == key)

    def _attempt(self, conn: sa.Connection, kind: AttemptKind, key: str) -> Attempt:
        query = sa.select(self._t.attempts).where(self._attempt_is(kind, key))
        return attempt_from_row(conn.execute(query).one())
