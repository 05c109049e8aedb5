"""Bringing the customer back, without JavaScript: start and complete authentication, or cancel.

A charge that answered ``NeedsAuthentication`` keeps its PaymentIntent at Stripe. To recover it
the server confirms that PaymentIntent once more, on-session this time, with the charge's saved
method and a ``return_url``: Stripe answers ``requires_action`` with a ``redirect_to_url``, the
bank's challenge page, which sends the customer back to ``return_url`` when done. No Stripe.js.

Confirming and cancelling a PaymentIntent cannot move money twice (a PaymentIntent charges at
most once), so these requests need no attempt bookkeeping; the SDK's own Idempotency-Key covers
its retries. Their answers are recorded with ``Store.replace_charge``: they come after the row
they were sent from, so they win over a stale event of the same second; when an event changed
the row meanwhile, the usual ``update_charge`` merge decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import stripe

from future_payments._effects import Op, call_store, call_stripe
from future_payments._ledger import (
    answer_time,
    record_from_card_error,
    record_from_intent,
    result_of,
    settles,
)
from future_payments._models import AuthenticationStarted, ChargeRecord, ChargeResult
from future_payments._objects import Malformed, PaymentIntentView
from future_payments._stripe import error_body
from future_payments.errors import ChargeOutcomeUnknown, StripeUnavailable, UnknownCharge

if TYPE_CHECKING:
    from stripe.params import PaymentIntentCancelParams, PaymentIntentConfirmParams

AUTHENTICATION_CODES = frozenset(
    {"authentication_required", "payment_intent_authentication_failure"}
)
"""Decline codes after which the customer may try the bank's challenge (again)."""

CANCELLATION_REASON = "abandoned"
"""What ``cancel_charge`` tells Stripe: the customer never completed the payment."""


def charge_of(idempotency_key: str) -> Op[ChargeRecord]:
    """The ledger row of a key; ``UnknownCharge`` when ``charge_saved`` never recorded one."""
    record = yield from call_store(lambda s: s.get_charge(idempotency_key))
    if record is None:
        raise UnknownCharge(
            f"No charge is recorded for idempotency_key {idempotency_key!r}: charge_saved() "
            "records one; check the key."
        )
    return record


def awaits_customer(record: ChargeRecord) -> bool:
    """Whether the charge waits for the customer's authentication (or may try it again)."""
    if record.payment_intent_id is None:
        return False
    return record.state == "requires_action" or (
        record.state == "declined" and record.code in AUTHENTICATION_CODES
    )


def start_authentication(
    idempotency_key: str, return_url: str
) -> Op[AuthenticationStarted | ChargeResult]:
    """One confirm request for a charge awaiting the customer; none for any other charge."""
    record = yield from charge_of(idempotency_key)
    if not awaits_customer(record):
        return _recorded(record)
    intent_id = record.payment_intent_id
    assert intent_id is not None
    params: PaymentIntentConfirmParams = {
        "payment_method": record.payment_method_id,
        "return_url": return_url,
    }
    try:
        data: Mapping[str, Any] = yield from call_stripe(
            stripe.PaymentIntentService.confirm, intent_id, params=params
        )
    except stripe.CardError as exc:
        # Declined on-session (the bank refused without a challenge).
        declined = record_from_card_error(record, error_body(exc))
        return result_of((yield from record_answer(record, declined)))
    except stripe.InvalidRequestError as exc:
        # Settled meanwhile (another tab, a race with the customer): record what it is now.
        data = yield from _current_intent(exc, intent_id)
    intent = _parse(data, idempotency_key)
    answer = _answer(record, intent)
    stored = yield from record_answer(record, answer)
    if intent.status == "requires_action" and intent.redirect_url and not stored.is_settled:
        return AuthenticationStarted(payment_intent_id=intent.id, url=intent.redirect_url)
    return result_of(_newest(stored, answer))


def complete_authentication(idempotency_key: str) -> Op[ChargeResult]:
    """One GET of the PaymentIntent; none when the ledger is already settled."""
    record = yield from charge_of(idempotency_key)
    if record.is_settled or record.payment_intent_id is None:
        return _recorded(record)
    data = yield from call_stripe(stripe.PaymentIntentService.retrieve, record.payment_intent_id)
    answer = _answer(record, _parse(data, idempotency_key))
    stored = yield from record_answer(record, answer)
    return result_of(_newest(stored, answer))


def cancel_charge(idempotency_key: str) -> Op[ChargeResult]:
    """Cancel the PaymentIntent of a charge that has not gone through; one request at most."""
    record = yield from charge_of(idempotency_key)
    intent_id = record.payment_intent_id
    if record.is_settled or record.state == "processing" or intent_id is None:
        # Charged or canceled already, or settling (Stripe cannot cancel it), or nothing at
        # Stripe to cancel (declined before a PaymentIntent existed).
        return _recorded(record)
    params: PaymentIntentCancelParams = {"cancellation_reason": CANCELLATION_REASON}
    try:
        data: Mapping[str, Any] = yield from call_stripe(
            stripe.PaymentIntentService.cancel, intent_id, params=params
        )
    except stripe.InvalidRequestError as exc:
        # Canceled by an earlier try whose answer was lost, or charged meanwhile.
        data = yield from _current_intent(exc, intent_id)
    answer = _answer(record, _parse(data, idempotency_key))
    stored = yield from record_answer(record, answer)
    return result_of(_newest(stored, answer))


def _answer(read: ChargeRecord, intent: PaymentIntentView) -> ChargeRecord:
    return record_from_intent(read, intent, as_of=answer_time(read, intent.created))


def record_answer(read: ChargeRecord, answer: ChargeRecord) -> Op[ChargeRecord]:
    """Store the answer to a request sent from row ``read``; the stored row after it."""
    version = read.version
    replaced = yield from call_store(lambda s: s.replace_charge(answer, expected_version=version))
    if replaced is not None:
        return replaced
    # An event changed the row while the request was out: the usual merge decides.
    newest = settles(read, answer)
    return (yield from call_store(lambda s: s.update_charge(newest)))


def _newest(stored: ChargeRecord, answer: ChargeRecord) -> ChargeRecord:
    """Stripe's answer, unless the store holds a settled outcome (an event newer than it)."""
    return stored if stored.is_settled else answer


def _recorded(record: ChargeRecord) -> ChargeResult:
    if record.state == "pending":
        key = record.idempotency_key
        raise ChargeOutcomeUnknown(
            f"The outcome of the charge for idempotency_key {key!r} is not known yet (its "
            "answer was lost). Call charge_saved again with the same idempotency_key first: it "
            "reconciles with Stripe and never charges twice.",
            idempotency_key=key,
        )
    return result_of(record)


def _current_intent(exc: stripe.InvalidRequestError, intent_id: str) -> Op[Mapping[str, Any]]:
    """The PaymentIntent a refusal names, or a GET of it; re-raise any other refusal."""
    if exc.code != "payment_intent_unexpected_state":
        raise exc
    embedded = error_body(exc).get("payment_intent")
    if isinstance(embedded, Mapping) and embedded.get("id") == intent_id:
        return embedded
    return (yield from call_stripe(stripe.PaymentIntentService.retrieve, intent_id))


def _parse(data: Mapping[str, Any], idempotency_key: str) -> PaymentIntentView:
    try:
        return PaymentIntentView.parse(data)
    except Malformed as exc:
        raise StripeUnavailable(
            f"Stripe's answer about the charge for idempotency_key {idempotency_key!r} could "
            f"not be read ({exc}). Retrying is safe: the ledger is unchanged."
        ) from exc
