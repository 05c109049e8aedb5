"""The Store conformance suite: every implementation, one behaviour per test.

The ``store`` fixture (``conftest.py``) runs each test against every store kind, with
``MemoryStore`` as the reference the others must match.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from future_payments._models import MethodStatus, SavedPaymentMethod
from future_payments.stores import (
    MAX_REF_LENGTH,
    MemoryStore,
    PendingEvent,
    SetupSessionRecord,
    Store,
)
from tests.stores._async_factories import OnLoop
from tests.stores._records import CUSTOMER, charge, defaults, method


def test_is_a_store(store: Store) -> None:
    """Every implementation satisfies the runtime-checkable protocol."""
    assert isinstance(store, Store)


# -- customers -------------------------------------------------------------------------------


def test_get_customer_id_unknown(store: Store) -> None:
    """An unknown customer_ref has no customer id."""
    assert store.get_customer_id("nobody") is None


def test_find_customer_ref_unknown(store: Store) -> None:
    """An unknown Stripe customer id maps to no customer_ref."""
    assert store.find_customer_ref("cus_unknown") is None


def test_add_customer_returns_stored_id(store: Store) -> None:
    """The first add_customer stores and returns its id."""
    expected = "cus_1"
    assert expected == store.add_customer(CUSTOMER, "cus_1")


def test_add_customer_returns_winner(store: Store) -> None:
    """A second add_customer for the same ref returns the first id, not its own."""
    store.add_customer(CUSTOMER, "cus_1")
    expected = "cus_1"
    assert expected == store.add_customer(CUSTOMER, "cus_2")


def test_add_customer_keeps_winner(store: Store) -> None:
    """A losing add_customer does not change the stored mapping."""
    store.add_customer(CUSTOMER, "cus_1")
    store.add_customer(CUSTOMER, "cus_2")
    expected = "cus_1"
    assert expected == store.get_customer_id(CUSTOMER)


def test_find_customer_ref_after_add(store: Store) -> None:
    """A stored mapping is found from the Stripe side."""
    store.add_customer(CUSTOMER, "cus_1")
    expected = CUSTOMER
    assert expected == store.find_customer_ref("cus_1")


# -- setup sessions --------------------------------------------------------------------------


def test_add_setup_session_returns_stored(store: Store) -> None:
    """The first add_setup_session stores and returns its record."""
    session = SetupSessionRecord(session_id="cs_1", customer_ref=CUSTOMER, customer_id=None)
    assert session == store.add_setup_session(session)


def test_add_setup_session_returns_winner(store: Store) -> None:
    """A second add for the same session id returns the first record."""
    first = SetupSessionRecord(session_id="cs_1", customer_ref=CUSTOMER, customer_id="cus_1")
    store.add_setup_session(first)
    later = attrs.evolve(first, customer_ref="someone-else", status="complete")
    assert first == store.add_setup_session(later)


def test_get_setup_session_unknown(store: Store) -> None:
    """An unknown session id has no record."""
    assert store.get_setup_session("cs_unknown") is None


def test_finish_setup_session_from_open(store: Store) -> None:
    """An open session moves to the given status and method."""
    session = SetupSessionRecord(session_id="cs_1", customer_ref=CUSTOMER, customer_id="cus_1")
    store.add_setup_session(session)
    expected = attrs.evolve(session, status="complete", payment_method_id="pm_1")
    assert expected == store.finish_setup_session(
        "cs_1", status="complete", payment_method_id="pm_1"
    )


def test_finish_setup_session_is_stored(store: Store) -> None:
    """A finished session reads back finished."""
    session = SetupSessionRecord(session_id="cs_1", customer_ref=CUSTOMER, customer_id="cus_1")
    store.add_setup_session(session)
    store.finish_setup_session("cs_1", status="expired", payment_method_id=None)
    assert attrs.evolve(session, status="expired") == store.get_setup_session("cs_1")


def test_finish_setup_session_only_from_open(store: Store) -> None:
    """A session already finished is left as it is and returned."""
    session = SetupSessionRecord(session_id="cs_1", customer_ref=CUSTOMER, customer_id="cus_1")
    store.add_setup_session(session)
    done = store.finish_setup_session("cs_1", status="complete", payment_method_id="pm_1")
    assert done == store.finish_setup_session("cs_1", status="expired", payment_method_id=None)


def test_finish_setup_session_unknown(store: Store) -> None:
    """Finishing an unknown session returns None."""
    assert store.finish_setup_session("cs_x", status="complete", payment_method_id="pm") is None


def test_finish_unknown_setup_session_creates_nothing(store: Store) -> None:
    """Finishing an unknown session does not create it."""
    store.finish_setup_session("cs_x", status="complete", payment_method_id="pm_1")
    assert store.get_setup_session("cs_x") is None


# -- saved payment methods -------------------------------------------------------------------


def test_add_payment_method_returns_stored(store: Store) -> None:
    """The first add stores every field and returns the record."""
    expected = attrs.evolve(method("pm_1"), is_default=True)
    assert expected == store.add_payment_method(method("pm_1"), as_of=1)


def test_add_payment_method_never_overwrites(store: Store) -> None:
    """A second add of the same id returns the first record unchanged."""
    first = store.add_payment_method(method("pm_1", brand="visa"), as_of=1)
    assert first == store.add_payment_method(method("pm_1", brand="amex"), as_of=9)


def test_add_payment_method_ignores_is_default(store: Store) -> None:
    """The argument's is_default is ignored: a second active method is not the default."""
    store.add_payment_method(method("pm_1"), as_of=1)
    second = attrs.evolve(method("pm_2"), is_default=True)
    assert False is store.add_payment_method(second, as_of=1).is_default


def test_get_payment_method_unknown(store: Store) -> None:
    """An unknown method id has no record."""
    assert store.get_payment_method("pm_unknown") is None


def test_get_payment_method_any_status(store: Store) -> None:
    """get_payment_method returns detached records too."""
    expected = store.add_payment_method(method("pm_1", status="detached"), as_of=1)
    assert expected == store.get_payment_method("pm_1")


def test_update_payment_method_inserts_when_absent(store: Store) -> None:
    """Updating an unknown method stores it."""
    stored = store.update_payment_method(method("pm_1"), as_of=1)
    assert stored == store.get_payment_method("pm_1")


def test_update_payment_method_newer_replaces(store: Store) -> None:
    """A newer as_of replaces the stored fields."""
    store.add_payment_method(method("pm_1", brand="visa"), as_of=1)
    expected = "amex"
    assert expected == store.update_payment_method(method("pm_1", brand="amex"), as_of=2).brand


def test_update_payment_method_same_as_of_replaces(store: Store) -> None:
    """An equal as_of replaces the stored fields ("at least the stored one")."""
    store.add_payment_method(method("pm_1", brand="visa"), as_of=5)
    expected = "amex"
    assert expected == store.update_payment_method(method("pm_1", brand="amex"), as_of=5).brand


def test_update_payment_method_older_is_ignored(store: Store) -> None:
    """An older as_of leaves the stored record as it is."""
    first = store.add_payment_method(method("pm_1", brand="visa"), as_of=5)
    assert first == store.update_payment_method(method("pm_1", brand="amex"), as_of=4)


def test_update_payment_method_older_than_an_update_is_ignored(store: Store) -> None:
    """as_of is raised by each applied update, so older news cannot undo it."""
    store.add_payment_method(method("pm_1", brand="visa"), as_of=1)
    store.update_payment_method(method("pm_1", brand="amex"), as_of=5)
    expected = "amex"
    assert expected == store.update_payment_method(method("pm_1", brand="jcb"), as_of=3).brand


def test_detached_is_final(store: Store) -> None:
    """A detached record never changes again, whatever the as_of."""
    store.add_payment_method(method("pm_1"), as_of=1)
    detached = store.update_payment_method(method("pm_1", status="detached"), as_of=2)
    assert detached == store.update_payment_method(method("pm_1"), as_of=99)


def test_update_payment_method_keeps_default_flag(store: Store) -> None:
    """An update of the default method leaves it the default."""
    store.add_payment_method(method("pm_1"), as_of=1)
    assert True is store.update_payment_method(method("pm_1", brand="amex"), as_of=2).is_default


def test_update_payment_method_ignores_is_default(store: Store) -> None:
    """An update cannot make a method the default through its is_default field."""
    store.add_payment_method(method("pm_1"), as_of=1)
    store.add_payment_method(method("pm_2"), as_of=1)
    promoted = attrs.evolve(method("pm_2"), is_default=True)
    assert False is store.update_payment_method(promoted, as_of=2).is_default


def test_list_payment_methods_unknown_customer(store: Store) -> None:
    """A customer without methods lists nothing."""
    assert not store.list_payment_methods("nobody")


def test_list_payment_methods_oldest_first(store: Store) -> None:
    """Methods list in the order they were first stored, not by id or as_of."""
    store.add_payment_method(method("pm_b"), as_of=9)
    store.update_payment_method(method("pm_c"), as_of=1)
    store.add_payment_method(method("pm_a"), as_of=5)
    expected = ["pm_b", "pm_c", "pm_a"]
    assert expected == [m.id for m in store.list_payment_methods(CUSTOMER)]


def test_list_payment_methods_keeps_order_after_update(store: Store) -> None:
    """An update does not move a method to the end of the list."""
    store.add_payment_method(method("pm_1"), as_of=1)
    store.add_payment_method(method("pm_2"), as_of=1)
    store.update_payment_method(method("pm_1", brand="amex"), as_of=2)
    expected = ["pm_1", "pm_2"]
    assert expected == [m.id for m in store.list_payment_methods(CUSTOMER)]


def test_list_payment_methods_active_and_pending_only(store: Store) -> None:
    """Failed and detached methods are not listed; pending ones are."""
    for pm_id, status in [("pm_a", "active"), ("pm_p", "pending"), ("pm_f", "failed")]:
        store.add_payment_method(method(pm_id, status=status), as_of=1)  # type: ignore[arg-type]
    store.add_payment_method(method("pm_d", status="detached"), as_of=1)
    expected = ["pm_a", "pm_p"]
    assert expected == [m.id for m in store.list_payment_methods(CUSTOMER)]


def test_list_payment_methods_of_that_customer_only(store: Store) -> None:
    """Another customer's methods are not listed."""
    store.add_payment_method(method("pm_1"), as_of=1)
    store.add_payment_method(method("pm_2", customer_ref="user-7"), as_of=1)
    expected = ["pm_1"]
    assert expected == [m.id for m in store.list_payment_methods(CUSTOMER)]


# -- defaults --------------------------------------------------------------------------------


def test_first_active_method_becomes_default(store: Store) -> None:
    """The customer's first active method is the default."""
    assert True is store.add_payment_method(method("pm_1"), as_of=1).is_default


def test_second_active_method_is_not_default(store: Store) -> None:
    """A later active method leaves the default where it is."""
    store.add_payment_method(method("pm_1"), as_of=1)
    store.add_payment_method(method("pm_2"), as_of=1)
    expected = ["pm_1"]
    assert expected == defaults(store)


def test_pending_method_is_never_default(store: Store) -> None:
    """A pending method is not the default, even as the customer's only method."""
    assert False is store.add_payment_method(method("pm_1", status="pending"), as_of=1).is_default


def test_pending_method_that_activates_becomes_default(store: Store) -> None:
    """A pending method that becomes active is the default when no other method is active."""
    store.add_payment_method(method("pm_1", status="pending"), as_of=1)
    assert True is store.update_payment_method(method("pm_1"), as_of=2).is_default


def test_active_after_pending_becomes_default(store: Store) -> None:
    """An active method added after a pending one is the default."""
    store.add_payment_method(method("pm_1", status="pending"), as_of=1)
    store.add_payment_method(method("pm_2"), as_of=1)
    expected = ["pm_2"]
    assert expected == defaults(store)


def test_detached_default_moves_to_oldest_active(store: Store) -> None:
    """When the default is detached, the oldest remaining active method takes over."""
    for pm_id in ["pm_1", "pm_2", "pm_3"]:
        store.add_payment_method(method(pm_id), as_of=1)
    store.update_payment_method(method("pm_1", status="detached"), as_of=2)
    expected = ["pm_2"]
    assert expected == defaults(store)


def test_failed_default_moves_to_oldest_active(store: Store) -> None:
    """When the default fails, the oldest remaining active method takes over."""
    store.add_payment_method(method("pm_1"), as_of=1)
    store.add_payment_method(method("pm_2", status="pending"), as_of=1)
    store.add_payment_method(method("pm_3"), as_of=1)
    store.update_payment_method(method("pm_1", status="failed"), as_of=2)
    expected = ["pm_3"]
    assert expected == defaults(store)


def test_default_that_goes_pending_moves(store: Store) -> None:
    """A default that stops being active (back to pending) hands the default over."""
    store.add_payment_method(method("pm_1"), as_of=1)
    store.add_payment_method(method("pm_2"), as_of=1)
    store.update_payment_method(method("pm_1", status="pending"), as_of=2)
    expected = ["pm_2"]
    assert expected == defaults(store)


def test_detached_method_loses_default(store: Store) -> None:
    """The detached record itself is no longer the default."""
    store.add_payment_method(method("pm_1"), as_of=1)
    assert False is (
        store.update_payment_method(method("pm_1", status="detached"), as_of=2).is_default
    )


def test_detaching_a_non_default_keeps_default(store: Store) -> None:
    """Detaching another method leaves the default where it is."""
    store.add_payment_method(method("pm_1"), as_of=1)
    store.add_payment_method(method("pm_2"), as_of=1)
    store.update_payment_method(method("pm_2", status="detached"), as_of=2)
    expected = ["pm_1"]
    assert expected == defaults(store)


def test_no_default_without_active_methods(store: Store) -> None:
    """Detaching the only active method leaves the customer without a default."""
    store.add_payment_method(method("pm_1"), as_of=1)
    store.add_payment_method(method("pm_2", status="pending"), as_of=1)
    store.update_payment_method(method("pm_1", status="detached"), as_of=2)
    expected: list[str] = []
    assert expected == defaults(store)


def test_defaults_are_per_customer(store: Store) -> None:
    """Each customer has their own default."""
    store.add_payment_method(method("pm_1"), as_of=1)
    assert True is store.add_payment_method(method("pm_2", customer_ref="u-7"), as_of=1).is_default


def test_set_default_returns_new_default(store: Store) -> None:
    """set_default returns the method, now the default."""
    store.add_payment_method(method("pm_1"), as_of=1)
    store.add_payment_method(method("pm_2"), as_of=1)
    expected = attrs.evolve(method("pm_2"), is_default=True)
    assert expected == store.set_default(CUSTOMER, "pm_2")


def test_set_default_leaves_exactly_one_default(store: Store) -> None:
    """After set_default the previous default is no longer one."""
    for pm_id in ["pm_1", "pm_2", "pm_3"]:
        store.add_payment_method(method(pm_id), as_of=1)
    store.set_default(CUSTOMER, "pm_3")
    expected = ["pm_3"]
    assert expected == defaults(store)


def test_set_default_survives_later_additions(store: Store) -> None:
    """A chosen default stays the default when more methods arrive."""
    store.add_payment_method(method("pm_1"), as_of=1)
    store.add_payment_method(method("pm_2"), as_of=1)
    store.set_default(CUSTOMER, "pm_2")
    store.add_payment_method(method("pm_3"), as_of=1)
    expected = ["pm_2"]
    assert expected == defaults(store)


def test_set_default_of_current_default(store: Store) -> None:
    """Setting the current default again keeps it the default."""
    store.add_payment_method(method("pm_1"), as_of=1)
    assert True is store.set_default(CUSTOMER, "pm_1").is_default  # type: ignore[union-attr]


def test_set_default_unknown_method(store: Store) -> None:
    """An unknown method cannot become the default."""
    assert store.set_default(CUSTOMER, "pm_unknown") is None


def test_set_default_other_customers_method(store: Store) -> None:
    """Another customer's method cannot become this customer's default."""
    store.add_payment_method(method("pm_1"), as_of=1)
    store.add_payment_method(method("pm_2", customer_ref="user-7"), as_of=1)
    assert store.set_default(CUSTOMER, "pm_2") is None


def test_set_default_other_customers_method_changes_nothing(store: Store) -> None:
    """A refused set_default leaves both customers' defaults as they were."""
    store.add_payment_method(method("pm_1"), as_of=1)
    store.add_payment_method(method("pm_2", customer_ref="user-7"), as_of=1)
    store.set_default(CUSTOMER, "pm_2")
    expected = (["pm_1"], ["pm_2"])
    assert expected == (defaults(store), defaults(store, "user-7"))


def test_set_default_pending_method(store: Store) -> None:
    """A pending method cannot become the default."""
    store.add_payment_method(method("pm_1"), as_of=1)
    store.add_payment_method(method("pm_2", status="pending"), as_of=1)
    expected = (None, ["pm_1"])
    assert expected == (store.set_default(CUSTOMER, "pm_2"), defaults(store))


def test_set_default_detached_method(store: Store) -> None:
    """A detached method cannot become the default."""
    store.add_payment_method(method("pm_1"), as_of=1)
    store.add_payment_method(method("pm_2", status="detached"), as_of=1)
    assert store.set_default(CUSTOMER, "pm_2") is None


# -- webhook event inbox ---------------------------------------------------------------------


def test_claim_event_first_caller_wins(store: Store) -> None:
    """The first claim of an event succeeds."""
    assert True is store.claim_event("evt_1", token="a", now=100.0, lease_seconds=60.0)


def test_claim_event_only_once(store: Store) -> None:
    """A second claim by another token within the lease fails."""
    store.claim_event("evt_1", token="a", now=100.0, lease_seconds=60.0)
    assert False is store.claim_event("evt_1", token="b", now=159.0, lease_seconds=60.0)


def test_claim_event_renewed_by_its_holder(store: Store) -> None:
    """The holder's token claims again (a retried unit), and the lease restarts from now."""
    store.claim_event("evt_1", token="a", now=100.0, lease_seconds=60.0)
    assert True is store.claim_event("evt_1", token="a", now=150.0, lease_seconds=60.0)
    assert False is store.claim_event("evt_1", token="b", now=200.0, lease_seconds=60.0)
    assert True is store.claim_event("evt_1", token="b", now=210.0, lease_seconds=60.0)


def test_claim_event_after_lease_expiry(store: Store) -> None:
    """A claim neither completed nor released may be claimed again once its lease ends."""
    store.claim_event("evt_1", token="a", now=100.0, lease_seconds=60.0)
    assert True is store.claim_event("evt_1", token="b", now=160.0, lease_seconds=60.0)


def test_reclaimed_event_gets_a_new_lease(store: Store) -> None:
    """A reclaim starts a new lease, so a third claim inside it fails."""
    store.claim_event("evt_1", token="a", now=100.0, lease_seconds=60.0)
    store.claim_event("evt_1", token="b", now=200.0, lease_seconds=60.0)
    assert False is store.claim_event("evt_1", token="c", now=250.0, lease_seconds=60.0)
    assert False is store.claim_event("evt_1", token="a", now=250.0, lease_seconds=60.0)


def test_claim_event_independent_ids(store: Store) -> None:
    """Claims of different events do not interfere."""
    store.claim_event("evt_1", token="a", now=100.0, lease_seconds=60.0)
    assert True is store.claim_event("evt_2", token="b", now=100.0, lease_seconds=60.0)


def test_completed_event_is_final(store: Store) -> None:
    """A completed event is never claimed again, even long after its lease, by any token."""
    store.claim_event("evt_1", token="a", now=100.0, lease_seconds=60.0)
    store.complete_event("evt_1")
    assert False is store.claim_event("evt_1", token="a", now=1e9, lease_seconds=60.0)
    assert False is store.claim_event("evt_1", token="b", now=1e9, lease_seconds=60.0)


def test_complete_unclaimed_event(store: Store) -> None:
    """Completing an event that was never claimed marks it processed."""
    store.complete_event("evt_1")
    assert False is store.claim_event("evt_1", token="a", now=100.0, lease_seconds=60.0)


def test_released_event_can_be_claimed(store: Store) -> None:
    """A released claim can be claimed again at once."""
    store.claim_event("evt_1", token="a", now=100.0, lease_seconds=60.0)
    store.release_event("evt_1", token="a")
    assert True is store.claim_event("evt_1", token="b", now=101.0, lease_seconds=60.0)


def test_release_by_another_token_changes_nothing(store: Store) -> None:
    """Only the holder's token releases a claim: a stale worker cannot free a live one."""
    store.claim_event("evt_1", token="a", now=100.0, lease_seconds=60.0)
    store.release_event("evt_1", token="b")
    assert False is store.claim_event("evt_1", token="c", now=101.0, lease_seconds=60.0)


def test_release_after_complete_changes_nothing(store: Store) -> None:
    """Releasing a completed event does not reopen it."""
    store.claim_event("evt_1", token="a", now=100.0, lease_seconds=60.0)
    store.complete_event("evt_1")
    store.release_event("evt_1", token="a")
    assert False is store.claim_event("evt_1", token="b", now=101.0, lease_seconds=60.0)


def test_release_unknown_event(store: Store) -> None:
    """Releasing an unknown event is harmless and leaves it claimable."""
    store.release_event("evt_1", token="a")
    assert True is store.claim_event("evt_1", token="a", now=100.0, lease_seconds=60.0)


def test_record_event_once(store: Store) -> None:
    """record_event: True the first time; the event is then processed for good."""
    assert True is store.record_event("evt_1")
    assert False is store.record_event("evt_1")
    assert False is store.claim_event("evt_1", token="a", now=100.0, lease_seconds=60.0)


def test_record_event_leaves_a_claim_alone(store: Store) -> None:
    """A claimed event is not marked processed by record_event (False, the claim stays)."""
    store.claim_event("evt_1", token="a", now=100.0, lease_seconds=60.0)
    assert False is store.record_event("evt_1")
    assert True is store.claim_event("evt_1", token="a", now=101.0, lease_seconds=60.0)


def _pending(event_id: str, received_at: float = 1.0) -> PendingEvent:
    body = f'{{"id": "{event_id}", "object": "event"}}'
    return PendingEvent(event_id, "payment_intent.succeeded", body, received_at)


def test_pending_event_added_once(store: Store) -> None:
    """add_pending_event: True when new; a pending or completed id is not added again."""
    assert True is store.add_pending_event(_pending("evt_1"))
    assert False is store.add_pending_event(_pending("evt_1", 2.0))
    store.complete_event("evt_2")
    assert False is store.add_pending_event(_pending("evt_2"))
    taken = store.claim_pending_events(limit=10, now=5.0, lease_seconds=60.0)
    assert [_pending("evt_1")] == list(taken)


def test_pending_events_taken_oldest_first_up_to_limit(store: Store) -> None:
    """Pending events come back oldest first, at most ``limit``, each once per lease."""
    for n, at in enumerate([5.0, 1.0, 3.0, 2.0, 4.0]):
        store.add_pending_event(_pending(f"evt_{n}", at))
    first = store.claim_pending_events(limit=3, now=10.0, lease_seconds=60.0)
    assert ["evt_1", "evt_3", "evt_2"] == [e.event_id for e in first]
    second = store.claim_pending_events(limit=3, now=11.0, lease_seconds=60.0)
    assert ["evt_4", "evt_0"] == [e.event_id for e in second]
    assert [] == list(store.claim_pending_events(limit=3, now=12.0, lease_seconds=60.0))


def test_pending_event_taken_again_after_its_lease(store: Store) -> None:
    """An event whose worker died is taken again when its lease runs out, not before."""
    store.add_pending_event(_pending("evt_1"))
    store.claim_pending_events(limit=1, now=10.0, lease_seconds=60.0)
    assert [] == list(store.claim_pending_events(limit=1, now=69.0, lease_seconds=60.0))
    again = store.claim_pending_events(limit=1, now=70.0, lease_seconds=60.0)
    assert ["evt_1"] == [e.event_id for e in again]


def test_completed_event_leaves_the_pending_events(store: Store) -> None:
    """complete_event drops the pending row: nothing takes a processed event again."""
    store.add_pending_event(_pending("evt_1"))
    store.add_pending_event(_pending("evt_2"))
    store.claim_pending_events(limit=2, now=10.0, lease_seconds=1.0)
    store.complete_event("evt_1")
    again = store.claim_pending_events(limit=10, now=100.0, lease_seconds=1.0)
    assert ["evt_2"] == [e.event_id for e in again]


def test_pending_events_processed_meanwhile_are_dropped(store: Store) -> None:
    """A pending id completed or recorded meanwhile is never taken, and does not come back."""
    for event_id in ("evt_1", "evt_2", "evt_3"):
        store.add_pending_event(_pending(event_id))
    store.record_event("evt_1")
    store.claim_event("evt_2", token="a", now=1.0, lease_seconds=1.0)
    store.complete_event("evt_2")
    first = store.claim_pending_events(limit=10, now=5.0, lease_seconds=1.0)
    again = store.claim_pending_events(limit=10, now=50.0, lease_seconds=1.0)
    assert (["evt_3"], ["evt_3"]) == ([e.event_id for e in first], [e.event_id for e in again])


def test_released_pending_events_are_taken_at_once(store: Store) -> None:
    """release_pending_events ends the leases now; unknown ids are ignored."""
    store.add_pending_event(_pending("evt_1"))
    store.add_pending_event(_pending("evt_2", 2.0))
    store.claim_pending_events(limit=2, now=10.0, lease_seconds=600.0)
    store.release_pending_events(["evt_2", "evt_unknown"])
    again = store.claim_pending_events(limit=10, now=11.0, lease_seconds=600.0)
    assert ["evt_2"] == [e.event_id for e in again]
    store.release_pending_events([])


def test_pending_payload_kept_exactly(store: Store) -> None:
    """The stored body comes back character for character (Unicode, escapes, 1 MB)."""
    body = '{"id": "evt_1", "name": "Zo\u00eb éè 😀", "pad": "%s"}' % ("x" * 1_000_000)
    store.add_pending_event(PendingEvent("evt_1", "payment_intent.succeeded", body, 1.0))
    (taken,) = store.claim_pending_events(limit=1, now=2.0, lease_seconds=1.0)
    assert body == taken.payload


# -- transactions ----------------------------------------------------------------------------


def _whole(store: Store, work: Callable[[Store], object]) -> None:
    """Run ``work`` as one call of the store (for the async store: one ``run``)."""
    if isinstance(store, OnLoop):
        store.whole(work)
    else:
        work(store)


def test_atomic_commits_every_call_together(store: Store) -> None:
    """The calls of a block are visible inside it, and to others once it ends."""
    seen: list[object] = []

    def block(s: Store) -> None:
        with s.atomic() as tx:
            tx.add_customer("ref_1", "cus_1")
            seen.append(tx.get_customer_id("ref_1"))
            seen.append(tx.claim_event("evt_1", token="a", now=1.0, lease_seconds=60.0))
            tx.complete_event("evt_1")

    _whole(store, block)
    assert ["cus_1", True] == seen
    assert "cus_1" == store.get_customer_id("ref_1")
    assert False is store.claim_event("evt_1", token="b", now=1e9, lease_seconds=60.0)


def test_atomic_rolls_back_every_call(store: Store) -> None:
    """A block that raises leaves nothing behind, whatever it wrote."""
    store.add_customer("ref_0", "cus_0")

    def block(s: Store) -> None:
        with s.atomic() as tx:
            tx.add_customer("ref_1", "cus_1")
            tx.claim_event("evt_1", token="a", now=1.0, lease_seconds=60.0)
            tx.add_payment_method(method("pm_1"), as_of=1)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        _whole(store, block)
    assert None is store.get_customer_id("ref_1")
    assert None is store.get_payment_method("pm_1")
    assert "cus_0" == store.get_customer_id("ref_0")
    assert True is store.claim_event("evt_1", token="b", now=2.0, lease_seconds=60.0)


def test_atomic_nests_into_one_block(store: Store) -> None:
    """A block opened on the block's store joins it: its writes roll back with the outer."""
    seen: list[str | None] = []

    def block(s: Store) -> None:
        with s.atomic() as tx:
            with tx.atomic() as inner:
                inner.add_customer("ref_1", "cus_1")
            seen.append(tx.get_customer_id("ref_1"))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        _whole(store, block)
    assert ["cus_1"] == seen
    assert None is store.get_customer_id("ref_1")


# -- limits ----------------------------------------------------------------------------------


def test_accepts_longest_refs(store: Store) -> None:
    """Refs, keys and ids of MAX_REF_LENGTH characters are stored and found again."""
    long = "x" * MAX_REF_LENGTH
    store.add_customer(long, long)
    store.add_setup_session(
        SetupSessionRecord(session_id=long, customer_ref=long, customer_id=long)
    )
    store.add_payment_method(
        attrs.evolve(method(long, customer_ref=long), customer_id=long), as_of=1
    )
    store.claim_charge(charge(long, customer_ref=long, payment_method_id=long))
    found = (
        store.find_customer_ref(long),
        store.get_setup_session(long) is not None,
        [m.id for m in store.list_payment_methods(long)],
        store.get_charge(long) is not None,
        store.claim_event(long, token="a", now=0.0, lease_seconds=1.0),
    )
    assert (long, True, [long], True, True) == found


# -- property: defaults under random writes, against MemoryStore as the oracle ---------------

_namespaces = itertools.count()
_STATUSES: list[MethodStatus] = ["active", "pending", "failed", "detached"]
_OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["add", "update", "detach", "set_default"]),
        st.integers(min_value=0, max_value=5),  # which method; methods 0-2 are customer 0's
        st.sampled_from(_STATUSES),
        st.integers(min_value=0, max_value=4),  # as_of
    ),
    max_size=25,
)


@settings(
    max_examples=40,
    deadline=None,
    # Each example uses fresh ids in the shared store, so one store per test is fine.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations=_OPERATIONS)
def test_random_writes_keep_one_active_default(
    store: Store, operations: list[tuple[str, int, MethodStatus, int]]
) -> None:
    """Any sequence of writes matches MemoryStore and leaves one active default per customer."""
    oracle = MemoryStore()
    space = f"ns{next(_namespaces)}"
    customers = [f"{space}-user-0", f"{space}-user-1"]

    def pm(index: int, status: MethodStatus) -> SavedPaymentMethod:
        return method(f"{space}-pm{index}", customer_ref=customers[index // 3], status=status)

    for operation, index, status, as_of in operations:
        for subject in (oracle, store):
            if operation == "add":
                result: object = subject.add_payment_method(pm(index, status), as_of=as_of)
            elif operation == "update":
                result = subject.update_payment_method(pm(index, status), as_of=as_of)
            elif operation == "detach":
                result = subject.update_payment_method(pm(index, "detached"), as_of=as_of)
            else:
                result = subject.set_default(customers[index // 3], pm(index, status).id)
            if subject is oracle:
                expected = result
        assert expected == result

    for customer_ref in customers:
        ids = [f"{space}-pm{i}" for i in range(6) if customers[i // 3] == customer_ref]
        stored = [m for m in map(store.get_payment_method, ids) if m is not None]
        assert [m for m in map(oracle.get_payment_method, ids) if m is not None] == stored
        active = [m.id for m in stored if m.status == "active"]
        default_ids = [m.id for m in stored if m.is_default]
        assert (1 if active else 0) == len(default_ids)
        assert set(default_ids) <= set(active)
