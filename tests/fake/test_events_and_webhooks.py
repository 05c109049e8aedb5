"""Events for each state change, and signed webhook deliveries."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
import stripe

from future_payments.testing import FakeStripe

from .conftest import START, saved_card


def test_webhooks_verify_with_stripe(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """Every delivery verifies with stripe.Webhook.construct_event."""
    saved_card(fake, client)
    deliveries = fake.webhooks()
    events = [
        stripe.Webhook.construct_event(d.body, d.signature, fake.webhook_secret) for d in deliveries
    ]
    assert [d.event_id for d in deliveries] == [e.id for e in events]


def test_signature_format(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """Stripe-Signature is t=<clock>,v1=<HMAC-SHA256 of 't.body'>."""
    client.v1.customers.create()
    delivery = fake.webhooks()[0]
    t = int(START)
    digest = hmac.new(
        b"whsec_test_secret", f"{t}.".encode() + delivery.body, hashlib.sha256
    ).hexdigest()
    assert f"t={t},v1={digest}" == delivery.signature


def test_flow_event_types_in_order(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """Saving a card records the documented events, oldest first."""
    saved_card(fake, client)
    expected = [
        "customer.created",
        "setup_intent.created",
        "payment_method.attached",
        "setup_intent.succeeded",
        "checkout.session.completed",
    ]
    assert expected == [d.type for d in fake.webhooks()]


def test_webhooks_are_taken_once(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """A second call returns only newer deliveries."""
    client.v1.customers.create()
    fake.webhooks()
    assert [] == fake.webhooks()


def test_event_carries_api_version_and_request(
    fake: FakeStripe, client: stripe.StripeClient
) -> None:
    """An API-caused event has the SDK's Stripe-Version and the request id and key."""
    client.v1.customers.create(options={"idempotency_key": "key-1"})
    event = json.loads(fake.webhooks()[0].body)
    request = fake.requests[-1]
    assert (stripe.api_version, "key-1", request.idempotency_key) == (
        event["api_version"],
        event["request"]["idempotency_key"],
        "key-1",
    )


def test_event_snapshot_does_not_change(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """data.object is a snapshot taken when the event happened."""
    customer = client.v1.customers.create(params={"name": "Before"})
    client.v1.customers.update(customer.id, params={"name": "After"})
    created = client.v1.events.list(params={"type": "customer.created"}).data[0]
    assert "Before" == created.data.object["name"]


def test_events_retrieve_and_list(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """Events can be listed by type and retrieved by id."""
    saved_card(fake, client)
    listed = client.v1.events.list(params={"type": "setup_intent.*"}).data
    retrieved = client.v1.events.retrieve(listed[0].id)
    assert (["setup_intent.succeeded", "setup_intent.created"], listed[0].id) == (
        [e.type for e in listed],
        retrieved.id,
    )


def test_event_created_follows_clock(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """Event created timestamps come from the fake clock."""
    fake.clock.advance(3600)
    client.v1.customers.create()
    assert int(START) + 3600 == json.loads(fake.webhooks()[0].body)["created"]


def test_detach_records_event(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """Detaching records payment_method.detached with customer null."""
    _, intent = saved_card(fake, client)
    assert isinstance(intent.payment_method, stripe.PaymentMethod)
    fake.webhooks()
    client.v1.payment_methods.detach(intent.payment_method.id)
    delivery = fake.webhooks()[0]
    assert ("payment_method.detached", None) == (
        delivery.type,
        json.loads(delivery.body)["data"]["object"]["customer"],
    )


def test_wrong_secret_fails_verification(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """A delivery does not verify with another secret."""
    client.v1.customers.create()
    delivery = fake.webhooks()[0]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(delivery.body, delivery.signature, "whsec_other")


def test_event_snapshots_keep_nested_values(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """Later changes to nested hashes (address, metadata, invoice_settings) leave events as
    they were."""
    customer = client.v1.customers.create(
        params={"address": {"city": "Paris"}, "metadata": {"a": "1"}}
    )
    client.v1.customers.update(
        customer.id, params={"address": {"city": "Lyon"}, "metadata": {"a": "", "b": "2"}}
    )
    pm = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    client.v1.customers.update(
        customer.id, params={"invoice_settings": {"default_payment_method": pm.id}}
    )
    snapshots = [
        (
            e.data.object["address"]["city"],
            e.data.object["metadata"],
            e.data.object["invoice_settings"]["default_payment_method"],
        )
        for e in reversed(client.v1.events.list(params={"type": "customer.*"}).data)
    ]
    assert [
        ("Paris", {"a": "1"}, None),
        ("Lyon", {"b": "2"}, None),
        ("Lyon", {"b": "2"}, pm.id),
    ] == [(city, metadata.to_dict(), default) for city, metadata, default in snapshots]


def test_card_network_update_records_automatically_updated() -> None:
    """fake.update_card changes the attached card and sends automatically_updated."""
    fake = FakeStripe()
    client = fake.client()
    customer = client.v1.customers.create()
    pm = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    fake.webhooks()

    fake.update_card(pm.id, exp_month=4, exp_year=2040, last4="1881")

    [delivery] = fake.webhooks()
    event = json.loads(delivery.body)
    card = client.v1.payment_methods.retrieve(pm.id).card
    assert card is not None
    assert (4, 2040, "1881") == (card.exp_month, card.exp_year, card.last4)
    assert "payment_method.automatically_updated" == event["type"]
    assert pm.card is not None
    assert pm.card.exp_year == event["data"]["previous_attributes"]["card"]["exp_year"]


def test_card_network_update_refuses_a_detached_card() -> None:
    """Only a card attached to a customer is updated by its network; nothing else changes."""
    fake = FakeStripe()
    pm = fake.client().v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 1, "exp_year": 2040},
        }
    )

    with pytest.raises(ValueError, match="not attached"):
        fake.update_card(pm.id)
    assert [] == [d.type for d in fake.webhooks() if d.type.endswith("automatically_updated")]
