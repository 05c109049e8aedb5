"""Every object the fake returns matches the field declarations of the stripe package."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from future_payments.testing import FakeStripe

from .conftest import saved_card

# Declared fields the fake leaves out, each with the reason Stripe leaves it out too.
EXEMPT: dict[str, dict[str, str]] = {
    "checkout.session": {
        "line_items": "includable: returned only with expand[]=line_items",
        "return_url": "embedded ui_mode only: absent from hosted-page sessions",
        "redirect_on_completion": "embedded ui_mode only: absent from hosted-page sessions",
    },
    "customer": {
        "cash_balance": "includable: only with expand[]=cash_balance",
        "invoice_credit_balance": "includable: only with expand[]=invoice_credit_balance",
        "sources": "includable: only with expand[]=sources",
        "subscriptions": "includable: only with expand[]=subscriptions",
        "tax": "includable: only with expand[]=tax",
        "tax_ids": "includable: only with expand[]=tax_ids",
        "deleted": "present only on a deleted customer",
    },
    "event": {
        "account": "present only on Connect events from a connected account",
        "context": "present only on events of an organization or Connect context",
    },
    "charge": {"refunds": "includable: only with expand[]=refunds"},
    "payment_method": {},  # plus the hash of every other payment method type, see below
    "payment_intent": {},
    "setup_intent": {},
    "refund": {},
    "dispute": {},
    "balance_transaction": {},
}
CLASSES: dict[str, type[stripe.StripeObject]] = {
    "balance_transaction": stripe.BalanceTransaction,
    "charge": stripe.Charge,
    "checkout.session": stripe.checkout.Session,
    "customer": stripe.Customer,
    "dispute": stripe.Dispute,
    "event": stripe.Event,
    "payment_intent": stripe.PaymentIntent,
    "payment_method": stripe.PaymentMethod,
    "refund": stripe.Refund,
    "setup_intent": stripe.SetupIntent,
}
PM_COMMON = {"OBJECT_NAME", "id", "object", "allow_redisplay", "billing_details", "created"}
PM_COMMON |= {"customer", "customer_account", "livemode", "metadata", "radar_options", "type"}
# A PaymentMethod carries only the hash named by its own ``type``.
PM_TYPE_HASHES = set(stripe.PaymentMethod.__annotations__) - PM_COMMON


def declared(kind: str, obj: dict[str, Any]) -> set[str]:
    """The fields the stripe package declares for ``kind``, minus documented exemptions."""
    if kind == "customer" and obj.get("deleted"):
        return {"id", "object", "deleted"}  # Stripe's deleted customer
    names = set(CLASSES[kind].__annotations__) - {"OBJECT_NAME"} - set(EXEMPT[kind])
    if kind == "payment_method":
        names -= PM_TYPE_HASHES - {obj["type"]}
    return names


def every_object(fake: FakeStripe, client: stripe.StripeClient) -> list[dict[str, Any]]:
    """One of each object kind, in the states the flow passes through."""
    customer, intent = saved_card(fake, client, card="4000002500003155")
    pm = intent.payment_method
    assert isinstance(pm, stripe.PaymentMethod)
    charged = client.v1.payment_intents.create(
        params={
            "amount": 1999,
            "currency": "usd",
            "customer": customer,
            "payment_method": pm.id,
            "confirm": True,
            "off_session": True,
        }
    )
    refund = client.v1.refunds.create(params={"payment_intent": charged.id, "amount": 500})
    disputed = client.v1.payment_intents.create(
        params={
            "amount": 700,
            "currency": "usd",
            "payment_method": "pm_card_createDispute",
            "confirm": True,
        }
    )
    sepa = client.v1.payment_methods.create(
        params={"type": "sepa_debit", "sepa_debit": {"iban": "DE89370400440532013000"}}
    )
    ideal = client.v1.payment_methods.create(
        params={"type": "ideal", "ideal": {"bank": "abn_amro"}}
    )
    gone = client.v1.customers.create()
    client.v1.customers.delete(gone.id)
    objects = [
        client.v1.customers.retrieve(customer),
        client.v1.customers.retrieve(gone.id),
        client.v1.payment_methods.retrieve(pm.id),
        sepa,
        ideal,
        client.v1.setup_intents.retrieve(intent.id),
        charged,
        disputed,
        refund,
        *client.v1.charges.list().data,
        *client.v1.disputes.list().data,
        *client.v1.balance_transactions.list().data,
        *client.v1.checkout.sessions.list().data,
        *client.v1.events.list(params={"limit": 100}).data,
    ]
    return [o.to_dict() for o in objects]


def test_no_undeclared_and_no_missing_fields(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """Each object has exactly the declared fields, apart from the explained exemptions."""
    problems = []
    for obj in every_object(fake, client):
        kind = obj["object"]
        expected = declared(kind, obj)
        actual = set(obj)
        if expected != actual:
            problems.append((kind, sorted(expected - actual), sorted(actual - expected)))
    assert [] == problems


def test_every_kind_is_covered(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """The walk above meets every kind of object the fake makes."""
    assert set(CLASSES) == {o["object"] for o in every_object(fake, client)}


@pytest.mark.parametrize("kind", sorted(set(CLASSES) - {"dispute", "balance_transaction"}))
def test_objects_deserialize_to_the_sdk_class(
    fake: FakeStripe, client: stripe.StripeClient, kind: str
) -> None:
    """The SDK turns each object into its own resource class."""
    customer, _ = saved_card(fake, client)
    intent = client.v1.payment_intents.create(
        params={
            "amount": 500,
            "currency": "usd",
            "customer": customer,
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )
    client.v1.refunds.create(params={"payment_intent": intent.id})
    listing = {
        "charge": client.v1.charges.list,
        "checkout.session": client.v1.checkout.sessions.list,
        "customer": client.v1.customers.list,
        "event": client.v1.events.list,
        "payment_method": client.v1.payment_methods.list,
        "setup_intent": client.v1.setup_intents.list,
        "payment_intent": client.v1.payment_intents.list,
        "refund": client.v1.refunds.list,
    }[kind]
    assert CLASSES[kind] is type(listing().data[0])


def test_event_data_object_is_declared_too(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """The snapshot inside each event has the declared fields of its own kind."""
    every_object(fake, client)
    problems = []
    for event in client.v1.events.list(params={"limit": 100}).data:
        obj = event.to_dict()["data"]["object"]
        if declared(obj["object"], obj) != set(obj):
            problems.append(event.type)
    assert [] == problems
