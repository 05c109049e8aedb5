"""expand[] (nested too) and list pagination, newest first."""

from __future__ import annotations

import pytest
import stripe

from future_payments.testing import FakeStripe

from .conftest import saved_card, setup_session


def test_nested_expand(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """setup_intent.payment_method expands both levels in one request."""
    _, intent = saved_card(fake, client)
    assert isinstance(intent.payment_method, stripe.PaymentMethod)
    assert "4242" == (intent.payment_method.card.last4 if intent.payment_method.card else None)


def test_unexpanded_fields_are_ids(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """Without expand, expandable fields hold ids."""
    customer, intent = saved_card(fake, client)
    session = client.v1.checkout.sessions.list().data[0]
    assert (customer, intent.id) == (session.customer, session.setup_intent)


def test_expand_in_list(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """data.customer expands inside a list."""
    customer, _ = saved_card(fake, client)
    listed = client.v1.checkout.sessions.list(params={"expand": ["data.customer"]})
    first = listed.data[0].customer
    assert isinstance(first, stripe.Customer)
    assert customer == first.id


def test_expand_unknown_field_rejected(client: stripe.StripeClient) -> None:
    """Expanding a field that is not expandable is an InvalidRequestError."""
    customer = client.v1.customers.create()
    with pytest.raises(stripe.InvalidRequestError, match="cannot be expanded"):
        client.v1.customers.retrieve(customer.id, params={"expand": ["email"]})


def test_list_newest_first_with_limit(client: stripe.StripeClient) -> None:
    """Lists return the newest objects first and say when there are more."""
    ids = [client.v1.customers.create().id for _ in range(5)]
    page = client.v1.customers.list(params={"limit": 2})
    assert (ids[::-1][:2], True, "/v1/customers") == (
        [c.id for c in page.data],
        page.has_more,
        page.url,
    )


def test_starting_after(client: stripe.StripeClient) -> None:
    """starting_after continues with older objects."""
    ids = [client.v1.customers.create().id for _ in range(5)]
    page = client.v1.customers.list(params={"limit": 2, "starting_after": ids[3]})
    assert ([ids[2], ids[1]], True) == ([c.id for c in page.data], page.has_more)


def test_ending_before(client: stripe.StripeClient) -> None:
    """ending_before returns the newer objects just before the cursor."""
    ids = [client.v1.customers.create().id for _ in range(5)]
    page = client.v1.customers.list(params={"limit": 2, "ending_before": ids[1]})
    assert ([ids[3], ids[2]], True) == ([c.id for c in page.data], page.has_more)


def test_auto_paging_walks_everything(client: stripe.StripeClient) -> None:
    """The SDK's auto-pagination sees every object once."""
    ids = [client.v1.customers.create().id for _ in range(7)]
    walked = [c.id for c in client.v1.customers.list(params={"limit": 3}).auto_paging_iter()]
    assert ids[::-1] == walked


def test_payment_methods_listed_by_customer(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """payment_methods.list(customer=...) returns only that customer's methods."""
    customer, intent = saved_card(fake, client)
    saved_card(fake, client)
    assert isinstance(intent.payment_method, stripe.PaymentMethod)
    listed = client.v1.payment_methods.list(params={"customer": customer, "type": "card"})
    assert [intent.payment_method.id] == [pm.id for pm in listed.data]


def test_sessions_listed_by_status(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """checkout.sessions.list(status=open) leaves out completed sessions."""
    saved_card(fake, client)
    still_open = setup_session(client)
    listed = client.v1.checkout.sessions.list(params={"status": "open"})
    assert [still_open.id] == [s.id for s in listed.data]
