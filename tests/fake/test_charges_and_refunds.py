"""Charges, manual capture, refunds and disputes, as Stripe answers them."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from future_payments.testing import FakeStripe


def pay(
    client: stripe.StripeClient, card: str = "pm_card_visa", **more: Any
) -> stripe.PaymentIntent:
    """A confirmed 20.00 USD PaymentIntent with ``card``."""
    return client.v1.payment_intents.create(
        params={"amount": 2000, "currency": "usd", "payment_method": card, "confirm": True, **more}  # type: ignore[typeddict-item]
    )


def event_types(fake: FakeStripe) -> list[str]:
    """The types of the events not taken yet, oldest first."""
    return [d.type for d in fake.webhooks()]


def test_a_confirmed_intent_names_its_charge(client: stripe.StripeClient) -> None:
    """latest_charge is a ch_ whose amount, status and payment_intent match."""
    intent = pay(client)
    charge = client.v1.charges.retrieve(str(intent.latest_charge))
    assert (2000, "succeeded", intent.id, True, True) == (
        charge.amount,
        charge.status,
        charge.payment_intent,
        charge.paid,
        charge.captured,
    )


def test_charge_shows_the_card_and_the_outcome(client: stripe.StripeClient) -> None:
    """payment_method_details.card and outcome describe the authorization."""
    charge = client.v1.charges.retrieve(str(pay(client, "pm_card_mastercard").latest_charge))
    card = charge.payment_method_details.card  # type: ignore[union-attr]
    assert ("mastercard", "4444", "authorized", "approved_by_network") == (
        card.brand,
        card.last4,
        charge.outcome.type,
        charge.outcome.network_status,  # type: ignore[union-attr]
    )


def test_balance_transaction_expands(client: stripe.StripeClient) -> None:
    """balance_transaction is an id that expands into the txn with Stripe's fee."""
    intent = pay(client)
    charge = client.v1.charges.retrieve(
        str(intent.latest_charge), params={"expand": ["balance_transaction"]}
    )
    txn = charge.balance_transaction
    assert isinstance(txn, stripe.BalanceTransaction)
    assert (2000, 88, 1912, "charge") == (txn.amount, txn.fee, txn.net, txn.type)


def test_expand_latest_charge_on_create(client: stripe.StripeClient) -> None:
    """expand[]=latest_charge on the create answers the Charge itself."""
    intent = pay(client, expand=["latest_charge"])
    assert isinstance(intent.latest_charge, stripe.Charge)


def test_receipt_url_and_charge_events(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """A charge has a receipt_url and records charge.succeeded before payment_intent.succeeded."""
    fake.webhooks()
    charge = client.v1.charges.retrieve(str(pay(client).latest_charge))
    types = event_types(fake)
    assert (True, ["payment_intent.created", "charge.succeeded", "payment_intent.succeeded"]) == (
        str(charge.receipt_url).startswith("https://pay.stripe.com/receipts/"),
        types,
    )


def test_declined_charge_is_a_failed_charge(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """A decline makes a failed charge (charge.failed) named by the error and latest_charge."""
    with pytest.raises(stripe.CardError) as caught:
        pay(client, "pm_card_visa_chargeDeclinedInsufficientFunds")
    intent = client.v1.payment_intents.retrieve(str(caught.value.error.payment_intent.id))  # type: ignore[union-attr]
    charge = client.v1.charges.retrieve(str(intent.latest_charge))
    assert ("failed", "card_declined", "insufficient_funds", "charge.failed") == (
        charge.status,
        charge.failure_code,
        charge.outcome.reason,  # type: ignore[union-attr]
        next(t for t in event_types(fake) if t.startswith("charge.")),
    )


def test_charges_listed_by_customer_and_intent(client: stripe.StripeClient) -> None:
    """GET /v1/charges filters by customer and by payment_intent."""
    customer = client.v1.customers.create()
    mine = pay(client, customer=customer.id)
    pay(client)
    by_customer = client.v1.charges.list(params={"customer": customer.id}).data
    by_intent = client.v1.charges.list(params={"payment_intent": mine.id}).data
    assert ([mine.latest_charge], [mine.latest_charge]) == (
        [c.id for c in by_customer],
        [c.id for c in by_intent],
    )


def test_manual_capture_holds_then_captures(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """capture_method=manual waits in requires_capture; capture settles it and the charge."""
    intent = pay(client, capture_method="manual")
    held = (intent.status, intent.amount_capturable)
    captured = client.v1.payment_intents.capture(intent.id)
    charge = client.v1.charges.retrieve(str(captured.latest_charge))
    assert (("requires_capture", 2000), "succeeded", 2000, True) == (
        held,
        captured.status,
        captured.amount_received,
        charge.captured,
    )


def test_manual_capture_events(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """The hold records amount_capturable_updated; the capture charge.captured and succeeded."""
    fake.webhooks()
    intent = pay(client, capture_method="manual")
    client.v1.payment_intents.capture(intent.id)
    assert [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.amount_capturable_updated",
        "charge.captured",
        "payment_intent.succeeded",
    ] == event_types(fake)


def test_partial_capture_releases_the_rest(client: stripe.StripeClient) -> None:
    """amount_to_capture captures part; the rest is released (amount_refunded)."""
    intent = pay(client, capture_method="manual")
    captured = client.v1.payment_intents.capture(intent.id, params={"amount_to_capture": 1500})
    charge = client.v1.charges.retrieve(str(captured.latest_charge))
    assert (1500, 1500, 500, 0) == (
        captured.amount_received,
        charge.amount_captured,
        charge.amount_refunded,
        captured.amount_capturable,
    )


def test_capture_of_more_than_held_is_refused(client: stripe.StripeClient) -> None:
    """amount_to_capture above the hold is a 400 on amount_to_capture."""
    intent = pay(client, capture_method="manual")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.capture(intent.id, params={"amount_to_capture": 2001})
    assert "amount_to_capture" == caught.value.param


def test_capture_needs_requires_capture(client: stripe.StripeClient) -> None:
    """Capturing a succeeded intent is payment_intent_unexpected_state."""
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.capture(pay(client).id)
    assert "payment_intent_unexpected_state" == caught.value.code


def test_cancel_releases_the_hold(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """Canceling a held intent releases the authorization: the charge is refunded."""
    intent = pay(client, capture_method="manual")
    canceled = client.v1.payment_intents.cancel(intent.id)
    charge = client.v1.charges.retrieve(str(canceled.latest_charge))
    assert ("canceled", 0, True, 2000) == (
        canceled.status,
        canceled.amount_capturable,
        charge.refunded,
        charge.amount_refunded,
    )


def test_full_refund_by_payment_intent(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """A refund by payment_intent takes the whole charge and records its events."""
    intent = pay(client)
    fake.webhooks()
    refund = client.v1.refunds.create(
        params={
            "payment_intent": intent.id,
            "reason": "requested_by_customer",
            "metadata": {"order": "1001"},
        }
    )
    charge = client.v1.charges.retrieve(str(intent.latest_charge))
    assert (
        (2000, "succeeded", "requested_by_customer", {"order": "1001"}),
        (2000, True),
        ["refund.created", "charge.refunded"],
    ) == (
        (refund.amount, refund.status, refund.reason, refund.metadata.to_dict()),
        (charge.amount_refunded, charge.refunded),
        event_types(fake),
    )


def test_partial_refunds_add_up(client: stripe.StripeClient) -> None:
    """Two partial refunds by charge leave the charge refunded when they add up."""
    charge_id = str(pay(client).latest_charge)
    client.v1.refunds.create(params={"charge": charge_id, "amount": 500})
    middle = client.v1.charges.retrieve(charge_id)
    client.v1.refunds.create(params={"charge": charge_id, "amount": 1500})
    end = client.v1.charges.retrieve(charge_id)
    assert ((500, False), (2000, True)) == (
        (middle.amount_refunded, middle.refunded),
        (end.amount_refunded, end.refunded),
    )


def test_over_refund_is_refused_on_amount(client: stripe.StripeClient) -> None:
    """More than is left to refund is a 400 on param amount (no code), as on Stripe."""
    intent = pay(client)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 2001})
    assert ("amount", None) == (caught.value.param, caught.value.code)


def test_second_full_refund_is_charge_already_refunded(client: stripe.StripeClient) -> None:
    """Refunding a refunded charge is charge_already_refunded."""
    intent = pay(client)
    client.v1.refunds.create(params={"payment_intent": intent.id})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create(params={"payment_intent": intent.id})
    assert "charge_already_refunded" == caught.value.code


def test_uncaptured_charge_cannot_be_refunded(client: stripe.StripeClient) -> None:
    """A held authorization is canceled, not refunded."""
    intent = pay(client, capture_method="manual")
    with pytest.raises(stripe.InvalidRequestError, match="cancel"):
        client.v1.refunds.create(params={"payment_intent": intent.id})


def test_refund_retrieve_list_update(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """A refund reads back, lists under its charge, and its metadata updates with events."""
    intent = pay(client)
    refund = client.v1.refunds.create(params={"payment_intent": intent.id, "amount": 300})
    fake.webhooks()
    updated = client.v1.refunds.update(refund.id, params={"metadata": {"note": "late"}})
    listed = client.v1.refunds.list(params={"payment_intent": intent.id}).data
    assert ({"note": "late"}, [refund.id], ["refund.updated", "charge.refund.updated"]) == (
        updated.metadata.to_dict(),
        [r.id for r in listed],
        event_types(fake),
    )


def test_refund_of_refund_fail_card_fails_afterwards(
    fake: FakeStripe, client: stripe.StripeClient
) -> None:
    """pm_card_refundFail: the refund succeeds at first, then reads failed, with events."""
    intent = pay(client, "pm_card_refundFail")
    fake.webhooks()
    refund = client.v1.refunds.create(params={"payment_intent": intent.id})
    later = client.v1.refunds.retrieve(refund.id)
    charge = client.v1.charges.retrieve(str(intent.latest_charge))
    assert ("succeeded", "failed", "expired_or_canceled_card", 0) == (
        refund.status,
        later.status,
        later.failure_reason,
        charge.amount_refunded,
    )
    assert {"refund.failed", "charge.refund.updated"} <= set(event_types(fake))


def test_pending_refund_settles(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """pm_card_pendingRefund: the refund stays pending until fake.settle."""
    intent = pay(client, "pm_card_pendingRefund")
    refund = client.v1.refunds.create(params={"payment_intent": intent.id})
    fake.settle(refund.id)
    assert ("pending", "succeeded") == (refund.status, client.v1.refunds.retrieve(refund.id).status)


def test_dispute_card_opens_a_dispute(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """pm_card_createDispute: the charge succeeds, then charge.dispute.created, disputed."""
    intent = pay(client, "pm_card_createDispute")
    dispute = client.v1.disputes.list(params={"payment_intent": intent.id}).data[0]
    charge = client.v1.charges.retrieve(str(intent.latest_charge))
    assert ("fraudulent", "needs_response", True, True) == (
        dispute.reason,
        dispute.status,
        charge.disputed,
        "charge.dispute.created" in event_types(fake),
    )


def test_dispute_inquiry_card(client: stripe.StripeClient) -> None:
    """pm_card_createDisputeInquiry opens an inquiry (warning_needs_response)."""
    intent = pay(client, "pm_card_createDisputeInquiry")
    dispute = client.v1.disputes.list(params={"payment_intent": intent.id}).data[0]
    assert "warning_needs_response" == dispute.status


def test_customer_deletion(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """DELETE answers the deleted stub; the customer then reads deleted and leaves lists."""
    customer = client.v1.customers.create(params={"email": "gone@example.com"})
    fake.webhooks()
    deleted = client.v1.customers.delete(customer.id)
    after = client.v1.customers.retrieve(customer.id)
    assert ((customer.id, True), True, [], ["customer.deleted"]) == (
        (deleted.id, deleted.deleted),
        after.deleted,
        client.v1.customers.list(params={"email": "gone@example.com"}).data,
        event_types(fake),
    )


def test_deleted_customer_is_resource_missing_for_writes(client: stripe.StripeClient) -> None:
    """Updating, deleting again or charging a deleted customer is resource_missing."""
    customer = client.v1.customers.create()
    client.v1.customers.delete(customer.id)
    codes = []
    for action in (
        lambda: client.v1.customers.update(customer.id, params={"name": "x"}),
        lambda: client.v1.customers.delete(customer.id),
        lambda: pay(client, customer=customer.id),
    ):
        with pytest.raises(stripe.InvalidRequestError) as caught:
            action()
        codes.append(caught.value.code)
    assert ["resource_missing"] * 3 == codes
