"""MemoryStore: the reference implementation, for tests and single-process scripts."""

from __future__ import annotations

import contextlib
import threading
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
from future_payments.stores._values import refuses_unstorable


@attrs.frozen
class _Versioned:
    method: SavedPaymentMethod
    as_of: int
    seq: int  # insertion order, for "oldest first"


@attrs.frozen
class _Claim:
    completed: bool
    expires_at: float
    token: str = ""


@attrs.frozen
class _Pending:
    event: PendingEvent
    expires_at: float  # 0 until a worker takes it


_TABLES = (
    "_customers",
    "_sessions",
    "_methods",
    "_events",
    "_pending",
    "_charges",
    "_refunds",
    "_attempts",
)
"""The dicts ``atomic()`` puts back when its block raises."""


@refuses_unstorable
class MemoryStore:
    """A thread-safe store in this process's memory; nothing survives the process.

    One lock guards everything, so every operation is atomic; ``atomic()`` holds it for a whole
    block, and puts back what the block changed if it raises. Not shared between processes:
    use ``SQLiteStore`` or ``SQLAlchemyStore`` for that.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._customers: dict[str, str] = {}
        self._sessions: dict[str, SetupSessionRecord] = {}
        self._methods: dict[str, _Versioned] = {}
        self._events: dict[str, _Claim] = {}
        self._pending: dict[str, _Pending] = {}  # insertion order is "oldest first"
        self._charges: dict[str, ChargeRecord] = {}
        self._refunds: dict[str, RefundRecord] = {}  # insertion order is "first stored"
        self._attempts: dict[tuple[AttemptKind, str], Attempt] = {}
        self._seq = 0

    def __repr__(self) -> str:
        return f"MemoryStore(customers={len(self._customers)}, methods={len(self._methods)})"

    # -- customers ---------------------------------------------------------------------------

    def get_customer_id(self, customer_ref: str) -> str | None:
        with self._lock:
            return self._customers.get(customer_ref)

    def find_customer_ref(self, customer_id: str) -> str | None:
        with self._lock:
            for ref, cid in self._customers.items():
                if cid == customer_id:
                    return ref
            return None

    def add_customer(self, customer_ref: str, customer_id: str) -> str:
        with self._lock:
            return self._customers.setdefault(customer_ref, customer_id)

    # -- setup sessions ----------------------------------------------------------------------

    def add_setup_session(self, session: SetupSessionRecord) -> SetupSessionRecord:
        with self._lock:
            return self._sessions.setdefault(session.session_id, session)

    def get_setup_session(self, session_id: str) -> SetupSessionRecord | None:
        with self._lock:
            return self._sessions.get(session_id)

    def finish_setup_session(
        self, session_id: str, *, status: SessionStatus, payment_method_id: str | None
    ) -> SetupSessionRecord | None:
        with self._lock:
            stored = self._sessions.get(session_id)
            if stored is None or stored.status != "open":
                return stored
            stored = attrs.evolve(stored, status=status, payment_method_id=payment_method_id)
            self._sessions[session_id] = stored
            return stored

    # -- saved payment methods ---------------------------------------------------------------

    def add_payment_method(self, method: SavedPaymentMethod, *, as_of: int) -> SavedPaymentMethod:
        with self._lock:
            if method.id not in self._methods:
                self._insert(method, as_of)
            return self._methods[method.id].method

    def update_payment_method(
        self, method: SavedPaymentMethod, *, as_of: int
    ) -> SavedPaymentMethod:
        with self._lock:
            stored = self._methods.get(method.id)
            if stored is None:
                self._insert(method, as_of)
            elif stored.method.status != "detached" and as_of >= stored.as_of:
                before = stored.method.customer_ref
                moved = before != method.customer_ref
                keep_default = stored.method.is_default and not moved
                self._methods[method.id] = _Versioned(
                    attrs.evolve(method, is_default=keep_default), as_of, stored.seq
                )
                self._settle_default(method.customer_ref)
                if moved:
                    self._settle_default(before)  # the customer it left keeps one default
            return self._methods[method.id].method

    def get_payment_method(self, payment_method_id: str) -> SavedPaymentMethod | None:
        with self._lock:
            stored = self._methods.get(payment_method_id)
            return stored.method if stored else None

    def list_payment_methods(self, customer_ref: str) -> Sequence[SavedPaymentMethod]:
        with self._lock:
            return [
                v.method
                for v in self._of_customer(customer_ref)
                if v.method.status in ("active", "pending")
            ]

    def set_default(self, customer_ref: str, payment_method_id: str) -> SavedPaymentMethod | None:
        with self._lock:
            stored = self._methods.get(payment_method_id)
            if (
                stored is None
                or stored.method.customer_ref != customer_ref
                or stored.method.status != "active"
            ):
                return None
            for v in self._of_customer(customer_ref):
                self._methods[v.method.id] = attrs.evolve(
                    v, method=attrs.evolve(v.method, is_default=v.method.id == payment_method_id)
                )
            return self._methods[payment_method_id].method

    def _insert(self, method: SavedPaymentMethod, as_of: int) -> None:
        self._seq += 1
        self._methods[method.id] = _Versioned(
            attrs.evolve(method, is_default=False), as_of, self._seq
        )
        self._settle_default(method.customer_ref)

    def _of_customer(self, customer_ref: str) -> list[_Versioned]:
        found = [v for v in self._methods.values() if v.method.customer_ref == customer_ref]
        return sorted(found, key=lambda v: v.seq)

    def _settle_default(self, customer_ref: str) -> None:
        """Keep exactly one default among the customer's active methods (see the protocol)."""
        mine = self._of_customer(customer_ref)
        active = [v for v in mine if v.method.status == "active"]
        keep = next((v for v in active if v.method.is_default), active[0] if active else None)
        for v in mine:
            should = keep is not None and v.method.id == keep.method.id
            if v.method.is_default != should:
                self._methods[v.method.id] = attrs.evolve(
                    v, method=attrs.evolve(v.method, is_default=should)
                )

    # -- webhook event inbox -----------------------------------------------------------------

    def record_event(self, event_id: str) -> bool:
        with self._lock:
            if event_id in self._events:
                return False
            self._events[event_id] = _Claim(completed=True, expires_at=float("inf"))
            return True

    def claim_event(self, event_id: str, *, token: str, now: float, lease_seconds: float) -> bool:
        with self._lock:
            claim = self._events.get(event_id)
            if claim is not None and (
                claim.completed or (claim.expires_at > now and claim.token != token)
            ):
                return False
            self._events[event_id] = _Claim(False, now + lease_seconds, token)
            return True

    def complete_event(self, event_id: str) -> None:
        with self._lock:
            self._events[event_id] = _Claim(completed=True, expires_at=float("inf"))
            self._pending.pop(event_id, None)

    def release_event(self, event_id: str, *, token: str) -> None:
        with self._lock:
            claim = self._events.get(event_id)
            if claim is not None and not claim.completed and claim.token == token:
                del self._events[event_id]

    def add_pending_event(self, event: PendingEvent) -> bool:
        with self._lock:
            if event.event_id in self._pending or self._completed(event.event_id):
                return False
            self._pending[event.event_id] = _Pending(event, expires_at=0.0)
            return True

    def claim_pending_events(
        self, *, limit: int, now: float, lease_seconds: float
    ) -> Sequence[PendingEvent]:
        with self._lock:
            for event_id in [e for e in self._pending if self._completed(e)]:
                del self._pending[event_id]  # processed meanwhile (inline, or recorded)
            free = [p.event for p in self._pending.values() if p.expires_at <= now]
            taken = sorted(free, key=lambda e: (e.received_at, e.event_id))[:limit]
            for event in taken:
                self._pending[event.event_id] = _Pending(event, now + lease_seconds)
            return taken

    def _completed(self, event_id: str) -> bool:
        claim = self._events.get(event_id)
        return claim is not None and claim.completed

    def release_pending_events(self, event_ids: Sequence[str]) -> None:
        with self._lock:
            for event_id in event_ids:
                pending = self._pending.get(event_id)
                if pending is not None:
                    self._pending[event_id] = _Pending(pending.event, expires_at=0.0)

    # -- transactions ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def atomic(self) -> Iterator[MemoryStore]:
        with self._lock:
            saved = {name: dict(getattr(self, name)) for name in _TABLES}
            seq = self._seq
            try:
                yield self
            except BaseException:
                for name, table in saved.items():
                    setattr(self, name, table)
                self._seq = seq
                raise

    # -- charge ledger -----------------------------------------------------------------------

    def claim_charge(self, charge: ChargeRecord) -> ChargeRecord:
        with self._lock:
            return self._charges.setdefault(charge.idempotency_key, charge)

    def update_charge(self, charge: ChargeRecord) -> ChargeRecord:
        with self._lock:
            stored = self._charges.get(charge.idempotency_key)
            if stored is None:
                self._charges[charge.idempotency_key] = attrs.evolve(charge, version=1)
                return self._charges[charge.idempotency_key]
            if stored.is_settled or (charge.as_of, charge.rank) < (stored.as_of, stored.rank):
                return stored
            return self._apply(stored, charge)

    def replace_charge(self, charge: ChargeRecord, *, expected_version: int) -> ChargeRecord | None:
        with self._lock:
            stored = self._charges.get(charge.idempotency_key)
            if stored is None or stored.is_settled or stored.version != expected_version:
                return None
            return self._apply(stored, charge)

    def _apply(self, stored: ChargeRecord, charge: ChargeRecord) -> ChargeRecord:
        updated = attrs.evolve(
            charge,
            customer_ref=stored.customer_ref,
            amount=stored.amount,
            currency=stored.currency,
            payment_method_id=stored.payment_method_id,
            disputed=stored.disputed or charge.disputed,
            version=stored.version + 1,
        )
        self._charges[charge.idempotency_key] = updated
        return updated

    def mark_disputed(self, idempotency_key: str) -> ChargeRecord | None:
        with self._lock:
            stored = self._charges.get(idempotency_key)
            if stored is None:
                return None
            if not stored.disputed:
                stored = attrs.evolve(stored, disputed=True, version=stored.version + 1)
                self._charges[idempotency_key] = stored
            return stored

    def get_charge(self, idempotency_key: str) -> ChargeRecord | None:
        with self._lock:
            return self._charges.get(idempotency_key)

    def find_charge_by_payment_intent(self, payment_intent_id: str) -> ChargeRecord | None:
        with self._lock:
            for charge in self._charges.values():
                if charge.payment_intent_id == payment_intent_id:
                    return charge
            return None

    # -- refunds -------------------------------------------------------------------------------

    def claim_refund(self, refund: RefundRecord) -> RefundRecord:
        with self._lock:
            return self._refunds.setdefault(refund.refund_key, refund)

    def update_refund(self, refund: RefundRecord) -> RefundRecord:
        with self._lock:
            stored = self._refunds.get(refund.refund_key)
            if stored is None:
                self._refunds[refund.refund_key] = refund
                return refund
            if stored.status == "canceled" or (refund.as_of, refund.rank) < (
                stored.as_of,
                stored.rank,
            ):
                return stored
            updated = attrs.evolve(
                refund,
                idempotency_key=stored.idempotency_key,
                amount=stored.amount,
                currency=stored.currency,
                refund_id=refund.refund_id or stored.refund_id,
                payment_intent_id=refund.payment_intent_id or stored.payment_intent_id,
            )
            self._refunds[refund.refund_key] = updated
            return updated

    def get_refund(self, refund_key: str) -> RefundRecord | None:
        with self._lock:
            return self._refunds.get(refund_key)

    def find_refund(self, refund_id: str) -> RefundRecord | None:
        with self._lock:
            return next((r for r in self._refunds.values() if r.refund_id == refund_id), None)

    def list_refunds(self, idempotency_key: str) -> Sequence[RefundRecord]:
        with self._lock:
            return [r for r in self._refunds.values() if r.idempotency_key == idempotency_key]

    # -- attempts ------------------------------------------------------------------------------

    def begin_attempt(self, kind: AttemptKind, key: str, *, now: int) -> Attempt:
        with self._lock:
            return self._attempts.setdefault((kind, key), Attempt(kind, key, 1, now))

    def next_attempt(self, kind: AttemptKind, key: str, *, after: int, now: int) -> Attempt:
        with self._lock:
            stored = self._attempts.get((kind, key))
            if stored is None or stored.number == after:
                stored = Attempt(kind, key, after + 1, now)
                self._attempts[(kind, key)] = stored
            return stored

    def mark_uncertain(self, kind: AttemptKind, key: str, *, number: int) -> None:
        with self._lock:
            stored = self._attempts.get((kind, key))
            if stored is not None and stored.number == number:
                self._attempts[(kind, key)] = attrs.evolve(stored, uncertain=True)

    def finish_attempt(self, kind: AttemptKind, key: str, *, number: int) -> None:
        with self._lock:
            stored = self._attempts.get((kind, key))
            if stored is not None and stored.number == number:
                self._attempts[(kind, key)] = attrs.evolve(stored, done=True)
