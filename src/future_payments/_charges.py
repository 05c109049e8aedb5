"""Charging a saved method off-session, exactly once per idempotency key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import stripe

from future_payments._effects import Op, call_store, call_stripe
from future_payments._models import (
    Charged,
    ChargeRecord,
    ChargeResult,
    ChargeState,
    Declined,
    NeedsAuthentication,
    Processing,
)
from future_payments._stripe import Data, derived_key, error_body, keyed
from future_payments.errors import (
    ChargeOutcomeUnknown,
    IdempotencyConflict,
    NoSavedPaymentMethod,
    UnknownCustomer,
    UnknownPaymentMethod,
)

if TYPE_CHECKING:
    from stripe.params import PaymentIntentCreateParams

LEDGER_METADATA_KEY = "future_payments_idempotency_key"
"""PaymentIntent metadata naming the ledger row, so webhooks find it even after a crash."""


@attrs.frozen
class ChargeRequest:
    """A validated ``charge_saved`` call."""

    customer_ref: str
    amount: int
    currency: str
    idempotency_key: str
    payment_method_id: str | None
    description: str | None
    metadata: dict[str, str]


def charge_saved(request: ChargeRequest) -> Op[ChargeResult]:
    """One POST at most: replay a final outcome from the ledger, else (re)send with one key."""
    key = request.idempotency_key
    existing = yield from call_store(lambda s: s.get_charge(key))
    if existing is not None:
        _check_same(existing, request)
        if existing.is_final:
            return result_of(existing)
        record = existing
    else:
        record = yield from _claim(request)
        if record.is_final:
            return result_of(record)

    params: PaymentIntentCreateParams = {
        "amount": record.amount,
        "currency": record.currency,
        "customer": (yield from _customer_id(record.customer_ref)),
        "payment_method": record.payment_method_id,
        "off_session": True,
        "confirm": True,
        "metadata": {**request.metadata, LEDGER_METADATA_KEY: key},
    }
    if request.description is not None:
        params["description"] = request.description
    try:
        intent = yield from call_stripe(
            stripe.PaymentIntentService.create,
            params=params,
            options=keyed(derived_key("charge", key)),
        )
    except stripe.CardError as exc:
        updated = record_from_card_error(record, error_body(exc))
    except (stripe.APIConnectionError, stripe.APIError) as exc:
        raise ChargeOutcomeUnknown(
            f"The charge for idempotency_key {key!r} was sent but its outcome did not arrive "
            f"({type(exc).__name__}). Call charge_saved again with the same idempotency_key: "
            "Stripe replays the first outcome and never charges twice.",
            idempotency_key=key,
        ) from exc
    else:
        updated = record_from_intent(record, intent)
    final = yield from call_store(lambda s: s.update_charge(updated))
    return result_of(final)


def _claim(request: ChargeRequest) -> Op[ChargeRecord]:
    """Resolve the method and insert the pending ledger row; the first claim wins."""
    ref = request.customer_ref
    yield from _customer_id(ref)
    if request.payment_method_id is not None:
        pm_id = request.payment_method_id
        method = yield from call_store(lambda s: s.get_payment_method(pm_id))
        if method is None or method.customer_ref != ref or not method.usable:
            raise UnknownPaymentMethod(
                f"{pm_id} is not an active saved payment method of customer_ref {ref!r}; "
                "see payment_methods(customer_ref)."
            )
    else:
        methods = yield from call_store(lambda s: s.list_payment_methods(ref))
        default = next((m for m in methods if m.is_default), None)
        if default is None:
            raise NoSavedPaymentMethod(
                f"customer_ref {ref!r} has no active saved payment method to charge; "
                "save one with start_setup() first."
            )
        pm_id = default.id
    claim = ChargeRecord(
        idempotency_key=request.idempotency_key,
        customer_ref=ref,
        amount=request.amount,
        currency=request.currency,
        payment_method_id=pm_id,
    )
    winner = yield from call_store(lambda s: s.claim_charge(claim))
    _check_same(winner, request)
    return winner


def _customer_id(customer_ref: str) -> Op[str]:
    customer_id = yield from call_store(lambda s: s.get_customer_id(customer_ref))
    if customer_id is None:
        raise UnknownCustomer(
            f"No Stripe Customer is stored for customer_ref {customer_ref!r}; "
            "save a payment method with start_setup() first."
        )
    return customer_id


def _check_same(record: ChargeRecord, request: ChargeRequest) -> None:
    """The same key must mean the same charge; raise before any request otherwise."""
    differs = [
        name
        for name, before, now in (
            ("customer_ref", record.customer_ref, request.customer_ref),
            ("amount", record.amount, request.amount),
            ("currency", record.currency, request.currency),
        )
        if before != now
    ]
    pm_id = request.payment_method_id
    if pm_id is not None and pm_id != record.payment_method_id:
        differs.append("payment_method_id")
    if differs:
        raise IdempotencyConflict(
            f"idempotency_key {record.idempotency_key!r} was used for another charge "
            f"({', '.join(differs)} differ). Use a new key for a new charge."
        )


_STATE_OF_STATUS: Mapping[str, ChargeState] = {
    "succeeded": "succeeded",
    "requires_capture": "succeeded",
    "processing": "processing",
    "requires_action": "requires_action",
    "requires_confirmation": "requires_action",
    "requires_payment_method": "declined",
    "canceled": "declined",
}


def record_from_intent(record: ChargeRecord, intent: Mapping[str, Any]) -> ChargeRecord:
    """The ledger row after Stripe reported a PaymentIntent (a response or an event)."""
    state = _STATE_OF_STATUS.get(str(intent.get("status")), "pending")
    error: Mapping[str, Any] = intent.get("last_payment_error") or {}
    if state == "declined" and error.get("code") == "authentication_required":
        state = "requires_action"
    return attrs.evolve(
        record,
        state=state,
        payment_intent_id=str(intent["id"]),
        client_secret=intent.get("client_secret") or record.client_secret,
        code=error.get("code") if state == "declined" else None,
        decline_code=error.get("decline_code") if state == "declined" else None,
        message=error.get("message") if state == "declined" else None,
        as_of=int(intent.get("created") or record.as_of),
    )


def record_from_card_error(record: ChargeRecord, error: Mapping[str, Any]) -> ChargeRecord:
    """The ledger row after a 402: authentication needed, or a decline."""
    intent: Data = dict(error.get("payment_intent") or {})
    code = str(error.get("code") or "card_declined")
    if intent:
        intent.setdefault("last_payment_error", error)
        updated = record_from_intent(record, intent)
        if code == "authentication_required":
            return attrs.evolve(updated, state="requires_action")
        return attrs.evolve(
            updated,
            state="declined",
            code=code,
            decline_code=error.get("decline_code"),
            message=error.get("message"),
        )
    return attrs.evolve(
        record,
        state="declined",
        code=code,
        decline_code=error.get("decline_code"),
        message=str(error.get("message") or "The card was declined."),
    )


def result_of(record: ChargeRecord) -> ChargeResult:
    """The typed result a final ledger row stands for."""
    common: dict[str, Any] = {
        "amount": record.amount,
        "currency": record.currency,
        "payment_method_id": record.payment_method_id,
    }
    pi = record.payment_intent_id
    if record.state == "succeeded" and pi:
        return Charged(payment_intent_id=pi, **common)
    if record.state == "processing" and pi:
        return Processing(payment_intent_id=pi, **common)
    if record.state == "requires_action" and pi and record.client_secret:
        return NeedsAuthentication(
            payment_intent_id=pi, client_secret=record.client_secret, **common
        )
    return Declined(
        payment_intent_id=pi,
        code=record.code or "card_declined",
        decline_code=record.decline_code,
        message=record.message or "The payment was not completed.",
        **common,
    )
