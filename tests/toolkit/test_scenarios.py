"""saved_card: a customer with a saved, set-up method in the payments store, in one call."""

from __future__ import annotations

import pytest

from future_payments import AuthenticationStarted, Charged, FuturePayments, NeedsAuthentication
from future_payments.testing import FakeCardError, FakeStripe, Scenarios, saved_card


def test_saved_card_is_stored_as_default(scenarios: Scenarios, payments: FuturePayments) -> None:
    """The method is in the store, active and the default, for that customer_ref."""
    method = scenarios.saved_card("user-1")

    assert [method] == payments.payment_methods("user-1")
    assert (True, "active", "4242", "visa") == (
        method.is_default,
        method.status,
        method.last4,
        method.brand,
    )


def test_saved_card_then_charge(scenarios: Scenarios, payments: FuturePayments) -> None:
    """The default 4242 charges off-session."""
    method = scenarios.saved_card("user-1")

    result = payments.charge_saved("user-1", 1999, "usd", idempotency_key="order-1")

    assert Charged(result.payment_intent_id, 1999, "usd", method.id) == result  # type: ignore[arg-type]


def test_card_keeps_its_behaviour(scenarios: Scenarios, payments: FuturePayments) -> None:
    """4000002760003184 passes 3-D Secure at setup and needs authentication on every charge."""
    scenarios.saved_card("user-1", card="4000002760003184")

    result = payments.charge_saved("user-1", 1999, "usd", idempotency_key="order-1")

    assert isinstance(result, NeedsAuthentication)


def test_payment_method_id(scenarios: Scenarios) -> None:
    """A pm_card_* id works instead of a number."""
    method = scenarios.saved_card("user-1", payment_method="pm_card_mastercard")

    assert ("mastercard", "4444") == (method.brand, method.last4)


def test_uses_the_public_flow(fake_stripe: FakeStripe, scenarios: Scenarios) -> None:
    """Customer, session, then one GET of the session: the library's own requests."""
    scenarios.saved_card("user-1")

    assert [
        ("POST", "/v1/customers"),
        ("POST", "/v1/checkout/sessions"),
        ("GET", "/v1/checkout/sessions/cs_test_"),
    ] == [(r.method, r.path[: len("/v1/checkout/sessions/cs_test_")]) for r in fake_stripe.requests]


def test_events_stay_pending(fake_stripe: FakeStripe, scenarios: Scenarios) -> None:
    """The scenario's events are left for the test's own webhook deliveries."""
    scenarios.saved_card("user-1")

    assert "checkout.session.completed" in {d.type for d in fake_stripe.webhooks()}


def test_card_that_cannot_be_saved(fake_stripe: FakeStripe, payments: FuturePayments) -> None:
    """A card declined at setup raises FakeCardError and stores nothing."""
    with pytest.raises(FakeCardError):
        saved_card(payments, fake_stripe, "user-1", card="4000000000009995")

    assert [] == payments.payment_methods("user-1")


def test_needs_authentication_scenario(
    fake_stripe: FakeStripe, scenarios: Scenarios, payments: FuturePayments
) -> None:
    """needs_authentication: a charge awaiting the customer, recoverable by start_authentication."""
    result = scenarios.needs_authentication("user-1", amount=2500)

    started = payments.start_authentication(
        "needs-authentication-user-1", return_url="https://app.example/pay/return"
    )
    assert isinstance(started, AuthenticationStarted)
    fake_stripe.authenticate(started.url)
    charged = payments.complete_authentication("needs-authentication-user-1")
    assert (2500, result.payment_intent_id) == (charged.amount, charged.payment_intent_id)
    assert isinstance(charged, Charged)


def test_needs_authentication_charges_the_new_card(
    scenarios: Scenarios, payments: FuturePayments
) -> None:
    """With a default card already saved, the scenario still charges the card that asks."""
    default = scenarios.saved_card("user-1")

    result = scenarios.needs_authentication("user-1", idempotency_key="order-9")

    assert default.id != result.payment_method_id
    assert default == payments.default_payment_method("user-1")


def test_charged_scenario_can_be_refunded(scenarios: Scenarios, payments: FuturePayments) -> None:
    """charged: a Charged charge under its key, refundable at once."""
    result = scenarios.charged("user-1", idempotency_key="order-1", amount=1000)

    refund = payments.refund("order-1", refund_key="r-1")

    assert isinstance(result, Charged)
    assert (1000, "succeeded") == (refund.amount, refund.status)


def test_charged_with_a_pending_refund_card(scenarios: Scenarios, payments: FuturePayments) -> None:
    """charged(card=4000000000007726): its refunds stay pending."""
    scenarios.charged("user-1", card="4000000000007726")

    assert "pending" == payments.refund("charged-user-1", refund_key="r-1").status
