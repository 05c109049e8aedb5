"""charge_saved: one request, typed outcomes, and exactly once per idempotency key."""

from __future__ import annotations

import pytest
import stripe

from future_payments import (
    Charged,
    ChargeOutcomeUnknown,
    Declined,
    FuturePayments,
    IdempotencyConflict,
    NeedsAuthentication,
)
from future_payments.testing import FakeStripe
from tests.facade.conftest import save_card


def _payment_intents(fake: FakeStripe) -> list[stripe.PaymentIntent]:
    return list(fake.client().v1.payment_intents.list(params={"limit": 100}).data)


def test_charge_is_one_request(payments: FuturePayments, fake: FakeStripe) -> None:
    """A charge on the default method is one POST and answers Charged."""
    saved = save_card(payments, fake)
    before = len(fake.requests)

    result = payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-1")

    assert 1 == len(fake.requests) - before
    assert isinstance(result, Charged)
    assert (1999, "usd", saved.id) == (result.amount, result.currency, result.payment_method_id)
    intent = fake.client().v1.payment_intents.retrieve(result.payment_intent_id)
    assert ("succeeded", saved.customer_id) == (intent.status, intent.customer)


def test_charge_is_off_session_and_confirmed(payments: FuturePayments, fake: FakeStripe) -> None:
    """The PaymentIntent is created confirmed, off-session, with a derived idempotency key."""
    save_card(payments, fake)

    payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-1")

    sent = fake.requests[-1]
    assert ("true", "true") == (str(sent.params["off_session"]), str(sent.params["confirm"]))
    assert sent.idempotency_key is not None
    assert "order-1" in sent.idempotency_key


def test_repeat_with_same_key_makes_no_request(payments: FuturePayments, fake: FakeStripe) -> None:
    """The same key again returns the recorded result with zero requests."""
    save_card(payments, fake)
    first = payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-1")
    before = len(fake.requests)

    again = payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-1")

    assert (first, 0) == (again, len(fake.requests) - before)


@pytest.mark.parametrize(
    ("amount", "currency"), [(2000, "usd"), (1999, "eur")], ids=["amount", "currency"]
)
def test_same_key_other_charge_conflicts(
    payments: FuturePayments, fake: FakeStripe, amount: int, currency: str
) -> None:
    """Reusing a key with another amount or currency raises before any request."""
    save_card(payments, fake)
    payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-1")
    before = len(fake.requests)

    with pytest.raises(IdempotencyConflict, match="order-1"):
        payments.charge_saved("user-42", amount, currency, idempotency_key="order-1")
    assert 0 == len(fake.requests) - before


def test_same_key_other_customer_conflicts(payments: FuturePayments, fake: FakeStripe) -> None:
    """Reusing a key for another customer raises before any request."""
    save_card(payments, fake, customer_ref="alice")
    save_card(payments, fake, customer_ref="bob")
    payments.charge_saved("alice", 1999, "usd", idempotency_key="order-1")

    with pytest.raises(IdempotencyConflict, match="customer_ref"):
        payments.charge_saved("bob", 1999, "usd", idempotency_key="order-1")


def test_named_method_is_charged(payments: FuturePayments, fake: FakeStripe) -> None:
    """payment_method_id charges that method instead of the default."""
    save_card(payments, fake)
    second = save_card(payments, fake, card="5555555555554444")

    result = payments.charge_saved(
        "user-42", 1999, "usd", idempotency_key="order-1", payment_method_id=second.id
    )

    assert second.id == result.payment_method_id


def test_authentication_required_gives_recovery_data(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """4000002760003184 off-session answers NeedsAuthentication with the intent's secret."""
    save_card(payments, fake, card="4000002760003184")

    result = payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-1")

    assert isinstance(result, NeedsAuthentication)
    intent = fake.client().v1.payment_intents.retrieve(result.payment_intent_id)
    assert (intent.client_secret, "requires_payment_method") == (
        result.client_secret,
        intent.status,
    )
    assert result.client_secret not in repr(result)


def test_on_session_recovery(payments: FuturePayments, fake: FakeStripe) -> None:
    """Confirming the intent on-session and authenticating charges it."""
    saved = save_card(payments, fake, card="4000002760003184")
    result = payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-1")
    assert isinstance(result, NeedsAuthentication)
    client = fake.client()

    client.v1.payment_intents.confirm(
        result.payment_intent_id,
        params={"payment_method": saved.id, "return_url": "https://shop.example/back"},
    )
    fake.authenticate(result.payment_intent_id)

    assert "succeeded" == client.v1.payment_intents.retrieve(result.payment_intent_id).status


def test_decline_is_a_result(payments: FuturePayments, fake: FakeStripe) -> None:
    """4000000000000341 attaches, then every charge is Declined with Stripe's codes."""
    save_card(payments, fake, card="4000000000000341")

    result = payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-1")

    assert isinstance(result, Declined)
    assert "card_declined" == result.code
    assert result.payment_intent_id is not None
    assert result.message


def test_lost_response_then_retry_charges_once(payments: FuturePayments, fake: FakeStripe) -> None:
    """The connection drops after Stripe committed; the retry with the key returns Charged."""
    save_card(payments, fake)
    fake.fail_next("connection_after", path="/v1/payment_intents")

    with pytest.raises(ChargeOutcomeUnknown, match="same idempotency_key"):
        payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-1")
    result = payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-1")

    assert isinstance(result, Charged)
    assert 1 == len(_payment_intents(fake))


def test_distinct_keys_are_distinct_charges(payments: FuturePayments, fake: FakeStripe) -> None:
    """Two keys make two PaymentIntents."""
    save_card(payments, fake)

    a = payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-1")
    b = payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-2")

    assert a.payment_intent_id != b.payment_intent_id
    assert 2 == len(_payment_intents(fake))


def test_retries_exhausted_say_outcome_unknown(fake: FakeStripe) -> None:
    """After the client's retries all meet a 500, the error says retrying the key is safe."""
    from future_payments import MemoryStore

    payments = FuturePayments(client=fake.client(max_network_retries=1), store=MemoryStore())
    save_card(payments, fake)
    fake.fail_next("server_error", path="/v1/payment_intents", times=2)

    with pytest.raises(ChargeOutcomeUnknown, match="same idempotency_key") as raised:
        payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-1")

    assert "order-1" == raised.value.idempotency_key
    sent = [r for r in fake.requests if r.path == "/v1/payment_intents"]
    assert 2 == len(sent)
    assert 1 == len({r.idempotency_key for r in sent})
