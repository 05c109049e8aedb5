"""The Stripe requests the library makes, and the answers it relies on, written once.

Run on the in-process fake (default), on the committed cassettes
(``FUTURE_PAYMENTS_CONTRACT=replay``) or against Stripe test mode, recording new cassettes
(``FUTURE_PAYMENTS_CONTRACT=live`` with ``STRIPE_TEST_SECRET_KEY``). No test names an id:
every id comes from a response, so a replay sends exactly what was recorded.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import stripe

from future_payments._charges import LEDGER_METADATA_KEY
from tests.contract._backends import Backend

SUCCESS_URL = "https://shop.example/saved?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "https://shop.example/cancel"


def _customer(client: stripe.StripeClient) -> stripe.Customer:
    return client.v1.customers.create(
        params={"email": "contract@example.com", "metadata": {"customer_ref": "contract-1"}}
    )


def _charge_params(customer_id: str, payment_method_id: str) -> dict[str, Any]:
    """What ``charge_saved`` sends; the ledger key is random on purpose (replay ignores it)."""
    return {
        "amount": 1999,
        "currency": "usd",
        "customer": customer_id,
        "payment_method": payment_method_id,
        "off_session": True,
        "confirm": True,
        "metadata": {LEDGER_METADATA_KEY: f"order-{uuid.uuid4()}"},
    }


def _failed_charge(client: stripe.StripeClient, test_payment_method: str) -> stripe.CardError:
    customer = _customer(client)
    method = client.v1.payment_methods.attach(test_payment_method, params={"customer": customer.id})
    with pytest.raises(stripe.CardError) as caught:
        client.v1.payment_intents.create(params=_charge_params(customer.id, method.id))
    return caught.value


def test_saved_card_is_charged_off_session(contract: Backend) -> None:
    """Customer, setup session, the customer saves a card, retrieve expanded, charge: succeeded."""
    client = contract.client
    customer = _customer(client)
    session = client.v1.checkout.sessions.create(
        params={
            "mode": "setup",
            "currency": "usd",
            "customer": customer.id,
            "success_url": SUCCESS_URL,
            "cancel_url": CANCEL_URL,
        }
    )
    assert ("setup", "open", customer.id) == (session.mode, session.status, session.customer)
    assert session.url is not None

    setup_intent_id = contract.customer.save_card(client, session.id)
    setup_intent = client.v1.setup_intents.retrieve(
        setup_intent_id, params={"expand": ["payment_method"]}
    )
    method = setup_intent.payment_method
    assert isinstance(method, stripe.PaymentMethod)
    assert ("succeeded", "off_session") == (setup_intent.status, setup_intent.usage)
    assert method.card is not None
    assert ("card", "visa", "4242", customer.id) == (
        method.type,
        method.card.brand,
        method.card.last4,
        method.customer,
    )

    intent = client.v1.payment_intents.create(params=_charge_params(customer.id, method.id))

    assert ("succeeded", 1999, method.id) == (
        intent.status,
        intent.amount_received,
        intent.payment_method,
    )


def test_off_session_charge_needing_authentication(contract: Backend) -> None:
    """pm_card_authenticationRequired: 402 authentication_required, the intent kept for recovery."""
    error = _failed_charge(contract.client, "pm_card_authenticationRequired")

    assert ("authentication_required", 402) == (error.code, error.http_status)
    assert error.error is not None
    intent = error.error.payment_intent
    assert intent is not None
    assert "requires_payment_method" == intent.status
    assert intent.client_secret  # scrubbed in cassettes, present all the same
    assert intent.last_payment_error is not None
    assert "authentication_required" == intent.last_payment_error.code


def test_off_session_charge_declined(contract: Backend) -> None:
    """pm_card_chargeCustomerFail attaches, then its charge is declined (generic_decline)."""
    error = _failed_charge(contract.client, "pm_card_chargeCustomerFail")

    assert ("card_declined", "generic_decline", 402) == (
        error.code,
        error.error.decline_code if error.error is not None else None,
        error.http_status,
    )
    assert error.error is not None
    assert error.error.payment_intent is not None
    assert "requires_payment_method" == error.error.payment_intent.status
