"""Refunding a ledger charge, exactly once per refund key.

A refund is claimed in the store first (the claim holds its amount against what is left to
refund), then created through ``_attempts.create_once``: a retry resends the same
Idempotency-Key, and a retry after a 5xx or after Stripe's 24-hour window first lists the
PaymentIntent's refunds for the one carrying the refund key in its metadata. A lost answer is
therefore reconciled, never doubled.

A refund Stripe refuses (400: already refunded elsewhere, disputed...) ends its key: the claim
is recorded ``failed`` without a refund id, its amount is released, and a repeat of the key
raises the same refusal without a request. A new refund needs a new key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import stripe

from future_payments import _validate as check
from future_payments._attempts import create_once, stripe_key
from future_payments._authentication import charge_of
from future_payments._currencies import MAXIMUM_AMOUNT
from future_payments._effects import Op, call_store, call_stripe, call_stripe_list
from future_payments._ledger import LEDGER_METADATA_KEY
from future_payments._models import (
    Attempt,
    ChargeRecord,
    Refunded,
    RefundOutcome,
    RefundRecord,
    RefundStatus,
)
from future_payments._objects import Malformed, RefundView
from future_payments._stripe import keyed
from future_payments.errors import (
    ChargeNotRefundable,
    IdempotencyConflict,
    InvalidInput,
    RefundExceedsCharge,
    RefundOutcomeUnknown,
    StripeRequestRejected,
)

if TYPE_CHECKING:
    from stripe.params import RefundCreateParams, RefundListParams

REFUND_KEY_METADATA = "future_payments_refund_key"
"""Refund metadata naming the caller's refund key, so reconciliation and webhooks find its row."""

OWN_REFUND_METADATA = 2
"""How many metadata keys this library adds to a Refund (the refund key and the ledger key)."""

REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")
"""The reasons Stripe accepts when a refund is created."""

_OUTCOMES: frozenset[str] = frozenset(
    {"pending", "requires_action", "succeeded", "failed", "canceled"}
)


@attrs.frozen
class RefundRequest:
    """A validated ``refund`` call."""

    idempotency_key: str
    refund_key: str
    amount: int | None
    reason: str | None
    metadata: dict[str, str]
    now: int


def refund_request(
    idempotency_key: object,
    refund_key: object,
    amount: object,
    reason: object,
    metadata: object,
    *,
    now: int,
) -> RefundRequest:
    """Check a ``refund`` call's arguments (``InvalidInput`` before any request)."""
    if amount is not None:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise InvalidInput(
                f"amount must be None (what is left to refund) or an int in the currency's "
                f"smallest unit (500 for 5.00 USD), got {amount!r}.",
                param="amount",
            )
        if not 0 < amount <= MAXIMUM_AMOUNT:
            raise InvalidInput(
                f"amount must be positive and at most {MAXIMUM_AMOUNT}, got {amount}.",
                param="amount",
            )
    if reason is not None and reason not in REFUND_REASONS:
        raise InvalidInput(
            f"reason must be None or one of {', '.join(map(repr, REFUND_REASONS))} (Stripe's "
            f"refund reasons), got {reason!r}.",
            param="reason",
        )
    return RefundRequest(
        idempotency_key=check.key("idempotency_key", idempotency_key),
        refund_key=check.key("refund_key", refund_key, hint=" (your id for this refund)"),
        amount=amount,
        reason=None if reason is None else str(reason),
        metadata=check.metadata(metadata, reserved=OWN_REFUND_METADATA),
        now=now,
    )


def refund(request: RefundRequest) -> Op[Refunded]:
    """One POST at most: replay a recorded refund, else claim and create it once."""
    charge = yield from charge_of(request.idempotency_key)
    refund_key = request.refund_key
    claim = yield from call_store(lambda s: s.get_refund(refund_key))
    if claim is None:
        claim = yield from _claim(charge, request)
    _check_same(claim, request)
    if claim.status != "claimed":
        return answered(claim, charge)

    intent_id = claim.payment_intent_id or charge.payment_intent_id
    assert intent_id is not None  # a claim is only made for a charge that succeeded
    params: RefundCreateParams = {
        "payment_intent": intent_id,
        "amount": claim.amount,  # always explicit: a retry never refunds "whatever is left"
        "metadata": {
            **request.metadata,
            REFUND_KEY_METADATA: refund_key,
            LEDGER_METADATA_KEY: charge.idempotency_key,
        },
    }
    if claim.reason is not None:
        params["reason"] = claim.reason
    now = request.now
    sent_from = claim

    def send(attempt: Attempt) -> Op[RefundRecord]:
        data = yield from call_stripe(
            stripe.RefundService.create, params=params, options=keyed(stripe_key(attempt))
        )
        return record_of(sent_from, RefundView.parse(data), as_of=now)

    def find(since: int) -> Op[RefundRecord | None]:
        found = yield from find_refund(intent_id, refund_key, since)
        return None if found is None else record_of(sent_from, found, as_of=now)

    try:
        made = yield from create_once("refund", refund_key, now=now, send=send, find=find)
    except stripe.InvalidRequestError as exc:
        # Refused (nothing was refunded): the key ends here and its amount is released.
        refused = attrs.evolve(
            claim, status="failed", failure_reason=exc.code or "refused", as_of=now
        )
        yield from call_store(lambda s: s.update_refund(refused))
        raise
    except (stripe.APIConnectionError, stripe.APIError, Malformed) as exc:
        raise RefundOutcomeUnknown(
            f"The refund with refund_key {refund_key!r} was sent but Stripe's answer did not "
            f"arrive ({type(exc).__name__}). Call refund again with the same refund_key: the "
            "ledger resends or reconciles it with Stripe and never refunds twice.",
            refund_key=refund_key,
        ) from exc
    stored = yield from call_store(lambda s: s.update_refund(made))
    return answered(stored, charge)


def refunds(idempotency_key: str) -> Op[list[Refunded]]:
    """The charge's refunds Stripe made, from the store, in the order they were first stored.

    A claim whose answer never arrived is left out until it is reconciled (by ``refund`` with
    its key, or by its ``refund.created`` event); so is a refund Stripe refused.
    """
    charge = yield from charge_of(idempotency_key)
    rows = yield from call_store(lambda s: list(s.list_refunds(idempotency_key)))
    return [answered(r, charge) for r in rows if r.refund_id is not None]


def refundable(charge: ChargeRecord, refunds: list[RefundRecord]) -> int:
    """What is left to refund: the amount less every refund not failed or canceled."""
    return charge.amount - sum(r.amount for r in refunds if r.holds_amount)


def _claim(charge: ChargeRecord, request: RefundRequest) -> Op[RefundRecord]:
    """Check the charge and what is left of it, then insert the claim; the first claim wins."""
    key = charge.idempotency_key
    if charge.state != "succeeded" or charge.payment_intent_id is None:
        raise ChargeNotRefundable(
            f"The charge for idempotency_key {key!r} is {charge.state}, not charged: only a "
            "Charged charge can be refunded (cancel_charge ends one that is still waiting).",
            state=charge.state,
        )
    known = yield from call_store(lambda s: list(s.list_refunds(key)))
    left = refundable(charge, known)
    amount = left if request.amount is None else request.amount
    if left <= 0 or amount > left:
        shown = "nothing" if left <= 0 else f"{left} ({charge.currency})"
        raise RefundExceedsCharge(
            f"The charge for idempotency_key {key!r} has {shown} left to refund, so a refund "
            f"of {amount} cannot be made; see refunds({key!r}).",
            refundable=max(left, 0),
        )
    claim = RefundRecord(
        refund_key=request.refund_key,
        idempotency_key=key,
        amount=amount,
        currency=charge.currency,
        reason=request.reason,
        payment_intent_id=charge.payment_intent_id,
        as_of=0,  # any news from Stripe is newer than a claim
    )
    return (yield from call_store(lambda s: s.claim_refund(claim)))


def _check_same(stored: RefundRecord, request: RefundRequest) -> None:
    """The same refund key must mean the same refund; raise before any request otherwise."""
    differs = [
        name
        for name, before, now in (
            ("idempotency_key", stored.idempotency_key, request.idempotency_key),
            ("amount", stored.amount, request.amount),
            ("reason", stored.reason, request.reason),
        )
        if now is not None and before != now
    ]
    if differs:
        raise IdempotencyConflict(
            f"refund_key {stored.refund_key!r} was used for another refund "
            f"({', '.join(differs)} differ). Use a new refund_key for a new refund."
        )


def answered(record: RefundRecord, charge: ChargeRecord) -> Refunded:
    """The value of a refund Stripe answered; a refusal is raised again, without a request."""
    if record.refund_id is None:
        raise StripeRequestRejected(
            f"Stripe refused the refund with refund_key {record.refund_key!r} "
            f"({record.failure_reason}); nothing was refunded. Check the charge in the "
            "Dashboard, and use a new refund_key for another refund.",
            code=record.failure_reason,
        )
    return Refunded(
        refund_id=record.refund_id,
        payment_intent_id=record.payment_intent_id or charge.payment_intent_id or "",
        amount=record.amount,
        currency=record.currency,
        status=_outcome(record.status),
        refund_key=record.refund_key,
        reason=record.reason,
        failure_reason=record.failure_reason,
    )


def record_of(record: RefundRecord, refund: RefundView, *, as_of: int) -> RefundRecord:
    """The refund's row after Stripe answered with the Refund (its create, or a list).

    Dated by the Refund's own ``created`` (Stripe's clock, as events are), ``as_of`` only when
    it has none: a refund's statuses only ever move up ``REFUND_STATUS_RANK``, so the rank
    orders the news, and this clock's skew cannot make a later event look older.
    """
    return attrs.evolve(
        record,
        status=status_of(refund),
        refund_id=refund.id,
        payment_intent_id=refund.payment_intent_id or record.payment_intent_id,
        reason=refund.reason or record.reason,
        failure_reason=refund.failure_reason,
        as_of=refund.created or as_of,
    )


def status_of(refund: RefundView) -> RefundStatus:
    """Stripe's status as the store keeps it (an unknown one counts as pending)."""
    return _outcome(refund.status or "pending")


def _outcome(status: str) -> RefundOutcome:
    if status in _OUTCOMES:
        return status  # type: ignore[return-value]
    return "pending"


def find_refund(intent_id: str, refund_key: str, since: int) -> Op[RefundView | None]:
    """The PaymentIntent's refund made for ``refund_key`` since ``since``, or None.

    Stripe's list of the PaymentIntent's refunds (consistent, unlike search), matched on the
    refund key in their metadata; one request per 100 refunds.
    """
    for refund in (yield from list_refunds(intent_id, since=since)):
        if refund.metadata.get(REFUND_KEY_METADATA) == refund_key:
            return refund
    return None


def list_refunds(intent_id: str, *, since: int | None = None) -> Op[list[RefundView]]:
    """Every refund of a PaymentIntent (created since ``since``), one request per 100."""
    params: RefundListParams = {"payment_intent": intent_id}
    if since is not None:
        params["created"] = {"gte": since}
    return (yield from call_stripe_list(stripe.RefundService.list, params, RefundView.parse))
