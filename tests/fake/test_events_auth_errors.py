"""GET /v1/events filters, HTTP Basic and Bearer auth, and error bodies in Stripe's forms."""

from __future__ import annotations

import base64
import json

import pytest
import stripe

from future_payments.testing import FakeStripe


def _get(
    fake: FakeStripe, url: str, auth: str = "Bearer sk_test_x"
) -> tuple[int, dict[str, object]]:
    status, _, body = fake.handle_request("GET", url, {"Authorization": auth}, None)
    return status, json.loads(body)


def test_events_created_range(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """created[gte]/[lt] keep the events of that window."""
    client.v1.customers.create()
    start = fake.clock.now()
    fake.clock.advance(10)
    middle = client.v1.customers.create()
    fake.clock.advance(10)
    client.v1.customers.create()
    window = client.v1.events.list(params={"created": {"gte": start + 5, "lt": start + 15}})
    assert [middle.id] == [e.data.object["id"] for e in window.data]


def test_events_created_exact_and_gt_lte(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """created=<t> matches that second; gt/lte bound the other way."""
    client.v1.customers.create()
    now = fake.clock.now()
    fake.clock.advance(3)
    client.v1.customers.create()
    exact = client.v1.events.list(params={"created": now}).data
    later = client.v1.events.list(params={"created": {"gt": now, "lte": now + 3}}).data
    assert (1, 1) == (len(exact), len(later))


def test_events_type_and_types(client: stripe.StripeClient) -> None:
    """type takes a wildcard; types a list of exact types."""
    customer = client.v1.customers.create()
    client.v1.customers.update(customer.id, params={"name": "Jenny"})
    client.v1.payment_intents.create(params={"amount": 500, "currency": "usd"})
    wild = client.v1.events.list(params={"type": "customer.*"}).data
    listed = client.v1.events.list(params={"types": ["customer.updated", "payment_intent.created"]})
    assert (
        ["customer.updated", "customer.created"],
        ["payment_intent.created", "customer.updated"],
    ) == ([e.type for e in wild], [e.type for e in listed.data])


def test_events_delivery_success(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """delivery_success=true keeps events handed out by webhooks(); false the waiting ones."""
    client.v1.customers.create()
    fake.webhooks()
    client.v1.customers.create()
    delivered = client.v1.events.list(params={"delivery_success": True}).data
    waiting = client.v1.events.list(params={"delivery_success": False}).data
    assert (1, 1, True) == (len(delivered), len(waiting), delivered[0].id != waiting[0].id)


def test_http_basic_auth_as_curl_sends_it(fake: FakeStripe) -> None:
    """curl -u sk_test_...: sends Basic auth with the key as user name; it is accepted."""
    token = base64.b64encode(b"sk_test_curl:").decode()
    assert 200 == _get(fake, "/v1/customers", f"Basic {token}")[0]


def test_basic_auth_with_a_live_key_is_refused(fake: FakeStripe) -> None:
    """Basic auth with a non-test key answers 401."""
    token = base64.b64encode(b"sk_live_nope:").decode()
    assert 401 == _get(fake, "/v1/customers", f"Basic {token}")[0]


def test_no_key_message_names_bearer_auth(fake: FakeStripe) -> None:
    """No Authorization header: 401 with Stripe's 'You did not provide an API key' message."""
    status, body = _get(fake, "/v1/customers", "")
    error = body["error"]
    assert (401, True) == (
        status,
        str(error["message"]).startswith("You did not provide an API key"),
    )  # type: ignore[index]


def test_amount_zero_is_parameter_invalid_integer(client: stripe.StripeClient) -> None:
    """amount=0 on a PaymentIntent: parameter_invalid_integer on amount, naming SetupIntents."""
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.create(params={"amount": 0, "currency": "usd"})
    assert ("parameter_invalid_integer", "amount", True) == (
        caught.value.code,
        caught.value.param,
        "SetupIntent" in str(caught.value.user_message),
    )


def test_unknown_payment_method_on_attach_names_payment_method(
    client: stripe.StripeClient,
) -> None:
    """Attaching an unknown PaymentMethod: 404 resource_missing with param payment_method."""
    customer = client.v1.customers.create()
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_methods.attach("pm_nope", params={"customer": customer.id})
    assert (404, "resource_missing", "payment_method") == (
        caught.value.http_status,
        caught.value.code,
        caught.value.param,
    )


def test_doc_url_and_request_log_url_forms(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """doc_url is docs.stripe.com/error-codes/<code>; request_log_url names the request."""
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.retrieve("cus_nope")
    error = caught.value.error
    assert error is not None
    assert (
        "https://docs.stripe.com/error-codes/resource-missing",
        f"https://dashboard.stripe.com/test/logs/{caught.value.request_id}?t={fake.clock.now()}",
    ) == (error.doc_url, error.request_log_url)


def test_decline_on_attach_is_stripes(client: stripe.StripeClient) -> None:
    """pm_card_chargeDeclined on attach: 402 with advice and network codes, param "", no PM."""
    customer = client.v1.customers.create()
    with pytest.raises(stripe.CardError) as caught:
        client.v1.payment_methods.attach("pm_card_chargeDeclined", params={"customer": customer.id})
    error = caught.value.error
    assert error is not None
    assert ("card_declined", "generic_decline", "try_again_later", "01", "", None) == (
        error.code,
        error.decline_code,
        error.advice_code,
        error.network_decline_code,
        error.param,
        error.payment_method,
    )
