"""What both facades share: configuration, input checks, and the operations to run.

Each method of ``Operations`` validates its arguments (raising before any request) and returns
an operation (see ``_effects``); ``FuturePayments`` runs it blocking, ``AsyncFuturePayments`` on
the event loop.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from secrets import token_hex
from typing import TypeVar

import attrs
import stripe

from future_payments import _authentication as authentication
from future_payments import _refunds
from future_payments import _validate as check
from future_payments._charges import OWN_METADATA, ChargeRequest, charge_saved
from future_payments._effects import Op, call_store, call_stripe
from future_payments._events import accept, process, release, unreadable
from future_payments._models import (
    AuthenticationStarted,
    ChargeResult,
    EventOutcome,
    PendingEvent,
    Refunded,
    SavedPaymentMethod,
    SetupStarted,
)
from future_payments._payload import ParsedEvent, parse_event
from future_payments._setup import (
    OWN_SESSION_METADATA,
    SetupRequest,
    complete_from_session,
    start_setup,
)
from future_payments._signature import secret_keys, verify_signature
from future_payments._stripe import api_key_livemode
from future_payments.errors import (
    InvalidInput,
    LivemodeMismatch,
    MalformedPayload,
    UnknownPaymentMethod,
)
from future_payments.stores._protocol import Store

T = TypeVar("T")

DEFAULT_EVENT_LEASE = 60.0
"""Seconds a webhook worker holds an event before another delivery may take it over."""

MAX_EVENT_BATCH = 1000
"""The most pending events one ``process_events`` call takes."""


@attrs.frozen
class EventJob:
    """One event to handle: the operation (made afresh for each try) and what undoes its claim."""

    make_op: Callable[[], Op[EventOutcome]]
    on_error: Callable[[Store], object]


class Operations:
    """The configuration and the validated operations that both facades run."""

    def __init__(
        self,
        *,
        client: stripe.StripeClient | None,
        api_key: str | None,
        webhook_secret: str | Sequence[str] | None,
        webhook_tolerance: int,
        livemode: bool | None,
        now: Callable[[], float],
    ) -> None:
        if (client is None) == (api_key is None):
            raise InvalidInput("Pass exactly one of client= (a stripe.StripeClient) or api_key=.")
        if client is None:
            client = stripe.StripeClient(check.api_key(api_key), max_network_retries=2)
        elif not isinstance(client, stripe.StripeClient):
            raise InvalidInput(
                f"client must be a stripe.StripeClient, not {type(client).__name__}.",
                param="client",
            )
        self.client = client
        self.webhook_secrets = _secrets(webhook_secret)
        self._tolerance = check.tolerance(webhook_tolerance)
        self._livemode = livemode if livemode is not None else api_key_livemode(client)
        self._now = now

    # -- operations, validated before anything is sent -----------------------------------------

    def start_setup(
        self,
        customer_ref: str,
        currency: str,
        success_url: str,
        cancel_url: str,
        email: str | None,
        payment_method_types: Sequence[str] | None,
        metadata: Mapping[str, str] | None,
    ) -> Op[SetupStarted]:
        if email is not None and (
            not isinstance(email, str) or "@" not in email or check.text("email", email) is None
        ):
            raise InvalidInput(f"email must be an e-mail address, got {email!r}.", param="email")
        request = SetupRequest(
            customer_ref=check.customer_ref(customer_ref),
            currency=check.currency(currency),
            success_url=check.url("success_url", success_url),
            cancel_url=check.url("cancel_url", cancel_url),
            email=email,
            payment_method_types=check.method_types(payment_method_types),
            metadata=check.metadata(metadata, reserved=OWN_SESSION_METADATA),
            now=int(self._now()),
        )
        return start_setup(request)

    def complete_from_session(
        self, session_id: str, customer_ref: str | None
    ) -> Op[SavedPaymentMethod]:
        ref = check.customer_ref(customer_ref) if customer_ref is not None else None
        session = check.stripe_id("session_id", session_id, "cs_")
        return complete_from_session(session, ref, now=int(self._now()))

    def complete_from_event(self, payload: bytes | str, signature_header: str | None) -> EventJob:
        event = self._verified(payload, signature_header)
        return self._job(event, token_hex(16))

    def accept_event(self, payload: bytes | str, signature_header: str | None) -> Op[EventOutcome]:
        event = self._verified(payload, signature_header)
        if isinstance(payload, str):
            text = payload
        else:
            # parse_event read it as JSON, so json's own detection names its encoding.
            text = bytes(payload).decode(json.detect_encoding(payload))
        return accept(event, text, now=self._now())

    def take_events(self, limit: int, lease_seconds: float) -> Op[list[PendingEvent]]:
        limit = check.count("limit", limit, most=MAX_EVENT_BATCH)
        lease = check.seconds("lease_seconds", lease_seconds)
        now = self._now()
        return (
            yield from call_store(
                lambda s: list(s.claim_pending_events(limit=limit, now=now, lease_seconds=lease))
            )
        )

    def pending_job(self, pending: PendingEvent, token: str, lease_seconds: float) -> EventJob:
        try:
            event = parse_event(pending.payload)
        except MalformedPayload as exc:
            why = exc  # ``exc`` itself is unbound when the except block ends
            return EventJob(lambda: unreadable(pending, why), release(pending.event_id, token))
        return self._job(event, token, lease_seconds)

    def release_events(self, pending: Sequence[PendingEvent]) -> Op[None]:
        ids = [p.event_id for p in pending]
        yield from call_store(lambda s: s.release_pending_events(ids))

    def _job(
        self, event: ParsedEvent, token: str, lease_seconds: float = DEFAULT_EVENT_LEASE
    ) -> EventJob:
        def make() -> Op[EventOutcome]:
            return process(event, token=token, now=self._now(), lease_seconds=lease_seconds)

        return EventJob(make, release(event.id, token))

    def _verified(self, payload: bytes | str, signature_header: str | None) -> ParsedEvent:
        if not self.webhook_secrets:
            raise InvalidInput(
                "No webhook_secret is configured: pass webhook_secret='whsec_...' (the signing "
                "secret of your Stripe webhook endpoint) to FuturePayments."
            )
        verify_signature(
            payload,
            signature_header,
            self.webhook_secrets,
            tolerance=self._tolerance,
            now=self._now,
        )
        event = parse_event(payload)
        if self._livemode is not None and event.livemode != self._livemode:
            mode = "live" if event.livemode else "test"
            raise LivemodeMismatch(
                f"Event {event.id} is a {mode}-mode event but the API key is not: check that "
                "the endpoint's signing secret and the API key belong to the same mode."
            )
        return event

    def charge_saved(
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
            description=check.text("description", description),
            metadata=check.metadata(metadata, reserved=OWN_METADATA),
            now=int(self._now()),
        )
        return charge_saved(request)

    def start_authentication(
        self, idempotency_key: str, return_url: str
    ) -> Op[AuthenticationStarted | ChargeResult]:
        key = check.key("idempotency_key", idempotency_key)
        url = check.url("return_url", return_url)
        return authentication.start_authentication(key, url)

    def complete_authentication(self, idempotency_key: str) -> Op[ChargeResult]:
        key = check.key("idempotency_key", idempotency_key)
        return authentication.complete_authentication(key)

    def cancel_charge(self, idempotency_key: str) -> Op[ChargeResult]:
        key = check.key("idempotency_key", idempotency_key)
        return authentication.cancel_charge(key)

    def refund(
        self,
        idempotency_key: str,
        refund_key: str,
        amount: int | None,
        reason: str | None,
        metadata: Mapping[str, str] | None,
    ) -> Op[Refunded]:
        request = _refunds.refund_request(
            idempotency_key, refund_key, amount, reason, metadata, now=int(self._now())
        )
        return _refunds.refund(request)

    def refunds(self, idempotency_key: str) -> Op[list[Refunded]]:
        return _refunds.refunds(check.key("idempotency_key", idempotency_key))

    def remove_payment_method(self, customer_ref: str, payment_method_id: str) -> Op[None]:
        ref = check.customer_ref(customer_ref)
        pm_id = check.stripe_id("payment_method_id", payment_method_id, "pm_")
        method = yield from call_store(lambda s: s.get_payment_method(pm_id))
        if method is None or method.customer_ref != ref or method.status == "detached":
            raise UnknownPaymentMethod(
                f"{pm_id} is not a saved payment method of customer_ref {ref!r}."
            )
        try:
            yield from call_stripe(stripe.PaymentMethodService.detach, pm_id)
        except stripe.InvalidRequestError as exc:
            # Already gone at Stripe (deleted, or detached elsewhere): record it as detached all
            # the same. Any other refusal is a real error.
            if exc.code not in ("resource_missing", "payment_method_unexpected_state"):
                raise
        gone = attrs.evolve(method, status="detached", is_default=False)
        # Detached is final in every store, so the timestamp only has to be a valid one.
        yield from call_store(lambda s: s.update_payment_method(gone, as_of=int(self._now())))

    def payment_methods(self, customer_ref: str) -> Op[list[SavedPaymentMethod]]:
        ref = check.customer_ref(customer_ref)
        return (yield from call_store(lambda s: list(s.list_payment_methods(ref))))

    def default_payment_method(self, customer_ref: str) -> Op[SavedPaymentMethod | None]:
        methods = yield from self.payment_methods(customer_ref)
        return next((m for m in methods if m.is_default), None)

    def set_default(self, customer_ref: str, payment_method_id: str) -> Op[SavedPaymentMethod]:
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
    """The configured webhook secrets, checked now rather than at the first delivery."""
    if value is None:
        return ()
    secrets = (value,) if isinstance(value, str) else value
    secret_keys(secrets)  # raises InvalidInput, never echoing a secret
    return tuple(secrets)
