"""Same-second storms: any order of a charge's events, duplicated, ends in the in-order state.

Stripe's ``created`` is whole seconds, and a flow's events often share one. Every event of each
flow is re-signed with the same ``created`` second as the ledger's own answer, then delivered in
200 random orders, with duplicates, each to a fresh copy of the row as ``charge_saved``
left it, on every store: the ledger must end where in-order delivery ends.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from future_payments import FuturePayments
from future_payments.stores import ChargeRecord, Store
from future_payments.testing import FakeStripe
from future_payments.webhooks import sign_payload
from tests._modes import MODES, deliver
from tests.facade.conftest import save_card
from tests.stores.conftest import STORE_KINDS

ORDERS = 200
SERVER_ORDERS = 40  # each delivery is a few round trips to a database server: fewer orders there
Flow = Callable[[FuturePayments, FakeStripe], None]


def _sepa(succeed: bool) -> Flow:
    def flow(payments: FuturePayments, fake: FakeStripe) -> None:
        result = payments.charge_saved("user-42", 1999, "eur", idempotency_key="order-1")
        assert result.payment_intent_id is not None
        fake.settle(result.payment_intent_id, succeed=succeed)

    return flow


def _recovered(succeed: bool) -> Flow:
    def flow(payments: FuturePayments, fake: FakeStripe) -> None:
        result = payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-1")
        pi = result.payment_intent_id
        assert pi is not None
        fake.client().v1.payment_intents.confirm(
            pi,
            params={
                "payment_method": result.payment_method_id,
                "return_url": "https://shop.example/back",
            },
        )
        fake.authenticate(pi, succeed=succeed)

    return flow


FLOWS = {
    "sepa-fails": ("sepa_debit", _sepa(False), "declined"),
    "sepa-succeeds": ("sepa_debit", _sepa(True), "succeeded"),
    "challenge-fails": ("4000002760003184", _recovered(False), "declined"),
    "challenge-passes": ("4000002760003184", _recovered(True), "succeeded"),
}


def _saved(payments: FuturePayments, fake: FakeStripe, method: str) -> None:
    if method == "sepa_debit":
        setup = payments.start_setup(
            "user-42",
            currency="eur",
            payment_method_types=["sepa_debit"],
            success_url="https://shop.example/ok",
            cancel_url="https://shop.example/no",
        )
        fake.complete_checkout(setup.session_id, payment_method_type="sepa_debit")
        saved = payments.complete_from_session(setup.session_id)
        intent = fake.client().v1.checkout.sessions.retrieve(setup.session_id).setup_intent
        fake.settle(str(intent), succeed=True)
        for delivery in fake.webhooks():
            payments.complete_from_event(delivery.body, delivery.signature)
        assert "active" == payments.payment_methods("user-42")[0].status, saved
    else:
        save_card(payments, fake, card=method)
        fake.webhooks()


def _deliver_all(
    payments: FuturePayments,
    fake: FakeStripe,
    row: ChargeRecord,
    events: list[dict[str, Any]],
    order: list[int],
    run: int,
    mode: str,
) -> ChargeRecord:
    """Deliver ``events`` in ``order`` for a copy of ``row`` that no other run shares."""
    key, pi = f"{row.idempotency_key}-{run}", f"{row.payment_intent_id}x{run}"
    payments.store.update_charge(
        attrs.evolve(row, idempotency_key=key, payment_intent_id=pi, version=0)
    )
    bodies = []
    for event in events:
        copy = json.loads(json.dumps(event))
        copy["id"] = f"{event['id']}x{run}"
        copy["data"]["object"]["id"] = pi
        copy["data"]["object"]["metadata"]["future_payments_idempotency_key"] = key
        bodies.append(json.dumps(copy).encode())
    signed = [
        (bodies[i], sign_payload(bodies[i], fake.webhook_secret, fake.clock.now())) for i in order
    ]
    deliver(mode, payments, signed, seed=run)
    final = payments.store.get_charge(key)
    assert final is not None
    return final


@pytest.fixture(params=list(STORE_KINDS))
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, int]]:
    """Every store kind of the conformance suite (the database ones fail in CI if down), and
    how many orders to try on it."""
    embedded = request.param in ("memory", "sqlite")
    for store in STORE_KINDS[request.param](tmp_path):
        yield store, ORDERS if embedded else SERVER_ORDERS


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", list(FLOWS))
def test_any_order_of_same_second_events_ends_in_order(
    name: str, mode: str, any_store: tuple[Store, int]
) -> None:
    """200 shuffled, duplicated deliveries of one flow's events end in the in-order state,
    handled at once (inline) or accepted and processed by a worker later (deferred)."""
    method, flow, expected = FLOWS[name]
    store, orders = any_store
    fake = FakeStripe()
    payments = FuturePayments(client=fake.client(), store=store, webhook_secret=fake.webhook_secret)
    _saved(payments, fake, method)
    flow(payments, fake)
    final_row = payments.store.get_charge("order-1")
    assert final_row is not None
    # The row as charge_saved's own answer left it, before any event, in one second with them.
    second = fake.clock.now()
    answered = "processing" if method == "sepa_debit" else "requires_action"
    row = attrs.evolve(
        final_row, state=answered, client_secret="pi_x_secret_y", code=None, as_of=second
    )
    events = [json.loads(d.body) for d in fake.webhooks() if d.type.startswith("payment_intent.")]
    for event in events:
        event["created"] = second
    in_order = _deliver_all(payments, fake, row, events, list(range(len(events))), 0, "inline")
    assert expected == in_order.state

    rng = random.Random(name)
    for run in range(1, orders + 1):
        order = [rng.randrange(len(events)) for _ in range(rng.randint(0, len(events)))]
        order += list(range(len(events)))
        rng.shuffle(order)
        final = _deliver_all(payments, fake, row, events, order, run, mode)
        assert (in_order.state, in_order.code) == (final.state, final.code), order
