"""Frozen value objects: what the library hands back, and what stores keep."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeAlias

import attrs

MethodStatus: TypeAlias = Literal["active", "pending", "failed", "detached"]
"""``active``: chargeable. ``pending``: a delayed method (SEPA, US bank account) still being
verified. ``failed``: its setup failed. ``detached``: removed from the customer; kept as a
tombstone so that late webhooks cannot bring it back."""

SessionStatus: TypeAlias = Literal["open", "complete", "expired"]

ChargeState: TypeAlias = Literal[
    "pending", "succeeded", "requires_action", "declined", "processing"
]
"""``pending`` means sent, outcome not known yet (a crash or a network failure)."""

EventAction: TypeAlias = Literal["saved", "updated", "duplicate", "ignored"]


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
        """Build from a Stripe PaymentMethod object (or its dict form)."""
        pm_type = str(payment_method["type"])
        details: Mapping[str, Any] = payment_method.get(pm_type) or {}
        brand = details.get("brand") or details.get("bank_name")
        exp_month = details.get("exp_month")
        exp_year = details.get("exp_year")
        return cls(
            id=str(payment_method["id"]),
            customer_ref=customer_ref,
            customer_id=customer_id,
            type=pm_type,
            brand=str(brand) if brand else None,
            last4=details.get("last4"),
            exp_month=int(exp_month) if exp_month is not None else None,
            exp_year=int(exp_year) if exp_year is not None else None,
            fingerprint=details.get("fingerprint"),
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

    @property
    def is_final(self) -> bool:
        """Whether the outcome is known, so a repeat needs no request."""
        return self.state != "pending"
