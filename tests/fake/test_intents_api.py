"""SetupIntents and PaymentIntents driven directly through the API."""

from __future__ import annotations

import pytest
import stripe

from future_payments.testing import FakeStripe


def test_setup_intent_confirm_then_off_session(client: stripe.StripeClient) -> None:
    """A SetupIntent confirmed with 4242 attaches the card; off-session charges succeed."""
    customer = client.v1.customers.create()
    seti = client.v1.setup_intents.create(
        params={"customer": customer.id, "payment_method": "pm_card_visa", "confirm": True}
    )
    assert isinstance(seti.payment_method, str)
    pi = client.v1.payment_intents.create(
        params={
            "amount": 700,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": seti.payment_method,
            "confirm": True,
            "off_session": True,
        }
    )
    assert ("succeeded", customer.id, "succeeded", 700) == (
        seti.status,
        client.v1.payment_methods.retrieve(seti.payment_method).customer,
        pi.status,
        pi.amount_received,
    )


def test_setup_intent_3ds_then_authenticate(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """A 3-D Secure card waits in requires_action until fake.authenticate."""
    seti = client.v1.setup_intents.create(
        params={"payment_method": "pm_card_authenticationRequiredOnSetup", "confirm": True}
    )
    fake.authenticate(seti.id)
    assert ("requires_action", "succeeded") == (
        seti.status,
        client.v1.setup_intents.retrieve(seti.id).status,
    )


def test_setup_intent_decline_is_card_error(client: stripe.StripeClient) -> None:
    """A declining card raises CardError with the SetupIntent embedded."""
    with pytest.raises(stripe.CardError) as caught:
        client.v1.setup_intents.create(
            params={"payment_method": "pm_card_visa_chargeDeclined", "confirm": True}
        )
    assert caught.value.error is not None
    assert caught.value.error.setup_intent is not None
    assert ("generic_decline", "requires_payment_method") == (
        caught.value.error.decline_code,
        caught.value.error.setup_intent.status,
    )


def test_setup_intent_cancel(client: stripe.StripeClient) -> None:
    """Cancelling a SetupIntent sets status canceled and the reason."""
    seti = client.v1.setup_intents.create()
    canceled = client.v1.setup_intents.cancel(seti.id, params={"cancellation_reason": "abandoned"})
    assert ("canceled", "abandoned") == (canceled.status, canceled.cancellation_reason)


def test_payment_intent_cancel(client: stripe.StripeClient) -> None:
    """Cancelling a PaymentIntent sets status canceled and canceled_at."""
    pi = client.v1.payment_intents.create(params={"amount": 500, "currency": "usd"})
    canceled = client.v1.payment_intents.cancel(pi.id)
    assert ("canceled", True) == (canceled.status, canceled.canceled_at is not None)


def test_succeeded_payment_intent_cannot_be_canceled(client: stripe.StripeClient) -> None:
    """A succeeded PaymentIntent cannot be canceled."""
    pi = client.v1.payment_intents.create(
        params={"amount": 500, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    )
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.cancel(pi.id)
    assert "payment_intent_unexpected_state" == caught.value.code


def test_off_session_requires_confirm(client: stripe.StripeClient) -> None:
    """off_session without confirm is refused."""
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.create(
            params={"amount": 500, "currency": "usd", "off_session": True}
        )
    assert "off_session" == caught.value.param


def test_customer_update(client: stripe.StripeClient) -> None:
    """Updating a customer changes the fields and merges metadata."""
    customer = client.v1.customers.create(params={"metadata": {"a": "1"}})
    updated = client.v1.customers.update(
        customer.id, params={"name": "Ada", "metadata": {"b": "2"}}
    )
    assert ("Ada", {"a": "1", "b": "2"}) == (
        updated.name,
        updated.metadata.to_dict() if updated.metadata else None,
    )


def test_payment_method_from_card_details(client: stripe.StripeClient) -> None:
    """A PaymentMethod created from card details shows brand and last4."""
    pm = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "5555555555554444", "exp_month": 4, "exp_year": 2040},
        }
    )
    assert pm.card is not None
    assert ("mastercard", "4444", 4, 2040) == (
        pm.card.brand,
        pm.card.last4,
        pm.card.exp_month,
        pm.card.exp_year,
    )


def test_incorrect_card_number(client: stripe.StripeClient) -> None:
    """A number failing the Luhn check answers card_error incorrect_number."""
    with pytest.raises(stripe.CardError) as caught:
        client.v1.payment_methods.create(
            params={
                "type": "card",
                "card": {"number": "4242424242424241", "exp_month": 4, "exp_year": 2040},
            }
        )
    assert "incorrect_number" == caught.value.code
