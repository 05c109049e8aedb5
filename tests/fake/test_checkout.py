"""Checkout Sessions in setup mode: creation, completion, expiry, delayed methods."""

from __future__ import annotations

import pytest
import stripe

from future_payments.testing import FakeStripe

from .conftest import setup_session


def test_session_shape(client: stripe.StripeClient) -> None:
    """A new setup session is open, carries what was sent, and has a Checkout URL."""
    session = setup_session(client, client_reference_id="order-7", metadata={"k": "v"})
    assert ("setup", "open", "no_payment_required", "order-7", {"k": "v"}, True) == (
        session.mode,
        session.status,
        session.payment_status,
        session.client_reference_id,
        session.metadata.to_dict() if session.metadata else None,
        (session.url or "").startswith(f"https://checkout.stripe.com/c/pay/{session.id}"),
    )


def test_checkout_url_base_is_configurable() -> None:
    """The session URL uses checkout_url_base."""
    fake = FakeStripe(checkout_url_base="http://127.0.0.1:8000/pay/")
    session = setup_session(fake.client())
    assert (session.url or "").startswith("http://127.0.0.1:8000/pay/cs_test_")


def test_complete_without_customer_leaves_pm_unattached(
    fake: FakeStripe, client: stripe.StripeClient
) -> None:
    """A session with no customer completes with its PaymentMethod unattached."""
    session = setup_session(client)
    fake.complete_checkout(session.id)
    done = client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["setup_intent.payment_method"]}
    )
    assert isinstance(done.setup_intent, stripe.SetupIntent)
    assert isinstance(done.setup_intent.payment_method, stripe.PaymentMethod)
    assert ("complete", None, None) == (
        done.status,
        done.customer,
        done.setup_intent.payment_method.customer,
    )


def test_customer_creation_always(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """customer_creation=always creates a customer with customer_email on completion."""
    session = setup_session(client, customer_creation="always", customer_email="new@example.com")
    fake.complete_checkout(session.id)
    done = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["customer"]})
    assert isinstance(done.customer, stripe.Customer)
    assert "new@example.com" == done.customer.email


def test_expire_checkout(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """expire_checkout expires the session, cancels its SetupIntent and records both events."""
    session = setup_session(client)
    fake.expire_checkout(session.id)
    expected = ["setup_intent.created", "setup_intent.canceled", "checkout.session.expired"]
    assert ("expired", expected) == (
        client.v1.checkout.sessions.retrieve(session.id).status,
        [d.type for d in fake.webhooks()],
    )


def test_expire_through_api(client: stripe.StripeClient) -> None:
    """POST /v1/checkout/sessions/{id}/expire expires an open session."""
    session = setup_session(client)
    assert "expired" == client.v1.checkout.sessions.expire(session.id).status


def test_expiring_twice_is_rejected(client: stripe.StripeClient) -> None:
    """Only open sessions can be expired."""
    session = setup_session(client)
    client.v1.checkout.sessions.expire(session.id)
    with pytest.raises(stripe.InvalidRequestError, match="open"):
        client.v1.checkout.sessions.expire(session.id)


def test_clock_expires_session_after_24_hours(
    fake: FakeStripe, client: stripe.StripeClient
) -> None:
    """After 24 h of fake time the session is expired and the event recorded."""
    session = setup_session(client)
    fake.clock.advance(24 * 60 * 60)
    expected = ["setup_intent.created", "setup_intent.canceled", "checkout.session.expired"]
    assert ("expired", expected) == (
        client.v1.checkout.sessions.retrieve(session.id).status,
        [d.type for d in fake.webhooks()],
    )


def test_session_open_just_before_expiry(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """One second before expires_at the session is still open."""
    session = setup_session(client)
    fake.clock.advance(24 * 60 * 60 - 1)
    assert "open" == client.v1.checkout.sessions.retrieve(session.id).status


def test_completing_expired_session_fails(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """The customer cannot complete an expired session."""
    session = setup_session(client)
    fake.clock.advance(24 * 60 * 60)
    with pytest.raises(ValueError, match="expired"):
        fake.complete_checkout(session.id)


@pytest.mark.parametrize(
    ("method", "currency"), [("sepa_debit", "eur"), ("us_bank_account", "usd")]
)
def test_delayed_method_processing_until_settled(
    fake: FakeStripe, client: stripe.StripeClient, method: str, currency: str
) -> None:
    """A delayed method completes the session with the SetupIntent processing until settled."""
    customer = client.v1.customers.create()
    session = setup_session(
        client, customer.id, currency=currency, allowed_payment_method_types=[method]
    )
    fake.complete_checkout(session.id, payment_method_type=method)
    seti = client.v1.checkout.sessions.retrieve(session.id).setup_intent
    assert isinstance(seti, str)
    before = client.v1.setup_intents.retrieve(seti).status
    fake.settle(seti)
    assert ("processing", "succeeded", "complete") == (
        before,
        client.v1.setup_intents.retrieve(seti).status,
        client.v1.checkout.sessions.retrieve(session.id).status,
    )


def test_delayed_setup_failure(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """settle(succeed=False) fails the SetupIntent and records setup_intent.setup_failed."""
    session = setup_session(client, currency="eur", allowed_payment_method_types=["sepa_debit"])
    fake.complete_checkout(session.id, payment_method_type="sepa_debit")
    seti = client.v1.checkout.sessions.retrieve(session.id).setup_intent
    assert isinstance(seti, str)
    fake.webhooks()
    fake.settle(seti, succeed=False)
    assert ("requires_payment_method", ["setup_intent.setup_failed"]) == (
        client.v1.setup_intents.retrieve(seti).status,
        [d.type for d in fake.webhooks()],
    )


def test_delayed_off_session_charge_processing(
    fake: FakeStripe, client: stripe.StripeClient
) -> None:
    """An off-session charge on SEPA debit stays processing until settled."""
    customer = client.v1.customers.create()
    pm = client.v1.payment_methods.create(
        params={"type": "sepa_debit", "sepa_debit": {"iban": "DE89370400440532013000"}}
    )
    client.v1.payment_methods.attach(pm.id, params={"customer": customer.id})
    pi = client.v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "eur",
            "customer": customer.id,
            "payment_method": pm.id,
            "confirm": True,
            "off_session": True,
        }
    )
    fake.settle(pi.id)
    assert ("processing", "succeeded") == (
        pi.status,
        client.v1.payment_intents.retrieve(pi.id).status,
    )


def test_method_not_offered_by_session(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """Completing with a method the session does not offer is a ValueError."""
    session = setup_session(client)
    with pytest.raises(ValueError, match="does not offer"):
        fake.complete_checkout(session.id, payment_method_type="sepa_debit")


def test_setup_intent_of_session_cannot_be_confirmed(
    fake: FakeStripe, client: stripe.StripeClient
) -> None:
    """The SetupIntent of a Checkout Session cannot be confirmed through the API."""
    session = setup_session(client)
    fake.complete_checkout(session.id, card="4000002500003155", authenticate=False)
    seti = client.v1.checkout.sessions.retrieve(session.id).setup_intent
    assert isinstance(seti, str)
    with pytest.raises(stripe.InvalidRequestError, match="Checkout Session"):
        client.v1.setup_intents.confirm(seti, params={"payment_method": "pm_card_visa"})


def test_setup_intent_exists_at_creation(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """The create answer names its SetupIntent, and setup_intent.created is recorded."""
    session = setup_session(client)
    intent = client.v1.setup_intents.retrieve(str(session.setup_intent))
    assert (True, "requires_payment_method", ["setup_intent.created"]) == (
        str(session.setup_intent).startswith("seti_"),
        intent.status,
        [d.type for d in fake.webhooks()],
    )


def test_customer_details_from_the_customer(client: stripe.StripeClient) -> None:
    """With a customer, customer_details carries its email and name at once."""
    customer = client.v1.customers.create(params={"email": "jenny@example.com", "name": "Jenny"})
    session = setup_session(client, customer.id)
    details = session.customer_details
    assert details is not None
    assert ("jenny@example.com", "Jenny") == (details.email, details.name)


def test_setup_mode_fields_as_stripe_fills_them(client: stripe.StripeClient) -> None:
    """payment_method_collection "always", ui_mode hosted_page, adaptive pricing off."""
    session = setup_session(client)
    assert ("always", "hosted_page", False) == (
        session.payment_method_collection,
        session.ui_mode,
        session.adaptive_pricing.enabled if session.adaptive_pricing else None,
    )


def test_hosted_sessions_leave_embedded_keys_out(client: stripe.StripeClient) -> None:
    """return_url and redirect_on_completion are absent, not null, on a hosted-page session."""
    raw = setup_session(client).to_dict()
    assert set() == {"return_url", "redirect_on_completion"} & set(raw)


def test_dynamic_payment_method_types(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """Without a list, types come from the default configuration, named in the details."""
    session = setup_session(client)
    details = session.payment_method_configuration_details
    assert details is not None
    assert (["card", "klarna", "link", "us_bank_account"], True) == (
        session.payment_method_types,
        details.id == fake.payment_method_configuration.id,
    )


def test_dynamic_types_follow_the_currency(client: stripe.StripeClient) -> None:
    """A EUR session drops the USD-only bank account."""
    session = setup_session(client, currency="eur")
    assert ["card", "klarna", "link"] == session.payment_method_types


def test_a_test_changes_the_configuration(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """fake.payment_method_configuration sets what new sessions offer."""
    fake.payment_method_configuration.checkout_setup = ["card", "sepa_debit"]
    assert ["card"] == setup_session(client).payment_method_types


def test_explicit_types_have_no_configuration(client: stripe.StripeClient) -> None:
    """allowed_payment_method_types given: exactly those, and no configuration details."""
    session = setup_session(client, allowed_payment_method_types=["card"])
    assert (["card"], ["card"], None) == (
        session.payment_method_types,
        session.allowed_payment_method_types,
        session.payment_method_configuration_details,
    )


def test_completion_fills_collected_information(
    fake: FakeStripe, client: stripe.StripeClient
) -> None:
    """A completed session has collected_information and customer_details."""
    customer = client.v1.customers.create(params={"email": "payer@example.com"})
    session = setup_session(client, customer.id)
    fake.complete_checkout(session.id)
    done = client.v1.checkout.sessions.retrieve(session.id)
    assert (True, "payer@example.com") == (
        done.collected_information is not None,
        done.customer_details.email if done.customer_details else None,
    )


def test_sessions_listed_by_customer_and_created(
    fake: FakeStripe, client: stripe.StripeClient
) -> None:
    """checkout.sessions.list(customer=..., created=...) keeps that customer's recent sessions."""
    customer = client.v1.customers.create()
    setup_session(client, customer.id)
    since = fake.clock.now() + 60
    fake.clock.advance(60)
    recent = setup_session(client, customer.id)
    setup_session(client)
    found = client.v1.checkout.sessions.list(
        params={"customer": customer.id, "created": {"gte": since}}
    ).data
    assert [recent.id] == [s.id for s in found]
