"""Every documented test card gives the documented ChargeResult variant."""

from __future__ import annotations

import pytest

from future_payments import (
    Charged,
    Declined,
    FuturePayments,
    NeedsAuthentication,
    SavedPaymentMethod,
    SessionNotComplete,
)
from future_payments.testing import TEST_CARDS, FakeCardError, FakeStripe, TestCard
from tests.facade.conftest import CANCEL_URL, SUCCESS_URL

EXPECTED = {
    "succeeds": Charged,
    "succeeds_once_set_up": Charged,
    "authentication_required": NeedsAuthentication,
    "declines": Declined,
}


def _saved(payments: FuturePayments, fake: FakeStripe, card: TestCard) -> SavedPaymentMethod:
    """Save the card through the flow; a card that cannot be set up is stored as if saved
    earlier (a card that worked then and declines now), since Stripe refuses to save it."""
    setup = payments.start_setup(
        "user-42", currency="usd", success_url=SUCCESS_URL, cancel_url=CANCEL_URL
    )
    if card.setup != "declines":
        fake.complete_checkout(setup.session_id, card=card.number)
        return payments.complete_from_session(setup.session_id)
    with pytest.raises(FakeCardError):
        fake.complete_checkout(setup.session_id, card=card.number)
    with pytest.raises(SessionNotComplete):
        payments.complete_from_session(setup.session_id)
    pm = fake.client().v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": card.number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    method = SavedPaymentMethod.from_stripe(
        pm.to_dict(), customer_ref="user-42", customer_id=setup.customer_id
    )
    return payments.store.add_payment_method(method, as_of=0)


@pytest.mark.parametrize("card", list(TEST_CARDS.values()), ids=lambda c: c.number)
def test_card_outcome(payments: FuturePayments, fake: FakeStripe, card: TestCard) -> None:
    """The off-session charge of each test card is the documented variant with its codes."""
    saved = _saved(payments, fake, card)

    result = payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-1")

    assert EXPECTED[card.off_session] is type(result)
    assert (saved.id, card.last4) == (result.payment_method_id, saved.last4)
    if isinstance(result, Declined):
        assert (card.code, card.decline_code) == (result.code, result.decline_code)
