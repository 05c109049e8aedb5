"""Webhook delivery in both modes, for the tests that must hold in each.

``inline``: every delivery is handled at once (``complete_from_event``). ``deferred``: every
delivery is accepted (``accept_event``) and a worker's ``process_events`` handles it later —
now and then between deliveries, in small batches, and the rest at the end — so the events are
handled in an order of their own, as a real worker would. And the events the deferred tests
accept (``completed_checkout``, ``accept_all``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from future_payments import EventOutcome, FuturePayments
from future_payments.testing import FakeStripe, WebhookDelivery
from future_payments.webhooks import sign_payload
from tests.facade.conftest import CANCEL_URL, SUCCESS_URL

MODES = ("inline", "deferred")


class Facade(Protocol):
    def complete_from_event(
        self, payload: bytes | str, signature_header: str | None
    ) -> EventOutcome: ...

    def accept_event(self, payload: bytes | str, signature_header: str | None) -> EventOutcome: ...

    def process_events(
        self, *, limit: int = 100, lease_seconds: float = 60.0
    ) -> list[EventOutcome]: ...


def drain(payments: Facade) -> list[EventOutcome]:
    """Process pending events until none is left; every outcome, in order."""
    outcomes: list[EventOutcome] = []
    while batch := payments.process_events(limit=7):
        outcomes += batch
    return outcomes


def deliver(
    mode: str,
    payments: Facade,
    deliveries: Iterable[tuple[bytes | str, str]],
    *,
    seed: int = 0,
) -> list[str]:
    """Deliver ``(body, signature)`` pairs in ``mode``; the actions of the handled events.

    Inline, one action per delivery. Deferred, the actions of ``process_events`` (each event
    handled once, whatever the duplicates), after every delivery was accepted.
    """
    if mode == "inline":
        return [payments.complete_from_event(body, sig).action for body, sig in deliveries]
    rng = random.Random(seed)
    actions: list[str] = []
    for body, sig in deliveries:
        accepted = payments.accept_event(body, sig).action
        assert accepted in ("accepted", "duplicate", "ignored"), accepted
        if rng.random() < 0.3:
            actions += [o.action for o in payments.process_events(limit=rng.randint(1, 3))]
    return actions + [o.action for o in drain(payments)]


def signed_event(
    fake: FakeStripe, event_id: str, kind: str, obj: dict[str, Any]
) -> tuple[bytes, str]:
    """A minimal event of ``kind`` about ``obj``, created now by the fake's clock, signed."""
    body = json.dumps(
        {
            "id": event_id,
            "object": "event",
            "created": fake.clock.now(),
            "livemode": False,
            "type": kind,
            "data": {"object": obj},
        }
    ).encode()
    return body, sign_payload(body, fake.webhook_secret, timestamp=fake.clock.now())


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
