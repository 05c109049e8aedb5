"""Bad input is refused with a clear error before any request."""

from __future__ import annotations

from typing import Any

import pytest

from future_payments import FuturePayments, IdempotencyConflict, InvalidInput, MemoryStore
from future_payments.errors import NoSavedPaymentMethod, UnknownCustomer
from future_payments.testing import FakeStripe
from tests.facade.conftest import CANCEL_URL, SUCCESS_URL, save_card

GOOD_SETUP: dict[str, Any] = {
    "customer_ref": "user-42",
    "currency": "usd",
    "success_url": SUCCESS_URL,
    "cancel_url": CANCEL_URL,
}


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"customer_ref": ""}, "customer_ref"),
        ({"customer_ref": "x" * 256}, "customer_ref"),
        ({"currency": "dollars"}, "currency"),
        ({"currency": "us"}, "currency"),
        ({"success_url": "/saved"}, "success_url"),
        ({"cancel_url": "ftp://shop.example/"}, "cancel_url"),
        ({"email": "not-an-address"}, "email"),
        ({"payment_method_types": []}, "payment_method_types"),
        ({"metadata": {"k": 1}}, "metadata"),
    ],
)
def test_bad_setup_input(
    payments: FuturePayments, fake: FakeStripe, change: dict[str, Any], param: str
) -> None:
    """Each bad start_setup argument raises InvalidInput naming it, and sends nothing."""
    args = {**GOOD_SETUP, **change}
    ref = args.pop("customer_ref")

    with pytest.raises(InvalidInput) as raised:
        payments.start_setup(ref, **args)
    assert param == raised.value.param
    assert [] == fake.requests


@pytest.mark.parametrize(
    ("amount", "currency", "param"),
    [
        (0, "usd", "amount"),
        (-5, "usd", "amount"),
        (19.99, "usd", "amount"),
        (True, "usd", "amount"),
        (49, "usd", "amount"),
        (29, "gbp", "amount"),
        (1999, "usdollar", "currency"),
    ],
)
def test_bad_charge_input(
    payments: FuturePayments, fake: FakeStripe, amount: Any, currency: str, param: str
) -> None:
    """Each bad charge argument raises InvalidInput naming it, and sends nothing."""
    save_card(payments, fake)
    before = len(fake.requests)

    with pytest.raises(InvalidInput) as raised:
        payments.charge_saved("user-42", amount, currency, idempotency_key="k1")
    assert param == raised.value.param
    assert 0 == len(fake.requests) - before


def test_bad_error_is_also_a_value_error() -> None:
    """Bad-input errors can be caught as ValueError too."""
    assert issubclass(InvalidInput, ValueError)
    assert issubclass(IdempotencyConflict, ValueError)


def test_charge_unknown_customer(payments: FuturePayments, fake: FakeStripe) -> None:
    """Charging a ref with no Stripe Customer raises UnknownCustomer, no request."""
    with pytest.raises(UnknownCustomer):
        payments.charge_saved("nobody", 1999, "usd", idempotency_key="k1")
    assert [] == fake.requests


def test_charge_without_saved_method(payments: FuturePayments, fake: FakeStripe) -> None:
    """A customer with no saved method raises NoSavedPaymentMethod, no further request."""
    payments.start_setup("user-42", currency="usd", success_url=SUCCESS_URL, cancel_url=CANCEL_URL)
    before = len(fake.requests)

    with pytest.raises(NoSavedPaymentMethod):
        payments.charge_saved("user-42", 1999, "usd", idempotency_key="k1")
    assert 0 == len(fake.requests) - before


def test_client_or_key_required() -> None:
    """The constructor wants exactly one of client= and api_key=."""
    with pytest.raises(InvalidInput):
        FuturePayments()


def test_repr_hides_secrets(fake: FakeStripe) -> None:
    """Neither the API key nor the webhook secret appears in the repr."""
    payments = FuturePayments(
        api_key="sk_test_secretvalue123", store=MemoryStore(), webhook_secret="whsec_hidden456"
    )

    text = repr(payments)

    assert "secretvalue123" not in text
    assert "hidden456" not in text
