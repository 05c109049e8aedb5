"""After the charge on every store, PostgreSQL and MariaDB included: the same answers and events."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from future_payments import AuthenticationStarted, Charged, FuturePayments, RefundOutcomeUnknown
from future_payments.stores import Store
from future_payments.testing import FakeStripe, charged, needs_authentication
from tests.facade.test_after_events import FLOWS, KEY, _flow, _refund_state
from tests.stores.conftest import SHARED_KINDS, STORE_KINDS

KINDS = ["memory", *SHARED_KINDS]


@pytest.fixture(params=KINDS)
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each blocking store kind (the database ones fail in CI when unreachable)."""
    yield from STORE_KINDS[request.param](tmp_path)


def _payments(fake: FakeStripe, store: Store) -> FuturePayments:
    return FuturePayments(
        client=fake.client(), store=store, webhook_secret=fake.webhook_secret, now=fake.clock.now
    )


@pytest.mark.parametrize("name", list(FLOWS))
def test_events_backwards_and_twice_converge(any_store: Store, name: str) -> None:
    """A flow's events, newest first and each twice, bring the store where Stripe ended."""
    flow = _flow(name)
    any_store.claim_charge(flow.row)
    payments = _payments(flow.fake, any_store)

    for delivery in [*reversed(flow.deliveries), *flow.deliveries]:
        payments.complete_from_event(delivery.body, delivery.signature)

    charge = any_store.get_charge(KEY)
    assert (flow.state, flow.refunds) == (charge.state if charge else None, _refund_state(payments))


def test_recovery_and_refunds(any_store: Store) -> None:
    """Recovered after a failed challenge, then refunded in two parts, one lost answer included."""
    fake = FakeStripe()
    payments = _payments(fake, any_store)
    needs_authentication(payments, fake, "user-42", idempotency_key=KEY)
    for succeed in (False, True):
        started = payments.start_authentication(KEY, return_url="https://shop.example/back")
        assert isinstance(started, AuthenticationStarted)
        fake.authenticate(started.url, succeed=succeed)
        payments.complete_authentication(KEY)
    fake.fail_next("connection_after", path="/v1/refunds")
    with pytest.raises(RefundOutcomeUnknown):
        payments.refund(KEY, refund_key="r1", amount=500)

    amounts = [payments.refund(KEY, refund_key=k).amount for k in ("r1", "r2")]

    assert isinstance(payments.charge_saved("user-42", 1999, "usd", idempotency_key=KEY), Charged)
    assert ([500, 1499], 2) == (amounts, len(fake.objects("refund")))


def test_dispute_is_kept(any_store: Store) -> None:
    """charge.dispute.created marks the row disputed on every store, and it stays so."""
    fake = FakeStripe()
    payments = _payments(fake, any_store)
    charged(payments, fake, "user-42", idempotency_key=KEY, card="4000000000000259")

    for delivery in fake.webhooks():
        payments.complete_from_event(delivery.body, delivery.signature)
    payments.refund(KEY, refund_key="r1", amount=100)

    charge = any_store.get_charge(KEY)
    assert charge is not None
    assert (True, "succeeded") == (charge.disputed, charge.state)
