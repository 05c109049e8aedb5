"""FuturePayments: the four operations, what follows a charge, and the saved-method helpers.

The one source of both facades: ``tools/unasync.py`` makes ``_async_client.py`` from it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from secrets import token_hex
from typing import TypeVar

import stripe

from future_payments._core import DEFAULT_EVENT_LEASE, EventJob, Operations
from future_payments._effects import Op, run_sync, run_units_sync
from future_payments._models import (
    AuthenticationStarted,
    ChargeResult,
    EventOutcome,
    Refunded,
    SavedPaymentMethod,
    SetupStarted,
)
from future_payments._signature import DEFAULT_TOLERANCE
from future_payments.stores._defaults import store_or_default
from future_payments.stores._protocol import Store

T = TypeVar("T")


class FuturePayments:
    """Save a payment method now, charge it later: the whole flow, exactly once.

    Every method blocks until its Stripe requests and store writes are done.

    Args:
        client: a ``stripe.StripeClient`` (give it ``max_network_retries`` for retries).
        api_key: instead of ``client``: a secret key; a client with 2 network retries is made.
        store: the ``Store`` that keeps state (default: ``SQLiteStore("future_payments.db")``).
        webhook_secret: the endpoint's signing secret, or several while rotating.
        webhook_tolerance: seconds a signature's timestamp may differ from ``now()``.
        livemode: the mode events must have; guessed from the API key when omitted.
        now: the clock for signature tolerance and event leases (inject it in tests).

    Raises:
        InvalidInput: a bad argument (an unusable key, secret or store).
    """

    def __init__(
        self,
        *,
        client: stripe.StripeClient | None = None,
        api_key: str | None = None,
        store: Store | None = None,
        webhook_secret: str | Sequence[str] | None = None,
        webhook_tolerance: int = DEFAULT_TOLERANCE,
        livemode: bool | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._ops = Operations(
            client=client,
            api_key=api_key,
            webhook_secret=webhook_secret,
            webhook_tolerance=webhook_tolerance,
            livemode=livemode,
            now=now,
        )
        self._store = store_or_default(store)

    def __repr__(self) -> str:
        # The client, its key and the webhook secrets stay out of the repr on purpose.
        secrets = len(self._ops.webhook_secrets)
        return f"{type(self).__name__}(store={self._store!r}, webhook_secrets={secrets})"

    @property
    def store(self) -> Store:
        """The store this facade writes to."""
        return self._store

    def _run(self, op: Op[T]) -> T:
        return run_sync(op, self._ops.client, self._store)

    def start_setup(
        self,
        customer_ref: str,
        *,
        currency: str,
        success_url: str,
        cancel_url: str,
        email: str | None = None,
        payment_method_types: Sequence[str] | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> SetupStarted:
        """Start saving a payment method: a setup-mode Checkout Session for ``customer_ref``.

        The first call for a ref creates its Stripe Customer (2 requests); later calls make 1.
        Redirect the customer to ``SetupStarted.url``.

        Raises:
            InvalidInput: a bad argument; nothing was sent.
            StripeFailure: Stripe refused or failed.
        """
        op = self._ops.start_setup(
            customer_ref, currency, success_url, cancel_url, email, payment_method_types, metadata
        )
        return self._run(op)

    def complete_from_session(
        self, session_id: str, *, customer_ref: str | None = None
    ) -> SavedPaymentMethod:
        """Save the payment method of a completed session (call it on the success page).

        One request; none for a session already handled. A session created without a customer
        gets one (pass ``customer_ref`` when the session does not name it).

        Raises:
            SessionNotComplete: the customer has not finished yet.
            SessionExpired: the session expired unused.
            UnknownSession: Stripe does not know the id.
            SetupFailed: the setup ended without a method.
        """
        return self._run(self._ops.complete_from_session(session_id, customer_ref))

    def complete_from_event(
        self, payload: bytes | str, signature_header: str | None
    ) -> EventOutcome:
        """Verify and handle one webhook delivery; duplicates and old news change nothing.

        An event this library does not act on, or a duplicate, costs one store statement; an
        event that changes state is claimed in one, then handled and completed in one
        transaction. No transaction stays open across a Stripe request.

        Raises:
            WebhookError: the delivery must be answered 400 (bad signature, bad payload...).
        """
        return self._run_event(self._ops.complete_from_event(payload, signature_header))

    def accept_event(
        self,
        payload: bytes | str,
        signature_header: str | None,
    ) -> EventOutcome:
        """Verify a webhook delivery and keep it pending for ``process_events``; no request.

        One store transaction, so the endpoint answers in milliseconds. The action is
        ``accepted`` (stored), ``duplicate`` (pending or processed already) or ``ignored`` (a
        type this library does not act on, recorded as processed).

        Raises:
            WebhookError: the delivery must be answered 400 (bad signature, bad payload...).
        """
        return self._run(self._ops.accept_event(payload, signature_header))

    def process_events(
        self, *, limit: int = 100, lease_seconds: float = DEFAULT_EVENT_LEASE
    ) -> list[EventOutcome]:
        """Handle up to ``limit`` pending events, oldest first, as ``complete_from_event`` does.

        The events are taken for ``lease_seconds`` (``FOR UPDATE SKIP LOCKED`` on PostgreSQL
        and MariaDB), so any number of workers on any number of machines may call this at
        once: none handles an event another holds, and the events of a worker that died are
        taken again when their lease runs out. An empty list means nothing was pending.

        Raises:
            InvalidInput: ``limit`` is not 1 to 1000, or ``lease_seconds`` is not positive.
            StoreError, StripeFailure: an event failed; it stays pending and is retried after
                its lease, and the events after it are handed back for the next call.
        """
        batch = self._run(self._ops.take_events(limit, lease_seconds))
        token = token_hex(16)
        outcomes: list[EventOutcome] = []
        for done, pending in enumerate(batch):
            try:
                job = self._ops.pending_job(pending, token, lease_seconds)
                outcomes.append(self._run_event(job))
            except BaseException:
                self._run(self._ops.release_events(batch[done + 1 :]))
                raise
        return outcomes

    def _run_event(self, job: EventJob) -> EventOutcome:
        client, store = self._ops.client, self._store
        return run_units_sync(job.make_op, client, store, on_error=job.on_error)

    def charge_saved(
        self,
        customer_ref: str,
        amount: int,
        currency: str,
        *,
        idempotency_key: str,
        payment_method_id: str | None = None,
        description: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> ChargeResult:
        """Charge a saved method off-session, once per ``idempotency_key``.

        Card outcomes are results: ``Charged``, ``NeedsAuthentication``, ``Declined`` or
        ``Processing``. A repeat of a settled key returns the recorded result with no request.

        Raises:
            IdempotencyConflict: the key was used for another charge.
            UnknownCustomer, NoSavedPaymentMethod, UnknownPaymentMethod: nothing to charge.
            ChargeOutcomeUnknown: the outcome never arrived; retrying with the key is safe.
        """
        op = self._ops.charge_saved(
            customer_ref, amount, currency, idempotency_key, payment_method_id, description,
            metadata,
        )  # fmt: skip
        return self._run(op)

    def start_authentication(
        self, idempotency_key: str, *, return_url: str
    ) -> AuthenticationStarted | ChargeResult:
        """Bring the customer back for a charge that needs authentication; no JavaScript needed.

        One request: the charge's PaymentIntent is confirmed on-session with its saved method
        and ``return_url``. Redirect the customer to ``AuthenticationStarted.url`` (the bank's
        challenge); Stripe sends them back to ``return_url``, where ``complete_authentication``
        tells the outcome. A charge Stripe settles without a challenge answers its
        ``ChargeResult``; a charge already final answers its recorded result with no request.
        Callable again after a failed or abandoned challenge.

        Raises:
            InvalidInput: a bad argument (``return_url`` must be an absolute http(s) URL).
            UnknownCharge: no charge is recorded for ``idempotency_key``.
            ChargeOutcomeUnknown: the charge's own outcome is not known yet (retry charge_saved).
        """
        return self._run(self._ops.start_authentication(idempotency_key, return_url))

    def complete_authentication(self, idempotency_key: str) -> ChargeResult:
        """The charge's outcome once the customer is back on ``return_url``.

        One GET of the PaymentIntent, or none when a webhook already settled the ledger:
        ``Charged`` after a passed challenge, ``NeedsAuthentication`` while the customer has not
        finished, ``Declined`` (``payment_intent_authentication_failure``) after a failed one.

        Raises:
            UnknownCharge: no charge is recorded for ``idempotency_key``.
        """
        return self._run(self._ops.complete_authentication(idempotency_key))

    def cancel_charge(self, idempotency_key: str) -> ChargeResult:
        """Cancel a charge still waiting for the customer: its PaymentIntent and ledger row end.

        One request; none for a charge already final. Answers ``Declined`` (code ``canceled``)
        once canceled, or the charge's result when it went through first (refund it instead)
        or is still ``Processing`` (Stripe cannot cancel that).

        Raises:
            UnknownCharge: no charge is recorded for ``idempotency_key``.
            ChargeOutcomeUnknown: the charge's own outcome is not known yet (retry charge_saved).
        """
        return self._run(self._ops.cancel_charge(idempotency_key))

    def refund(
        self,
        idempotency_key: str,
        *,
        refund_key: str,
        amount: int | None = None,
        reason: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> Refunded:
        """Refund a ``Charged`` charge, in full (``amount=None``: what is left) or in part.

        Once per ``refund_key``: a repeat returns the recorded refund with no request, and a
        lost answer is reconciled with Stripe, never doubled. ``reason``: ``duplicate``,
        ``fraudulent`` or ``requested_by_customer``.

        Raises:
            InvalidInput: a bad argument; nothing was sent.
            RefundExceedsCharge: more than is left to refund (``.refundable``).
            ChargeNotRefundable: the charge is not ``Charged``.
            IdempotencyConflict: the refund_key was used for another refund.
            UnknownCharge: no charge is recorded for ``idempotency_key``.
            RefundOutcomeUnknown: the answer never arrived; retrying with the key is safe.
        """
        op = self._ops.refund(idempotency_key, refund_key, amount, reason, metadata)
        return self._run(op)

    def refunds(self, idempotency_key: str) -> list[Refunded]:
        """The charge's refunds as last reported (answers and webhooks), oldest first. No request.

        Raises:
            UnknownCharge: no charge is recorded for ``idempotency_key``.
        """
        return self._run(self._ops.refunds(idempotency_key))

    def payment_methods(self, customer_ref: str) -> list[SavedPaymentMethod]:
        """The customer's saved methods (active and pending), oldest first. No request."""
        return self._run(self._ops.payment_methods(customer_ref))

    def default_payment_method(self, customer_ref: str) -> SavedPaymentMethod | None:
        """The method ``charge_saved`` uses when none is named, or None. No request."""
        return self._run(self._ops.default_payment_method(customer_ref))

    def set_default(self, customer_ref: str, payment_method_id: str) -> SavedPaymentMethod:
        """Make an active saved method the default. No request."""
        return self._run(self._ops.set_default(customer_ref, payment_method_id))

    def remove_payment_method(self, customer_ref: str, payment_method_id: str) -> None:
        """Detach a saved method at Stripe and forget it (one request)."""
        self._run(self._ops.remove_payment_method(customer_ref, payment_method_id))
