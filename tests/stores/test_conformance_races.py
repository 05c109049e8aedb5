"""The Store conformance suite, races: threads hitting one key at once get one winner.

Every store kind, eight threads released together by a barrier; the assertions are about
outcomes (one winner, seen by all; each change counted once), never about timing.
"""

from __future__ import annotations

import attrs

from future_payments._models import ChargeState
from future_payments.stores import Store
from tests.stores._records import charge, race, refund

THREADS = 8


def test_racing_refund_claims_share_one_winner(store: Store) -> None:
    """Eight claims of one refund_key with different amounts: one stored, all handed it."""
    results = race(THREADS, lambda w: store.claim_refund(refund(amount=100 + w)))
    assert ([results[0]] * THREADS, [results[0]]) == (results, list(store.list_refunds("order-1")))


def test_racing_begin_attempts_share_one_winner(store: Store) -> None:
    """Eight begins of one attempt: every caller gets the same attempt 1."""
    results = race(THREADS, lambda w: store.begin_attempt("charge", "order-1", now=w))
    assert [results[0]] * THREADS == results


def test_racing_next_attempts_move_on_once(store: Store) -> None:
    """Eight moves on from attempt 1: one attempt 2 (one winner's start), seen by all."""
    store.begin_attempt("charge", "order-1", now=0)
    results = race(THREADS, lambda w: store.next_attempt("charge", "order-1", after=1, now=10 + w))
    assert ([2] * THREADS, 1) == ([r.number for r in results], len(set(results)))


def test_racing_attempt_chains_never_skip(store: Store) -> None:
    """Threads each moving on from what they last saw never skip or repeat a number."""

    def climb(worker: int) -> list[int]:
        seen = []
        current = store.begin_attempt("setup", "user-1", now=worker)
        for _ in range(5):
            current = store.next_attempt("setup", "user-1", after=current.number, now=worker)
            seen.append(current.number)
        return seen

    results = race(THREADS, climb)
    final = store.begin_attempt("setup", "user-1", now=99).number
    rising = all(seen == sorted(set(seen)) for seen in results)  # strictly, in every thread
    seen_anywhere = {n for seen in results for n in seen}
    real = seen_anywhere <= set(range(2, final + 1)) and final in seen_anywhere
    assert (True, True) == (rising, real)


def test_racing_replacements_apply_once(store: Store) -> None:
    """Eight replacements at one version: exactly one applies, and its record is stored."""
    store.claim_charge(charge())

    def replace(worker: int) -> object:
        mine = charge(state="processing", message=f"w{worker}")
        return store.replace_charge(mine, expected_version=0)

    results = race(THREADS, replace)
    winners = [r for r in results if r is not None]
    assert ([1], winners[:1]) == ([len(winners)], [store.get_charge("order-1")])


def test_racing_updates_keep_the_latest_state(store: Store) -> None:
    """Same-second news of every state at once: the state machine's last state wins."""
    states: list[ChargeState] = ["pending", "requires_action", "processing", "declined"]
    store.claim_charge(charge())
    race(THREADS, lambda w: store.update_charge(charge(state=states[w % 4], as_of=5)))
    stored = store.get_charge("order-1")
    assert "declined" == (stored.state if stored else None)


def test_racing_disputes_count_once(store: Store) -> None:
    """Eight dispute notices at once add exactly one to the version."""
    store.claim_charge(charge())
    race(THREADS, lambda w: store.mark_disputed("order-1"))
    assert attrs.evolve(charge(), disputed=True, version=1) == store.get_charge("order-1")
