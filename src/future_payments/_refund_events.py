"""Webhook handlers for what happens after a charge: refunds and disputes.

Each converges the store in any order and any number of times: a refund's row is upserted by
``(created, rank)`` (``Store.update_refund``), and ``disputed`` only ever becomes True. A refund
is filed under the caller's refund key when its metadata names one (this library made it), else
under its Stripe id (made in the Dashboard or through the API). Objects of charges this library
did not make are ignored.
"""

from __future__ import annotations

import logging

from future_payments._effects import Op, call_store
from future_payments._models import (
    ChargeRecord,
    EventAction,
    RefundRecord,
    SavedPaymentMethod,
)
from future_payments._objects import ChargeView, DisputeView, RefundView, is_key
from future_payments._payload import ParsedEvent
from future_payments._refunds import REFUND_KEY_METADATA, list_refunds, status_of

logger = logging.getLogger("future_payments.webhooks")

Handled = tuple[EventAction, SavedPaymentMethod | None]


def refund_changed(event: ParsedEvent) -> Op[Handled]:
    """``refund.created``, ``refund.updated``, ``refund.failed``, ``charge.refund.updated``."""
    refund = RefundView.parse(event.data_object)
    charge = yield from _ledger_charge(refund.payment_intent_id)
    if charge is None:
        return "ignored", None
    changed = yield from apply_refund(refund, charge, as_of=event.created, event_id=event.id)
    return ("updated" if changed else "ignored"), None


def charge_refunded(event: ParsedEvent) -> Op[Handled]:
    """``charge.refunded``: every refund of the charge, from the event or one list of them.

    Stripe's Charge leaves out its ``refunds`` since API version 2022-11-15; then the
    PaymentIntent's refunds are listed, unless the store already accounts for
    ``amount_refunded`` (no request).
    """
    seen = ChargeView.parse(event.data_object)
    charge = yield from _ledger_charge(seen.payment_intent_id)
    if charge is None or charge.payment_intent_id is None:
        return "ignored", None
    refunds = seen.refunds
    if refunds is None:
        key = charge.idempotency_key
        known = yield from call_store(lambda s: list(s.list_refunds(key)))
        answered = [r for r in known if r.refund_id is not None]
        held = sum(r.amount for r in answered if r.holds_amount)
        if held == seen.amount_refunded and len(answered) == len(known):
            return "ignored", None
        refunds = tuple((yield from list_refunds(charge.payment_intent_id)))
    changed = False
    for refund in refunds:
        if refund.payment_intent_id not in (None, charge.payment_intent_id):
            continue
        applied = yield from apply_refund(refund, charge, as_of=event.created, event_id=event.id)
        changed = changed or applied
    return ("updated" if changed else "ignored"), None


def dispute_created(event: ParsedEvent) -> Op[Handled]:
    """``charge.dispute.created``: the charge is marked disputed (for good)."""
    dispute = DisputeView.parse(event.data_object)
    charge = yield from _ledger_charge(dispute.payment_intent_id)
    if charge is None:
        return "ignored", None
    if charge.disputed:
        return "ignored", None
    key = charge.idempotency_key
    yield from call_store(lambda s: s.mark_disputed(key))
    logger.warning(
        "charge for idempotency_key %r is disputed (%s): respond in the Dashboard before the "
        "evidence is due.",
        key,
        dispute.id,
    )
    return "updated", None


def apply_refund(
    refund: RefundView, charge: ChargeRecord, *, as_of: int, event_id: str
) -> Op[bool]:
    """Upsert a refund of a ledger charge; whether the stored row changed."""
    own_key = refund.metadata.get(REFUND_KEY_METADATA)
    own = own_key if is_key(own_key) else None
    stored = None
    if own is not None:
        wanted = own
        candidate = yield from call_store(lambda s: s.get_refund(wanted))
        if candidate is not None and candidate.idempotency_key != charge.idempotency_key:
            logger.error(
                "webhook event %s: refund %s carries refund_key %r, whose row belongs to "
                "idempotency_key %r, not %r; the row is left as it is.",
                event_id,
                refund.id,
                own,
                candidate.idempotency_key,
                charge.idempotency_key,
            )
            return False
        if candidate is not None and candidate.refund_id not in (None, refund.id):
            # A second refund with one key (made outside this library): keep it apart.
            own = None
        else:
            stored = candidate
    if stored is None:
        stored = yield from call_store(lambda s: s.find_refund(refund.id))
    refund_key = stored.refund_key if stored is not None else (own or refund.id)
    news = RefundRecord(
        refund_key=refund_key,
        idempotency_key=charge.idempotency_key,
        amount=refund.amount,
        currency=refund.currency,
        reason=refund.reason,
        status=status_of(refund),
        refund_id=refund.id,
        payment_intent_id=refund.payment_intent_id or charge.payment_intent_id,
        failure_reason=refund.failure_reason,
        as_of=as_of,
    )
    after = yield from call_store(lambda s: s.update_refund(news))
    return after != stored


def _ledger_charge(payment_intent_id: str | None) -> Op[ChargeRecord | None]:
    """The ledger row of a PaymentIntent; None for one this library did not make."""
    if payment_intent_id is None:
        return None
    return (yield from call_store(lambda s: s.find_charge_by_payment_intent(payment_intent_id)))
