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


FIFTY = {f"k{i}": "v" for i in range(50)}


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
        ({"currency": "xxx"}, "currency"),
        ({"currency": "\u212arw"}, "currency"),  # KELVIN SIGN lowercases to "k": not "krw"
        ({"payment_method_types": ["card", "cardd"]}, "payment_method_types"),
        ({"metadata": FIFTY}, "metadata"),  # with this library's two, 52 > Stripe's 50
        ({"metadata": {"a[b]": "x"}}, "metadata"),
        ({"metadata": {"": "x"}}, "metadata"),
        ({"metadata": {"future_payments_customer_ref": "x"}}, "metadata"),
        ({"customer_ref": "user\x00-1"}, "customer_ref"),
        ({"customer_ref": "user\n1"}, "customer_ref"),
        ({"customer_ref": "user-\ud800"}, "customer_ref"),
        ({"success_url": "https://shop.example/ok\nX-Evil: 1"}, "success_url"),
    ],
)
def test_refused_setup_sends_nothing_and_stores_nothing(
    payments: FuturePayments, fake: FakeStripe, change: dict[str, Any], param: str
) -> None:
    """Each refused start_setup argument: InvalidInput naming it, no request, no Customer."""
    args = {**GOOD_SETUP, **change}
    ref = args.pop("customer_ref")

    with pytest.raises(InvalidInput) as raised:
        payments.start_setup(ref, **args)

    assert param == raised.value.param
    assert [] == fake.requests
    assert None is payments.store.get_customer_id(GOOD_SETUP["customer_ref"])


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"currency": "xxx"}, "currency"),
        ({"idempotency_key": "order\x00-1"}, "idempotency_key"),
        ({"idempotency_key": "order\r\n1"}, "idempotency_key"),
        ({"idempotency_key": "order-\udfff"}, "idempotency_key"),
        ({"description": 42}, "description"),
        ({"description": "bad \ud800"}, "description"),
        ({"metadata": {f"k{i}": "v" for i in range(50)}}, "metadata"),  # 50 + the ledger key
        ({"metadata": {"k": "v" * 501}}, "metadata"),
    ],
)
def test_refused_charge_sends_nothing_and_claims_nothing(
    payments: FuturePayments, fake: FakeStripe, change: dict[str, Any], param: str
) -> None:
    """Each refused charge argument: InvalidInput naming it, no request, no ledger row."""
    save_card(payments, fake)
    before = len(fake.requests)
    args: dict[str, Any] = {"currency": "usd", "idempotency_key": "order-1", **change}

    with pytest.raises(InvalidInput) as raised:
        payments.charge_saved("user-42", 1999, **args)

    assert param == raised.value.param
    assert 0 == len(fake.requests) - before
    assert None is payments.store.get_charge("order-1")


def test_forty_nine_metadata_keys_fit_beside_the_ledger_key(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """Stripe's 50-key limit counts the library's own key: 49 of the caller's are accepted."""
    save_card(payments, fake)
    metadata = {f"k{i}": "v" for i in range(49)}

    payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-1", metadata=metadata)

    assert 50 == len(fake.requests[-1].params["metadata"])


@pytest.mark.parametrize(
    ("config", "param"),
    [
        ({"api_key": 12345}, "api_key"),
        ({"api_key": "pk_test_123"}, "api_key"),
        ({"client": "sk_test_123"}, "client"),
        ({"api_key": "sk_test_1", "webhook_secret": " whsec_x"}, None),
        ({"api_key": "sk_test_1", "webhook_secret": 12}, None),
        ({"api_key": "sk_test_1", "webhook_tolerance": -1}, "webhook_tolerance"),
        ({"api_key": "sk_test_1", "store": "payments.db"}, "store"),
    ],
)
def test_bad_configuration_is_refused_when_made(config: dict[str, Any], param: str | None) -> None:
    """A facade made with a bad key, client, secret, tolerance or store fails at once, clearly."""
    with pytest.raises(InvalidInput) as raised:
        FuturePayments(**config)

    assert param == raised.value.param
    assert "sk_test_1" not in str(raised.value)


def test_currency_is_lowercased_and_checked_against_stripes_list(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """An upper-case ISO code Stripe supports is accepted and sent lowercase."""
    save_card(payments, fake)

    payments.charge_saved("user-42", 1999, "USD", idempotency_key="order-1")

    assert "usd" == fake.requests[-1].params["currency"]
