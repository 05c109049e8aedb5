"""Saving a payment method: ``start_setup`` and completing a setup-mode Checkout Session.

Each function is an operation (see ``_effects``): it yields Stripe and store calls. Customers
and Checkout Sessions are created through ``_attempts.create_once``, so a lost answer, a
replayed 5xx or a retry a day later never leaves a second Customer or a second open session.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import stripe

from future_payments._attempts import create_once, finish, stripe_key
from future_payments._effects import Op, call_store, call_stripe, call_stripe_list
from future_payments._models import (
    Attempt,
    MethodStatus,
    SavedPaymentMethod,
    SetupSessionRecord,
    SetupStarted,
)
from future_payments._objects import (
    CheckoutSessionView,
    CustomerView,
    Malformed,
    PaymentMethodView,
    SetupIntentView,
    is_key,
)
from future_payments._stripe import keyed
from future_payments.errors import (
    InvalidInput,
    SessionExpired,
    SessionNotComplete,
    SetupFailed,
    UnknownSession,
)

if TYPE_CHECKING:
    from stripe.params import CustomerCreateParams, CustomerListParams
    from stripe.params.checkout import SessionCreateParams, SessionListParams

REF_METADATA_KEY = "future_payments_customer_ref"
"""The metadata key that carries the app's customer_ref on Stripe objects."""

SETUP_ATTEMPT_METADATA_KEY = "future_payments_setup_attempt"
"""The metadata key that numbers a Checkout Session among a customer_ref's setups."""

OWN_SESSION_METADATA = 2
"""How many metadata keys this library adds to a Checkout Session (and 1 to its SetupIntent)."""

_SETUP_STATUS: Mapping[str, MethodStatus] = {"succeeded": "active", "processing": "pending"}


@attrs.frozen
class SetupRequest:
    """A validated ``start_setup`` call."""

    customer_ref: str
    currency: str
    success_url: str
    cancel_url: str
    email: str | None
    payment_method_types: list[str] | None
    metadata: dict[str, str]
    now: int


def ensure_customer(customer_ref: str, *, now: int, email: str | None = None) -> Op[str]:
    """The Stripe Customer id for a ref, created the first time only, and exactly once.

    The create is keyed by the ref alone, so racing first calls make one Customer; a retry with
    another e-mail, or after Stripe forgot the key, finds the Customer by its ref metadata.
    """
    known = yield from call_store(lambda s: s.get_customer_id(customer_ref))
    if known is not None:
        return known
    params: CustomerCreateParams = {"metadata": {REF_METADATA_KEY: customer_ref}}
    if email is not None:
        params["email"] = email

    def send(attempt: Attempt) -> Op[str]:
        made = yield from call_stripe(
            stripe.CustomerService.create, params=params, options=keyed(stripe_key(attempt))
        )
        return CustomerView.parse(made).id

    def find(since: int) -> Op[str | None]:
        created: CustomerListParams = {"created": {"gte": since}}
        listed = yield from call_stripe_list(
            stripe.CustomerService.list, created, CustomerView.parse
        )
        mine = (c for c in listed if c.metadata.get(REF_METADATA_KEY) == customer_ref)
        return next((c.id for c in mine if not c.deleted), None)

    customer_id = yield from create_once("customer", customer_ref, now=now, send=send, find=find)
    return (yield from call_store(lambda s: s.add_customer(customer_ref, customer_id)))


def start_setup(request: SetupRequest) -> Op[SetupStarted]:
    """Create (once) the Customer, then a setup-mode Checkout Session for it."""
    ref = request.customer_ref
    customer_id = yield from ensure_customer(ref, now=request.now, email=request.email)

    def params_of(attempt: Attempt) -> SessionCreateParams:
        tagged = {**request.metadata, REF_METADATA_KEY: ref}
        params: SessionCreateParams = {
            "mode": "setup",
            "customer": customer_id,
            "currency": request.currency,
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "client_reference_id": ref,
            "metadata": {**tagged, SETUP_ATTEMPT_METADATA_KEY: str(attempt.number)},
            # The ref on the SetupIntent too, so its webhooks can be routed before the session's.
            "setup_intent_data": {"metadata": tagged},
        }
        if request.payment_method_types is not None:
            params["allowed_payment_method_types"] = [*request.payment_method_types]
        return params

    def send(attempt: Attempt) -> Op[tuple[CheckoutSessionView, int]]:
        made = yield from call_stripe(
            stripe.checkout.SessionService.create,
            params=params_of(attempt),
            options=keyed(stripe_key(attempt)),
        )
        return CheckoutSessionView.parse(made), attempt.number

    def find(since: int) -> Op[tuple[CheckoutSessionView, int] | None]:
        # A session an unfinished attempt made may have other URLs than this call asks for:
        # expire it rather than adopt it, so that one open session is the one asked for now.
        yield from _expire_orphans(customer_id, ref, since)
        return None

    session, number = yield from create_once("setup", ref, now=request.now, send=send, find=find)
    record = SetupSessionRecord(session_id=session.id, customer_ref=ref, customer_id=customer_id)
    yield from call_store(lambda s: s.add_setup_session(record))
    yield from finish("setup", ref, number)
    if session.url is None:
        raise SetupFailed(f"Stripe answered Checkout Session {session.id} without a url.")
    return SetupStarted(
        session_id=record.session_id,
        url=session.url,
        customer_id=customer_id,
        expires_at=session.expires_at,
    )


def _expire_orphans(customer_id: str, ref: str, since: int) -> Op[None]:
    """Expire the open sessions of ``ref`` created since ``since`` that no record knows."""
    params: SessionListParams = {
        "customer": customer_id,
        "created": {"gte": since},
        "status": "open",
    }
    listed = yield from call_stripe_list(
        stripe.checkout.SessionService.list, params, CheckoutSessionView.parse
    )
    for session in listed:
        if session.metadata.get(REF_METADATA_KEY) != ref:
            continue
        known = yield from _stored_session(session.id)
        if known is None:
            try:
                yield from call_stripe(stripe.checkout.SessionService.expire, session.id)
            except stripe.InvalidRequestError:
                continue  # completed or expired meanwhile: nothing left open


def _stored_session(session_id: str) -> Op[SetupSessionRecord | None]:
    return (yield from call_store(lambda s: s.get_setup_session(session_id)))


def complete_from_session(
    session_id: str, customer_ref: str | None, *, now: int
) -> Op[SavedPaymentMethod]:
    """Save the method of a completed session: one GET, zero for a session already handled."""
    stored = yield from already_saved(session_id)
    if stored is not None:
        return stored
    try:
        data = yield from call_stripe(
            stripe.checkout.SessionService.retrieve,
            session_id,
            params={"expand": ["setup_intent.payment_method"]},
        )
    except stripe.InvalidRequestError as exc:
        if exc.code == "resource_missing":
            raise UnknownSession(
                f"Stripe has no Checkout Session {session_id!r}; check the id in the success URL "
                "and that the API key belongs to the account that created it."
            ) from exc
        raise
    try:
        session = CheckoutSessionView.parse(data)
    except Malformed as exc:
        raise SetupFailed(f"Stripe's answer for Checkout Session {session_id} is {exc}.") from exc
    return (yield from save_from_session(session, customer_ref, now=now))


def already_saved(session_id: str) -> Op[SavedPaymentMethod | None]:
    """The stored method of a session handled before; raises for one known to be expired."""
    record = yield from call_store(lambda s: s.get_setup_session(session_id))
    if record is None:
        return None
    if record.status == "expired":
        raise SessionExpired(_expired_message(session_id))
    if record.status == "complete" and record.payment_method_id is not None:
        pm_id = record.payment_method_id
        return (yield from call_store(lambda s: s.get_payment_method(pm_id)))
    return None


def save_from_session(
    session: CheckoutSessionView, customer_ref: str | None, *, now: int
) -> Op[SavedPaymentMethod]:
    """Store the PaymentMethod a setup-mode session produced (shared by redirect and webhook)."""
    session_id = session.id
    if session.mode != "setup":
        raise InvalidInput(
            f"Checkout Session {session_id} is in {session.mode!r} mode; only setup-mode "
            "sessions save a payment method.",
            param="session_id",
        )
    if session.status == "expired":
        yield from call_store(
            lambda s: s.finish_setup_session(session_id, status="expired", payment_method_id=None)
        )
        raise SessionExpired(_expired_message(session_id))
    if session.status != "complete":
        raise SessionNotComplete(
            f"Checkout Session {session_id} is {session.status!r}: the customer has not "
            "completed it. Call again after the redirect to success_url or the "
            "checkout.session.completed webhook.",
            status=session.status,
        )
    intent = session.setup_intent
    if intent is None:
        if session.setup_intent_id is None:
            raise SetupFailed(f"Checkout Session {session_id} has no SetupIntent.")
        data = yield from call_stripe(
            stripe.SetupIntentService.retrieve,
            session.setup_intent_id,
            params={"expand": ["payment_method"]},
        )
        intent = _parse_intent(data, session_id)
    method_status = _SETUP_STATUS.get(str(intent.status))
    if method_status is None or intent.payment_method_id is None:
        raise SetupFailed(
            f"The SetupIntent of Checkout Session {session_id} is {intent.status!r} and "
            "saved no payment method; start a new setup for the customer."
        )
    pm = intent.payment_method
    if pm is None:
        data = yield from call_stripe(
            stripe.PaymentMethodService.retrieve, intent.payment_method_id
        )
        pm = _parse_method(data, session_id)

    ref = yield from _resolve_ref(session, intent, customer_ref)
    customer_id = session.customer_id or pm.customer_id
    if customer_id is None:
        customer_id = yield from ensure_customer(ref, now=now)
        # Attaching is idempotent by nature (the same method to the same customer answers the
        # method), so each try gets the SDK's own fresh key: a 5xx is never replayed to us.
        data = yield from call_stripe(
            stripe.PaymentMethodService.attach, pm.id, params={"customer": customer_id}
        )
        pm = _parse_method(data, session_id)
    else:
        yield from call_store(lambda s: s.add_customer(ref, customer_id))

    method = SavedPaymentMethod.from_view(
        pm, customer_ref=ref, customer_id=customer_id, status=method_status
    )
    saved = yield from call_store(lambda s: s.add_payment_method(method, as_of=intent.created))
    yield from call_store(
        lambda s: s.add_setup_session(SetupSessionRecord(session_id, ref, customer_id))
    )
    yield from call_store(
        lambda s: s.finish_setup_session(session_id, status="complete", payment_method_id=saved.id)
    )
    return saved


def _parse_intent(data: Mapping[str, Any], session_id: str) -> SetupIntentView:
    try:
        return SetupIntentView.parse(data)
    except Malformed as exc:
        raise SetupFailed(f"The SetupIntent of Checkout Session {session_id}: {exc}.") from exc


def _parse_method(data: Mapping[str, Any], session_id: str) -> PaymentMethodView:
    try:
        return PaymentMethodView.parse(data)
    except Malformed as exc:
        raise SetupFailed(f"The PaymentMethod of Checkout Session {session_id}: {exc}.") from exc


def _resolve_ref(
    session: CheckoutSessionView, intent: SetupIntentView, given: str | None
) -> Op[str]:
    """The app's customer_ref: the argument, else what the session or store says."""
    if given is not None:
        return given
    for meta in (session.metadata, intent.metadata):
        found = meta.get(REF_METADATA_KEY)
        if is_key(found):
            assert found is not None
            return found
    if is_key(session.client_reference_id):
        assert session.client_reference_id is not None
        return session.client_reference_id
    session_id = session.id
    record = yield from call_store(lambda s: s.get_setup_session(session_id))
    if record is not None:
        return record.customer_ref
    customer_id = session.customer_id
    if customer_id is not None:
        found = yield from call_store(lambda s: s.find_customer_ref(customer_id))
        return found if found is not None else customer_id
    raise InvalidInput(
        f"Checkout Session {session_id} has no customer and no client_reference_id: pass "
        "customer_ref= to say whose payment method it is.",
        param="customer_ref",
    )


def _expired_message(session_id: str) -> str:
    return (
        f"Checkout Session {session_id} expired before the customer completed it; "
        "call start_setup() for a new one."
    )
