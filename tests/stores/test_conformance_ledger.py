"""The Store conformance suite, money side: the charge ledger, refunds and attempts.

Run against every store kind by the ``store`` fixture (``conftest.py``); ``MemoryStore`` is the
reference.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest

from future_payments._models import ChargeState, RefundStatus
from future_payments.stores import Store
from tests.stores._records import charge, filled, refund

# -- charges: claims and reads ---------------------------------------------------------------


# Each insert-if-absent: (claim, first record, a later one for the same key, read back). The
# first record has every field set, client_secret included, so the claims show the round trip.
Claim = tuple[Callable[[Store, Any], Any], Any, Any, Callable[[Store], Any]]
CLAIMS: dict[str, Claim] = {
    "claim_charge": (
        lambda s, r: s.claim_charge(r),
        filled(charge(), state="requires_action", as_of=7, disputed=True, version=3),
        charge(amount=5000, state="succeeded"),
        lambda s: s.get_charge("order-1"),
    ),
    "claim_refund": (
        lambda s, r: s.claim_refund(r),
        filled(refund(), status="failed", as_of=7),
        refund(amount=900, status="succeeded"),
        lambda s: s.get_refund("refund-1"),
    ),
}
claims = pytest.mark.parametrize("claim", list(CLAIMS.values()), ids=list(CLAIMS))


@claims
def test_claim_returns_stored(store: Store, claim: Claim) -> None:
    """The first claim stores and returns the record."""
    do, first, _, _ = claim
    assert first == do(store, first)


@claims
def test_claim_returns_winner(store: Store, claim: Claim) -> None:
    """A second claim of the same key returns the first record, not its own."""
    do, first, later, _ = claim
    do(store, first)
    assert first == do(store, later)


@claims
def test_claimed_record_reads_back(store: Store, claim: Claim) -> None:
    """A claimed record, every field of it, is what a read of its key returns."""
    do, first, later, read = claim
    do(store, first)
    do(store, later)
    assert first == read(store)


@pytest.mark.parametrize("read", ["get_charge", "get_refund"])
def test_unknown_key_reads_nothing(store: Store, read: str) -> None:
    """An unknown idempotency key or refund key has no record."""
    assert getattr(store, read)("never-stored") is None


def test_find_charge_by_payment_intent(store: Store) -> None:
    """A charge is found by its PaymentIntent id."""
    store.claim_charge(charge("order-1"))
    stored = store.update_charge(charge("order-2", payment_intent_id="pi_2", as_of=1))
    assert stored == store.find_charge_by_payment_intent("pi_2")


def test_find_charge_by_payment_intent_unknown(store: Store) -> None:
    """An unknown PaymentIntent id finds no charge."""
    store.claim_charge(charge())
    assert store.find_charge_by_payment_intent("pi_unknown") is None


# -- charges: update_charge ------------------------------------------------------------------


def test_update_charge_inserts_when_absent(store: Store) -> None:
    """Updating an unknown key stores the record as its first change (version 1)."""
    store.update_charge(charge(state="succeeded", payment_intent_id="pi_1", as_of=3))
    expected = charge(state="succeeded", payment_intent_id="pi_1", as_of=3, version=1)
    assert expected == store.get_charge("order-1")


def test_update_charge_newer_applies(store: Store) -> None:
    """A newer state replaces the stored one."""
    store.claim_charge(charge())
    newer = charge(state="processing", payment_intent_id="pi_1", as_of=2)
    assert attrs.evolve(newer, version=1) == store.update_charge(newer)


def test_update_charge_same_second_higher_rank_applies(store: Store) -> None:
    """Within one second a later state of the state machine wins (declined after processing)."""
    store.update_charge(charge(state="processing", payment_intent_id="pi_1", as_of=5))
    declined = charge(state="declined", payment_intent_id="pi_1", code="card_declined", as_of=5)
    expected: ChargeState = "declined"
    assert expected == store.update_charge(declined).state


def test_update_charge_same_second_lower_rank_is_ignored(store: Store) -> None:
    """Within one second an earlier state does not undo a later one."""
    store.update_charge(charge(state="declined", payment_intent_id="pi_1", as_of=5))
    processing = charge(state="processing", payment_intent_id="pi_1", as_of=5)
    expected: ChargeState = "declined"
    assert expected == store.update_charge(processing).state


def test_update_charge_same_second_same_rank_applies(store: Store) -> None:
    """An equal (as_of, rank) applies ("at least the stored one")."""
    store.update_charge(charge(state="requires_action", client_secret="s_1", as_of=5))
    expected = "s_2"
    assert (
        expected
        == store.update_charge(
            charge(state="requires_action", client_secret="s_2", as_of=5)
        ).client_secret
    )


def test_update_charge_later_second_lower_rank_applies(store: Store) -> None:
    """A later second wins whatever its rank (a declined charge retried into processing)."""
    store.update_charge(charge(state="declined", as_of=5))
    expected: ChargeState = "processing"
    assert expected == store.update_charge(charge(state="processing", as_of=6)).state


def test_update_charge_older_is_ignored(store: Store) -> None:
    """An older state leaves the stored one as it is."""
    store.update_charge(charge(state="processing", payment_intent_id="pi_1", as_of=5))
    older = charge(state="declined", payment_intent_id="pi_1", as_of=4)
    expected: ChargeState = "processing"
    assert expected == store.update_charge(older).state


@pytest.mark.parametrize("settled", ["succeeded", "canceled"])
def test_settled_charge_is_final(store: Store, settled: ChargeState) -> None:
    """A succeeded or canceled charge never changes, even with a newer as_of."""
    stored = store.update_charge(charge(state=settled, payment_intent_id="pi_1", as_of=1))
    later = charge(state="declined", payment_intent_id="pi_1", code="card_declined", as_of=9)
    assert stored == store.update_charge(later)


def test_update_charge_keeps_amount_currency_customer_method(store: Store) -> None:
    """Amount, currency, customer and method of a stored charge never change."""
    store.claim_charge(charge())
    changed = charge(
        amount=1,
        currency="eur",
        customer_ref="user-7",
        payment_method_id="pm_9",
        state="processing",
        as_of=2,
    )
    assert charge(state="processing", as_of=2, version=1) == store.update_charge(changed)


def test_update_charge_counts_applied_changes(store: Store) -> None:
    """Each applied update adds 1 to version; an ignored one adds nothing."""
    store.claim_charge(charge())
    store.update_charge(charge(state="requires_action", as_of=2))
    store.update_charge(charge(state="pending", as_of=1))  # older: ignored
    expected = 2
    assert expected == store.update_charge(charge(state="processing", as_of=3)).version


def test_update_charge_can_set_disputed(store: Store) -> None:
    """News that says disputed sets the flag."""
    store.claim_charge(charge())
    assert store.update_charge(charge(state="processing", as_of=2, disputed=True)).disputed


def test_update_charge_never_clears_disputed(store: Store) -> None:
    """Once disputed, later news without the flag keeps it."""
    store.claim_charge(charge())
    store.mark_disputed("order-1")
    assert store.update_charge(charge(state="processing", as_of=2)).disputed


# -- charges: replace_charge -----------------------------------------------------------------


def test_replace_charge_with_current_version_applies(store: Store) -> None:
    """The expected version applies the record, whatever its as_of, and counts the change."""
    store.update_charge(charge(state="requires_action", as_of=9))
    mine = charge(state="processing", payment_intent_id="pi_1", as_of=1)
    assert attrs.evolve(mine, version=2) == store.replace_charge(mine, expected_version=1)


def test_replace_charge_may_lower_the_rank(store: Store) -> None:
    """A replacement ignores the state-machine rank (the library's own newer answer)."""
    store.update_charge(charge(state="declined", as_of=5))
    replaced = store.replace_charge(charge(state="pending", as_of=5), expected_version=1)
    expected: ChargeState | None = "pending"
    assert expected == (replaced.state if replaced else None)


def test_replace_charge_with_stale_version_is_refused(store: Store) -> None:
    """Another version returns None and changes nothing."""
    stored = store.update_charge(charge(state="requires_action", as_of=2))
    outcome = store.replace_charge(charge(state="processing", as_of=3), expected_version=0)
    assert (None, stored) == (outcome, store.get_charge("order-1"))


@pytest.mark.parametrize("settled", ["succeeded", "canceled"])
def test_replace_settled_charge_is_refused(store: Store, settled: ChargeState) -> None:
    """A settled row is never replaced, even at its version."""
    stored = store.update_charge(charge(state=settled, as_of=2))
    outcome = store.replace_charge(charge(state="processing", as_of=3), expected_version=1)
    assert (None, stored) == (outcome, store.get_charge("order-1"))


def test_replace_unknown_charge_is_refused(store: Store) -> None:
    """Replacing an absent row returns None and creates nothing."""
    outcome = store.replace_charge(charge(state="processing"), expected_version=0)
    assert (None, None) == (outcome, store.get_charge("order-1"))


def test_replace_charge_keeps_immutable_fields_and_dispute(store: Store) -> None:
    """Amount, currency, customer, method and a dispute survive a replacement."""
    store.claim_charge(charge())
    store.mark_disputed("order-1")
    changed = charge(
        amount=1, currency="eur", customer_ref="u-7", payment_method_id="pm_9", state="processing"
    )
    replaced = store.replace_charge(changed, expected_version=1)
    assert charge(state="processing", disputed=True, version=2) == replaced


# -- charges: mark_disputed ------------------------------------------------------------------


def test_mark_disputed_sets_the_flag_and_counts(store: Store) -> None:
    """A dispute sets disputed and adds 1 to version."""
    store.claim_charge(charge())
    assert charge(disputed=True, version=1) == store.mark_disputed("order-1")


def test_mark_disputed_twice_counts_once(store: Store) -> None:
    """A second dispute notice changes nothing."""
    store.claim_charge(charge())
    first = store.mark_disputed("order-1")
    assert first == store.mark_disputed("order-1")


def test_mark_disputed_on_a_settled_charge(store: Store) -> None:
    """A succeeded charge can still be disputed."""
    store.update_charge(charge(state="succeeded", as_of=1))
    expected = charge(state="succeeded", as_of=1, disputed=True, version=2)
    assert expected == store.mark_disputed("order-1")


def test_mark_disputed_unknown_charge(store: Store) -> None:
    """Disputing an absent row returns None and creates nothing."""
    assert (None, None) == (store.mark_disputed("order-1"), store.get_charge("order-1"))


# -- refunds ---------------------------------------------------------------------------------


def test_update_refund_inserts_when_absent(store: Store) -> None:
    """News of an unknown refund (made in the Dashboard) stores it."""
    news = refund("re_9", status="succeeded", refund_id="re_9", as_of=3)
    store.update_refund(news)
    assert news == store.get_refund("re_9")


def test_update_refund_newer_applies(store: Store) -> None:
    """A newer status replaces the stored one."""
    store.claim_refund(refund())
    newer = refund(status="pending", refund_id="re_1", as_of=2)
    assert newer == store.update_refund(newer)


def test_update_refund_older_is_ignored(store: Store) -> None:
    """An older status leaves the stored one as it is."""
    stored = store.update_refund(refund(status="succeeded", refund_id="re_1", as_of=5))
    assert stored == store.update_refund(refund(status="pending", refund_id="re_1", as_of=4))


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("pending", "succeeded", "succeeded"),
        ("succeeded", "pending", "succeeded"),
        ("succeeded", "failed", "failed"),
        ("claimed", "requires_action", "requires_action"),
    ],
)
def test_update_refund_same_second_follows_the_state_machine(
    store: Store, first: RefundStatus, second: RefundStatus, expected: RefundStatus
) -> None:
    """Within one second the later status of the refund state machine wins."""
    store.update_refund(refund(status=first, as_of=5))
    assert expected == store.update_refund(refund(status=second, as_of=5)).status


def test_canceled_refund_is_final(store: Store) -> None:
    """A canceled refund never changes again."""
    stored = store.update_refund(refund(status="canceled", refund_id="re_1", as_of=1))
    assert stored == store.update_refund(refund(status="succeeded", refund_id="re_1", as_of=9))


def test_update_refund_keeps_charge_amount_currency(store: Store) -> None:
    """A refund's charge, amount and currency never change."""
    store.claim_refund(refund())
    moved = refund(idempotency_key="order-9", amount=1, currency="eur", status="pending", as_of=1)
    assert refund(status="pending", as_of=1) == store.update_refund(moved)


def test_update_refund_keeps_known_ids(store: Store) -> None:
    """A known refund_id and payment_intent_id are never replaced by None."""
    store.update_refund(refund(status="pending", refund_id="re_1", payment_intent_id="pi_1"))
    later = store.update_refund(refund(status="succeeded", as_of=2))
    assert ("re_1", "pi_1") == (later.refund_id, later.payment_intent_id)


def test_find_refund_by_stripe_id(store: Store) -> None:
    """A refund is found by its Stripe id."""
    store.claim_refund(refund("refund-1"))
    stored = store.update_refund(refund("refund-2", refund_id="re_2", status="pending"))
    assert stored == store.find_refund("re_2")


def test_find_refund_unknown(store: Store) -> None:
    """An unknown Stripe refund id finds nothing."""
    store.claim_refund(refund(refund_id="re_1"))
    assert store.find_refund("re_2") is None


def test_find_refund_prefers_the_first_stored(store: Store) -> None:
    """When two refunds carry one Stripe id, the first stored is found."""
    store.claim_refund(refund("refund-b", refund_id="re_1"))
    store.claim_refund(refund("refund-a", refund_id="re_1"))
    found = store.find_refund("re_1")
    assert "refund-b" == (found.refund_key if found else None)


def test_list_refunds_in_first_stored_order(store: Store) -> None:
    """A charge's refunds list in the order they were first stored, not by key or as_of."""
    store.claim_refund(refund("refund-c", as_of=9))
    store.update_refund(refund("refund-a", status="pending", as_of=1))
    store.claim_refund(refund("refund-b", as_of=5))
    store.update_refund(refund("refund-c", status="succeeded", as_of=10))
    expected = ["refund-c", "refund-a", "refund-b"]
    assert expected == [r.refund_key for r in store.list_refunds("order-1")]


def test_list_refunds_of_that_charge_only(store: Store) -> None:
    """Another charge's refunds are not listed."""
    store.claim_refund(refund("refund-1"))
    store.claim_refund(refund("refund-2", idempotency_key="order-2"))
    expected = [refund("refund-1")]
    assert expected == list(store.list_refunds("order-1"))


def test_list_refunds_unknown_charge(store: Store) -> None:
    """A charge without refunds lists nothing."""
    assert [] == list(store.list_refunds("order-1"))


# -- attempts --------------------------------------------------------------------------------


def test_begin_attempt_starts_at_one(store: Store) -> None:
    """The first attempt is number 1, started now, neither uncertain nor done."""
    attempt = store.begin_attempt("charge", "order-1", now=100)
    expected = (1, 100, False, False)
    assert expected == (attempt.number, attempt.started_at, attempt.uncertain, attempt.done)


def test_begin_attempt_returns_the_stored_one(store: Store) -> None:
    """A second begin returns the stored attempt, not a new one."""
    first = store.begin_attempt("charge", "order-1", now=100)
    assert first == store.begin_attempt("charge", "order-1", now=200)


def test_begin_attempt_after_next_returns_current(store: Store) -> None:
    """Beginning again after a move on returns the current attempt."""
    store.begin_attempt("charge", "order-1", now=100)
    current = store.next_attempt("charge", "order-1", after=1, now=200)
    assert current == store.begin_attempt("charge", "order-1", now=300)


def test_next_attempt_moves_on(store: Store) -> None:
    """Moving on from the stored number gives the next one, started now and cleared."""
    store.begin_attempt("setup", "user-1", now=100)
    store.mark_uncertain("setup", "user-1", number=1)
    store.finish_attempt("setup", "user-1", number=1)
    attempt = store.next_attempt("setup", "user-1", after=1, now=200)
    expected = (2, 200, False, False)
    assert expected == (attempt.number, attempt.started_at, attempt.uncertain, attempt.done)


def test_next_attempt_from_a_stale_number_changes_nothing(store: Store) -> None:
    """A caller that saw an older attempt gets the current one back, unchanged."""
    store.begin_attempt("charge", "order-1", now=100)
    current = store.next_attempt("charge", "order-1", after=1, now=200)
    assert current == store.next_attempt("charge", "order-1", after=1, now=300)


def test_next_attempt_when_absent_inserts(store: Store) -> None:
    """Moving on from an attempt that was never stored inserts the next one."""
    store.next_attempt("refund", "refund-1", after=3, now=50)
    attempt = store.begin_attempt("refund", "refund-1", now=99)
    assert (4, 50) == (attempt.number, attempt.started_at)


def test_attempts_are_per_kind(store: Store) -> None:
    """One key under two kinds is two attempts."""
    store.begin_attempt("customer", "user-1", now=1)
    store.next_attempt("customer", "user-1", after=1, now=2)
    expected = 1
    assert expected == store.begin_attempt("setup", "user-1", now=3).number


@pytest.mark.parametrize("flag", ["uncertain", "done"])
def test_flag_the_current_attempt(store: Store, flag: str) -> None:
    """mark_uncertain and finish_attempt flag the attempt of that number."""
    store.begin_attempt("charge", "order-1", now=1)
    mark = store.mark_uncertain if flag == "uncertain" else store.finish_attempt
    mark("charge", "order-1", number=1)
    assert getattr(store.begin_attempt("charge", "order-1", now=2), flag)


@pytest.mark.parametrize("flag", ["uncertain", "done"])
def test_flag_of_another_number_is_ignored(store: Store, flag: str) -> None:
    """Flagging an attempt that is no longer current changes nothing."""
    store.begin_attempt("charge", "order-1", now=1)
    current = store.next_attempt("charge", "order-1", after=1, now=2)
    mark = store.mark_uncertain if flag == "uncertain" else store.finish_attempt
    mark("charge", "order-1", number=1)
    assert current == store.begin_attempt("charge", "order-1", now=3)


@pytest.mark.parametrize("flag", ["uncertain", "done"])
def test_flag_of_unknown_attempt_creates_nothing(store: Store, flag: str) -> None:
    """Flagging an attempt that was never begun stores nothing."""
    mark = store.mark_uncertain if flag == "uncertain" else store.finish_attempt
    mark("charge", "order-1", number=1)
    attempt = store.begin_attempt("charge", "order-1", now=5)
    assert (1, 5, False, False) == (
        attempt.number,
        attempt.started_at,
        attempt.uncertain,
        attempt.done,
    )
