"""The Store conformance suite, by property: random ledger sequences answer as MemoryStore does.

Hypothesis draws sequences of charge, refund and attempt calls over a few keys (among them
twins that differ by a trailing space or by case) with colliding timestamps, and runs each
call on ``MemoryStore`` and on the store under test; every answer must be equal. It finds the
orderings that hand-written examples miss: a same-second tie after a replacement, a dispute
on a settled row, a refund that fails after succeeding, an attempt flagged after moving on.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from future_payments._models import AttemptKind, ChargeState, RefundStatus
from future_payments.stores import MemoryStore, Store
from tests.stores._records import charge, refund

_namespaces = itertools.count()
_KEYS = ["k", "k ", "K"]  # twins: every store must keep them apart
_CHARGE_STATES: list[ChargeState] = [
    "pending",
    "requires_action",
    "processing",
    "declined",
    "succeeded",
    "canceled",
]
_REFUND_STATUSES: list[RefundStatus] = [
    "claimed",
    "pending",
    "requires_action",
    "succeeded",
    "failed",
    "canceled",
]
_KINDS: list[AttemptKind] = ["charge", "refund"]

_CALLS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "claim_charge",
                "update_charge",
                "replace_charge",
                "mark_disputed",
                "claim_refund",
                "update_refund",
                "find_refund",
                "begin_attempt",
                "next_attempt",
                "mark_uncertain",
                "finish_attempt",
            ]
        ),
        st.integers(0, len(_KEYS) - 1),  # which key
        st.integers(0, 5),  # which state or status; the attempt number for attempt calls
        st.integers(0, 3),  # as_of (few values: many same-second ties) or expected version
        st.booleans(),  # disputed, or a Stripe id known, or the attempt kind
    ),
    max_size=30,
)


def _call(store: Store, space: str, call: tuple[str, int, int, int, bool]) -> Any:
    """Run one drawn call on ``store``, its keys in namespace ``space``; its answer."""
    name, k, which, n, flag = call
    key = f"{space}-{_KEYS[k]}"
    state, status = _CHARGE_STATES[which], _REFUND_STATUSES[which]
    kind = _KINDS[int(flag)]
    if name == "claim_charge":
        return store.claim_charge(charge(key, state=state, as_of=n, disputed=flag))
    if name == "update_charge":
        news = charge(key, state=state, payment_intent_id=f"pi_{k}", as_of=n, disputed=flag)
        return store.update_charge(news)
    if name == "replace_charge":
        return store.replace_charge(charge(key, state=state, as_of=n), expected_version=n)
    if name == "mark_disputed":
        return store.mark_disputed(key)
    refund_id = f"{space}-re_{which % 2}" if flag else None
    if name == "claim_refund":
        return store.claim_refund(refund(key, idempotency_key=space, refund_id=refund_id))
    if name == "update_refund":
        news = refund(key, idempotency_key=space, status=status, refund_id=refund_id, as_of=n)
        return store.update_refund(news)
    if name == "find_refund":
        return store.find_refund(f"{space}-re_{which % 2}")
    if name == "begin_attempt":
        return store.begin_attempt(kind, key, now=n)
    if name == "next_attempt":
        return store.next_attempt(kind, key, after=which % 3 + 1, now=n)
    if name == "mark_uncertain":
        return store.mark_uncertain(kind, key, number=which % 3 + 1)
    return store.finish_attempt(kind, key, number=which % 3 + 1)


def _state(store: Store, space: str) -> tuple[Sequence[object], ...]:
    """Everything the calls may have stored in ``space``, read back."""
    keys = [f"{space}-{k}" for k in _KEYS]
    return (
        [store.get_charge(k) for k in keys],
        [store.get_refund(k) for k in keys],
        list(store.list_refunds(space)),
        [store.begin_attempt(kind, k, now=99) for kind in _KINDS for k in keys],
    )


@settings(
    max_examples=30,
    deadline=None,
    # Each example uses fresh keys in the shared store, so one store per test is fine.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(calls=_CALLS)
def test_random_ledger_calls_answer_as_memory_store(
    store: Store, calls: list[tuple[str, int, int, int, bool]]
) -> None:
    """Any sequence of ledger calls gets MemoryStore's answers and leaves MemoryStore's rows."""
    oracle = MemoryStore()
    space = f"ns{next(_namespaces)}"
    for step, call in enumerate(calls):
        expected = _call(oracle, space, call)
        assert expected == _call(store, space, call), f"step {step}: {call}"
    assert _state(oracle, space) == _state(store, space)
