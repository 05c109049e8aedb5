"""Webhook events accepted into a store (``accept_event``), for the worker tests to process."""

from __future__ import annotations

from collections.abc import Sequence

from future_payments import FuturePayments
from future_payments.testing import FakeStripe, WebhookDelivery

SUCCESS_URL = "https://shop.example/saved?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "https://shop.example/cancel"


def completed_checkout(
    payments: FuturePayments, fake: FakeStripe, customer_ref: str = "user-42"
) -> list[WebhookDelivery]:
    """The signed deliveries of a setup the customer completed with 4242 (never redirected)."""
    setup = payments.start_setup(
        customer_ref, currency="usd", success_url=SUCCESS_URL, cancel_url=CANCEL_URL
    )
    fake.complete_checkout(setup.session_id, card="4242424242424242")
    return fake.webhooks()


def accept_all(payments: FuturePayments, deliveries: Sequence[WebhookDelivery]) -> list[str]:
    """``accept_event`` each delivery; the ids of the events it accepted (to be processed)."""
    return [
        delivery.event_id
        for delivery in deliveries
        if payments.accept_event(delivery.body, delivery.signature).action == "accepted"
    ]


def methods(payments: FuturePayments, customer_ref: str = "user-42") -> list[tuple[str, str, bool]]:
    """The customer's saved methods as (last4, status, is_default)."""
    return [(m.last4 or "", m.status, m.is_default) for m in payments.payment_methods(customer_ref)]
