"""No validly signed event, however odd its shape, makes complete_from_event fail raw.

Stripe retries a delivery answered 500 for three days. So every verified event must end as
handled, ignored (200) or a ``WebhookError`` (400): never a ``KeyError`` from deep inside, on
any store. Hypothesis builds events from the shapes Stripe sends for each handled type and then
breaks them: fields missing, of the wrong JSON type, huge numbers, lone surrogates, control
characters, ids that are not ids, objects Stripe does not know, other accounts' events.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from future_payments import (
    EventOutcome,
    FuturePayments,
    MemoryStore,
    SavedPaymentMethod,
    WebhookError,
)
from future_payments._events import HANDLERS
from future_payments._models import RefundRecord
from future_payments.stores import ChargeRecord, SetupSessionRecord, Store
from future_payments.testing import FakeStripe
from future_payments.webhooks import sign_payload
from tests.stores.conftest import STORE_KINDS

SECRET = "whsec_shapes"

ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.sampled_from(["\ud800", "pm_\x00", "a\nb", "", " ", "x" * 300, "pm_card_visa", "cus_x"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)

SKELETONS: dict[str, dict[str, Any]] = {
    "checkout.session": {
        "id": "cs_test_x",
        "object": "checkout.session",
        "mode": "setup",
        "status": "complete",
        "customer": "cus_x",
        "client_reference_id": "user-1",
        "metadata": {"future_payments_customer_ref": "user-1"},
        "setup_intent": {
            "id": "seti_x",
            "status": "succeeded",
            "payment_method": {"id": "pm_x", "type": "card", "card": {"last4": "4242"}},
            "metadata": {},
        },
        "url": None,
        "expires_at": 1,
    },
    "setup_intent": {
        "id": "seti_x",
        "object": "setup_intent",
        "status": "succeeded",
        "customer": "cus_x",
        "payment_method": "pm_x",
        "last_setup_error": {"payment_method": {"id": "pm_x"}},
        "metadata": {"future_payments_customer_ref": "user-1"},
        "created": 1,
    },
    "payment_method": {
        "id": "pm_x",
        "object": "payment_method",
        "type": "card",
        "card": {"brand": "visa", "last4": "4242", "exp_month": 1, "exp_year": 2040},
        "customer": "cus_x",
    },
    "payment_intent": {
        "id": "pi_x",
        "object": "payment_intent",
        "status": "succeeded",
        "client_secret": "pi_x_secret_y",
        "metadata": {"future_payments_idempotency_key": "order-1"},
        "last_payment_error": {"code": "card_declined", "decline_code": "x", "message": "m"},
        "created": 1,
    },
    # After the charge: the seeded charge "order-2" is PaymentIntent pi_y's.
    "refund": {
        "id": "re_x",
        "object": "refund",
        "amount": 500,
        "currency": "usd",
        "status": "succeeded",
        "payment_intent": "pi_y",
        "charge": "ch_y",
        "reason": None,
        "failure_reason": None,
        "metadata": {"future_payments_refund_key": "refund-1"},
        "created": 1,
    },
    "charge": {
        "id": "ch_y",
        "object": "charge",
        "payment_intent": "pi_y",
        "amount_refunded": 500,
        "refunds": {
            "object": "list",
            "has_more": False,
            "data": [{"id": "re_x", "amount": 500, "currency": "usd", "payment_intent": "pi_y"}],
        },
    },
    "charge.dispute": {
        "id": "du_x",
        "object": "dispute",
        "charge": "ch_y",
        "payment_intent": "pi_y",
    },
}
SKELETONS["charge.refund"] = SKELETONS["refund"]  # charge.refund.updated carries a Refund


def _skeleton(event_type: str) -> dict[str, Any]:
    kind = event_type.rsplit(".", 1)[0]
    return json.loads(json.dumps(SKELETONS[kind]))


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    """A Stripe event of a handled type whose object is bent out of shape."""
    event_type = draw(st.sampled_from(sorted(HANDLERS)))
    obj = _skeleton(event_type)
    for _ in range(draw(st.integers(0, 4))):
        path = [draw(st.sampled_from(sorted(obj)))]
        target = obj
        if isinstance(target[path[0]], dict) and target[path[0]] and draw(st.booleans()):
            target = target[path[0]]
            path = [draw(st.sampled_from(sorted(target)))]
        if draw(st.booleans()):
            target[path[0]] = draw(ODD)
        else:
            del target[path[0]]
    event: dict[str, Any] = {
        "id": f"evt_{draw(st.integers(0, 10**9))}",
        "object": "event",
        "type": event_type,
        "created": draw(st.integers(0, 2**62)),
        "livemode": False,
        "api_version": "2026-10-28.endive",
        "data": {"object": obj},
    }
    if draw(st.integers(0, 9)) == 0:
        event["account"] = "acct_other"
    if draw(st.integers(0, 9)) == 0:
        event["data"]["previous_attributes"] = {"customer": draw(ODD)}
    return event


def _seed(store: Store) -> None:
    """The rows the skeletons name, so that handlers get past "not ours" to the real work."""
    store.add_customer("user-1", "cus_x")
    store.add_setup_session(SetupSessionRecord("cs_test_x", "user-1", "cus_x"))
    method = SavedPaymentMethod("pm_x", "user-1", "cus_x", "card", last4="4242")
    store.add_payment_method(method, as_of=0)
    store.claim_charge(ChargeRecord("order-1", "user-1", 1999, "usd", "pm_x"))
    paid = ChargeRecord("order-2", "user-1", 1999, "usd", "pm_x", "succeeded", "pi_y")
    store.claim_charge(paid)
    store.claim_refund(RefundRecord("refund-1", "order-2", 500, "usd", payment_intent_id="pi_y"))


@pytest.fixture(params=list(STORE_KINDS))
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Every store kind (the database ones fail in CI when unreachable)."""
    yield from STORE_KINDS[request.param](tmp_path)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(event=events())
def test_any_signed_event_is_handled_ignored_or_refused(any_store: Store, event: Any) -> None:
    """A verified event of any shape ends as an EventOutcome or a WebhookError, never raw."""
    fake = FakeStripe()
    payments = FuturePayments(client=fake.client(), store=any_store, webhook_secret=SECRET)
    _seed(any_store)
    body = json.dumps(event)  # lone surrogates travel as \\ud800 escapes, as in JSON
    header = sign_payload(body, SECRET, int(fake.clock.now()))

    try:
        outcome = payments.complete_from_event(body, header)
    except WebhookError:
        return
    assert isinstance(outcome, EventOutcome)
    assert outcome.event_id == event["id"]


def test_a_lone_surrogate_in_a_str_body_is_refused() -> None:
    """A str body that cannot be UTF-8 (a lone surrogate) is a WebhookError, not a crash."""
    fake = FakeStripe()
    payments = FuturePayments(client=fake.client(), webhook_secret=SECRET, store=MemoryStore())

    with pytest.raises(WebhookError):
        payments.complete_from_event('{"id": "evt_\ud800"}', "t=1,v1=00")


def test_connect_events_are_ignored(tmp_path: Path) -> None:
    """An event about a connected account's object is answered ignored, and changes nothing."""
    fake = FakeStripe()
    payments = FuturePayments(client=fake.client(), webhook_secret=SECRET, store=MemoryStore())
    event = {
        "id": "evt_connect",
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": 1,
        "livemode": False,
        "account": "acct_123",
        "data": {"object": _skeleton("payment_intent.succeeded")},
    }
    body = json.dumps(event)

    outcome = payments.complete_from_event(body, sign_payload(body, SECRET, fake.clock.now()))

    assert "ignored" == outcome.action
