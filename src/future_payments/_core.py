"""What both facades share: configuration, input checks, and the operations to run.

Each ``_name`` method validates its arguments (raising before any request) and returns an
operation (see ``_effects``); ``FuturePayments`` runs it blocking, ``AsyncFuturePayments`` on
the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs
import stripe

from future_payments import _validate as check
from future_payments._charges import ChargeRequest, charge_saved
from future_payments._effects import Op, call_store, call_stripe
from future_payments._errors import (
    InvalidInput,
    LivemodeMismatch,
    UnknownPaymentMethod,
)
from future_payments._events import process
from future_payments._models import (
    ChargeResult,
    EventOutcome,
    SavedPaymentMethod,
    SetupStarted,
)
from future_payments._setup import complete_from_session, start_setup
from future_payments._stripe import api_key_livemode
from future_payments.stores._protocol import Store

T = TypeVar("T")

DEFAULT_EVENT_LEASE = 60.0
"""Seconds a webhook worker holds an event before another delivery may take it over."""


class _Core:
    """Configuration and the validated operations, shared by both facades."""

    def __init__(
        self,
        *,
        client: stripe.StripeClient | None,
        api_key: str | None,
        store: Any,
        webhook_secret: str | Sequence[str] | None,
        webhook_tolerance: int,
        livemode: bool | None,
        now: Callable[[], float],
    ) -> None:
        if (client is None) == (api_key is None):
            raise InvalidInput("Pass exactly one of client= (a stripe.StripeClient) or api_key=.")
        if client is None:
            assert api_key is not None
            if not api_key.startswith(("sk_", "rk_")):
                raise InvalidInput(
                    "api_key must be a Stripe secret key (sk_...) or restricted key."
                )
            client = stripe.StripeClient(api_key, max_network_retries=2)
        self._client = client
        if store is None:
            from future_payments.stores import SQLiteStore

            store = SQLiteStore("future_payments.db")
        self._store = store
        self._secrets = _secrets(webhook_secret)
        self._tolerance = webhook_tolerance
        self._livemode = livemode if livemode is not None else api_key_livemode(client)
        self._now = now

    def __repr__(self) -> str:
        # The client, its key and the webhook secrets stay out of the repr on purpose.
        secrets = len(self._secrets)
        return f"{type(self).__name__}(store={self._store!r}, webhook_secrets={secrets})"

    @property
    def store(self) -> Store:
        """The store this facade writes to."""
        return self._store  # type: ignore[no-any-return]

    # -- operations, validated before anything is sent -----------------------------------------

    def _start_setup(
        self,
        customer_ref: str,
        currency: str,
        success_url: str,
        cancel_url: str,
        email: str | None,
        payment_method_types: Sequence[str] | None,
        metadata: Mapping[str, str] | None,
    ) -> Op[SetupStarted]:
        if email is not None and (not isinstance(email, str) or "@" not in email):
            raise InvalidInput(f"email must be an e-mail address, got {email!r}.")
        return start_setup(
            check.customer_ref(customer_ref),
            currency=check.currency(currency),
            success_url=check.url("success_url", success_url),
            cancel_url=check.url("cancel_url", cancel_url),
            email=email,
            payment_method_types=check.method_types(payment_method_types),
            metadata=check.metadata(metadata),
        )

    def _complete_from_session(
        self, session_id: str, customer_ref: str | None
    ) -> Op[SavedPaymentMethod]:
        ref = check.customer_ref(customer_ref) if customer_ref is not None else None
        return complete_from_session(check.stripe_id("session_id", session_id, "cs_"), ref)

    def _complete_from_event(
        self, payload: bytes | str, signature_header: str | None
    ) -> Op[EventOutcome]:
        from future_payments.webhooks import parse_event, verify_signature

        if not self._secrets:
            raise InvalidInput(
                "No webhook_secret is configured: pass webhook_secret='whsec_...' (the signing "
                "secret of your Stripe webhook endpoint) to FuturePayments."
            )
        verify_signature(
            payload, signature_header, self._secrets, tolerance=self._tolerance, now=self._now
        )
        event = parse_event(payload)
        if self._livemode is not None and event.livemode != self._livemode:
            mode = "live" if event.livemode else "test"
            raise LivemodeMismatch(
                f"Event {event.id} is a {mode}-mode event but the API key is not: check that "
                "the endpoint's signing secret and the API key belong to the same mode."
            )
        return process(event, now=self._now(), lease_seconds=DEFAULT_EVENT_LEASE)

    def _charge_saved(
        self,
        customer_ref: str,
        amount: int,
        currency: str,
        idempotency_key: str,
        payment_method_id: str | None,
        description: str | None,
        metadata: Mapping[str, str] | None,
    ) -> Op[ChargeResult]:
        code = check.currency(currency)
        request = ChargeRequest(
            customer_ref=check.customer_ref(customer_ref),
            amount=check.amount(amount, code),
            currency=code,
            idempotency_key=check.key("idempotency_key", idempotency_key),
            payment_method_id=(
                check.stripe_id("payment_method_id", payment_method_id, "pm_")
                if payment_method_id is not None
                else None
            ),
            description=description,
            metadata=check.metadata(metadata),
        )
        return charge_saved(request)

    def _remove_payment_method(self, customer_ref: str, payment_method_id: str) -> Op[None]:
        ref = check.customer_ref(customer_ref)
        pm_id = check.stripe_id("payment_method_id", payment_method_id, "pm_")
        method = yield from call_store(lambda s: s.get_payment_method(pm_id))
        if method is None or method.customer_ref != ref or method.status == "detached":
            raise UnknownPaymentMethod(
                f"{pm_id} is not a saved payment method of customer_ref {ref!r}."
            )
        try:
            yield from call_stripe("payment_methods", "detach", pm_id)
        except stripe.InvalidRequestError as exc:
            if exc.code not in ("resource_missing", "payment_method_unexpected_state"):
                raise  # already gone at Stripe: record it as detached all the same
        gone = attrs.evolve(method, status="detached", is_default=False)
        # Detached is final in every store, so the timestamp only has to be a valid one.
        yield from call_store(lambda s: s.update_payment_method(gone, as_of=int(self._now())))

    def _payment_methods(self, customer_ref: str) -> Op[list[SavedPaymentMethod]]:
        ref = check.customer_ref(customer_ref)
        return (yield from call_store(lambda s: list(s.list_payment_methods(ref))))

    def _default_payment_method(self, customer_ref: str) -> Op[SavedPaymentMethod | None]:
        methods = yield from self._payment_methods(customer_ref)
        return next((m for m in methods if m.is_default), None)

    def _set_default(self, customer_ref: str, payment_method_id: str) -> Op[SavedPaymentMethod]:
        ref = check.customer_ref(customer_ref)
        pm_id = check.stripe_id("payment_method_id", payment_method_id, "pm_")
        updated = yield from call_store(lambda s: s.set_default(ref, pm_id))
        if updated is None:
            raise UnknownPaymentMethod(
                f"{pm_id} is not an active saved payment method of customer_ref {ref!r}; only "
                "active methods can be the default."
            )
        return updated


def _secrets(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    secrets = (value,) if isinstance(value, str) else tuple(value)
    if not all(isinstance(s, str) and s for s in secrets):
        raise InvalidInput("webhook_secret must be a non-empty string or a sequence of them.")
    return secrets
