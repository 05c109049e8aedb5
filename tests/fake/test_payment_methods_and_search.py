"""PaymentMethods of every type the SDK declares; test card details; search; list filters."""

from __future__ import annotations

import datetime

import pytest
import stripe

from future_payments.testing import FakeStripe
from future_payments.testing._fake._contract import Enum, contract

TYPES = contract("PaymentMethodCreateParams").fields()["type"]
assert isinstance(TYPES, Enum)
BILLING = {"name": "Jenny Rosen", "email": "jenny@example.com", "address": {"country": "NL"}}


@pytest.mark.parametrize("pm_type", [t for t in TYPES.values if t != "card"])
def test_every_declared_type_is_created_attached_and_listed(
    client: stripe.StripeClient, pm_type: str
) -> None:
    """A PaymentMethod of each declared type echoes its billing details, attaches and lists."""
    hashes = {"sepa_debit": {"iban": "DE89370400440532013000"}}
    pm = client.v1.payment_methods.create(
        params={"type": pm_type, pm_type: hashes.get(pm_type, {}), "billing_details": BILLING}  # type: ignore[misc,typeddict-item]
    )
    customer = client.v1.customers.create()
    client.v1.payment_methods.attach(pm.id, params={"customer": customer.id})
    listed = client.v1.customers.payment_methods.list(customer.id, params={"type": pm_type})  # type: ignore[typeddict-item]
    assert (pm_type, "Jenny Rosen", "NL", True, [pm.id]) == (
        pm.type,
        pm.billing_details.name,
        pm.billing_details.address.country if pm.billing_details.address else None,
        pm_type in pm.to_dict(),
        [p.id for p in listed.data],
    )


def test_type_hash_is_echoed_in_its_declared_shape(client: stripe.StripeClient) -> None:
    """ideal[bank] comes back as the ideal hash, with the keys the SDK declares."""
    pm = client.v1.payment_methods.create(params={"type": "ideal", "ideal": {"bank": "abn_amro"}})
    assert ("abn_amro", True) == (pm.ideal.bank, "bic" in pm.ideal.to_dict())  # type: ignore[union-attr]


def test_confirming_with_a_type_not_simulated_says_so(client: stripe.StripeClient) -> None:
    """An intent confirmed with an ideal PaymentMethod answers 400 "does not simulate"."""
    pm = client.v1.payment_methods.create(params={"type": "ideal", "ideal": {"bank": "abn_amro"}})
    with pytest.raises(stripe.InvalidRequestError, match="does not simulate"):
        client.v1.payment_intents.create(
            params={"amount": 1000, "currency": "eur", "payment_method": pm.id, "confirm": True}
        )


@pytest.mark.parametrize(
    ("pm_id", "brand", "country", "funding"),
    [
        ("pm_card_visa_debit", "visa", "US", "debit"),
        ("pm_card_mastercard_prepaid", "mastercard", "US", "prepaid"),
        ("pm_card_discover", "discover", "US", "credit"),
        ("pm_card_amex", "amex", "US", "credit"),
        ("pm_card_jcb", "jcb", "JP", "credit"),
        ("pm_card_de", "visa", "DE", "credit"),
        ("pm_card_gb_debit", "visa", "GB", "debit"),
        ("pm_card_authenticationRequired", "visa", "DE", "credit"),
    ],
)
def test_test_payment_methods_have_their_documented_card(
    fake: FakeStripe,
    client: stripe.StripeClient,
    pm_id: str,
    brand: str,
    country: str,
    funding: str,
) -> None:
    """pm_card_* ids carry brand, country, funding, this month next year, and a passed CVC."""
    card = client.v1.payment_methods.retrieve(pm_id).card
    assert card is not None
    today = datetime.datetime.fromtimestamp(fake.clock.now(), datetime.UTC).date()
    assert (brand, country, funding, today.month, today.year + 1, "pass") == (
        card.brand,
        card.country,
        card.funding,
        card.exp_month,
        card.exp_year,
        card.checks.cvc_check if card.checks else None,
    )


def test_payment_method_data_makes_the_method(client: stripe.StripeClient) -> None:
    """payment_method_data on a PaymentIntent creates the PaymentMethod it pays with."""
    intent = client.v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "eur",
            "confirm": True,
            "payment_method_data": {
                "type": "sepa_debit",
                "sepa_debit": {"iban": "DE89370400440532013000"},
            },
            "mandate_data": {"customer_acceptance": {"type": "offline"}},
        }
    )
    pm = client.v1.payment_methods.retrieve(str(intent.payment_method))
    assert ("processing", "sepa_debit") == (intent.status, pm.type)


def test_shipping_and_statement_descriptor_are_echoed(client: stripe.StripeClient) -> None:
    """Parameters that name a field of the PaymentIntent are stored and echoed."""
    intent = client.v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "usd",
            "statement_descriptor": "ORDER 7",
            "shipping": {"name": "Jenny", "address": {"line1": "1 Main St"}},
            "receipt_email": "jenny@example.com",
        }
    )
    shipping = intent.shipping
    assert shipping is not None
    assert shipping.address is not None
    assert ("ORDER 7", "Jenny", "1 Main St", None, "jenny@example.com") == (
        intent.statement_descriptor,
        shipping.name,
        shipping.address.line1,
        shipping.address.city,
        intent.receipt_email,
    )


def test_customer_expand_tax_and_includables(client: stripe.StripeClient) -> None:
    """expand[]=tax and invoice_credit_balance fill the fields Stripe leaves out by default."""
    customer = client.v1.customers.create(params={"address": {"country": "US"}}, options={})
    expanded = client.v1.customers.retrieve(
        customer.id, params={"expand": ["tax", "invoice_credit_balance"]}
    )
    raw = expanded.to_dict()
    assert (False, "supported", {}) == (
        "tax" in customer.to_dict(),
        raw["tax"]["automatic_tax"],
        raw["invoice_credit_balance"],
    )


def test_customer_with_payment_method_and_default(client: stripe.StripeClient) -> None:
    """customers.create(payment_method=pm_card_visa, default=the same) attaches and defaults it."""
    customer = client.v1.customers.create(
        params={
            "payment_method": "pm_card_visa",
            "invoice_settings": {"default_payment_method": "pm_card_visa"},
        },
    )
    default = (
        customer.invoice_settings.default_payment_method if customer.invoice_settings else None
    )
    pm = client.v1.payment_methods.retrieve(str(default))
    assert (True, customer.id) == (
        str(default).startswith("pm_") and default != "pm_card_visa",
        pm.customer,
    )


def test_customers_search(client: stripe.StripeClient) -> None:
    """customers.search with email and metadata clauses, AND and OR."""
    jenny = client.v1.customers.create(
        params={"email": "jenny@example.com", "metadata": {"plan": "pro"}}
    )
    client.v1.customers.create(params={"email": "joe@example.com", "metadata": {"plan": "free"}})
    both = client.v1.customers.search(
        params={"query": "email:'jenny@example.com' AND metadata['plan']:'pro'"}
    )
    either = client.v1.customers.search(
        params={"query": "metadata['plan']:'pro' OR metadata['plan']:'free'"}
    )
    assert ([jenny.id], 2) == ([c.id for c in both.data], len(either.data))


def test_payment_intents_search_by_status_and_amount(client: stripe.StripeClient) -> None:
    """payment_intents.search with status and a numeric comparison."""
    paid = client.v1.payment_intents.create(
        params={
            "amount": 5000,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )
    client.v1.payment_intents.create(params={"amount": 6000, "currency": "usd"})
    found = client.v1.payment_intents.search(params={"query": "status:'succeeded' AND amount>1000"})
    assert [paid.id] == [p.id for p in found.data]


def test_search_pages_with_next_page(client: stripe.StripeClient) -> None:
    """has_more and next_page walk a search result."""
    for index in range(3):
        client.v1.customers.create(params={"email": f"c{index}@example.com"})
    first = client.v1.customers.search(params={"query": "email~'example.com'", "limit": 2})
    rest = client.v1.customers.search(
        params={"query": "email~'example.com'", "limit": 2, "page": str(first.next_page)}
    )
    assert (2, True, 1, False) == (len(first.data), first.has_more, len(rest.data), rest.has_more)


def test_search_refuses_a_field_it_cannot_search(client: stripe.StripeClient) -> None:
    """A field outside the resource's search fields is 400 on query."""
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.search(params={"query": "balance:0"})
    assert "query" == caught.value.param


def test_search_without_query_is_parameter_missing(client: stripe.StripeClient) -> None:
    """No query at all is parameter_missing on query."""
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.customers.search(params={})  # type: ignore[typeddict-item]
    assert ("parameter_missing", "query") == (caught.value.code, caught.value.param)


def test_lists_filter_by_email_customer_and_created(
    fake: FakeStripe, client: stripe.StripeClient
) -> None:
    """customers.list(email, created) and payment_intents.list(customer, created) act."""
    old = client.v1.customers.create(params={"email": "same@example.com"})
    fake.clock.advance(100)
    since = fake.clock.now()
    new = client.v1.customers.create(params={"email": "same@example.com"})
    client.v1.payment_intents.create(params={"amount": 500, "currency": "usd", "customer": old.id})
    mine = client.v1.payment_intents.create(
        params={"amount": 500, "currency": "usd", "customer": new.id}
    )
    customers = client.v1.customers.list(
        params={"email": "same@example.com", "created": {"gte": since}}
    ).data
    intents = client.v1.payment_intents.list(
        params={"customer": new.id, "created": {"gte": since}}
    ).data
    assert ([new.id], [mine.id]) == ([c.id for c in customers], [i.id for i in intents])
