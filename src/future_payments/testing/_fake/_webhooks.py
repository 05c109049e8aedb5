"""Events waiting for delivery, and Stripe's webhook signature."""

from __future__ import annotations

import hashlib
import hmac

import attrs


@attrs.frozen
class WebhookDelivery:
    """One signed webhook, as Stripe would POST it to an endpoint.

    Attributes:
        body: the raw JSON body.
        signature: the ``Stripe-Signature`` header value (``t=...,v1=...``).
        type: the event type, e.g. ``checkout.session.completed``.
        event_id: the event's ``evt_...`` id.
    """

    body: bytes
    signature: str = attrs.field(repr=False)
    type: str
    event_id: str


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` header for ``body``: ``t=<timestamp>,v1=<hex HMAC-SHA256>``."""
    message = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
