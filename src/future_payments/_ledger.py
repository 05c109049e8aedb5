"""The charge ledger's rules: what a PaymentIntent (or a 402) means for a row, and its result.

Shared by ``charge_saved`` (answers to its own requests), the webhook handlers (events) and the
reconciliation that finds a PaymentIntent an earlier attempt made.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import stripe

from future_payments._effects import Op, call_stripe_list
from future_payments._models import (
    Charged,
    ChargeRecord,
    ChargeResult,
    ChargeState,
    Declined,
    NeedsAuthentication,
    Processing,
)
from future_payments._objects import Malformed, PaymentError, PaymentIntentView

if TYPE_CHECKING:
    from stripe.params import PaymentIntentListParams

LEDGER_METADATA_KEY = "future_payments_idempotency_key"
"""PaymentIntent metadata naming the ledger row, so webhooks and reconciliation find it."""

_STATE_OF_STATUS: Mapping[str, ChargeState] = {
    "succeeded": "succeeded",
    "requires_capture": "succeeded",
    "processing": "processing",
    "requires_action": "requires_action",
    "requires_confirmation": "requires_action",
    "requires_payment_method": "declined",
    "canceled": "canceled",
}


def answer_time(read: ChargeRecord, created: int) -> int:
    """When an answer to this library's own request happened, for the ledger's ordering.

    Dated by Stripe's clock, never the app's: events carry Stripe's ``created``, and an app
    clock running ahead would make every later event look older. The PaymentIntent's
    ``created``, or the second of the row the request was sent from if that is later (the answer
    comes after what that row recorded; ``replace_charge`` applies it whatever its time).
    """
    return max(read.as_of, created)


def settles(record: ChargeRecord, news: ChargeRecord) -> ChargeRecord:
    """``news`` dated no earlier than ``record`` when it settles the charge.

    ``succeeded`` and ``canceled`` are final in Stripe's state machine: no later state exists,
    so such news is the newest whatever its ``created`` second (a row dated by a later answer
    must not make the final event look stale).
    """
    if news.is_settled and news.as_of < record.as_of:
        return attrs.evolve(news, as_of=record.as_of)
    return news


def record_from_intent(
    record: ChargeRecord, intent: PaymentIntentView, *, as_of: int
) -> ChargeRecord:
    """The ledger row after Stripe reported a PaymentIntent (an answer or an event).

    The client secret is kept only while the charge waits for the customer to authenticate.
    """
    state = _STATE_OF_STATUS.get(str(intent.status), "pending")
    error = intent.last_payment_error
    if state == "declined" and error is not None and error.code == "authentication_required":
        state = "requires_action"
    declined = state == "declined"
    return attrs.evolve(
        record,
        state=state,
        payment_intent_id=intent.id,
        client_secret=(intent.client_secret or record.client_secret)
        if state == "requires_action"
        else None,
        code=(error.code if error else None) if declined else None,
        decline_code=(error.decline_code if error else None) if declined else None,
        message=(error.message if error else None) if declined else None,
        as_of=as_of,
    )


def record_from_card_error(record: ChargeRecord, error: Mapping[str, Any]) -> ChargeRecord:
    """The ledger row after a 402 answer: authentication needed, or a decline.

    Dated by ``answer_time`` from the PaymentIntent the error embeds (if any).
    """
    reason = PaymentError.parse(error) or PaymentError(None, None, None)
    code = reason.code or "card_declined"
    embedded = error.get("payment_intent")
    intent = None
    if isinstance(embedded, Mapping):
        try:
            intent = PaymentIntentView.parse(embedded)
        except Malformed:
            intent = None
    if intent is not None:
        if intent.last_payment_error is None:
            intent = attrs.evolve(intent, last_payment_error=reason)
        updated = record_from_intent(record, intent, as_of=answer_time(record, intent.created))
        if code == "authentication_required" and intent.client_secret is not None:
            return attrs.evolve(updated, state="requires_action")
        return attrs.evolve(
            updated,
            state="declined",
            client_secret=None,
            code=code,
            decline_code=reason.decline_code,
            message=reason.message,
        )
    return attrs.evolve(
        record,
        state="declined",
        client_secret=None,
        code=code,
        decline_code=reason.decline_code,
        message=reason.message or "The card was declined.",
        as_of=answer_time(record, 0),
    )


def find_intent(customer_id: str, idempotency_key: str, since: int) -> Op[PaymentIntentView | None]:
    """The PaymentIntent of the customer's made for this ledger key since ``since``, or None.

    Stripe's list (consistent, unlike search) of the customer's PaymentIntents created since,
    matched on the ledger key in their metadata; one request per 100 of them.
    """
    params: PaymentIntentListParams = {"customer": customer_id, "created": {"gte": since}}
    listed = yield from call_stripe_list(
        stripe.PaymentIntentService.list, params, PaymentIntentView.parse
    )
    found = [i for i in listed if i.metadata.get(LEDGER_METADATA_KEY) == idempotency_key]
    # Only ever one, unless something else charged with our key: the most advanced one wins.
    rank = {"succeeded": 3, "requires_capture": 3, "processing": 2, "requires_action": 1}
    return max(found, key=lambda i: rank.get(str(i.status), 0), default=None)


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
    if record.state == "canceled":
        return Declined(
            payment_intent_id=pi,
            code=record.code or "canceled",
            decline_code=None,
            message=record.message or "The payment was canceled before it completed.",
            **common,
        )
    return Declined(
        payment_intent_id=pi,
        code=record.code or "card_declined",
        decline_code=record.decline_code,
        message=record.message or "The payment was not completed.",
        **common,
    )
