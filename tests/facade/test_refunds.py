"""refund and refunds: exactly once per refund_key, partial refunds adding up, events converging."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from future_payments import (
    Charged,
    FuturePayments,
    IdempotencyConflict,
    InvalidInput,
    MemoryStore,
    Refunded,
    RefundOutcomeUnknown,
)
from future_payments.errors import (
    ChargeNotRefundable,
    RefundExceedsCharge,
    StripeRequestRejected,
    UnknownCharge,
)
from future_payments.testing import FakeStripe, charged, needs_authentication

KEY = "order-1"
PENDING_REFUND_CARD = "4000000000007726"
FAILING_REFUND_CARD = "4000000000005126"
DISPUTED_CARD = "4000000000000259"
INQUIRY_CARD = "4000000000001976"


def _charged(payments: FuturePayments, fake: FakeStripe, card: str | None = None) -> Charged:
    return charged(payments, fake, "user-42", idempotency_key=KEY, card=card)


def _at_stripe(fake: FakeStripe, result: Charged) -> list[dict[str, Any]]:
    """The Stripe refunds of the charge, oldest first (read from the fake, not a request)."""
    [charge] = [c for c in fake.charges_of(result.payment_intent_id) if c["status"] == "succeeded"]
    return list(reversed(fake.refunds_of(charge["id"])))


def _count(fake: FakeStripe, since: int, method: str | None = None, path: str = "") -> int:
    return sum(
        (method is None or r.method == method) and r.path.startswith(path)
        for r in fake.requests[since:]
    )


def _deliver_all(payments: FuturePayments, fake: FakeStripe) -> list[str]:
    return [payments.complete_from_event(d.body, d.signature).action for d in fake.webhooks()]


def test_full_refund_is_one_request(payments: FuturePayments, fake: FakeStripe) -> None:
    """amount=None refunds the whole charge with one POST /v1/refunds."""
    result = _charged(payments, fake)
    before = len(fake.requests)

    refunded = payments.refund(KEY, refund_key="refund-1")

    assert (1, 1) == (_count(fake, before), _count(fake, before, "POST", "/v1/refunds"))
    [made] = _at_stripe(fake, result)
    assert (
        Refunded(made["id"], result.payment_intent_id, 1999, "usd", "succeeded", "refund-1")
        == refunded
    )


def test_refund_carries_its_keys_and_reason(payments: FuturePayments, fake: FakeStripe) -> None:
    """The Refund names the PaymentIntent, the amount, the reason and both keys in metadata."""
    result = _charged(payments, fake)

    payments.refund(
        KEY, refund_key="refund-1", amount=500, reason="requested_by_customer", metadata={"a": "b"}
    )

    sent = fake.requests[-1]
    assert (result.payment_intent_id, "500", "requested_by_customer") == (
        sent.params["payment_intent"],
        str(sent.params["amount"]),
        sent.params["reason"],
    )
    assert {
        "a": "b",
        "future_payments_refund_key": "refund-1",
        "future_payments_idempotency_key": KEY,
    } == sent.params["metadata"]
    assert sent.idempotency_key is not None
    assert "refund-1" in sent.idempotency_key


def test_partial_refunds_add_up(payments: FuturePayments, fake: FakeStripe) -> None:
    """500 then 700, then the rest (799): three refunds, nothing left."""
    result = _charged(payments, fake)

    amounts = [
        payments.refund(KEY, refund_key="r1", amount=500).amount,
        payments.refund(KEY, refund_key="r2", amount=700).amount,
        payments.refund(KEY, refund_key="r3").amount,
    ]

    assert [500, 700, 799] == amounts
    assert amounts == [r["amount"] for r in _at_stripe(fake, result)]
    assert amounts == [r.amount for r in payments.refunds(KEY)]


def test_over_refund_is_refused_before_any_request(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """More than what is left: RefundExceedsCharge with what is refundable, nothing sent."""
    _charged(payments, fake)
    payments.refund(KEY, refund_key="r1", amount=1500)
    before = len(fake.requests)

    with pytest.raises(RefundExceedsCharge, match="499") as raised:
        payments.refund(KEY, refund_key="r2", amount=500)

    assert (499, "amount", 0) == (
        raised.value.refundable,
        raised.value.param,
        _count(fake, before),
    )


def test_nothing_left_to_refund(payments: FuturePayments, fake: FakeStripe) -> None:
    """After a full refund another one is refused before any request."""
    _charged(payments, fake)
    payments.refund(KEY, refund_key="r1")
    before = len(fake.requests)

    with pytest.raises(RefundExceedsCharge, match="nothing") as raised:
        payments.refund(KEY, refund_key="r2")

    assert (0, 0) == (raised.value.refundable, _count(fake, before))


def test_repeat_returns_the_recorded_refund(payments: FuturePayments, fake: FakeStripe) -> None:
    """The same refund_key again: the same Refunded, no request, one refund at Stripe."""
    result = _charged(payments, fake)
    first = payments.refund(KEY, refund_key="r1", amount=500)
    before = len(fake.requests)

    again = [
        payments.refund(KEY, refund_key="r1", amount=500),
        payments.refund(KEY, refund_key="r1"),
    ]

    assert ([first, first], 0) == (again, _count(fake, before))
    assert 1 == len(_at_stripe(fake, result))


@pytest.mark.parametrize(
    ("kwargs", "what"),
    [({"amount": 600}, "amount"), ({"amount": 500, "reason": "duplicate"}, "reason")],
    ids=["amount", "reason"],
)
def test_reused_refund_key_conflicts(
    payments: FuturePayments, fake: FakeStripe, kwargs: dict[str, Any], what: str
) -> None:
    """The same refund_key with another amount or reason: IdempotencyConflict, nothing sent."""
    _charged(payments, fake)
    payments.refund(KEY, refund_key="r1", amount=500)
    before = len(fake.requests)

    with pytest.raises(IdempotencyConflict, match=what):
        payments.refund(KEY, refund_key="r1", **kwargs)

    assert 0 == _count(fake, before)


def test_refund_key_of_another_charge_conflicts(payments: FuturePayments, fake: FakeStripe) -> None:
    """A refund_key already used for another charge's refund: IdempotencyConflict."""
    _charged(payments, fake)
    charged(payments, fake, "user-7", idempotency_key="order-2")
    payments.refund(KEY, refund_key="r1", amount=500)

    with pytest.raises(IdempotencyConflict, match="idempotency_key"):
        payments.refund("order-2", refund_key="r1", amount=500)


def test_lost_answer_is_reconciled_never_doubled(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """The refund's answer is lost: RefundOutcomeUnknown; the retry returns the one refund."""
    result = _charged(payments, fake)
    fake.fail_next("connection_after", path="/v1/refunds")

    with pytest.raises(RefundOutcomeUnknown, match="same refund_key") as raised:
        payments.refund(KEY, refund_key="r1", amount=500)
    retried = payments.refund(KEY, refund_key="r1", amount=500)

    [made] = _at_stripe(fake, result)
    assert ("r1", made["id"], 500) == (raised.value.refund_key, retried.refund_id, made["amount"])
    assert [retried] == payments.refunds(KEY)


def test_lost_answer_keeps_its_amount_claimed(payments: FuturePayments, fake: FakeStripe) -> None:
    """Until it is reconciled, a lost refund still counts against what is left to refund."""
    _charged(payments, fake)
    fake.fail_next("connection_after", path="/v1/refunds")
    with pytest.raises(RefundOutcomeUnknown):
        payments.refund(KEY, refund_key="r1")

    with pytest.raises(RefundExceedsCharge):
        payments.refund(KEY, refund_key="r2", amount=1)


def _retried_after(
    payments: FuturePayments, fake: FakeStripe, fault: str, *, wait: float = 0
) -> tuple[list[tuple[str, str]], list[str]]:
    """A refund hit by ``fault``, retried ``wait`` seconds later: the retry's requests, and the
    refunds at Stripe less the one the retry returned (so ``[]`` means exactly one)."""
    result = _charged(payments, fake)
    fake.fail_next(fault, path="/v1/refunds")  # type: ignore[arg-type]
    with pytest.raises(RefundOutcomeUnknown):
        payments.refund(KEY, refund_key="r1", amount=500)
    fake.clock.advance(wait)
    before = len(fake.requests)

    retried = payments.refund(KEY, refund_key="r1", amount=500)

    sent = [(r.method, r.path) for r in fake.requests[before:]]
    return sent, [r["id"] for r in _at_stripe(fake, result) if r["id"] != retried.refund_id]


def test_replayed_server_error_is_reconciled(payments: FuturePayments, fake: FakeStripe) -> None:
    """A 500 (which Stripe replays for the key): the retry lists, finds none, sends anew, once."""
    sent, others = _retried_after(payments, fake, "server_error")

    assert ([("GET", "/v1/refunds"), ("POST", "/v1/refunds")], []) == (sent, others)


def test_retry_after_a_day_lists_instead_of_resending(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """A lost refund retried past Stripe's 24 hours is found by a list, not sent again."""
    sent, others = _retried_after(payments, fake, "connection_after", wait=25 * 60 * 60)

    assert ([("GET", "/v1/refunds")], []) == (sent, others)


def test_only_a_charged_charge_is_refundable(payments: FuturePayments, fake: FakeStripe) -> None:
    """A charge awaiting authentication: ChargeNotRefundable, nothing sent."""
    needs_authentication(payments, fake, "user-42", idempotency_key=KEY)
    before = len(fake.requests)

    with pytest.raises(ChargeNotRefundable, match="requires_action") as raised:
        payments.refund(KEY, refund_key="r1")

    assert ("requires_action", 0) == (raised.value.state, _count(fake, before))


@pytest.mark.parametrize("operation", ["refund", "refunds"])
def test_unknown_key_is_an_error(
    payments: FuturePayments, fake: FakeStripe, operation: str
) -> None:
    """A key no charge was recorded under: UnknownCharge, no request."""
    calls = {
        "refund": lambda: payments.refund("nope", refund_key="r1"),
        "refunds": lambda: payments.refunds("nope"),
    }
    before = len(fake.requests)

    with pytest.raises(UnknownCharge, match="'nope'"):
        calls[operation]()

    assert 0 == _count(fake, before)


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -5}, "amount"),
        ({"amount": "500"}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": 100_000_000}, "amount"),
        ({"reason": "changed_my_mind"}, "reason"),
        ({"metadata": {"future_payments_refund_key": "x"}}, "metadata"),
        ({"refund_key": ""}, "refund_key"),
        ({"refund_key": "r\n1"}, "refund_key"),
    ],
    ids=[
        "zero",
        "negative",
        "str",
        "bool",
        "too-large",
        "reason",
        "reserved-metadata",
        "empty-key",
        "control-key",
    ],
)
def test_bad_arguments_are_refused_before_any_request(
    payments: FuturePayments, fake: FakeStripe, kwargs: dict[str, Any], param: str
) -> None:
    """A bad amount, reason, metadata or refund_key: InvalidInput naming it, nothing sent."""
    _charged(payments, fake)
    arguments = {"refund_key": "r1", **kwargs}
    before = len(fake.requests)

    with pytest.raises(InvalidInput) as raised:
        payments.refund(KEY, **arguments)

    assert (param, 0) == (raised.value.param, _count(fake, before))


def test_refunds_makes_no_request(payments: FuturePayments, fake: FakeStripe) -> None:
    """refunds() reads the store: no request, oldest first."""
    _charged(payments, fake)
    made = [payments.refund(KEY, refund_key=f"r{i}", amount=100 * i) for i in (1, 2)]
    before = len(fake.requests)

    assert (made, 0) == (payments.refunds(KEY), _count(fake, before))


def test_pending_refund_settles_by_webhook(payments: FuturePayments, fake: FakeStripe) -> None:
    """4000000000007726: the refund is pending; refund.updated makes it succeeded."""
    _charged(payments, fake, PENDING_REFUND_CARD)
    pending = payments.refund(KEY, refund_key="r1")
    fake.settle(pending.refund_id)

    _deliver_all(payments, fake)

    assert ("pending", ["succeeded"]) == (
        pending.status,
        [r.status for r in payments.refunds(KEY)],
    )


def test_failed_refund_releases_its_amount(payments: FuturePayments, fake: FakeStripe) -> None:
    """4000000000005126: refund.failed marks it failed, and the amount can be refunded again."""
    _charged(payments, fake, FAILING_REFUND_CARD)
    payments.refund(KEY, refund_key="r1")

    _deliver_all(payments, fake)
    [failed] = payments.refunds(KEY)
    again = payments.refund(KEY, refund_key="r2", amount=1999)

    assert ("failed", "expired_or_canceled_card") == (failed.status, failed.failure_reason)
    assert 1999 == again.amount


def test_dashboard_refund_is_learnt_from_webhooks(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """A refund made elsewhere is filed under its Stripe id and counts against the rest."""
    result = _charged(payments, fake)
    made = fake.client().v1.refunds.create(
        params={"payment_intent": result.payment_intent_id, "amount": 1000}
    )

    _deliver_all(payments, fake)

    assert [(made.id, made.id, 1000)] == [
        (r.refund_id, r.refund_key, r.amount) for r in payments.refunds(KEY)
    ]
    with pytest.raises(RefundExceedsCharge, match="999"):
        payments.refund(KEY, refund_key="r1", amount=1000)


def test_charge_refunded_alone_lists_the_refunds(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """Only charge.refunded delivered (no refund.* events): one list makes the ledger whole."""
    result = _charged(payments, fake)
    made = fake.client().v1.refunds.create(params={"payment_intent": result.payment_intent_id})
    [refunded] = [d for d in fake.webhooks() if d.type == "charge.refunded"]
    before = len(fake.requests)

    outcome = payments.complete_from_event(refunded.body, refunded.signature)

    assert ("updated", 1) == (outcome.action, _count(fake, before, "GET", "/v1/refunds"))
    assert [made.id] == [r.refund_id for r in payments.refunds(KEY)]


def test_charge_refunded_already_known_makes_no_request(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """charge.refunded for refunds the store already has: ignored, no request."""
    _charged(payments, fake)
    payments.refund(KEY, refund_key="r1", amount=500)
    before = len(fake.requests)

    actions = _deliver_all(payments, fake)

    assert 0 == _count(fake, before)
    assert "updated" not in actions


def test_refused_refund_ends_its_key(payments: FuturePayments, fake: FakeStripe) -> None:
    """Stripe refuses (refunded elsewhere, not yet known): the key's repeat raises, no request."""
    result = _charged(payments, fake)
    fake.client().v1.refunds.create(params={"payment_intent": result.payment_intent_id})
    with pytest.raises(StripeRequestRejected) as first:
        payments.refund(KEY, refund_key="r1")
    before = len(fake.requests)

    with pytest.raises(StripeRequestRejected, match="new refund_key") as again:
        payments.refund(KEY, refund_key="r1")

    assert (first.value.code, 0) == (again.value.code, _count(fake, before))
    assert [] == payments.refunds(KEY)


def test_dispute_marks_the_charge(payments: FuturePayments, fake: FakeStripe) -> None:
    """4000000000000259 draws a dispute: charge.dispute.created marks the ledger row disputed."""
    _charged(payments, fake, DISPUTED_CARD)
    disputes = [d for d in fake.webhooks() if d.type == "charge.dispute.created"]

    actions = [payments.complete_from_event(d.body, d.signature).action for d in disputes * 2]

    stored = payments.store.get_charge(KEY)
    assert (["updated", "duplicate"], True) == (actions, stored.disputed if stored else None)


def test_refund_of_a_disputed_charge_is_left_to_stripe(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """A disputed charge is not refused here: Stripe decides (an inquiry stays refundable)."""
    _charged(payments, fake, INQUIRY_CARD)
    _deliver_all(payments, fake)
    stored = payments.store.get_charge(KEY)
    assert stored is not None
    assert stored.disputed

    refunded = payments.refund(KEY, refund_key="r1")

    assert (1999, "succeeded") == (refunded.amount, refunded.status)


def _race(calls: list[Callable[[], Refunded]]) -> list[Refunded | Exception]:
    """Run the calls at once, one thread each; their results or errors, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Refunded | Exception | None] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = calls[index]()
        except Exception as exc:  # the test reads every outcome
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [o for o in outcomes if o is not None]


def test_racing_full_refunds_refund_once(payments: FuturePayments, fake: FakeStripe) -> None:
    """Four full refunds under four keys at once: one refund at Stripe, the others refused."""
    result = _charged(payments, fake)

    outcomes = _race([lambda k=k: payments.refund(KEY, refund_key=k) for k in "abcd"])

    made = [o for o in outcomes if isinstance(o, Refunded)]
    refused = [o for o in outcomes if isinstance(o, RefundExceedsCharge | StripeRequestRejected)]
    assert (1, 3) == (len(made), len(refused))
    assert [made[0].refund_id] == [r["id"] for r in _at_stripe(fake, result)]
    assert [made[0]] == payments.refunds(KEY)


def test_racing_one_refund_key_refunds_once(payments: FuturePayments, fake: FakeStripe) -> None:
    """One refund key sent by four threads at once: one refund at Stripe, whatever each saw."""
    result = _charged(payments, fake)

    outcomes = _race([lambda: payments.refund(KEY, refund_key="r1", amount=500)] * 4)
    settled = payments.refund(KEY, refund_key="r1", amount=500)

    assert all(o == settled or isinstance(o, RefundOutcomeUnknown) for o in outcomes), outcomes
    assert [settled.refund_id] == [r["id"] for r in _at_stripe(fake, result)]


def test_refund_events_win_over_a_clock_that_runs_ahead(fake: FakeStripe) -> None:
    """The app's clock 10 s ahead of Stripe's: the refund.updated after the answer still applies."""
    payments = FuturePayments(
        client=fake.client(),
        store=MemoryStore(),
        webhook_secret=fake.webhook_secret,
        now=lambda: fake.clock.now() + 10,
    )
    _charged(payments, fake, PENDING_REFUND_CARD)
    pending = payments.refund(KEY, refund_key="r1")
    fake.clock.advance(2)
    fake.settle(pending.refund_id)

    _deliver_all(payments, fake)

    assert ["succeeded"] == [r.status for r in payments.refunds(KEY)]


def test_lost_answer_settled_by_webhook_needs_no_request(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """A lost answer, then refund.created: the claim is filled in; the retry makes no request."""
    result = _charged(payments, fake)
    fake.fail_next("connection_after", path="/v1/refunds")
    with pytest.raises(RefundOutcomeUnknown):
        payments.refund(KEY, refund_key="r1", amount=500)
    _deliver_all(payments, fake)
    before = len(fake.requests)

    retried = payments.refund(KEY, refund_key="r1", amount=500)

    [made] = _at_stripe(fake, result)
    assert (made["id"], 0) == (retried.refund_id, _count(fake, before))
    assert [retried] == payments.refunds(KEY)
