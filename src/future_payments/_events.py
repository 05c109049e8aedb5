"""Routing verified webhook events to the same state the redirect path produces.

Every handler is safe to run in any order and any number of times: methods are inserted
if absent, updated only by newer news (Stripe's ``created`` timestamps), and a detached method
stays detached. The event inbox in the store makes a duplicate delivery a no-op.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import stripe

from future_payments._charges import LEDGER_METADATA_KEY, record_from_intent
from future_payments._effects import Op, call_store, call_stripe
from future_payments._models import (
    EventAction,
    EventOutcome,
    MethodStatus,
    SavedPaymentMethod,
)
from future_payments._payload import ParsedEvent
from future_payments._setup import REF_METADATA_KEY, already_saved, save_from_session
from future_payments._stripe import Data, object_id
from future_payments.errors import (
    InvalidInput,
    NotFound,
    SessionExpired,
    SessionNotComplete,
    SetupFailed,
)

Handler = Callable[[ParsedEvent], Op[tuple[EventAction, SavedPaymentMethod | None]]]


def handle(event: ParsedEvent) -> Op[EventOutcome]:
    """Process one verified event whose id this worker has claimed."""
    handler = HANDLERS.get(event.type)
    if handler is None:
        return EventOutcome(event.id, event.type, "ignored")
    action, method = yield from handler(event)
    return EventOutcome(event.id, event.type, action, method)


def _session_completed(event: ParsedEvent) -> Op[tuple[EventAction, SavedPaymentMethod | None]]:
    session: Data = dict(event.data_object)
    if session.get("mode") != "setup":
        return "ignored", None
    stored = yield from already_saved(str(session["id"]))
    if stored is not None:
        return "saved", stored
    try:
        try:
            saved = yield from save_from_session(session, None)
        except InvalidInput:
            # A session made elsewhere that names nobody (the Stripe guide's example): keep the
            # method under a ref derived from the session, findable by the app.
            saved = yield from save_from_session(session, anonymous_ref(str(session["id"])))
    except (InvalidInput, NotFound, SessionExpired, SessionNotComplete, SetupFailed):
        # A session that failed or cannot be used is not an error Stripe should retry; Stripe
        # being unreachable is (StripeFailure propagates: the claim is released, 500 answered).
        return "ignored", None
    return "saved", saved


def anonymous_ref(session_id: str) -> str:
    """The customer_ref of a method from a session that names no customer and no ref."""
    return f"checkout-session:{session_id}"


def process(event: ParsedEvent, *, now: float, lease_seconds: float) -> Op[EventOutcome]:
    """Claim the event id, handle the event, and mark it done; a duplicate does nothing."""
    event_id = event.id
    claimed = yield from call_store(
        lambda s: s.claim_event(event_id, now=now, lease_seconds=lease_seconds)
    )
    if not claimed:
        return EventOutcome(event.id, event.type, "duplicate")
    try:
        outcome = yield from handle(event)
    except Exception:
        yield from call_store(lambda s: s.release_event(event_id))
        raise
    yield from call_store(lambda s: s.complete_event(event_id))
    return outcome


def _session_expired(event: ParsedEvent) -> Op[tuple[EventAction, SavedPaymentMethod | None]]:
    session_id = str(event.data_object["id"])
    record = yield from call_store(
        lambda s: s.finish_setup_session(session_id, status="expired", payment_method_id=None)
    )
    return ("updated" if record is not None else "ignored"), None


def _setup_outcome(status: MethodStatus) -> Handler:
    def handler(event: ParsedEvent) -> Op[tuple[EventAction, SavedPaymentMethod | None]]:
        intent = event.data_object
        error: Mapping[str, Any] = intent.get("last_setup_error") or {}
        pm_id = object_id(intent.get("payment_method")) or object_id(error.get("payment_method"))
        if pm_id is None:
            return "ignored", None
        stored = yield from call_store(lambda s: s.get_payment_method(pm_id))
        if stored is not None:
            changed = attrs.evolve(stored, status=status)
            return (yield from _update(changed, event.created, stored))
        if status != "active":
            return "ignored", None
        # Before its checkout.session.completed: save it now if the customer is known.
        customer_id = object_id(intent.get("customer"))
        if customer_id is None:
            return "ignored", None  # attached when the session completes
        pm = yield from call_stripe(stripe.PaymentMethodService.retrieve, pm_id)
        ref = yield from _ref_for(intent, customer_id)
        method = SavedPaymentMethod.from_stripe(
            pm, customer_ref=ref, customer_id=customer_id, status=status
        )
        yield from call_store(lambda s: s.add_customer(ref, customer_id))
        return "saved", (
            yield from call_store(lambda s: s.update_payment_method(method, as_of=event.created))
        )

    return handler


def _method_detached(event: ParsedEvent) -> Op[tuple[EventAction, SavedPaymentMethod | None]]:
    pm = event.data_object
    pm_id = str(pm["id"])
    stored = yield from call_store(lambda s: s.get_payment_method(pm_id))
    if stored is not None:
        return (yield from _update(attrs.evolve(stored, status="detached"), event.created, stored))
    # Before anything else: keep a tombstone, so the late session cannot bring it back.
    previous = event.previous_attributes or {}
    customer_id = object_id(previous.get("customer")) or object_id(pm.get("customer")) or ""
    found = yield from call_store(lambda s: s.find_customer_ref(customer_id))
    tombstone = SavedPaymentMethod.from_stripe(
        pm, customer_ref=found or customer_id, customer_id=customer_id, status="detached"
    )
    saved = yield from call_store(lambda s: s.update_payment_method(tombstone, as_of=event.created))
    return "updated", saved


def _method_updated(event: ParsedEvent) -> Op[tuple[EventAction, SavedPaymentMethod | None]]:
    pm = event.data_object
    pm_id = str(pm["id"])
    stored = yield from call_store(lambda s: s.get_payment_method(pm_id))
    if stored is None:
        return "ignored", None
    fresh = SavedPaymentMethod.from_stripe(
        pm,
        customer_ref=stored.customer_ref,
        customer_id=stored.customer_id,
        status=stored.status,
        is_default=stored.is_default,
    )
    return (yield from _update(fresh, event.created, stored))


def _update(
    method: SavedPaymentMethod, as_of: int, before: SavedPaymentMethod
) -> Op[tuple[EventAction, SavedPaymentMethod | None]]:
    after = yield from call_store(lambda s: s.update_payment_method(method, as_of=as_of))
    return ("updated" if after != before else "ignored"), after


def _charge_event(event: ParsedEvent) -> Op[tuple[EventAction, SavedPaymentMethod | None]]:
    intent = event.data_object
    pi_id = str(intent["id"])
    record = yield from call_store(lambda s: s.find_charge_by_payment_intent(pi_id))
    if record is None:
        meta = intent.get("metadata") or {}
        key = meta.get(LEDGER_METADATA_KEY)
        if not key:
            return "ignored", None  # not a charge this library made
        record = yield from call_store(lambda s: s.get_charge(str(key)))
        if record is None:
            return "ignored", None
    updated = record_from_intent(record, {**intent, "created": event.created})
    after = yield from call_store(lambda s: s.update_charge(updated))
    return ("updated" if after != record else "ignored"), None


def _ref_for(intent: Mapping[str, Any], customer_id: str) -> Op[str]:
    meta = intent.get("metadata") or {}
    if meta.get(REF_METADATA_KEY):
        return str(meta[REF_METADATA_KEY])
    found = yield from call_store(lambda s: s.find_customer_ref(customer_id))
    return found if found is not None else customer_id


HANDLERS: Mapping[str, Handler] = {
    "checkout.session.completed": _session_completed,
    "checkout.session.expired": _session_expired,
    "setup_intent.succeeded": _setup_outcome("active"),
    "setup_intent.setup_failed": _setup_outcome("failed"),
    "payment_method.detached": _method_detached,
    "payment_method.automatically_updated": _method_updated,
    "payment_method.updated": _method_updated,
    "payment_intent.succeeded": _charge_event,
    "payment_intent.processing": _charge_event,
    "payment_intent.payment_failed": _charge_event,
}
"""The event types this library acts on; every other type is answered ``ignored``."""
