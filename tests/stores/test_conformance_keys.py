"""The Store conformance suite, keys: exact comparison, and the values no store keeps.

Every keyed method, on every store kind: two keys that differ only by a trailing space, by
case, or by Unicode normalisation (NFC vs NFD) are two keys (MariaDB's PAD SPACE collations
once made ``"order-1 "`` find order-1's charge). Every method refuses NUL, a lone surrogate, an
overlong key, a 65-bit integer and a non-finite float with ``UnstorableValue``, storing nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from future_payments.errors import UnstorableValue
from future_payments.stores import MAX_REF_LENGTH, PendingEvent, SetupSessionRecord, Store
from tests.stores._records import charge, method, refund

BASE = "café-1"
TWINS = {
    "trailing-space": (BASE, BASE + " "),
    "case": (BASE, BASE.upper()),
    "nfc-nfd": (unicodedata.normalize("NFC", BASE), unicodedata.normalize("NFD", BASE)),
}

twins = pytest.mark.parametrize("pair", list(TWINS.values()), ids=list(TWINS))


@twins
def test_customer_refs_are_exact(store: Store, pair: tuple[str, str]) -> None:
    """A twin customer_ref maps to its own Stripe Customer, not the first one's."""
    first, twin = pair
    store.add_customer(first, "cus_1")
    found = (store.get_customer_id(twin), store.add_customer(twin, "cus_2"))
    assert (None, "cus_2") == found


@twins
def test_customer_ids_are_exact(store: Store, pair: tuple[str, str]) -> None:
    """A twin Stripe customer id maps back to its own customer_ref."""
    first, twin = pair
    store.add_customer("user-1", first)
    store.add_customer("user-2", twin)
    assert ("user-1", "user-2") == (store.find_customer_ref(first), store.find_customer_ref(twin))


@twins
def test_session_ids_are_exact(store: Store, pair: tuple[str, str]) -> None:
    """A twin session id is another session: not found, and stored on its own."""
    first, twin = pair
    store.add_setup_session(SetupSessionRecord(first, "user-1", None))
    other = SetupSessionRecord(twin, "user-2", None)
    found = (store.get_setup_session(twin), store.add_setup_session(other))
    assert (None, other) == found


@twins
def test_finishing_a_twin_session_leaves_the_first(store: Store, pair: tuple[str, str]) -> None:
    """finish_setup_session on a twin id does not finish the first session."""
    first, twin = pair
    stored = store.add_setup_session(SetupSessionRecord(first, "user-1", None))
    store.finish_setup_session(twin, status="complete", payment_method_id="pm_1")
    assert stored == store.get_setup_session(first)


@twins
def test_payment_method_ids_are_exact(store: Store, pair: tuple[str, str]) -> None:
    """A twin method id is another method."""
    first, twin = pair
    store.add_payment_method(method(first), as_of=1)
    found = store.get_payment_method(twin)
    added = store.add_payment_method(method(twin, brand="amex"), as_of=1)
    assert (None, "amex") == (found, added.brand)


@twins
def test_methods_of_a_twin_customer_are_apart(store: Store, pair: tuple[str, str]) -> None:
    """A twin customer_ref lists none of the first's methods and cannot take its default."""
    first, twin = pair
    store.add_payment_method(method("pm_1", customer_ref=first), as_of=1)
    found = (list(store.list_payment_methods(twin)), store.set_default(twin, "pm_1"))
    assert ([], None) == found


@twins
def test_event_ids_are_exact(store: Store, pair: tuple[str, str]) -> None:
    """A twin event id is claimed on its own, even after the first is completed."""
    first, twin = pair
    store.claim_event(first, token="a", now=1.0, lease_seconds=60.0)
    store.complete_event(first)
    assert store.claim_event(twin, token="b", now=2.0, lease_seconds=60.0)
    assert store.add_pending_event(PendingEvent(twin, "t", "{}", 1.0))
    assert not store.add_pending_event(PendingEvent(first, "t", "{}", 1.0))


@twins
def test_idempotency_keys_are_exact(store: Store, pair: tuple[str, str]) -> None:
    """A twin idempotency key is a new order: no recorded charge, its own claim."""
    first, twin = pair
    store.update_charge(charge(first, state="succeeded", payment_intent_id="pi_1", as_of=1))
    found = store.get_charge(twin)
    claimed = store.claim_charge(charge(twin, amount=5000))
    assert (None, 5000) == (found, claimed.amount)


@twins
def test_charge_writes_to_a_twin_key_leave_the_first(store: Store, pair: tuple[str, str]) -> None:
    """replace_charge and mark_disputed on a twin key do not touch the first charge."""
    first, twin = pair
    stored = store.claim_charge(charge(first))
    store.replace_charge(charge(twin, state="processing"), expected_version=0)
    store.mark_disputed(twin)
    assert stored == store.get_charge(first)


@twins
def test_payment_intent_ids_are_exact(store: Store, pair: tuple[str, str]) -> None:
    """A twin PaymentIntent id finds no charge."""
    first, twin = pair
    store.update_charge(charge(payment_intent_id=first, state="processing", as_of=1))
    assert store.find_charge_by_payment_intent(twin) is None


@twins
def test_refund_keys_are_exact(store: Store, pair: tuple[str, str]) -> None:
    """A twin refund_key is another refund."""
    first, twin = pair
    store.claim_refund(refund(first, amount=500))
    found = store.get_refund(twin)
    assert (None, 700) == (found, store.claim_refund(refund(twin, amount=700)).amount)


@twins
def test_refund_ids_and_charges_are_exact(store: Store, pair: tuple[str, str]) -> None:
    """Twin Stripe refund ids and twin charge keys find nothing of the first refund."""
    first, twin = pair
    store.claim_refund(refund(refund_id=first, idempotency_key=first))
    assert (None, []) == (store.find_refund(twin), list(store.list_refunds(twin)))


@twins
def test_attempt_keys_are_exact(store: Store, pair: tuple[str, str]) -> None:
    """A twin attempt key starts at attempt 1, whatever the first key's attempt is."""
    first, twin = pair
    store.begin_attempt("charge", first, now=1)
    store.next_attempt("charge", first, after=1, now=2)
    store.mark_uncertain("charge", twin, number=2)
    found = store.begin_attempt("charge", twin, now=3)
    assert (1, False) == (found.number, found.uncertain)


# -- values no store keeps -------------------------------------------------------------------

# Every Store method, each string argument in turn given ``bad``.
Call = Callable[[Store, Any], object]
_CALLS: dict[str, Call] = {
    "get_customer_id": lambda s, bad: s.get_customer_id(bad),
    "find_customer_ref": lambda s, bad: s.find_customer_ref(bad),
    "add_customer(ref)": lambda s, bad: s.add_customer(bad, "cus_1"),
    "add_customer(id)": lambda s, bad: s.add_customer("user-1", bad),
    "add_setup_session": lambda s, bad: s.add_setup_session(SetupSessionRecord(bad, "u", None)),
    "get_setup_session": lambda s, bad: s.get_setup_session(bad),
    "finish_setup_session": lambda s, bad: s.finish_setup_session(
        "cs_1", status="complete", payment_method_id=bad
    ),
    "add_payment_method": lambda s, bad: s.add_payment_method(method(bad), as_of=1),
    "update_payment_method": lambda s, bad: s.update_payment_method(
        attrs.evolve(method("pm_1"), fingerprint=bad), as_of=1
    ),
    "get_payment_method": lambda s, bad: s.get_payment_method(bad),
    "list_payment_methods": lambda s, bad: s.list_payment_methods(bad),
    "set_default": lambda s, bad: s.set_default("user-1", bad),
    "record_event": lambda s, bad: s.record_event(bad),
    "claim_event": lambda s, bad: s.claim_event(bad, token="a", now=1.0, lease_seconds=1.0),
    "claim_event(token)": lambda s, bad: s.claim_event(
        "evt_1", token=bad, now=1.0, lease_seconds=1.0
    ),
    "complete_event": lambda s, bad: s.complete_event(bad),
    "release_event": lambda s, bad: s.release_event(bad, token="a"),
    "add_pending_event": lambda s, bad: s.add_pending_event(PendingEvent(bad, "t", "{}", 1.0)),
    "add_pending_event(payload)": lambda s, bad: s.add_pending_event(
        PendingEvent("evt_1", "t", bad, 1.0)
    ),
    "release_pending_events": lambda s, bad: s.release_pending_events(["evt_1", bad]),
    "claim_charge": lambda s, bad: s.claim_charge(charge(bad)),
    "update_charge": lambda s, bad: s.update_charge(charge(message=bad)),
    "replace_charge": lambda s, bad: s.replace_charge(charge(code=bad), expected_version=0),
    "mark_disputed": lambda s, bad: s.mark_disputed(bad),
    "get_charge": lambda s, bad: s.get_charge(bad),
    "find_charge_by_payment_intent": lambda s, bad: s.find_charge_by_payment_intent(bad),
    "claim_refund": lambda s, bad: s.claim_refund(refund(bad)),
    "update_refund": lambda s, bad: s.update_refund(refund(failure_reason=bad)),
    "get_refund": lambda s, bad: s.get_refund(bad),
    "find_refund": lambda s, bad: s.find_refund(bad),
    "list_refunds": lambda s, bad: s.list_refunds(bad),
    "begin_attempt": lambda s, bad: s.begin_attempt("charge", bad, now=1),
    "next_attempt": lambda s, bad: s.next_attempt("charge", bad, after=1, now=1),
    "mark_uncertain": lambda s, bad: s.mark_uncertain("charge", bad, number=1),
    "finish_attempt": lambda s, bad: s.finish_attempt("charge", bad, number=1),
}
_NUMBER_CALLS: dict[str, Call] = {
    "add_payment_method(as_of)": lambda s, bad: s.add_payment_method(method("pm_1"), as_of=bad),
    "claim_event(now)": lambda s, bad: s.claim_event(
        "evt_1", token="a", now=bad, lease_seconds=1.0
    ),
    "claim_pending_events(now)": lambda s, bad: s.claim_pending_events(
        limit=1, now=bad, lease_seconds=1.0
    ),
    "add_pending_event(received_at)": lambda s, bad: s.add_pending_event(
        PendingEvent("evt_1", "t", "{}", bad)
    ),
    "claim_charge(amount)": lambda s, bad: s.claim_charge(charge(amount=bad)),
    "update_refund(as_of)": lambda s, bad: s.update_refund(refund(as_of=bad)),
    "begin_attempt(now)": lambda s, bad: s.begin_attempt("charge", "order-1", now=bad),
}
_BAD_TEXT = {
    "nul": "order\x00-1",
    "lone-surrogate": "order-\ud83d",
    "overlong": "k" * (MAX_REF_LENGTH + 1),
}
_BAD_NUMBERS = {"65-bit": 2**64, "nan": float("nan"), "infinity": float("inf")}


def _refused(store: Store, calls: dict[str, Call], bad: object) -> list[str]:
    """The calls that did not raise UnstorableValue for ``bad``."""
    let_through = []
    for name, call in calls.items():
        try:
            call(store, bad)
        except UnstorableValue:
            continue
        let_through.append(name)
    return let_through


def _nothing_stored(store: Store) -> tuple[object, ...]:
    return (
        store.get_customer_id("user-1"),
        store.get_setup_session("cs_1"),
        store.get_payment_method("pm_1"),
        store.get_charge("order-1"),
        store.get_refund("refund-1"),
        store.claim_event("evt_1", token="z", now=9.0, lease_seconds=1.0),
        list(store.claim_pending_events(limit=10, now=9.0, lease_seconds=1.0)),
    )


@pytest.mark.parametrize("kind", list(_BAD_TEXT))
def test_every_method_refuses_unstorable_text(store: Store, kind: str) -> None:
    """NUL, a lone surrogate or an overlong key raises UnstorableValue and stores nothing."""
    # A charge's message is the one text argument here of unbounded length.
    unbounded = ("update_charge", "add_pending_event(payload)")
    calls = {k: v for k, v in _CALLS.items() if kind != "overlong" or k not in unbounded}
    let_through = _refused(store, calls, _BAD_TEXT[kind])
    nothing = (None, None, None, None, None, True, [])
    assert ([], nothing) == (let_through, _nothing_stored(store))


@pytest.mark.parametrize("kind", list(_BAD_NUMBERS))
def test_every_method_refuses_unstorable_numbers(store: Store, kind: str) -> None:
    """An integer beyond 64 bits or a non-finite float raises UnstorableValue."""
    let_through = _refused(store, _NUMBER_CALLS, _BAD_NUMBERS[kind])
    assert [] == let_through


def test_unstorable_message_never_repeats_the_value(store: Store) -> None:
    """The refusal says what and where, never the value (it may be a client secret)."""
    secret = "pi_1_secret_\x00abc"
    with pytest.raises(UnstorableValue) as info:
        store.claim_charge(charge(client_secret=secret))
    assert ("abc" not in str(info.value), "client_secret" in str(info.value)) == (True, True)
