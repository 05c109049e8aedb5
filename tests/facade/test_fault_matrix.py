"""The fault matrix: every fault the fake offers, at every request the four operations make.

For each request, each fault kind, with the SDK's own retries on and off, the operation is tried,
then retried at once, an hour later or a day later (past Stripe's 24-hour idempotency window),
until it succeeds. Afterwards exactly one Stripe object exists for what was asked, and the store
names that one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest

from future_payments import FuturePayments, FuturePaymentsError, MemoryStore
from future_payments.testing import FakeStripe
from future_payments.webhooks import handle_webhook, sign_payload

FAULTS = ["connection_before", "connection_after", "server_error", "rate_limit", "slow"]
LATER = {"now": 0, "1h": 60 * 60, "25h": 25 * 60 * 60}
REF = "user-42"
URLS = {
    "success_url": "https://shop.example/ok?s={CHECKOUT_SESSION_ID}",
    "cancel_url": "https://shop.example/no",
}


@attrs.define
class World:
    """The fake, the facade, and what a scenario remembers between its steps."""

    fake: FakeStripe
    payments: FuturePayments
    notes: dict[str, Any] = attrs.Factory(dict)


def _objects(world: World, kind: str) -> list[dict[str, Any]]:
    return world.fake.objects(kind)


def _ours(obj: dict[str, Any], key: str, value: str) -> bool:
    return bool((obj.get("metadata") or {}).get(key) == value)


def _one_customer(world: World) -> None:
    mine = [c for c in _objects(world, "customer") if _ours(c, "future_payments_customer_ref", REF)]
    assert 1 == len(mine), [c["id"] for c in mine]
    assert mine[0]["id"] == world.payments.store.get_customer_id(REF)


def _one_open_session(world: World) -> None:
    mine = [
        s
        for s in _objects(world, "checkout.session")
        if s["status"] == "open" and _ours(s, "future_payments_customer_ref", REF)
    ]
    assert 1 == len(mine), [s["id"] for s in mine]
    assert world.payments.store.get_setup_session(mine[0]["id"]) is not None


def _one_saved_method(world: World) -> None:
    saved = world.payments.payment_methods(REF)
    assert 1 == len(saved)
    attached = [p for p in _objects(world, "payment_method") if p["id"] == saved[0].id]
    assert [saved[0].customer_id] == [p["customer"] for p in attached]


def _one_charge(world: World) -> None:
    mine = [
        i
        for i in _objects(world, "payment_intent")
        if _ours(i, "future_payments_idempotency_key", "order-1")
    ]
    assert 1 == len(mine), [i["id"] for i in mine]
    row = world.payments.store.get_charge("order-1")
    assert row is not None
    assert (mine[0]["id"], "succeeded") == (row.payment_intent_id, row.state)


# -- the scenarios: (prepare, act, check) ------------------------------------------------------


def _start_setup(world: World) -> None:
    world.notes["session"] = world.payments.start_setup(REF, currency="usd", **URLS).session_id


def _prepare_completed(world: World) -> None:
    _start_setup(world)
    world.fake.complete_checkout(world.notes["session"])
    world.fake.webhooks()


def _complete(world: World) -> None:
    world.payments.complete_from_session(world.notes["session"])


def _prepare_anonymous(world: World) -> None:
    """A session made by the app itself, naming no customer (the Stripe guide's example)."""
    session = world.fake.client().v1.checkout.sessions.create(
        params={"mode": "setup", "currency": "usd", "client_reference_id": REF, **URLS}
    )
    world.notes["session"] = session.id
    world.fake.complete_checkout(session.id)
    world.fake.webhooks()


def _prepare_setup_event(world: World) -> None:
    _start_setup(world)
    world.fake.complete_checkout(world.notes["session"])
    first = next(d for d in world.fake.webhooks() if d.type == "setup_intent.succeeded")
    world.notes["delivery"] = first


def _deliver(world: World) -> None:
    """One delivery of the event, signed now (Stripe signs each attempt afresh)."""
    body = world.notes["delivery"].body
    header = sign_payload(body, world.fake.webhook_secret, world.fake.clock.now())
    status, _ = handle_webhook(world.payments, body, {"Stripe-Signature": header})
    if status != 200:
        raise FuturePaymentsError(f"answered {status}: Stripe delivers it again")


def _prepare_charge(world: World) -> None:
    _prepare_completed(world)
    _complete(world)


def _charge(world: World) -> None:
    world.payments.charge_saved(REF, 1999, "usd", idempotency_key="order-1")


def _check_setup(world: World) -> None:
    _one_customer(world)
    _one_open_session(world)


def _check_saved(world: World) -> None:
    _one_customer(world)
    _one_saved_method(world)


Scenario = tuple[Callable[[World], None], Callable[[World], None], Callable[[World], None]]

# Every request the four operations make, and the scenario that makes it.
REQUESTS: dict[str, tuple[str, str, Scenario]] = {
    "start_setup: create Customer": (
        "POST",
        "/v1/customers",
        (lambda w: None, _start_setup, _check_setup),
    ),
    "start_setup: create session": (
        "POST",
        "/v1/checkout/sessions",
        (lambda w: None, _start_setup, _check_setup),
    ),
    "complete_from_session: retrieve": (
        "GET",
        "/v1/checkout/sessions/",
        (_prepare_completed, _complete, _check_saved),
    ),
    "complete_from_session: create Customer": (
        "POST",
        "/v1/customers",
        (_prepare_anonymous, _complete, _check_saved),
    ),
    "complete_from_session: attach": (
        "POST",
        "/v1/payment_methods/",
        (_prepare_anonymous, _complete, _check_saved),
    ),
    "complete_from_event: retrieve method": (
        "GET",
        "/v1/payment_methods/",
        (_prepare_setup_event, _deliver, _check_saved),
    ),
    "charge_saved: create PaymentIntent": (
        "POST",
        "/v1/payment_intents",
        (_prepare_charge, _charge, _one_charge),
    ),
}


@pytest.mark.parametrize("later", list(LATER))
@pytest.mark.parametrize("retries", [0, 2], ids=["no-sdk-retries", "sdk-retries"])
@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("request_name", list(REQUESTS))
def test_one_object_whatever_fails_and_whenever_it_is_retried(
    request_name: str, fault: str, retries: int, later: str
) -> None:
    """The fault hits the request once; retried as an app would, one object results."""
    method, path, (prepare, act, check) = REQUESTS[request_name]
    fake = FakeStripe()
    payments = FuturePayments(
        client=fake.client(max_network_retries=retries),
        store=MemoryStore(),
        webhook_secret=fake.webhook_secret,
        now=fake.clock.now,
    )
    world = World(fake, payments)
    prepare(world)
    fake.fail_next(fault, method=method, path=path, delay=0.01)  # type: ignore[arg-type]

    try:
        act(world)
    except FuturePaymentsError:
        fake.clock.advance(LATER[later])
        for _ in range(3):
            try:
                act(world)
                break
            except FuturePaymentsError:
                continue
        else:
            raise AssertionError("three retries after a single fault still failed") from None
    check(world)


def test_matrix_covers_every_fault_the_fake_offers() -> None:
    """The matrix lists each fault kind FakeStripe.fail_next accepts."""
    from future_payments.testing._fake._faults import FAULT_KINDS

    assert sorted(FAULT_KINDS) == sorted(FAULTS)
