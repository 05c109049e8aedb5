"""start_setup and complete_from_session: what is saved, and in how many requests."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from future_payments import FuturePayments, InvalidInput, SessionExpired, SessionNotComplete
from future_payments.errors import UnknownSession
from future_payments.testing import FakeStripe
from tests.facade.conftest import CANCEL_URL, SUCCESS_URL, save_card


def _start(payments: FuturePayments, ref: str = "user-42", **kwargs: Any) -> Any:
    return payments.start_setup(
        ref, currency="usd", success_url=SUCCESS_URL, cancel_url=CANCEL_URL, **kwargs
    )


def test_first_setup_creates_customer_and_session(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """A new customer_ref costs two requests: the Customer, then the session."""
    _start(payments)

    assert [("POST", "/v1/customers"), ("POST", "/v1/checkout/sessions")] == [
        (r.method, r.path) for r in fake.requests
    ]


def test_known_customer_costs_one_request(payments: FuturePayments, fake: FakeStripe) -> None:
    """A second setup for the same ref makes only the session."""
    first = _start(payments)
    before = len(fake.requests)

    second = _start(payments)

    assert 1 == len(fake.requests) - before
    assert first.customer_id == second.customer_id


def test_session_carries_the_ref(payments: FuturePayments, fake: FakeStripe) -> None:
    """The session names the customer, the ref, setup mode and the currency."""
    setup = _start(payments, metadata={"plan": "gold"})

    session = fake.client().v1.checkout.sessions.retrieve(setup.session_id)

    assert ("setup", "user-42", setup.customer_id, "usd") == (
        session.mode,
        session.client_reference_id,
        session.customer,
        session.currency,
    )
    assert "gold" == (session.metadata or {})["plan"]
    assert setup.url == session.url
    assert setup.expires_at == session.expires_at


def test_payment_method_types_become_allowed_types(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """payment_method_types is sent as Stripe's allowed_payment_method_types."""
    payments.start_setup(
        "user-42",
        currency="eur",
        success_url=SUCCESS_URL,
        cancel_url=CANCEL_URL,
        payment_method_types=["card", "sepa_debit"],
    )

    assert ["card", "sepa_debit"] == fake.requests[-1].params["allowed_payment_method_types"]


def test_racing_first_setups_make_one_customer(payments: FuturePayments, fake: FakeStripe) -> None:
    """Eight threads starting the first setup for one ref leave one Stripe Customer."""
    barrier = threading.Barrier(8)
    ids: list[str] = []

    def run() -> None:
        barrier.wait()
        ids.append(_start(payments).customer_id)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert 1 == len(set(ids))
    assert 1 == len(fake.client().v1.customers.list().data)


def test_complete_costs_one_request(payments: FuturePayments, fake: FakeStripe) -> None:
    """Completing a session that had a customer is one expanded GET."""
    setup = _start(payments)
    fake.complete_checkout(setup.session_id, card="4242424242424242")
    before = len(fake.requests)

    saved = payments.complete_from_session(setup.session_id)

    assert 1 == len(fake.requests) - before
    assert ("GET", ["setup_intent.payment_method"]) == (
        fake.requests[-1].method,
        fake.requests[-1].params.get("expand"),
    )
    assert ("card", "visa", "4242", "active", True) == (
        saved.type,
        saved.brand,
        saved.last4,
        saved.status,
        saved.is_default,
    )


def test_repeat_completion_makes_no_request(payments: FuturePayments, fake: FakeStripe) -> None:
    """A session already handled returns the stored record with zero requests."""
    setup = _start(payments)
    fake.complete_checkout(setup.session_id)
    first = payments.complete_from_session(setup.session_id)
    before = len(fake.requests)

    again = payments.complete_from_session(setup.session_id)

    assert (first, 0) == (again, len(fake.requests) - before)


def test_session_without_customer_gets_one(payments: FuturePayments, fake: FakeStripe) -> None:
    """A session made elsewhere without a customer: GET, Customer, attach — three requests."""
    session = fake.client().v1.checkout.sessions.create(
        params={
            "mode": "setup",
            "currency": "usd",
            "success_url": SUCCESS_URL,
            "cancel_url": CANCEL_URL,
        }
    )
    fake.complete_checkout(session.id)
    before = len(fake.requests)

    saved = payments.complete_from_session(session.id, customer_ref="walk-in-7")

    assert ["GET", "POST", "POST"] == [r.method for r in fake.requests[before:]]
    pm = fake.client().v1.payment_methods.retrieve(saved.id)
    assert (saved.customer_id, "walk-in-7") == (pm.customer, saved.customer_ref)
    assert saved == payments.default_payment_method("walk-in-7")


def test_session_without_customer_needs_a_ref(payments: FuturePayments, fake: FakeStripe) -> None:
    """Without a customer or a ref anywhere, the error asks for customer_ref=."""
    session = fake.client().v1.checkout.sessions.create(
        params={"mode": "setup", "currency": "usd", "success_url": SUCCESS_URL}
    )
    fake.complete_checkout(session.id)

    with pytest.raises(InvalidInput, match="customer_ref="):
        payments.complete_from_session(session.id)


def test_open_session_says_its_status(payments: FuturePayments) -> None:
    """A session the customer has not completed raises SessionNotComplete with its status."""
    setup = _start(payments)

    with pytest.raises(SessionNotComplete) as raised:
        payments.complete_from_session(setup.session_id)

    assert "open" == raised.value.status


def test_expired_session(payments: FuturePayments, fake: FakeStripe) -> None:
    """An expired session raises SessionExpired, the second time with no request."""
    setup = _start(payments)
    fake.expire_checkout(setup.session_id)
    with pytest.raises(SessionExpired):
        payments.complete_from_session(setup.session_id)
    before = len(fake.requests)

    with pytest.raises(SessionExpired):
        payments.complete_from_session(setup.session_id)

    assert 0 == len(fake.requests) - before


def test_unknown_session(payments: FuturePayments) -> None:
    """A session id Stripe does not know raises UnknownSession."""
    with pytest.raises(UnknownSession):
        payments.complete_from_session("cs_test_doesnotexist")


def test_three_d_secure_card_saves_active(payments: FuturePayments, fake: FakeStripe) -> None:
    """4000002500003155, authenticated at setup, is saved active."""
    saved = save_card(payments, fake, card="4000002500003155")

    assert ("active", "3155") == (saved.status, saved.last4)


def test_abandoned_challenge_leaves_session_open(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """A 3-D Secure challenge not completed leaves nothing to save."""
    setup = _start(payments)
    fake.complete_checkout(setup.session_id, card="4000002500003155", authenticate=False)

    with pytest.raises(SessionNotComplete):
        payments.complete_from_session(setup.session_id)
    assert [] == payments.payment_methods("user-42")
