"""complete_from_event: duplicates, races with the redirect, and any order converging."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Sequence
from typing import Any

import pytest

from future_payments import FuturePayments, MemoryStore
from future_payments.errors import LivemodeMismatch, SignatureMismatch
from future_payments.stores import Store
from future_payments.testing import FakeStripe, WebhookDelivery
from future_payments.webhooks import handle_webhook, sign_payload
from tests._modes import MODES, deliver
from tests.facade.conftest import CANCEL_URL, SUCCESS_URL, save_card


def _setup_and_complete(payments: FuturePayments, fake: FakeStripe, ref: str = "user-42") -> str:
    setup = payments.start_setup(
        ref, currency="usd", success_url=SUCCESS_URL, cancel_url=CANCEL_URL
    )
    fake.complete_checkout(setup.session_id, card="4242424242424242")
    return setup.session_id


def _deliver(payments: FuturePayments, deliveries: Sequence[WebhookDelivery]) -> list[str]:
    return [payments.complete_from_event(d.body, d.signature).action for d in deliveries]


def _of_type(deliveries: Sequence[WebhookDelivery], kind: str) -> WebhookDelivery:
    return next(d for d in deliveries if d.type == kind)


def _state(store: Store, ref: str = "user-42") -> list[tuple[str, str, bool, str | None]]:
    return [(m.type, m.status, m.is_default, m.last4) for m in store.list_payment_methods(ref)]


def test_webhook_alone_saves_the_method(payments: FuturePayments, fake: FakeStripe) -> None:
    """checkout.session.completed saves the method when the customer never came back."""
    _setup_and_complete(payments, fake)

    outcome = payments.complete_from_event(
        *_pair(_of_type(fake.webhooks(), "checkout.session.completed"))
    )

    assert ("saved", "4242") == (
        outcome.action,
        outcome.payment_method.last4 if outcome.payment_method else None,
    )
    assert [("card", "active", True, "4242")] == _state(payments.store)


def _pair(delivery: WebhookDelivery) -> tuple[bytes, str]:
    return delivery.body, delivery.signature


def test_redirect_then_webhook_makes_no_request(payments: FuturePayments, fake: FakeStripe) -> None:
    """After the redirect saved the method, the webhooks change nothing and cost nothing."""
    session_id = _setup_and_complete(payments, fake)
    saved = payments.complete_from_session(session_id)
    before = len(fake.requests)

    _deliver(payments, fake.webhooks())

    assert 0 == len(fake.requests) - before
    assert [saved] == payments.payment_methods("user-42")


def test_webhook_then_redirect_makes_no_request(payments: FuturePayments, fake: FakeStripe) -> None:
    """After the webhook saved the method, the redirect returns it with zero requests."""
    session_id = _setup_and_complete(payments, fake)
    _deliver(payments, fake.webhooks())
    before = len(fake.requests)

    saved = payments.complete_from_session(session_id)

    assert 0 == len(fake.requests) - before
    assert [saved] == payments.payment_methods("user-42")


def test_same_event_five_times(payments: FuturePayments, fake: FakeStripe) -> None:
    """One event delivered five times: one saved, four duplicates, one record."""
    _setup_and_complete(payments, fake)
    delivery = _of_type(fake.webhooks(), "checkout.session.completed")

    actions = _deliver(payments, [delivery] * 5)

    assert ["saved"] + ["duplicate"] * 4 == actions
    assert 1 == len(payments.payment_methods("user-42"))


def test_duplicates_make_no_request(payments: FuturePayments, fake: FakeStripe) -> None:
    """A duplicate delivery is answered without any Stripe request."""
    _setup_and_complete(payments, fake)
    deliveries = fake.webhooks()
    _deliver(payments, deliveries)
    before = len(fake.requests)

    actions = _deliver(payments, deliveries)

    assert (["duplicate"] * len(deliveries), 0) == (actions, len(fake.requests) - before)


def test_eight_threads_one_event(payments: FuturePayments, fake: FakeStripe) -> None:
    """Eight threads delivering one event at once: one saved, seven duplicates."""
    _setup_and_complete(payments, fake)
    body, signature = _pair(_of_type(fake.webhooks(), "checkout.session.completed"))
    barrier = threading.Barrier(8)
    actions: list[str] = []

    def deliver() -> None:
        barrier.wait()
        actions.append(payments.complete_from_event(body, signature).action)

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert ["duplicate"] * 7 + ["saved"] == sorted(actions)
    assert 1 == len(payments.payment_methods("user-42"))


FLOW_TYPES = (
    "checkout.session.completed",
    "setup_intent.succeeded",
    "payment_method.attached",
    "payment_intent.succeeded",
)


def _flow_state(order: Sequence[int], mode: str = "inline") -> tuple[Any, ...]:
    """Run one flow on a fresh fake, deliver its events in ``order``, and read the state."""
    fake = FakeStripe()
    store = MemoryStore()
    payments = FuturePayments(
        client=fake.client(), store=store, webhook_secret=fake.webhook_secret, now=fake.clock.now
    )
    saved = save_card(payments, fake)
    result = payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-1")
    by_type = {d.type: d for d in fake.webhooks() if d.type in FLOW_TYPES}
    events = [by_type[FLOW_TYPES[i]] for i in order]
    deliver(mode, payments, [_pair(e) for e in events], seed=len(order))
    charge = store.get_charge("order-1")
    return (
        _state(store),
        saved.last4,
        type(result).__name__,
        charge.state if charge else None,
    )


@pytest.mark.parametrize("mode", MODES)
def test_every_order_converges(mode: str) -> None:
    """Every permutation of one flow's events ends in the same state as in order (inline),
    in both modes, with every event delivered twice in deferred mode."""
    in_order = _flow_state(range(4))

    for order in itertools.permutations(range(4)):
        twice = [*order, *order] if mode == "deferred" else order
        assert in_order == _flow_state(twice, mode), order


@pytest.mark.parametrize("mode", MODES)
def test_setup_events_in_any_order_without_redirect(fake: FakeStripe, mode: str) -> None:
    """Without the redirect, the setup events in any order save the same single method."""
    states = set()
    for order in itertools.permutations(FLOW_TYPES[:3]):
        fake = FakeStripe()
        payments = FuturePayments(
            client=fake.client(),
            store=MemoryStore(),
            webhook_secret=fake.webhook_secret,
            now=fake.clock.now,
        )
        _setup_and_complete(payments, fake)
        by_type = {d.type: d for d in fake.webhooks()}
        deliver(mode, payments, [_pair(by_type[t]) for t in order])
        states.add(tuple(_state(payments.store)))

    assert {(("card", "active", True, "4242"),)} == states


def test_detached_first_stays_detached(payments: FuturePayments, fake: FakeStripe) -> None:
    """payment_method.detached before anything else: the late session cannot revive it."""
    session_id = _setup_and_complete(payments, fake)
    pm_id = (
        fake.client()
        .v1.checkout.sessions.retrieve(session_id, params={"expand": ["setup_intent"]})
        .setup_intent.payment_method
    )  # type: ignore[union-attr]
    fake.client().v1.payment_methods.detach(str(pm_id))
    deliveries = fake.webhooks()
    detached = _of_type(deliveries, "payment_method.detached")

    _deliver(payments, [detached, *[d for d in deliveries if d is not detached]])

    assert [] == payments.payment_methods("user-42")
    stored = payments.store.get_payment_method(str(pm_id))
    assert "detached" == (stored.status if stored else None)


def test_older_event_never_overwrites(payments: FuturePayments, fake: FakeStripe) -> None:
    """A detach recorded, an older card update arriving later changes nothing."""
    saved = save_card(payments, fake)
    fake.webhooks()
    fake.client().v1.payment_methods.detach(saved.id)
    detached = _of_type(fake.webhooks(), "payment_method.detached")
    payments.complete_from_event(*_pair(detached))
    stale = _signed_event(
        fake,
        "payment_method.updated",
        {**json.loads(detached.body)["data"]["object"], "customer": saved.customer_id},
        created=json.loads(detached.body)["created"] - 10,
    )

    outcome = payments.complete_from_event(*stale)

    assert "ignored" == outcome.action
    stored = payments.store.get_payment_method(saved.id)
    assert "detached" == (stored.status if stored else None)


def _signed_event(
    fake: FakeStripe, kind: str, obj: dict[str, Any], *, created: int, livemode: bool = False
) -> tuple[bytes, str]:
    body = json.dumps(
        {
            "id": f"evt_test_{kind.replace('.', '_')}_{created}",
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": created,
            "livemode": livemode,
            "type": kind,
            "data": {"object": obj},
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
        }
    ).encode()
    return body, sign_payload(body, fake.webhook_secret, timestamp=fake.clock.now())


def test_livemode_mismatch_is_refused(payments: FuturePayments, fake: FakeStripe) -> None:
    """A live-mode event reaching a test-mode key is refused with a clear error."""
    body, signature = _signed_event(
        fake, "checkout.session.completed", {"id": "cs_live_x", "mode": "setup"},
        created=fake.clock.now(), livemode=True,
    )  # fmt: skip

    with pytest.raises(LivemodeMismatch, match="live-mode"):
        payments.complete_from_event(body, signature)


def test_old_api_version_session_without_customer(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """The Stripe guide's 2019 payload (customer "") completes like a session without one."""
    session = fake.client().v1.checkout.sessions.create(
        params={"mode": "setup", "currency": "usd", "success_url": SUCCESS_URL}
    )
    fake.complete_checkout(session.id)
    seti = fake.client().v1.checkout.sessions.retrieve(session.id).setup_intent
    old = {
        "id": session.id,
        "object": "checkout.session",
        "billing_address_collection": None,
        "cancel_url": "https://example.com/cancel",
        "client_reference_id": None,
        "customer": "",
        "customer_email": None,
        "display_items": [],
        "mode": "setup",
        "setup_intent": seti,
        "submit_type": None,
        "subscription": None,
        "success_url": "https://example.com/success",
    }
    body, signature = _signed_event(
        fake, "checkout.session.completed", old, created=fake.clock.now()
    )

    outcome = payments.complete_from_event(body, signature)

    assert "saved" == outcome.action
    assert outcome.payment_method is not None
    pm = fake.client().v1.payment_methods.retrieve(outcome.payment_method.id)
    assert pm.customer == outcome.payment_method.customer_id


def test_other_event_types_are_ignored(payments: FuturePayments, fake: FakeStripe) -> None:
    """A type this library does not act on is answered ignored."""
    body, signature = _signed_event(
        fake, "customer.created", {"id": "cus_x", "object": "customer"}, created=fake.clock.now()
    )

    assert "ignored" == payments.complete_from_event(body, signature).action


def test_adapter_statuses(payments: FuturePayments, fake: FakeStripe) -> None:
    """handle_webhook answers 200 for a good delivery and 400 for a tampered one."""
    _setup_and_complete(payments, fake)
    delivery = _of_type(fake.webhooks(), "checkout.session.completed")
    headers = {"stripe-signature": delivery.signature}

    bad = handle_webhook(payments, delivery.body + b" ", headers)
    good = handle_webhook(payments, delivery.body, headers)
    again = handle_webhook(payments, delivery.body, headers)

    assert (400, SignatureMismatch.__name__) == (bad[0], bad[1]["error"])
    assert [(200, "saved"), (200, "duplicate")] == [
        (good[0], good[1]["action"]),
        (again[0], again[1]["action"]),
    ]


def test_stripe_down_releases_the_event(payments: FuturePayments, fake: FakeStripe) -> None:
    """When Stripe fails mid-handling, the delivery is answered 500 and a retry processes it."""
    _setup_and_complete(payments, fake)
    delivery = _of_type(fake.webhooks(), "checkout.session.completed")
    fake.fail_next("server_error", path="/v1/setup_intents")
    headers = {"Stripe-Signature": delivery.signature}

    failed = handle_webhook(payments, delivery.body, headers)
    retried = handle_webhook(payments, delivery.body, headers)

    assert (500, (200, "saved")) == (failed[0], (retried[0], retried[1]["action"]))
    assert 1 == len(payments.payment_methods("user-42"))


def test_card_network_update_refreshes_the_saved_method(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """payment_method.automatically_updated: the saved method takes the renewed card's details."""
    saved = save_card(payments, fake)
    fake.webhooks()

    fake.update_card(saved.id, exp_month=7, exp_year=2041, last4="1881")
    outcomes = [payments.complete_from_event(d.body, d.signature) for d in fake.webhooks()]

    assert ["updated"] == [o.action for o in outcomes]
    [method] = payments.payment_methods("user-42")
    assert (7, 2041, "1881", True) == (
        method.exp_month,
        method.exp_year,
        method.last4,
        method.is_default,
    )
