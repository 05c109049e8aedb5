"""Deferred mode: accept_event stores a verified event, process_events handles it later."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from future_payments import (
    FuturePayments,
    InvalidInput,
    MemoryStore,
    SQLiteStore,
    StripeFailure,
)
from future_payments.errors import SignatureMismatch
from future_payments.testing import FakeStripe
from future_payments.webhooks import handle_webhook, sign_payload
from tests._modes import completed_checkout, drain, signed_event


def _completed_checkout(payments: FuturePayments, fake: FakeStripe) -> tuple[bytes, str]:
    deliveries = completed_checkout(payments, fake)
    delivery = next(d for d in deliveries if d.type == "checkout.session.completed")
    return delivery.body, delivery.signature


def test_accept_stores_without_a_request(payments: FuturePayments, fake: FakeStripe) -> None:
    """accept_event: no Stripe request, nothing handled yet; process_events then saves it."""
    body, signature = _completed_checkout(payments, fake)
    before = len(fake.requests)

    accepted = payments.accept_event(body, signature)

    assert ("accepted", 0, []) == (
        accepted.action,
        len(fake.requests) - before,
        payments.payment_methods("user-42"),
    )
    (outcome,) = payments.process_events()
    assert ("saved", "4242") == (
        outcome.action,
        outcome.payment_method.last4 if outcome.payment_method else None,
    )
    assert ["4242"] == [m.last4 for m in payments.payment_methods("user-42")]
    assert [] == payments.process_events()


def test_duplicates_are_accepted_once(payments: FuturePayments, fake: FakeStripe) -> None:
    """A redelivery is a duplicate while pending and after processing; handled once."""
    body, signature = _completed_checkout(payments, fake)

    first = payments.accept_event(body, signature).action
    again = payments.accept_event(body, signature).action
    handled = [o.action for o in drain(payments)]
    after = payments.accept_event(body, signature).action
    inline = payments.complete_from_event(body, signature).action

    assert ("accepted", "duplicate", ["saved"], "duplicate", "duplicate") == (
        first,
        again,
        handled,
        after,
        inline,
    )


def test_inline_delivery_of_a_pending_event_wins(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """An event handled inline while pending is not handled again by the worker."""
    body, signature = _completed_checkout(payments, fake)
    payments.accept_event(body, signature)

    inline = payments.complete_from_event(body, signature).action

    assert ("saved", []) == (inline, payments.process_events())


def test_types_not_acted_on_are_ignored_at_once(payments: FuturePayments, fake: FakeStripe) -> None:
    """customer.created is recorded as processed: nothing pending, a redelivery a duplicate."""
    signed = signed_event(fake, "evt_customer_1", "customer.created", {"id": "cus_1"})

    actions = [payments.accept_event(*signed).action, payments.accept_event(*signed).action]

    assert (["ignored", "duplicate"], []) == (actions, payments.process_events())


def test_bad_signature_stores_nothing(payments: FuturePayments, fake: FakeStripe) -> None:
    """A delivery that fails verification raises, and no worker ever sees it."""
    body, _ = _completed_checkout(payments, fake)
    forged = sign_payload(body, "whsec_not_the_endpoints_secret", timestamp=fake.clock.now())

    with pytest.raises(SignatureMismatch):
        payments.accept_event(body, forged)
    assert [] == payments.process_events()


@pytest.mark.parametrize(
    ("arguments", "param"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"limit": True}, "limit"),
        ({"limit": 2.0}, "limit"),
        ({"lease_seconds": 0}, "lease_seconds"),
        ({"lease_seconds": float("nan")}, "lease_seconds"),
        ({"lease_seconds": "60"}, "lease_seconds"),
    ],
)
def test_bad_arguments_are_refused(
    payments: FuturePayments, fake: FakeStripe, arguments: dict[str, Any], param: str
) -> None:
    """process_events refuses a bad limit or lease before taking anything."""
    payments.accept_event(*_completed_checkout(payments, fake))

    with pytest.raises(InvalidInput) as info:
        payments.process_events(**arguments)

    assert (param, 1) == (info.value.param, len(payments.process_events()))


def test_limit_takes_oldest_first(fake: FakeStripe) -> None:
    """Events are taken oldest first, ``limit`` at a time."""
    clock = [1000.0]
    payments = FuturePayments(
        client=fake.client(), store=MemoryStore(), webhook_secret=fake.webhook_secret,
        now=lambda: clock[0],
    )  # fmt: skip
    for n in (3, 1, 2):
        clock[0] += 1
        obj = {"id": f"cs_test_{n}", "object": "checkout.session", "mode": "payment"}
        body, _ = signed_event(fake, f"evt_{n}", "checkout.session.completed", obj)
        payments.accept_event(body, sign_payload(body, fake.webhook_secret, int(clock[0])))

    batches = [[o.event_id for o in payments.process_events(limit=2)] for _ in range(3)]

    assert [["evt_3", "evt_1"], ["evt_2"], []] == batches


def test_a_dead_workers_events_are_taken_after_its_lease(fake: FakeStripe) -> None:
    """A worker that took events and died: another takes them once the lease runs out."""
    clock = [float(fake.clock.now())]
    store = MemoryStore()
    payments = FuturePayments(
        client=fake.client(), store=store, webhook_secret=fake.webhook_secret,
        now=lambda: clock[0],
    )  # fmt: skip
    body, signature = _completed_checkout(payments, fake)
    payments.accept_event(body, signature)
    store.claim_pending_events(limit=10, now=clock[0], lease_seconds=30.0)  # then it died

    clock[0] += 29
    during = payments.process_events()
    clock[0] += 1
    after = [o.action for o in payments.process_events()]

    assert ([], ["saved"]) == (during, after)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_failed_event_stays_pending_and_the_rest_go_back(
    fake: FakeStripe, kind: str, tmp_path: Path
) -> None:
    """Stripe down: the batch raises, nothing is lost, and a later call handles everything."""
    store = MemoryStore() if kind == "memory" else SQLiteStore(tmp_path / "p.db")
    payments = FuturePayments(
        client=fake.client(max_network_retries=0), store=store,
        webhook_secret=fake.webhook_secret, now=fake.clock.now,
    )  # fmt: skip
    body, signature = _completed_checkout(payments, fake)
    other = signed_event(fake, "evt_zz_later", "payment_intent.succeeded", {"id": "pi_1"})
    payments.accept_event(body, signature)
    payments.accept_event(*other)
    fake.fail_next("server_error")

    with pytest.raises(StripeFailure):
        payments.process_events(lease_seconds=5)

    unhandled = (payments.payment_methods("user-42"), [o.event_id for o in drain(payments)])
    fake.clock.advance(5)
    actions = sorted(o.action for o in drain(payments))
    assert ([], ["evt_zz_later"]) == unhandled
    assert (["saved"], 1) == (actions, len(payments.payment_methods("user-42")))


def test_handle_webhook_deferred_answers_accepted(fake: FakeStripe) -> None:
    """handle_webhook(deferred=True): 200 "accepted" with no request; the worker saves it."""
    payments = FuturePayments(
        client=fake.client(), store=MemoryStore(), webhook_secret=fake.webhook_secret,
        now=fake.clock.now,
    )  # fmt: skip
    body, signature = _completed_checkout(payments, fake)
    before = len(fake.requests)

    answer = handle_webhook(payments, body, {"Stripe-Signature": signature}, deferred=True)
    forged = handle_webhook(payments, body, {"Stripe-Signature": "t=1,v1=00"}, deferred=True)

    assert (200, "accepted", 0) == (answer[0], answer[1]["action"], len(fake.requests) - before)
    assert 400 == forged[0]
    assert ["saved"] == [o.action for o in payments.process_events()]
