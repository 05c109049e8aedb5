"""Exactly once beyond the easy faults: Stripe's 24-hour window, replayed 500s, changed retries.

Each test makes one create fail the way production does, retries the operation as an app would
(at once, an hour later, a day later), and counts what exists at Stripe afterwards.
"""

from __future__ import annotations

import pytest
import stripe

from future_payments import Charged, ChargeOutcomeUnknown, FuturePayments, StripeFailure
from future_payments.testing import FakeStripe
from tests.facade.conftest import CANCEL_URL, SUCCESS_URL, save_card

DAY_AND_AN_HOUR = 25 * 60 * 60


def _intents_for(fake: FakeStripe, key: str) -> list[stripe.PaymentIntent]:
    listed = fake.client().v1.payment_intents.list(params={"limit": 100}).data
    return [i for i in listed if i.metadata.to_dict().get("future_payments_idempotency_key") == key]


def _customers_for(fake: FakeStripe, ref: str) -> list[stripe.Customer]:
    listed = fake.client().v1.customers.list(params={"limit": 100}).data
    return [c for c in listed if c.metadata.to_dict().get("future_payments_customer_ref") == ref]


def _open_sessions(fake: FakeStripe) -> list[stripe.checkout.Session]:
    listed = fake.client().v1.checkout.sessions.list(params={"limit": 100}).data
    return [s for s in listed if s.status == "open"]


def _setup(payments: FuturePayments, ref: str = "user-42", **changes: str) -> str:
    args = {"currency": "usd", "success_url": SUCCESS_URL, "cancel_url": CANCEL_URL, **changes}
    return payments.start_setup(ref, **args).session_id


def _charge(payments: FuturePayments, key: str = "order-1") -> object:
    return payments.charge_saved("user-42", 1999, "usd", idempotency_key=key)


@pytest.mark.parametrize("later", [0, 60 * 60, DAY_AND_AN_HOUR], ids=["now", "1h", "25h"])
def test_lost_answer_retried_later_charges_once(
    payments: FuturePayments, fake: FakeStripe, later: int
) -> None:
    """A charge whose answer was lost, retried at once, 1 h or a day later: one PaymentIntent."""
    save_card(payments, fake)
    fake.fail_next("connection_after", method="POST", path="/v1/payment_intents")
    with pytest.raises(ChargeOutcomeUnknown):
        _charge(payments)

    fake.clock.advance(later)
    result = _charge(payments)

    [intent] = _intents_for(fake, "order-1")
    assert isinstance(result, Charged)
    assert intent.id == result.payment_intent_id
    stored = payments.store.get_charge("order-1")
    assert stored is not None
    assert (intent.id, "succeeded") == (stored.payment_intent_id, stored.state)


def test_retry_after_the_window_finds_the_charge_with_one_list(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """After Stripe forgot the key, the retry lists the customer's intents and sends nothing."""
    save_card(payments, fake)
    fake.fail_next("connection_after", method="POST", path="/v1/payment_intents")
    with pytest.raises(ChargeOutcomeUnknown):
        _charge(payments)
    fake.clock.advance(DAY_AND_AN_HOUR)
    before = len(fake.requests)

    _charge(payments)

    sent = [(r.method, r.path) for r in fake.requests[before:]]
    assert [("GET", "/v1/payment_intents")] == sent


def test_replayed_500_then_retry_charges_once(payments: FuturePayments, fake: FakeStripe) -> None:
    """Stripe keeps a 500 under the key; the next try reconciles, then charges under a new key."""
    save_card(payments, fake)
    fake.fail_next("server_error", method="POST", path="/v1/payment_intents")
    with pytest.raises(ChargeOutcomeUnknown):
        _charge(payments)
    first_key = fake.requests[-1].idempotency_key

    result = _charge(payments)
    again = _charge(payments)

    assert isinstance(result, Charged)
    assert result == again
    [intent] = _intents_for(fake, "order-1")
    assert intent.id == result.payment_intent_id
    creates = [r for r in fake.requests if (r.method, r.path) == ("POST", "/v1/payment_intents")]
    assert [first_key, f"{first_key}#2"] == [r.idempotency_key for r in creates]


def test_replayed_500_is_not_resent_under_its_key(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """Three 500s in a row never leave the order stuck: each retry moves to a fresh key."""
    save_card(payments, fake)
    for _ in range(3):
        fake.fail_next("server_error", method="POST", path="/v1/payment_intents")
        with pytest.raises(ChargeOutcomeUnknown):
            _charge(payments)

    result = _charge(payments)

    assert isinstance(result, Charged)
    assert 1 == len(_intents_for(fake, "order-1"))


def test_lost_customer_create_retried_with_another_email_makes_one_customer(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """A Customer create whose answer was lost, retried with another e-mail: one Customer."""
    fake.fail_next("connection_after", method="POST", path="/v1/customers")
    with pytest.raises(StripeFailure):
        _setup(payments, email="old@example.com")

    _setup(payments, email="new@example.com")

    [customer] = _customers_for(fake, "user-42")
    assert customer.id == payments.store.get_customer_id("user-42")


@pytest.mark.parametrize("fault", ["connection_after", "server_error"])
def test_customer_create_retried_a_day_later_makes_one_customer(
    payments: FuturePayments, fake: FakeStripe, fault: str
) -> None:
    """A lost or 500 Customer create, retried after Stripe's window: still one Customer."""
    fake.fail_next(fault, method="POST", path="/v1/customers")  # type: ignore[arg-type]
    with pytest.raises(StripeFailure):
        _setup(payments)

    fake.clock.advance(DAY_AND_AN_HOUR)
    _setup(payments)

    [customer] = _customers_for(fake, "user-42")
    assert customer.id == payments.store.get_customer_id("user-42")


def test_lost_session_create_retried_returns_that_session(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """A session create whose answer was lost, retried the same way: the same session, no other."""
    _setup(payments)  # the customer exists; this session is the first setup, done
    fake.fail_next("connection_after", method="POST", path="/v1/checkout/sessions")
    with pytest.raises(StripeFailure):
        _setup(payments)

    session_id = _setup(payments)

    assert session_id in {s.id for s in _open_sessions(fake)}
    assert 2 == len(_open_sessions(fake))  # the first setup's, and this one: no orphan


@pytest.mark.parametrize("fault", ["connection_after", "server_error"])
def test_failed_session_create_retried_otherwise_leaves_one_open_session(
    payments: FuturePayments, fake: FakeStripe, fault: str
) -> None:
    """Retried with other URLs after a lost answer or a 500: the orphan is expired."""
    fake.fail_next(fault, method="POST", path="/v1/checkout/sessions")  # type: ignore[arg-type]
    with pytest.raises(StripeFailure):
        _setup(payments)

    session_id = _setup(payments, success_url="https://shop.example/other?s={CHECKOUT_SESSION_ID}")

    assert [session_id] == [s.id for s in _open_sessions(fake)]


def test_each_setup_after_a_finished_one_is_a_new_session(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """A finished setup's attempt is not reused: the next start_setup is a new session."""
    first = _setup(payments)
    second = _setup(payments)

    assert first != second
    assert {first, second} == {s.id for s in _open_sessions(fake)}
