"""After the charge, webhooks converge the ledger in any order and any number of times.

Each flow runs once on the fake with one store (answers and events). Its ledger row as it was
right after ``charge_saved`` is then copied into fresh stores, which get only the flow's events,
shuffled and duplicated by hypothesis: every such store must end where Stripe did.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from future_payments import AsyncFuturePayments, AuthenticationStarted, FuturePayments, MemoryStore
from future_payments.stores import ChargeRecord, ThreadedStore
from future_payments.testing import FakeStripe, WebhookDelivery, charged, needs_authentication
from tests._modes import MODES, deliver
from tests.facade.conftest import AsyncAsSync
from tests.facade.test_events import _signed_event

KEY = "order-1"
RETURN_URL = "https://shop.example/pay/return"


@attrs.frozen
class Flow:
    """One flow's fake, its ledger row right after the charge, its events and where it ended."""

    fake: FakeStripe
    row: ChargeRecord
    deliveries: tuple[WebhookDelivery, ...]
    state: str
    refunds: frozenset[tuple[str, str, str, int]]


def _facade(fake: FakeStripe) -> FuturePayments:
    return FuturePayments(
        client=fake.client(),
        store=MemoryStore(),
        webhook_secret=fake.webhook_secret,
        now=fake.clock.now,
    )


def _start(payments: FuturePayments) -> AuthenticationStarted:
    started = payments.start_authentication(KEY, return_url=RETURN_URL)
    assert isinstance(started, AuthenticationStarted)
    return started


def _recovery(payments: FuturePayments, fake: FakeStripe) -> None:
    """A failed challenge, then a passed one."""
    fake.authenticate(_start(payments).url, succeed=False)
    fake.clock.advance(1)
    fake.authenticate(_start(payments).url)


def _cancellation(payments: FuturePayments, fake: FakeStripe) -> None:
    """A challenge started, abandoned, and the charge cancelled."""
    _start(payments)
    fake.clock.advance(1)
    payments.cancel_charge(KEY)


def _refunds(payments: FuturePayments, fake: FakeStripe) -> None:
    """A refund that settles, one that fails, and one made in the Dashboard, still pending."""
    settles = payments.refund(KEY, refund_key="settles", amount=500)
    fails = payments.refund(KEY, refund_key="fails", amount=700)
    fake.clock.advance(1)
    fake.settle(settles.refund_id)
    fake.settle(fails.refund_id, succeed=False)
    intent = payments.refunds(KEY)[0].payment_intent_id
    fake.client().v1.refunds.create(params={"payment_intent": intent, "amount": 300})


def _same_second_refunds(payments: FuturePayments, fake: FakeStripe) -> None:
    """Refunds whose every event shares one second: the state machine's order decides."""
    first = payments.refund(KEY, refund_key="first", amount=999)
    fake.settle(first.refund_id, succeed=False)
    second = payments.refund(KEY, refund_key="second")
    fake.settle(second.refund_id)


FLOWS: dict[str, tuple[Callable[[FuturePayments, FakeStripe], None], bool]] = {
    "recovery": (_recovery, True),
    "cancellation": (_cancellation, True),
    "refunds": (_refunds, False),
    "same-second-refunds": (_same_second_refunds, False),
}


@functools.cache
def _flow(name: str) -> Flow:
    steps, authenticates = FLOWS[name]
    fake = FakeStripe()
    payments = _facade(fake)
    if authenticates:
        needs_authentication(payments, fake, "user-42", idempotency_key=KEY)
    else:
        charged(payments, fake, "user-42", idempotency_key=KEY, card="4000000000007726")
    row = payments.store.get_charge(KEY)
    assert row is not None
    steps(payments, fake)
    deliveries = tuple(fake.webhooks())
    for delivery in deliveries:
        payments.complete_from_event(delivery.body, delivery.signature)
    final = payments.store.get_charge(KEY)
    assert final is not None
    return Flow(fake, row, deliveries, final.state, _refund_state(payments))


def _refund_state(payments: FuturePayments) -> frozenset[tuple[str, str, str, int]]:
    return frozenset((r.refund_id, r.refund_key, r.status, r.amount) for r in payments.refunds(KEY))


def _fresh(flow: Flow, facade: str) -> FuturePayments:
    store = MemoryStore()
    store.claim_charge(flow.row)
    config: dict[str, Any] = {
        "client": flow.fake.client(),
        "webhook_secret": flow.fake.webhook_secret,
        "now": flow.fake.clock.now,
    }
    if facade == "async":
        made = AsyncFuturePayments(store=ThreadedStore(store), **config)
        return AsyncAsSync(made, store)  # type: ignore[return-value]
    return FuturePayments(store=store, **config)


def test_flows_end_where_stripe_did() -> None:
    """The flows' own stores (answers and events in order) hold Stripe's final state."""
    ended = {name: (_flow(name).state, len(_flow(name).refunds)) for name in FLOWS}

    assert {
        "recovery": ("succeeded", 0),
        "cancellation": ("canceled", 0),
        "refunds": ("succeeded", 3),
        "same-second-refunds": ("succeeded", 2),
    } == ended


def test_refunds_flow_statuses_are_stripes() -> None:
    """The refunds flow's refunds: settled, failed, and the Dashboard one still pending."""
    flow = _flow("refunds")

    by_key = {key: status for _, key, status, _ in flow.refunds}
    dashboard = [key for key in by_key if key.startswith("re_")]

    assert {"settles": "succeeded", "fails": "failed", dashboard[0]: "pending"} == by_key


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("facade", ["sync", "async"])
@pytest.mark.parametrize("name", list(FLOWS))
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_events_in_any_order_converge(
    name: str, facade: str, mode: str, data: st.DataObject
) -> None:
    """The flow's events, shuffled and duplicated, bring a fresh store to the same end,
    handled at once or accepted and processed later by a worker."""
    flow = _flow(name)
    count = len(flow.deliveries)
    extra = data.draw(st.lists(st.integers(0, count - 1), max_size=count), label="duplicates")
    order = data.draw(st.permutations([*range(count), *extra]), label="order")
    payments = _fresh(flow, facade)

    seed = data.draw(st.integers(0, 2**16), label="worker schedule")
    signed = [(flow.deliveries[i].body, flow.deliveries[i].signature) for i in order]
    deliver(mode, payments, signed, seed=seed)

    charge = payments.store.get_charge(KEY)
    assert (flow.state, flow.refunds) == (
        charge.state if charge else None,
        _refund_state(payments),
    )


AFTER_THE_CHARGE = (
    "payment_intent.canceled",
    "charge.refunded",
    "refund.created",
    "refund.updated",
    "refund.failed",
    "charge.refund.updated",
    "charge.dispute.created",
)
FOREIGN_OBJECTS: dict[str, dict[str, Any]] = {
    "payment_intent": {"id": "pi_foreign", "object": "payment_intent", "status": "canceled"},
    "charge": {
        "id": "ch_foreign",
        "object": "charge",
        "payment_intent": "pi_foreign",
        "amount_refunded": 100,
        "refunds": {"object": "list", "data": [], "has_more": False},
    },
    "refund": {
        "id": "re_foreign",
        "object": "refund",
        "amount": 100,
        "currency": "usd",
        "status": "succeeded",
        "charge": "ch_foreign",
        "payment_intent": None,  # a refund of a Charge made without a PaymentIntent
        "metadata": {},
    },
    "dispute": {"id": "dp_foreign", "object": "dispute", "charge": "ch_foreign"},
}
_OBJECT_OF = {
    "payment_intent.canceled": "payment_intent",
    "charge.refunded": "charge",
    "charge.dispute.created": "dispute",
}


@pytest.mark.parametrize("kind", AFTER_THE_CHARGE)
def test_objects_of_other_charges_are_ignored(kind: str) -> None:
    """An event about a charge this library did not make is ignored, with no request."""
    fake = FakeStripe()
    payments = _facade(fake)
    obj = FOREIGN_OBJECTS[_OBJECT_OF.get(kind, "refund")]

    signed = _signed_event(fake, kind, obj, created=fake.clock.now())

    outcome = payments.complete_from_event(*signed)

    assert ("ignored", 0) == (outcome.action, len(fake.requests))


@pytest.mark.parametrize("kind", AFTER_THE_CHARGE)
@pytest.mark.parametrize(
    "obj",
    [{}, {"id": 7}, {"id": "re_x", "amount": "100", "currency": "usd"}, {"id": "x y"}],
    ids=["empty", "numeric-id", "string-amount", "bad-id"],
)
def test_objects_of_a_shape_stripe_never_sends_are_ignored(kind: str, obj: dict[str, Any]) -> None:
    """A verified event whose object cannot be read is answered ignored, never a crash."""
    fake = FakeStripe()
    payments = _facade(fake)

    assert (
        "ignored"
        == payments.complete_from_event(
            *_signed_event(fake, kind, obj, created=fake.clock.now())
        ).action
    )
