"""Requests Stripe would reject are rejected the same way, and change nothing."""

from __future__ import annotations

import pytest
import stripe

from future_payments.testing import FakeStripe

from .conftest import saved_card, setup_session


def test_unknown_parameter(client: stripe.StripeClient) -> None:
    """An unknown parameter answers parameter_unknown naming it."""
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.create(params={"colour": "red"})  # type: ignore[typeddict-unknown-key]
    assert ("parameter_unknown", "colour") == (caught.value.code, caught.value.param)


def test_unknown_nested_parameter(client: stripe.StripeClient) -> None:
    """An unknown nested parameter is named with brackets."""
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_methods.create(
            params={"type": "card", "card": {"number": "4242424242424242", "colour": "red"}}  # type: ignore[typeddict-unknown-key]
        )
    assert "card[colour]" == caught.value.param


def test_missing_parameter(client: stripe.StripeClient) -> None:
    """A missing required parameter answers parameter_missing."""
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.create(params={"currency": "usd"})  # type: ignore[typeddict-item]
    assert ("parameter_missing", "amount") == (caught.value.code, caught.value.param)


def test_invalid_enum_value(client: stripe.StripeClient) -> None:
    """A value outside an enumeration is rejected with its param."""
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.checkout.sessions.create(params={"mode": "rent", "success_url": "https://x"})  # type: ignore[typeddict-item]
    assert ("parameter_invalid_string", "mode") == (caught.value.code, caught.value.param)


def test_unknown_id_is_resource_missing(client: stripe.StripeClient) -> None:
    """An unknown id answers 404 resource_missing with param id."""
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.retrieve("cus_missing")
    assert (404, "resource_missing", "id") == (
        caught.value.http_status,
        caught.value.code,
        caught.value.param,
    )


def test_unknown_id_in_parameter_names_it(client: stripe.StripeClient) -> None:
    """An unknown customer in a parameter names that parameter."""
    with pytest.raises(stripe.InvalidRequestError) as caught:
        setup_session(client, "cus_missing")
    assert ("resource_missing", "customer") == (caught.value.code, caught.value.param)


def test_payment_method_of_another_customer(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """Charging another customer's PaymentMethod is refused."""
    _, intent = saved_card(fake, client)
    other = client.v1.customers.create()
    assert isinstance(intent.payment_method, stripe.PaymentMethod)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.create(
            params={
                "amount": 500,
                "currency": "usd",
                "customer": other.id,
                "payment_method": intent.payment_method.id,
                "confirm": True,
            }
        )
    assert "payment_method" == caught.value.param


def test_attach_to_second_customer_refused(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """A PaymentMethod attached to one customer cannot be attached to another."""
    _, intent = saved_card(fake, client)
    other = client.v1.customers.create()
    assert isinstance(intent.payment_method, stripe.PaymentMethod)
    with pytest.raises(stripe.InvalidRequestError, match="already been attached"):
        client.v1.payment_methods.attach(intent.payment_method.id, params={"customer": other.id})


@pytest.mark.parametrize(
    ("currency", "amount", "code"),
    [
        ("usd", 49, "amount_too_small"),
        ("usd", 50, None),
        ("jpy", 49, "amount_too_small"),
        ("jpy", 50, None),
        ("gbp", 29, "amount_too_small"),
    ],
)
def test_currency_minimum(
    client: stripe.StripeClient, currency: str, amount: int, code: str | None
) -> None:
    """Amounts under the currency's minimum (zero-decimal ones in whole units) are refused."""
    try:
        client.v1.payment_intents.create(params={"amount": amount, "currency": currency})
        actual = None
    except stripe.InvalidRequestError as exc:
        actual = exc.code
    assert code == actual


def test_unsupported_currency(client: stripe.StripeClient) -> None:
    """A currency Stripe does not support is refused on param currency."""
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.create(params={"amount": 500, "currency": "xyz"})
    assert "currency" == caught.value.param


def test_payment_mode_not_simulated(client: stripe.StripeClient) -> None:
    """Payment mode with line items answers a clear 'not simulated' 400."""
    with pytest.raises(stripe.InvalidRequestError, match="does not simulate"):
        client.v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "success_url": "https://x",
                "line_items": [{"price": "price_1", "quantity": 1}],
            }
        )


def test_setup_mode_needs_currency(client: stripe.StripeClient) -> None:
    """Setup mode without currency or allowed_payment_method_types is parameter_missing."""
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.checkout.sessions.create(params={"mode": "setup", "success_url": "https://x"})
    assert ("parameter_missing", "currency") == (caught.value.code, caught.value.param)


def test_rejected_request_changes_nothing(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """A rejected request creates no object and records no event."""
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.customers.create(params={"email": "not-an-email"})
    assert ([], []) == (client.v1.customers.list().data, fake.webhooks())


@pytest.mark.parametrize("key", ["sk_live_abc", "pk_test_abc"])
def test_non_test_key_is_authentication_error(fake: FakeStripe, key: str) -> None:
    """Only sk_test_/rk_test_ keys are accepted."""
    with pytest.raises(stripe.AuthenticationError) as caught:
        fake.client(api_key=key).v1.customers.list()
    assert 401 == caught.value.http_status


def test_error_body_has_request_log_url_and_doc_url(client: stripe.StripeClient) -> None:
    """Error bodies carry doc_url and request_log_url, and the request id is read."""
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.retrieve("cus_missing")
    assert caught.value.error is not None
    assert (True, True, True) == (
        bool(caught.value.error.doc_url),
        "req_" in (caught.value.error.request_log_url or ""),
        (caught.value.request_id or "").startswith("req_"),
    )


def test_unrecognized_url(client: stripe.StripeClient) -> None:
    """An endpoint the fake does not know answers 404 'Unrecognized request URL'."""
    with pytest.raises(stripe.InvalidRequestError, match="Unrecognized request URL"):
        client.raw_request("get", "/v1/invoices")
