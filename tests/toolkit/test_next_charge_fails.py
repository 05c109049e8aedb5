"""FakeStripe.next_charge_fails: the next card charge fails as asked, whatever the card."""

from __future__ import annotations

import pytest
import stripe

from future_payments import Charged, Declined, FuturePayments, NeedsAuthentication
from future_payments.testing import FakeStripe, Scenarios


@pytest.mark.parametrize(
    ("reason", "code", "decline_code"),
    [
        ("card_declined", "card_declined", "generic_decline"),
        ("insufficient_funds", "card_declined", "insufficient_funds"),
        ("lost_card", "card_declined", "lost_card"),
        ("expired_card", "expired_card", "expired_card"),
        ("processing_error", "processing_error", "processing_error"),
        ("incorrect_cvc", "incorrect_cvc", "incorrect_cvc"),
    ],
)
def test_decline_reasons(
    scenarios: Scenarios,
    payments: FuturePayments,
    reason: str,
    code: str,
    decline_code: str,
) -> None:
    """Each reason gives Declined with Stripe's code and decline_code."""
    scenarios.saved_card("user-1")
    scenarios.next_charge_fails(reason)

    result = payments.charge_saved("user-1", 1999, "usd", idempotency_key="order-1")

    assert isinstance(result, Declined)
    assert (code, decline_code) == (result.code, result.decline_code)


def test_chosen_decline_code(scenarios: Scenarios, payments: FuturePayments) -> None:
    """card_declined with decline_code= declines with that issuer code."""
    scenarios.saved_card("user-1")
    scenarios.next_charge_fails("card_declined", decline_code="do_not_honor")

    result = payments.charge_saved("user-1", 1999, "usd", idempotency_key="order-1")

    assert isinstance(result, Declined)
    assert ("card_declined", "do_not_honor") == (result.code, result.decline_code)


def test_authentication_required(scenarios: Scenarios, payments: FuturePayments) -> None:
    """authentication_required makes a 4242 charge off-session come back NeedsAuthentication."""
    scenarios.saved_card("user-1")
    scenarios.next_charge_fails("authentication_required")

    result = payments.charge_saved("user-1", 1999, "usd", idempotency_key="order-1")

    assert isinstance(result, NeedsAuthentication)
    assert result.client_secret.startswith(f"{result.payment_intent_id}_secret_")


def test_only_the_next_charges(scenarios: Scenarios, payments: FuturePayments) -> None:
    """times=2 fails two charges; the third follows the card again."""
    scenarios.saved_card("user-1")
    scenarios.next_charge_fails("insufficient_funds", times=2)

    results = [
        payments.charge_saved("user-1", 1999, "usd", idempotency_key=f"order-{n}") for n in range(3)
    ]

    assert [Declined, Declined, Charged] == [type(r) for r in results]


def test_on_session_authentication_is_a_challenge(
    fake_stripe: FakeStripe, stripe_client: stripe.StripeClient
) -> None:
    """On-session, authentication_required starts 3-D Secure instead of answering 402."""
    customer = stripe_client.v1.customers.create()
    method = stripe_client.v1.payment_methods.attach(
        "pm_card_visa", params={"customer": customer.id}
    )
    fake_stripe.next_charge_fails("authentication_required")

    intent = stripe_client.v1.payment_intents.create(
        params={
            "amount": 500,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": method.id,
            "confirm": True,
        }
    )
    fake_stripe.authenticate(intent.id)

    assert "requires_action" == intent.status
    assert "succeeded" == stripe_client.v1.payment_intents.retrieve(intent.id).status


def test_decline_is_a_card_error_with_the_intent(
    fake_stripe: FakeStripe, stripe_client: stripe.StripeClient
) -> None:
    """Through the SDK the failure is Stripe's 402 card_error, embedding the PaymentIntent."""
    customer = stripe_client.v1.customers.create()
    method = stripe_client.v1.payment_methods.attach(
        "pm_card_visa", params={"customer": customer.id}
    )
    fake_stripe.next_charge_fails("expired_card")

    with pytest.raises(stripe.CardError) as caught:
        stripe_client.v1.payment_intents.create(
            params={
                "amount": 500,
                "currency": "usd",
                "customer": customer.id,
                "payment_method": method.id,
                "confirm": True,
                "off_session": True,
            }
        )

    assert caught.value.error is not None
    assert caught.value.error.payment_intent is not None
    assert ("expired_card", "requires_payment_method") == (
        caught.value.code,
        caught.value.error.payment_intent.status,
    )


def test_delayed_methods_are_not_affected(fake_stripe: FakeStripe) -> None:
    """A queued failure waits for a card charge; other fakes are untouched."""
    fake_stripe.next_charge_fails("card_declined")
    other = FakeStripe().client()
    customer = other.v1.customers.create()
    method = other.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})

    intent = other.v1.payment_intents.create(
        params={
            "amount": 500,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": method.id,
            "confirm": True,
        }
    )

    assert "succeeded" == intent.status


@pytest.mark.parametrize(
    ("reason", "kwargs"),
    [
        ("insufficient_funds", {"decline_code": "lost_card"}),
        ("not a code", {}),
        ("card_declined", {"times": 0}),
    ],
)
def test_bad_arguments(fake_stripe: FakeStripe, reason: str, kwargs: dict[str, object]) -> None:
    """A decline code with decline_code=, a non-code, or times < 1 is refused."""
    with pytest.raises(ValueError, match=r"decline_code|code|times"):
        fake_stripe.next_charge_fails(reason, **kwargs)  # type: ignore[arg-type]
