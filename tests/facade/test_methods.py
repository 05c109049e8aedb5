"""Saved methods per customer: defaults, listing, removal."""

from __future__ import annotations

import pytest

from future_payments import FuturePayments
from future_payments.errors import UnknownPaymentMethod
from future_payments.testing import FakeStripe
from tests.facade.conftest import save_card


def test_first_method_is_the_default(payments: FuturePayments, fake: FakeStripe) -> None:
    """The first active method becomes the default; the second does not."""
    first = save_card(payments, fake)
    second = save_card(payments, fake, card="5555555555554444")

    assert [(first.id, True), (second.id, False)] == [
        (m.id, m.is_default) for m in payments.payment_methods("user-42")
    ]


def test_set_default(payments: FuturePayments, fake: FakeStripe) -> None:
    """set_default moves the default to another active method, with no request."""
    save_card(payments, fake)
    second = save_card(payments, fake, card="5555555555554444")
    before = len(fake.requests)

    payments.set_default("user-42", second.id)

    default = payments.default_payment_method("user-42")
    assert (second.id, 0) == (default.id if default else None, len(fake.requests) - before)


def test_set_default_of_another_customer_is_refused(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """A method of another customer cannot become this one's default."""
    save_card(payments, fake, customer_ref="alice")
    bobs = save_card(payments, fake, customer_ref="bob")

    with pytest.raises(UnknownPaymentMethod):
        payments.set_default("alice", bobs.id)


def test_remove_detaches_at_stripe(payments: FuturePayments, fake: FakeStripe) -> None:
    """remove_payment_method detaches the method at Stripe in one request."""
    saved = save_card(payments, fake)
    before = len(fake.requests)

    payments.remove_payment_method("user-42", saved.id)

    assert 1 == len(fake.requests) - before
    assert fake.client().v1.payment_methods.retrieve(saved.id).customer is None
    assert [] == payments.payment_methods("user-42")


def test_removing_the_default_promotes_the_next(payments: FuturePayments, fake: FakeStripe) -> None:
    """When the default goes, the oldest remaining active method takes over."""
    first = save_card(payments, fake)
    second = save_card(payments, fake, card="5555555555554444")

    payments.remove_payment_method("user-42", first.id)

    default = payments.default_payment_method("user-42")
    assert second.id == (default.id if default else None)


def test_remove_unknown_method(payments: FuturePayments, fake: FakeStripe) -> None:
    """Removing a method the customer does not have raises before any request."""
    with pytest.raises(UnknownPaymentMethod):
        payments.remove_payment_method("user-42", "pm_unknown")
    assert [] == fake.requests
