"""Charging a saved method off-session, exactly once per idempotency key.

The PaymentIntent is created through ``_attempts.create_once``: a retry within Stripe's window
resends the same Idempotency-Key, and a retry after a 5xx or after the window first looks for
the PaymentIntent an earlier attempt made (by the ledger key in its metadata). So no lost
answer, replayed 5xx or late retry ever charges twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import stripe

from future_payments._attempts import create_once, stripe_key
from future_payments._effects import Op, call_store, call_stripe
from future_payments._ledger import (
    LEDGER_METADATA_KEY,
    answer_time,
    find_intent,
    record_from_card_error,
    record_from_intent,
    result_of,
)
from future_payments._models import Attempt, ChargeRecord, ChargeResult
from future_payments._objects import Malformed, PaymentIntentView
from future_payments._stripe import error_body, keyed
from future_payments.errors import (
    ChargeOutcomeUnknown,
    IdempotencyConflict,
    NoSavedPaymentMethod,
    UnknownCustomer,
    UnknownPaymentMethod,
)

if TYPE_CHECKING:
    from stripe.params import PaymentIntentCreateParams

OWN_METADATA = 1
"""How many metadata keys this library adds to a PaymentIntent (the ledger key)."""


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
    now: int


def charge_saved(request: ChargeRequest) -> Op[ChargeResult]:
    """One POST at most: replay a final outcome from the ledger, else create once."""
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

    customer_id = yield from _customer_id(record.customer_ref)
    params: PaymentIntentCreateParams = {
        "amount": record.amount,
        "currency": record.currency,
        "customer": customer_id,
        "payment_method": record.payment_method_id,
        "off_session": True,
        "confirm": True,
        "metadata": {**request.metadata, LEDGER_METADATA_KEY: key},
    }
    if request.description is not None:
        params["description"] = request.description
    now = request.now

    def send(attempt: Attempt) -> Op[ChargeRecord]:
        try:
            data = yield from call_stripe(
                stripe.PaymentIntentService.create,
                params=params,
                options=keyed(stripe_key(attempt)),
            )
        except stripe.CardError as exc:
            return record_from_card_error(record, error_body(exc))
        return _answer(record, PaymentIntentView.parse(data))

    def find(since: int) -> Op[ChargeRecord | None]:
        intent = yield from find_intent(customer_id, key, since)
        return None if intent is None else _answer(record, intent)

    try:
        updated = yield from create_once("charge", key, now=now, send=send, find=find)
    except (stripe.APIConnectionError, stripe.APIError, Malformed) as exc:
        raise ChargeOutcomeUnknown(
            f"The charge for idempotency_key {key!r} was sent but its outcome did not arrive "
            f"({type(exc).__name__}). Call charge_saved again with the same idempotency_key: "
            "the ledger resends or reconciles it with Stripe and never charges twice.",
            idempotency_key=key,
        ) from exc
    final = yield from call_store(lambda s: s.update_charge(updated))
    return result_of(final)


def _answer(record: ChargeRecord, intent: PaymentIntentView) -> ChargeRecord:
    return record_from_intent(record, intent, as_of=answer_time(record, intent.created))


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
