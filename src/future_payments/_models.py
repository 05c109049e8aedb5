"""Frozen value objects: what the library hands back, and what stores keep."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeAlias

import attrs

from future_payments._objects import PaymentMethodView

MethodStatus: TypeAlias = Literal["active", "pending", "failed", "detached"]
"""``active``: chargeable. ``pending``: a delayed method (SEPA, US bank account) still being
verified. ``failed``: its setup failed. ``detached``: removed from the customer; kept as a
tombstone so that late webhooks cannot bring it back."""

SessionStatus: TypeAlias = Literal["open", "complete", "expired"]

ChargeState: TypeAlias = Literal[
    "pending", "requires_action", "processing", "declined", "succeeded", "canceled"
]
"""``pending`` means sent, outcome not known yet (a crash or a network failure).
``succeeded`` and ``canceled`` are settled: nothing changes them again."""

CHARGE_STATE_RANK: Mapping[ChargeState, int] = {
    "pending": 0,
    "requires_action": 1,
    "processing": 2,
    "declined": 3,
    "succeeded": 4,
    "canceled": 4,
}
"""Which of two pieces of news about a charge is newer when they share a ``created`` second.

The order of the PaymentIntent state machine: a challenge or a processing payment comes
before its outcome, and an outcome before nothing else. A store applies news whose
``(as_of, rank)`` is at least the stored one; settled states never change."""

SETTLED_CHARGE_STATES: frozenset[ChargeState] = frozenset({"succeeded", "canceled"})

RefundStatus: TypeAlias = Literal[
    "claimed", "pending", "requires_action", "succeeded", "failed", "canceled"
]
"""``claimed``: the refund was (or is about to be) sent and Stripe's answer is not recorded yet.
The others are Stripe's refund statuses."""

REFUND_STATUS_RANK: Mapping[RefundStatus, int] = {
    "claimed": 0,
    "pending": 1,
    "requires_action": 1,
    "succeeded": 2,
    "failed": 3,
    "canceled": 3,
}
"""The refund state machine's order for same-second news (a refund may fail after succeeding)."""

AttemptKind: TypeAlias = Literal["customer", "setup", "charge", "refund"]
"""What an attempt creates at Stripe: a Customer, a Checkout Session, a PaymentIntent, a Refund."""

EventAction: TypeAlias = Literal["saved", "updated", "duplicate", "ignored", "accepted"]
"""``saved``/``updated``: the event changed stored state. ``duplicate``: already processed (or
being processed). ``ignored``: nothing to do. ``accepted``: stored as pending by ``accept_event``,
for ``process_events`` to handle."""


@attrs.frozen
class SetupStarted:
    """A Checkout Session in setup mode, ready for the customer.

    Send the customer to ``url``; Stripe sends them back to ``success_url`` when done.
    """

    session_id: str
    url: str
    customer_id: str
    expires_at: int


@attrs.frozen
class SavedPaymentMethod:
    """A payment method saved for later, off-session charges."""

    id: str
    customer_ref: str
    customer_id: str
    type: str
    brand: str | None = None
    last4: str | None = None
    exp_month: int | None = None
    exp_year: int | None = None
    fingerprint: str | None = None
    status: MethodStatus = "active"
    is_default: bool = False

    @classmethod
    def from_stripe(
        cls,
        payment_method: Mapping[str, Any],
        *,
        customer_ref: str,
        customer_id: str,
        status: MethodStatus = "active",
        is_default: bool = False,
    ) -> SavedPaymentMethod:
        """Build from a Stripe PaymentMethod object (or its dict form).

        Raises:
            ValueError: the object has no usable ``id`` or ``type``.
        """
        return cls.from_view(
            PaymentMethodView.parse(payment_method),
            customer_ref=customer_ref,
            customer_id=customer_id,
            status=status,
            is_default=is_default,
        )

    @classmethod
    def from_view(
        cls,
        pm: PaymentMethodView,
        *,
        customer_ref: str,
        customer_id: str,
        status: MethodStatus = "active",
        is_default: bool = False,
    ) -> SavedPaymentMethod:
        """Build from the library's checked view of a PaymentMethod."""
        return cls(
            id=pm.id,
            customer_ref=customer_ref,
            customer_id=customer_id,
            type=pm.type,
            brand=pm.brand,
            last4=pm.last4,
            exp_month=pm.exp_month,
            exp_year=pm.exp_year,
            fingerprint=pm.fingerprint,
            status=status,
            is_default=is_default,
        )

    @property
    def usable(self) -> bool:
        """Whether an off-session charge may use this method now."""
        return self.status == "active"


@attrs.frozen
class EventOutcome:
    """What ``complete_from_event`` did with one webhook delivery."""

    event_id: str
    event_type: str
    action: EventAction
    payment_method: SavedPaymentMethod | None = None


@attrs.frozen
class Charged:
    """The off-session charge succeeded."""

    payment_intent_id: str
    amount: int
    currency: str
    payment_method_id: str


@attrs.frozen
class NeedsAuthentication:
    """The bank asks the customer to authenticate (HTTP 402 ``authentication_required``).

    Bring the customer back on-session and confirm the PaymentIntent with ``client_secret``
    (Stripe.js ``confirmCardPayment``). The secret is kept out of ``repr``.
    """

    payment_intent_id: str
    client_secret: str = attrs.field(repr=False)
    amount: int
    currency: str
    payment_method_id: str


@attrs.frozen
class Declined:
    """The card was declined; ``decline_code`` says why when the issuer told."""

    payment_intent_id: str | None
    code: str
    decline_code: str | None
    message: str
    amount: int
    currency: str
    payment_method_id: str


@attrs.frozen
class Processing:
    """The charge was accepted but settles later (delayed methods); a webhook will tell."""

    payment_intent_id: str
    amount: int
    currency: str
    payment_method_id: str


ChargeResult: TypeAlias = Charged | NeedsAuthentication | Declined | Processing
"""What ``charge_saved`` returns: match on ``Charged``, ``NeedsAuthentication``, ``Declined`` or
``Processing``."""


@attrs.frozen
class AuthenticationStarted:
    """The customer must pass the bank's challenge: redirect them to ``url``.

    ``url`` is Stripe's ``next_action.redirect_to_url.url``; Stripe sends the customer back to
    the ``return_url`` given to ``start_authentication``, where ``complete_authentication`` tells
    the outcome. The URL may carry the PaymentIntent's client secret: it is kept out of ``repr``.
    """

    payment_intent_id: str
    url: str = attrs.field(repr=False)


RefundOutcome: TypeAlias = Literal["pending", "requires_action", "succeeded", "failed", "canceled"]
"""A refund's status, as Stripe names it: ``pending`` until the bank confirms, ``succeeded``,
``failed`` (the money came back to the balance), ``canceled``; ``requires_action`` for the few
methods whose refunds need the customer's details."""


@attrs.frozen
class Refunded:
    """One refund of a charge, as Stripe last reported it.

    ``refund_key`` is the caller's key for it; a refund made elsewhere (the Dashboard) and learnt
    from a webhook has its Stripe id there.
    """

    refund_id: str
    payment_intent_id: str
    amount: int
    currency: str
    status: RefundOutcome
    refund_key: str
    reason: str | None = None
    failure_reason: str | None = None


@attrs.frozen
class PendingEvent:
    """A verified webhook event waiting in the store for ``process_events`` (deferred mode)."""

    event_id: str
    event_type: str
    payload: str
    """The delivery's body, exactly as verified (its JSON text)."""
    received_at: float
    """When ``accept_event`` stored it (the facade's clock): pending events are taken oldest
    first."""


@attrs.frozen
class SetupSessionRecord:
    """A Checkout Session this library started or completed, as a store keeps it."""

    session_id: str
    customer_ref: str
    customer_id: str | None
    status: SessionStatus = "open"
    payment_method_id: str | None = None


@attrs.frozen
class ChargeRecord:
    """One row of the charge ledger, keyed by the caller's idempotency key."""

    idempotency_key: str
    customer_ref: str
    amount: int
    currency: str
    payment_method_id: str
    state: ChargeState = "pending"
    payment_intent_id: str | None = None
    client_secret: str | None = attrs.field(default=None, repr=False)
    code: str | None = None
    decline_code: str | None = None
    message: str | None = None
    as_of: int = 0
    disputed: bool = False
    version: int = 0
    """Kept by the store: incremented by every change it applies (see ``Store.replace_charge``)."""

    @property
    def is_final(self) -> bool:
        """Whether the outcome is known, so a repeat needs no request."""
        return self.state != "pending"

    @property
    def is_settled(self) -> bool:
        """Whether nothing can change the outcome any more (succeeded or canceled)."""
        return self.state in SETTLED_CHARGE_STATES

    @property
    def rank(self) -> int:
        """The state's place in the PaymentIntent state machine (``CHARGE_STATE_RANK``)."""
        return CHARGE_STATE_RANK[self.state]


@attrs.frozen
class RefundRecord:
    """One refund of a ledger charge, keyed by the caller's ``refund_key``.

    A refund made outside this library (the Dashboard, the API) and learnt from a webhook is
    filed under its Stripe id as ``refund_key``.
    """

    refund_key: str
    idempotency_key: str
    amount: int
    currency: str
    reason: str | None = None
    status: RefundStatus = "claimed"
    refund_id: str | None = None
    payment_intent_id: str | None = None
    failure_reason: str | None = None
    as_of: int = 0

    @property
    def rank(self) -> int:
        """The status's place in the refund state machine (``REFUND_STATUS_RANK``)."""
        return REFUND_STATUS_RANK[self.status]

    @property
    def holds_amount(self) -> bool:
        """Whether the refund counts against what is left to refund (not failed or canceled)."""
        return self.status not in ("failed", "canceled")


@attrs.frozen
class Attempt:
    """The current attempt at one Stripe create, so a retry never creates a second object.

    Each attempt sends under its own derived Idempotency-Key. A retry resends the same attempt
    while Stripe still remembers its key; an ``uncertain`` attempt (Stripe answered 5xx, which it
    replays for the key's lifetime) or one older than Stripe's 24-hour window is reconciled
    against Stripe first, and only when nothing was created does the next attempt start.

    Attributes:
        kind: what the attempt creates.
        key: the caller's key for it (``customer_ref``, ``idempotency_key``, ``refund_key``).
        number: 1 for the first attempt; the derived Idempotency-Key includes it.
        started_at: Unix seconds when this attempt was first sent.
        uncertain: Stripe answered 5xx: reconcile before sending again.
        done: the attempt's object is recorded (used where no other row says so).
    """

    kind: AttemptKind
    key: str
    number: int = 1
    started_at: int = 0
    uncertain: bool = False
    done: bool = False
