"""The store contract: ``Store`` (blocking) and ``AsyncStore`` (what the async facade awaits).

Every implementation must be safe when several threads and processes call it at once. Each
"insert-if-absent" below is one atomic step in the backing system (a lock, a transaction with a
unique constraint): the first writer wins and every caller gets the winner back. No method may
read, decide in Python, then write without such a guarantee.

Keys compare exactly: two keys (refs, ids, idempotency and refund keys, attempt keys) are the
same only when they are equal Python strings. No store folds case, ignores trailing spaces or
normalises Unicode (``"order-1 "``, ``"Order-1"`` and ``"order-1"`` are three keys; so are the
NFC and NFD spellings of ``"café"``).

Every method refuses a value no database holds (NUL or a lone surrogate in a string, a key over
``MAX_REF_LENGTH`` characters, an integer beyond 64 bits, a float that is not finite) with
``UnstorableValue``, before it reads or writes anything. Every other failure of the backing
system is a leaf of ``StoreError`` as well, and leaves nothing half-written.

``AsyncStore`` is one method: it runs a piece of store work (a function of a ``Store``) without
blocking the event loop, and returns its result. ``ThreadedStore`` does it for any ``Store`` with
a worker thread; ``AsyncSQLAlchemyStore`` does it on an async database driver. The operations are
written once, against ``Store``; the async driver hands each store call to ``AsyncStore.run``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager
from typing import Protocol, TypeVar, runtime_checkable

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

T = TypeVar("T")


@runtime_checkable
class Store(Protocol):
    """Persistence for customers, sessions, saved methods, processed events and charges."""

    # -- customers ---------------------------------------------------------------------------

    def get_customer_id(self, customer_ref: str) -> str | None:
        """The Stripe Customer id stored for ``customer_ref``, or None."""
        ...

    def find_customer_ref(self, customer_id: str) -> str | None:
        """The ``customer_ref`` mapped to a Stripe Customer id, or None."""
        ...

    def add_customer(self, customer_ref: str, customer_id: str) -> str:
        """Insert-if-absent the mapping; return the customer id that is stored now (the winner)."""
        ...

    # -- setup sessions ----------------------------------------------------------------------

    def add_setup_session(self, session: SetupSessionRecord) -> SetupSessionRecord:
        """Insert-if-absent by ``session_id``; return the stored record (the winner)."""
        ...

    def get_setup_session(self, session_id: str) -> SetupSessionRecord | None:
        """The stored session, or None."""
        ...

    def finish_setup_session(
        self, session_id: str, *, status: SessionStatus, payment_method_id: str | None
    ) -> SetupSessionRecord | None:
        """Move a stored session out of ``open``; a session already finished is left as it is.

        Returns the stored record after the call, or None when the session is unknown.
        """
        ...

    # -- saved payment methods ---------------------------------------------------------------

    def add_payment_method(self, method: SavedPaymentMethod, *, as_of: int) -> SavedPaymentMethod:
        """Insert-if-absent by ``method.id``; return the stored record (the winner).

        An existing record is returned unchanged, whatever ``method`` says: the first write of
        a method wins, later news arrives through ``update_payment_method``. ``is_default`` of
        the argument is ignored; the store decides it (see "defaults" below).
        """
        ...

    def update_payment_method(
        self, method: SavedPaymentMethod, *, as_of: int
    ) -> SavedPaymentMethod:
        """Upsert by ``method.id``, unless the stored record is newer.

        Inserts when absent. Replaces the stored fields when ``as_of`` (a Stripe timestamp)
        is at least the stored one, except that a ``detached`` record is final: it never
        changes again. Returns the stored record after the call.
        """
        ...

    def get_payment_method(self, payment_method_id: str) -> SavedPaymentMethod | None:
        """The stored method, whatever its status, or None."""
        ...

    def list_payment_methods(self, customer_ref: str) -> Sequence[SavedPaymentMethod]:
        """The customer's ``active`` and ``pending`` methods, oldest first."""
        ...

    def set_default(self, customer_ref: str, payment_method_id: str) -> SavedPaymentMethod | None:
        """Make an ``active`` method of this customer the only default.

        Returns the updated record, or None (and changes nothing) when the method is not an
        active method of this customer.
        """
        ...

    # Defaults: after every write, a customer who has active methods has exactly one default.
    # The first method to become active becomes the default; when the default stops being
    # active (detached, failed) the oldest remaining active method takes over. A pending
    # method is never the default.

    # -- webhook event inbox -----------------------------------------------------------------
    #
    # ``events`` holds one row per event id: claimed (by a token, until a lease expires) or
    # completed for good. Pending events (deferred mode) wait beside it until processed.

    def record_event(self, event_id: str) -> bool:
        """Mark an event processed for good without claiming it; True if it was not known.

        For events the library does not act on: one statement. An event already claimed or
        completed is left as it is (False).
        """
        ...

    def claim_event(self, event_id: str, *, token: str, now: float, lease_seconds: float) -> bool:
        """Claim an event for processing under ``token``; True for exactly one holder.

        True when this call inserted the claim, took over a claim whose lease ran out by
        ``now`` (its worker crashed), or renewed a claim that already holds ``token``. The lease
        then runs to ``now + lease_seconds``. False when the event is completed, or held by
        another token whose lease has not run out.
        """
        ...

    def complete_event(self, event_id: str) -> None:
        """Mark a claimed event processed for good, and drop it from the pending events."""
        ...

    def release_event(self, event_id: str, *, token: str) -> None:
        """Give up the claim ``token`` holds (processing failed), so that a retry may claim it.

        A claim held by another token, or an event completed, is left as it is.
        """
        ...

    def add_pending_event(self, event: PendingEvent) -> bool:
        """Insert-if-absent a verified event for later processing; True if it is new.

        False (and nothing is stored) when the event id is already pending or completed.
        """
        ...

    def claim_pending_events(
        self, *, limit: int, now: float, lease_seconds: float
    ) -> Sequence[PendingEvent]:
        """Take up to ``limit`` pending events, oldest first, for ``lease_seconds``.

        An event is taken when no lease on it is running at ``now``; two concurrent callers
        never take the same event (PostgreSQL and MariaDB skip rows another caller is taking,
        ``FOR UPDATE SKIP LOCKED``). An event stays pending until ``complete_event``; one whose
        lease runs out is taken again. A pending event whose id was completed meanwhile (handled
        inline, or recorded) is dropped, not taken.
        """
        ...

    def release_pending_events(self, event_ids: Sequence[str]) -> None:
        """End the leases on these pending events now, so that the next caller takes them."""
        ...

    # -- transactions ----------------------------------------------------------------------------

    def atomic(self) -> AbstractContextManager[Store]:
        """A block whose store calls are one transaction: all of them commit, or none.

        Call the store the block yields (``with store.atomic() as tx: tx.claim_event(...)``);
        its writes commit when the block ends and are rolled back when it raises. Calls on the
        store itself inside the block are separate transactions; ``tx.atomic()`` joins the open
        one. A conflict with another transaction (a deadlock) raises ``DatabaseBusy``: the
        block was rolled back whole, and may be run again. Never keep a block open across a
        network request: its row locks are held until it ends.
        """
        ...

    # -- charge ledger -----------------------------------------------------------------------

    def claim_charge(self, charge: ChargeRecord) -> ChargeRecord:
        """Insert-if-absent by ``idempotency_key``; return the stored record (the winner)."""
        ...

    def update_charge(self, charge: ChargeRecord) -> ChargeRecord:
        """Record news about a charge unless the stored news is newer; return the stored row.

        Applies when the stored row is not settled (``succeeded``, ``canceled``) and
        ``(charge.as_of, charge.rank)`` is at least the stored ``(as_of, rank)``: a later
        ``created`` second wins, and within one second the state machine's order does
        (``CHARGE_STATE_RANK``). Inserts when absent. Amount, currency, customer and method
        never change; ``disputed`` stays True once set. Every applied change adds 1 to
        ``version``.
        """
        ...

    def replace_charge(self, charge: ChargeRecord, *, expected_version: int) -> ChargeRecord | None:
        """Record this library's own newer answer about a charge, if nothing changed meanwhile.

        Applies (whatever the ``as_of`` and rank) when the stored row's ``version`` is still
        ``expected_version`` and the row is not settled; returns the stored row after the change,
        or None (and changes nothing) when the version differs or the row is settled or absent.
        Immutable fields and ``disputed`` are kept as in ``update_charge``.
        """
        ...

    def mark_disputed(self, idempotency_key: str) -> ChargeRecord | None:
        """Set ``disputed`` on a ledger row (settled or not); the row after, or None if absent."""
        ...

    def get_charge(self, idempotency_key: str) -> ChargeRecord | None:
        """The ledger row for a key, or None."""
        ...

    def find_charge_by_payment_intent(self, payment_intent_id: str) -> ChargeRecord | None:
        """The ledger row whose PaymentIntent is this one, or None."""
        ...

    # -- refunds -------------------------------------------------------------------------------

    def claim_refund(self, refund: RefundRecord) -> RefundRecord:
        """Insert-if-absent by ``refund_key``; return the stored record (the winner)."""
        ...

    def update_refund(self, refund: RefundRecord) -> RefundRecord:
        """Record news about a refund unless the stored news is newer; return the stored one.

        Upsert by ``refund_key``: applies when the stored status is not ``canceled`` and
        ``(refund.as_of, refund.rank)`` is at least the stored ``(as_of, rank)``
        (``REFUND_STATUS_RANK``). ``idempotency_key``, ``amount`` and ``currency`` never change;
        a known ``refund_id`` or ``payment_intent_id`` is never replaced by None.
        """
        ...

    def get_refund(self, refund_key: str) -> RefundRecord | None:
        """The refund stored under ``refund_key``, or None."""
        ...

    def find_refund(self, refund_id: str) -> RefundRecord | None:
        """The refund whose Stripe id is ``refund_id``, or None."""
        ...

    def list_refunds(self, idempotency_key: str) -> Sequence[RefundRecord]:
        """The refunds of one ledger charge, in the order they were first stored."""
        ...

    # -- attempts at Stripe creates (see ``Attempt``) ------------------------------------------

    def begin_attempt(self, kind: AttemptKind, key: str, *, now: int) -> Attempt:
        """Insert-if-absent attempt 1 (``started_at=now``); return the stored attempt."""
        ...

    def next_attempt(self, kind: AttemptKind, key: str, *, after: int, now: int) -> Attempt:
        """Move on from attempt ``after`` to ``after + 1``; return the stored attempt.

        A compare-and-set: only when the stored ``number`` is ``after`` does it become
        ``after + 1`` (``started_at=now``, not uncertain, not done); racing callers all get the
        one new attempt. Inserts attempt ``after + 1`` when absent.
        """
        ...

    def mark_uncertain(self, kind: AttemptKind, key: str, *, number: int) -> None:
        """Flag attempt ``number`` uncertain (Stripe answered 5xx); other numbers are ignored."""
        ...

    def finish_attempt(self, kind: AttemptKind, key: str, *, number: int) -> None:
        """Flag attempt ``number`` done; other numbers are ignored."""
        ...


@runtime_checkable
class AsyncStore(Protocol):
    """A store the async facade awaits: it runs store work off the event loop."""

    def run(self, work: Callable[[Store], T]) -> Awaitable[T]:
        """Run ``work`` (a function of a ``Store``) without blocking the loop; its result.

        ``work`` may call several ``Store`` methods; each keeps its own atomicity guarantee.
        """
        ...
