"""Delayed methods (SEPA debit, US bank account): pending until Stripe settles them."""

from __future__ import annotations

import pytest

from future_payments import Charged, FuturePayments, Processing, SavedPaymentMethod
from future_payments.errors import NoSavedPaymentMethod
from future_payments.testing import FakeStripe
from tests.facade.conftest import CANCEL_URL, SUCCESS_URL


def _save_sepa(payments: FuturePayments, fake: FakeStripe) -> tuple[SavedPaymentMethod, str]:
    setup = payments.start_setup(
        "user-42",
        currency="eur",
        success_url=SUCCESS_URL,
        cancel_url=CANCEL_URL,
        payment_method_types=["sepa_debit"],
    )
    fake.complete_checkout(setup.session_id, payment_method_type="sepa_debit")
    seti = fake.client().v1.checkout.sessions.retrieve(setup.session_id).setup_intent
    return payments.complete_from_session(setup.session_id), str(seti)


def _deliver_all(payments: FuturePayments, fake: FakeStripe) -> list[str]:
    return [payments.complete_from_event(d.body, d.signature).action for d in fake.webhooks()]


def test_saved_pending_and_not_default(payments: FuturePayments, fake: FakeStripe) -> None:
    """A SEPA debit method is saved pending, is no default, and cannot be charged yet."""
    saved, _ = _save_sepa(payments, fake)

    assert ("sepa_debit", "pending", False) == (saved.type, saved.status, saved.is_default)
    with pytest.raises(NoSavedPaymentMethod):
        payments.charge_saved("user-42", 1999, "eur", idempotency_key="order-1")


def test_settled_setup_becomes_active_default(payments: FuturePayments, fake: FakeStripe) -> None:
    """setup_intent.succeeded turns the pending method active and makes it the default."""
    saved, seti = _save_sepa(payments, fake)
    fake.settle(seti, succeed=True)

    _deliver_all(payments, fake)

    default = payments.default_payment_method("user-42")
    assert (saved.id, "active") == (
        default.id if default else None,
        default.status if default else None,
    )


def test_failed_setup_is_dropped(payments: FuturePayments, fake: FakeStripe) -> None:
    """setup_intent.setup_failed marks the method failed; it is no longer listed."""
    saved, seti = _save_sepa(payments, fake)
    fake.settle(seti, succeed=False)

    _deliver_all(payments, fake)

    assert [] == payments.payment_methods("user-42")
    stored = payments.store.get_payment_method(saved.id)
    assert "failed" == (stored.status if stored else None)


def test_delayed_charge_processes_then_settles(payments: FuturePayments, fake: FakeStripe) -> None:
    """A charge on SEPA debit is Processing; payment_intent.succeeded settles the ledger."""
    _, seti = _save_sepa(payments, fake)
    fake.settle(seti, succeed=True)
    _deliver_all(payments, fake)

    first = payments.charge_saved("user-42", 1999, "eur", idempotency_key="order-1")
    assert isinstance(first, Processing)
    fake.settle(first.payment_intent_id, succeed=True)
    _deliver_all(payments, fake)
    before = len(fake.requests)

    settled = payments.charge_saved("user-42", 1999, "eur", idempotency_key="order-1")

    assert isinstance(settled, Charged)
    assert (first.payment_intent_id, 0) == (settled.payment_intent_id, len(fake.requests) - before)
