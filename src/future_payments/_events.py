"""Routing verified webhook events to the same state the redirect path produces.

Every handler is safe to run in any order and any number of times: methods are inserted if
absent, updated only by newer news (Stripe's ``created`` second, then the state machine's order
within one second), and a detached method stays detached. The event inbox in the store makes a
duplicate delivery a no-op; ``accept`` keeps a verified event pending for a worker instead.

No verified event can crash a handler: objects are read through the shape-checked views of
``_objects``, and an event this library cannot use (another account's, an object of a shape
Stripe never sends, an object Stripe no longer knows) is answered ``ignored`` with a log line,
so that Stripe stops retrying it. Only a failure worth retrying (Stripe or the store down)
propagates, and the delivery is answered 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

import attrs
import stripe

from future_payments._effects import Op, call_store, call_stripe
from future_payments._ledger import LEDGER_METADATA_KEY, record_from_intent, settles
from future_payments._models import (
    EventAction,
    EventOutcome,
    MethodStatus,
    PendingEvent,
    SavedPaymentMethod,
)
from future_payments._objects import (
    CheckoutSessionView,
    Malformed,
    PaymentIntentView,
    PaymentMethodView,
    SetupIntentView,
    is_key,
    mapping,
    object_id,
)
from future_payments._payload import ParsedEvent
from future_payments._refund_events import charge_refunded, dispute_created, refund_changed
from future_payments._setup import REF_METADATA_KEY, already_saved, save_from_session
from future_payments.errors import (
    InvalidInput,
    MalformedPayload,
    NotFound,
    SessionExpired,
    SessionNotComplete,
    SetupFailed,
    UnstorableValue,
)
from future_payments.stores._protocol import Store

logger = logging.getLogger("future_payments.webhooks")

Handled = tuple[EventAction, SavedPaymentMethod | None]
Handler = Callable[[ParsedEvent], Op[Handled]]


def process(
    event: ParsedEvent, *, token: str, now: float, lease_seconds: float
) -> Op[EventOutcome]:
    """Handle one verified event once; run it in units (``run_units_*``), ``release`` on failure.

    An event of a type this library does not act on costs one store call (``record_event``),
    and so does a duplicate (``claim_event``): the drivers run an operation's first store call
    alone. The handler's writes between two Stripe requests, and after the last one the
    completion, commit together.
    """
    event_id = event.id
    if event.type not in HANDLERS:
        return (yield from _recorded(event))
    claimed = yield from call_store(
        lambda s: s.claim_event(event_id, token=token, now=now, lease_seconds=lease_seconds)
    )
    if not claimed:
        return EventOutcome(event_id, event.type, "duplicate")
    outcome = yield from handle(event)
    yield from call_store(lambda s: s.complete_event(event_id))
    return outcome


def _recorded(event: ParsedEvent) -> Op[EventOutcome]:
    """A type this library does not act on: recorded as processed, in one statement."""
    event_id = event.id
    new = yield from call_store(lambda s: s.record_event(event_id))
    return EventOutcome(event_id, event.type, "ignored" if new else "duplicate")


def release(event_id: str, token: str) -> Callable[[Store], None]:
    """The store work that gives up a failed event's claim, so that a retry processes it."""
    return lambda s: s.release_event(event_id, token=token)


def accept(event: ParsedEvent, payload: str, *, now: float) -> Op[EventOutcome]:
    """Store a verified event as pending, in one store call and no Stripe request."""
    event_id = event.id
    if event.type not in HANDLERS:
        return (yield from _recorded(event))
    pending = PendingEvent(event_id, event.type, payload, received_at=now)
    new = yield from call_store(lambda s: s.add_pending_event(pending))
    return EventOutcome(event_id, event.type, "accepted" if new else "duplicate")


def unreadable(pending: PendingEvent, why: MalformedPayload) -> Op[EventOutcome]:
    """A stored pending event that no longer parses: completed as ignored, with a log line."""
    logger.error("pending webhook event %s ignored: its stored body %s", pending.event_id, why)
    event_id = pending.event_id
    yield from call_store(lambda s: s.complete_event(event_id))
    return EventOutcome(event_id, pending.event_type, "ignored")


def handle(event: ParsedEvent) -> Op[EventOutcome]:
    """Process one verified event whose id this worker has claimed."""
    handler = HANDLERS.get(event.type)
    if handler is None:
        return EventOutcome(event.id, event.type, "ignored")
    if event.account is not None:
        return _ignored(event, f"it belongs to the connected account {event.account}")
    try:
        action, method = yield from handler(event)
    except Malformed as exc:
        return _ignored(event, f"its object is not of a shape Stripe sends ({exc})")
    except UnstorableValue as exc:
        # A value no store can keep (a 300-character last4): not Stripe's, and never storable,
        # so retrying cannot help. A store that is down or busy is another StoreError: retried.
        return _ignored(event, f"it carries a value no store can keep ({exc})")
    except stripe.InvalidRequestError as exc:
        if exc.code != "resource_missing":
            raise
        return _ignored(event, "it names an object Stripe does not know (resource_missing)")
    return EventOutcome(event.id, event.type, action, method)


def _ignored(event: ParsedEvent, why: str) -> EventOutcome:
    logger.warning("webhook event %s (%s) ignored: %s", event.id, event.type, why)
    return EventOutcome(event.id, event.type, "ignored")


def anonymous_ref(session_id: str) -> str:
    """The customer_ref of a method from a session that names no customer and no ref."""
    return f"checkout-session:{session_id}"


def _session_completed(event: ParsedEvent) -> Op[Handled]:
    session = CheckoutSessionView.parse(event.data_object)
    if session.mode != "setup":
        return "ignored", None
    now = event.created
    try:
        stored = yield from already_saved(session.id)
        if stored is not None:
            return "saved", stored
        try:
            saved = yield from save_from_session(session, None, now=now)
        except InvalidInput:
            # A session made elsewhere that names nobody (the Stripe guide's example): keep the
            # method under a ref derived from the session, findable by the app.
            saved = yield from save_from_session(session, anonymous_ref(session.id), now=now)
    except (InvalidInput, NotFound, SessionExpired, SessionNotComplete, SetupFailed):
        # A session that failed or cannot be used is not an error Stripe should retry; Stripe
        # being unreachable is (StripeFailure propagates: the claim is released, 500 answered).
        return "ignored", None
    return "saved", saved


def _session_expired(event: ParsedEvent) -> Op[Handled]:
    session = CheckoutSessionView.parse(event.data_object)
    record = yield from call_store(
        lambda s: s.finish_setup_session(session.id, status="expired", payment_method_id=None)
    )
    return ("updated" if record is not None else "ignored"), None


def _setup_outcome(status: MethodStatus) -> Handler:
    def handler(event: ParsedEvent) -> Op[Handled]:
        intent = SetupIntentView.parse(event.data_object)
        pm_id = intent.payment_method_id or intent.failed_payment_method_id
        if pm_id is None:
            return "ignored", None
        stored = yield from call_store(lambda s: s.get_payment_method(pm_id))
        if stored is not None:
            changed = attrs.evolve(stored, status=status)
            return (yield from _update(changed, event.created, stored))
        if status != "active" or intent.customer_id is None:
            return "ignored", None  # a failure of nothing saved; or attached at completion
        # Before its checkout.session.completed: save it now, the customer being known.
        customer_id = intent.customer_id
        data = yield from call_stripe(stripe.PaymentMethodService.retrieve, pm_id)
        pm = PaymentMethodView.parse(data)
        ref = yield from _ref_for(intent.metadata, customer_id)
        method = SavedPaymentMethod.from_view(
            pm, customer_ref=ref, customer_id=customer_id, status=status
        )
        yield from call_store(lambda s: s.add_customer(ref, customer_id))
        return "saved", (
            yield from call_store(lambda s: s.update_payment_method(method, as_of=event.created))
        )

    return handler


def _method_detached(event: ParsedEvent) -> Op[Handled]:
    pm = PaymentMethodView.parse(event.data_object)
    stored = yield from call_store(lambda s: s.get_payment_method(pm.id))
    if stored is not None:
        return (yield from _update(attrs.evolve(stored, status="detached"), event.created, stored))
    # Before anything else: keep a tombstone, so the late session cannot bring it back.
    previous = mapping(event.previous_attributes)
    customer_id = object_id(previous.get("customer")) or pm.customer_id or ""
    found = yield from call_store(lambda s: s.find_customer_ref(customer_id))
    tombstone = SavedPaymentMethod.from_view(
        pm, customer_ref=found or customer_id, customer_id=customer_id, status="detached"
    )
    saved = yield from call_store(lambda s: s.update_payment_method(tombstone, as_of=event.created))
    return "updated", saved


def _method_updated(event: ParsedEvent) -> Op[Handled]:
    pm = PaymentMethodView.parse(event.data_object)
    stored = yield from call_store(lambda s: s.get_payment_method(pm.id))
    if stored is None:
        return "ignored", None
    fresh = SavedPaymentMethod.from_view(
        pm,
        customer_ref=stored.customer_ref,
        customer_id=stored.customer_id,
        status=stored.status,
        is_default=stored.is_default,
    )
    return (yield from _update(fresh, event.created, stored))


def _update(method: SavedPaymentMethod, as_of: int, before: SavedPaymentMethod) -> Op[Handled]:
    after = yield from call_store(lambda s: s.update_payment_method(method, as_of=as_of))
    return ("updated" if after != before else "ignored"), after


def _charge_event(event: ParsedEvent) -> Op[Handled]:
    intent = PaymentIntentView.parse(event.data_object)
    record = yield from call_store(lambda s: s.find_charge_by_payment_intent(intent.id))
    if record is None:
        key = intent.metadata.get(LEDGER_METADATA_KEY)
        if not is_key(key):
            return "ignored", None  # not a charge this library made
        assert key is not None
        record = yield from call_store(lambda s: s.get_charge(key))
        if record is None:
            return "ignored", None
    if record.payment_intent_id not in (None, intent.id):
        logger.error(
            "webhook event %s: PaymentIntent %s carries ledger key %r, whose row names %s; "
            "the row is left as it is. Check the Dashboard for a second charge.",
            event.id,
            intent.id,
            record.idempotency_key,
            record.payment_intent_id,
        )
        return "ignored", None
    updated = settles(record, record_from_intent(record, intent, as_of=event.created))
    after = yield from call_store(lambda s: s.update_charge(updated))
    return ("updated" if after.version != record.version else "ignored"), None


def _ref_for(metadata: Mapping[str, str], customer_id: str) -> Op[str]:
    found = metadata.get(REF_METADATA_KEY)
    if is_key(found):
        assert found is not None
        return found
    stored = yield from call_store(lambda s: s.find_customer_ref(customer_id))
    return stored if stored is not None else customer_id


HANDLERS: dict[str, Handler] = {
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
    "payment_intent.canceled": _charge_event,
    "charge.refunded": charge_refunded,
    "refund.created": refund_changed,
    "refund.updated": refund_changed,
    "refund.failed": refund_changed,
    "charge.refund.updated": refund_changed,
    "charge.dispute.created": dispute_created,
}
"""The event types this library acts on; every other type is answered ``ignored``."""
