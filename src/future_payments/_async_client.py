# Generated from _client.py by tools/unasync.py: edit _client.py, then run `make generate`.
"""AsyncFuturePayments: the four operations and the saved-method helpers.

Generated from ``_client.py`` by ``tools/unasync.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import stripe

from future_payments._core import Operations
from future_payments._effects import Op, run_async
from future_payments._models import (
    ChargeResult,
    EventOutcome,
    SavedPaymentMethod,
    SetupStarted,
)
from future_payments._signature import DEFAULT_TOLERANCE
from future_payments.stores._defaults import async_store_or_default
from future_payments.stores._protocol import AsyncStore

T = TypeVar("T")


class AsyncFuturePayments:
    """Save a payment method now, charge it later: the whole flow, exactly once.

    Every method is a coroutine: Stripe is called through the SDK's ``*_async`` methods and
    the store's work runs through ``AsyncStore.run``, so nothing blocks the event loop.

    Args:
        client: a ``stripe.StripeClient`` (give it ``max_network_retries`` for retries).
        api_key: instead of ``client``: a secret key; a client with 2 network retries is made.
        store: the ``AsyncStore`` that keeps state (default: ``ThreadedStore(SQLiteStore(...))``).
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
        store: AsyncStore | None = None,
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
        self._store = async_store_or_default(store)

    def __repr__(self) -> str:
        # The client, its key and the webhook secrets stay out of the repr on purpose.
        secrets = len(self._ops.webhook_secrets)
        return f"{type(self).__name__}(store={self._store!r}, webhook_secrets={secrets})"

    @property
    def store(self) -> AsyncStore:
        """The store this facade writes to."""
        return self._store

    async def _run(self, op: Op[T]) -> T:
        return await run_async(op, self._ops.client, self._store)

    async def start_setup(
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
        return await self._run(op)

    async def complete_from_session(
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
        return await self._run(self._ops.complete_from_session(session_id, customer_ref))

    async def complete_from_event(
        self, payload: bytes | str, signature_header: str | None
    ) -> EventOutcome:
        """Verify and handle one webhook delivery; duplicates and old news change nothing.

        Raises:
            WebhookError: the delivery must be answered 400 (bad signature, bad payload...).
        """
        return await self._run(self._ops.complete_from_event(payload, signature_header))

    async def charge_saved(
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
        return await self._run(op)

    async def payment_methods(self, customer_ref: str) -> list[SavedPaymentMethod]:
        """The customer's saved methods (active and pending), oldest first. No request."""
        return await self._run(self._ops.payment_methods(customer_ref))

    async def default_payment_method(self, customer_ref: str) -> SavedPaymentMethod | None:
        """The method ``charge_saved`` uses when none is named, or None. No request."""
        return await self._run(self._ops.default_payment_method(customer_ref))

    async def set_default(self, customer_ref: str, payment_method_id: str) -> SavedPaymentMethod:
        """Make an active saved method the default. No request."""
        return await self._run(self._ops.set_default(customer_ref, payment_method_id))

    async def remove_payment_method(self, customer_ref: str, payment_method_id: str) -> None:
        """Detach a saved method at Stripe and forget it (one request)."""
        await self._run(self._ops.remove_payment_method(customer_ref, payment_method_id))
