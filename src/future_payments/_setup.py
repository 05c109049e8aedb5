"""Saving a payment method: ``start_setup`` and completing a setup-mode Checkout Session.

Each function is an operation (see ``_effects``): it yields Stripe and store calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import stripe

from future_payments._effects import Op, call_store, call_stripe
from future_payments._models import (
    MethodStatus,
    SavedPaymentMethod,
    SetupSessionRecord,
    SetupStarted,
)
from future_payments._stripe import Data, derived_key, keyed, object_id
from future_payments.errors import (
    InvalidInput,
    SessionExpired,
    SessionNotComplete,
    SetupFailed,
    UnknownSession,
)

if TYPE_CHECKING:
    from stripe.params import CustomerCreateParams
    from stripe.params.checkout import SessionCreateParams

REF_METADATA_KEY = "future_payments_customer_ref"
"""The metadata key that carries the app's customer_ref on Stripe objects."""

_SETUP_STATUS: Mapping[str, MethodStatus] = {"succeeded": "active", "processing": "pending"}


def ensure_customer(customer_ref: str, *, email: str | None = None) -> Op[str]:
    """The Stripe Customer id for a ref, creating the Customer the first time only.

    Racing first calls send the same idempotency key, so Stripe creates one Customer and the
    store keeps the first mapping.
    """
    known = yield from call_store(lambda s: s.get_customer_id(customer_ref))
    if known is not None:
        return known
    params: CustomerCreateParams = {"metadata": {REF_METADATA_KEY: customer_ref}}
    if email is not None:
        params["email"] = email
    customer = yield from call_stripe(
        stripe.CustomerService.create,
        params=params,
        options=keyed(derived_key("customer", customer_ref, email or "")),
    )
    customer_id = str(customer["id"])
    return (yield from call_store(lambda s: s.add_customer(customer_ref, customer_id)))


def start_setup(
    customer_ref: str,
    *,
    currency: str,
    success_url: str,
    cancel_url: str,
    email: str | None,
    payment_method_types: list[str] | None,
    metadata: dict[str, str],
) -> Op[SetupStarted]:
    """Create (once) the Customer, then a setup-mode Checkout Session for it."""
    customer_id = yield from ensure_customer(customer_ref, email=email)
    tagged = {**metadata, REF_METADATA_KEY: customer_ref}
    params: SessionCreateParams = {
        "mode": "setup",
        "customer": customer_id,
        "currency": currency,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "client_reference_id": customer_ref,
        "metadata": tagged,
        # The ref on the SetupIntent too, so its webhooks can be routed before the session's.
        "setup_intent_data": {"metadata": tagged},
    }
    if payment_method_types is not None:
        params["allowed_payment_method_types"] = [*payment_method_types]
    session = yield from call_stripe(stripe.checkout.SessionService.create, params=params)
    record = SetupSessionRecord(
        session_id=str(session["id"]), customer_ref=customer_ref, customer_id=customer_id
    )
    yield from call_store(lambda s: s.add_setup_session(record))
    return SetupStarted(
        session_id=record.session_id,
        url=str(session["url"]),
        customer_id=customer_id,
        expires_at=int(session["expires_at"]),
    )


def complete_from_session(session_id: str, customer_ref: str | None) -> Op[SavedPaymentMethod]:
    """Save the method of a completed session: one GET, zero for a session already handled."""
    stored = yield from already_saved(session_id)
    if stored is not None:
        return stored
    try:
        session = yield from call_stripe(
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
    return (yield from save_from_session(session, customer_ref))


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


def save_from_session(session: Data, customer_ref: str | None) -> Op[SavedPaymentMethod]:
    """Store the PaymentMethod a setup-mode session produced (shared by redirect and webhook)."""
    session_id = str(session["id"])
    if session.get("mode") != "setup":
        raise InvalidInput(
            f"Checkout Session {session_id} is in {session.get('mode')!r} mode; only setup-mode "
            "sessions save a payment method."
        )
    status = session.get("status", "complete")  # old API versions have no status
    if status == "expired":
        yield from call_store(
            lambda s: s.finish_setup_session(session_id, status="expired", payment_method_id=None)
        )
        raise SessionExpired(_expired_message(session_id))
    if status != "complete":
        raise SessionNotComplete(
            f"Checkout Session {session_id} is {status!r}: the customer has not completed it. "
            "Call again after the redirect to success_url or the checkout.session.completed "
            "webhook.",
            status=str(status),
        )
    intent = session.get("setup_intent")
    if not isinstance(intent, Mapping):
        intent = yield from call_stripe(
            stripe.SetupIntentService.retrieve,
            _require_id(intent, session_id),
            params={"expand": ["payment_method"]},
        )
    pm = intent.get("payment_method")
    method_status = _SETUP_STATUS.get(str(intent.get("status")))
    if method_status is None or not pm:
        raise SetupFailed(
            f"The SetupIntent of Checkout Session {session_id} is {intent.get('status')!r} and "
            "saved no payment method; start a new setup for the customer."
        )
    if not isinstance(pm, Mapping):
        pm = yield from call_stripe(stripe.PaymentMethodService.retrieve, str(pm))

    ref = yield from _resolve_ref(session, intent, customer_ref)
    customer_id = object_id(session.get("customer")) or object_id(pm.get("customer"))
    if customer_id is None:
        customer_id = yield from ensure_customer(ref)
        pm = yield from call_stripe(
            stripe.PaymentMethodService.attach,
            str(pm["id"]),
            params={"customer": customer_id},
            options=keyed(derived_key("attach", str(pm["id"]), customer_id)),
        )
    else:
        yield from call_store(lambda s: s.add_customer(ref, customer_id))

    method = SavedPaymentMethod.from_stripe(
        pm, customer_ref=ref, customer_id=customer_id, status=method_status
    )
    as_of = int(intent.get("created") or 0)
    saved = yield from call_store(lambda s: s.add_payment_method(method, as_of=as_of))
    yield from call_store(
        lambda s: s.add_setup_session(SetupSessionRecord(session_id, ref, customer_id))
    )
    yield from call_store(
        lambda s: s.finish_setup_session(session_id, status="complete", payment_method_id=saved.id)
    )
    return saved


def _resolve_ref(session: Data, intent: Mapping[str, Any], given: str | None) -> Op[str]:
    """The app's customer_ref: the argument, else what the session or store says."""
    if given is not None:
        return given
    for source in (session, intent):
        meta = source.get("metadata")
        if isinstance(meta, Mapping) and meta.get(REF_METADATA_KEY):
            return str(meta[REF_METADATA_KEY])
    if session.get("client_reference_id"):
        return str(session["client_reference_id"])
    session_id = str(session["id"])
    record = yield from call_store(lambda s: s.get_setup_session(session_id))
    if record is not None:
        return record.customer_ref
    customer_id = object_id(session.get("customer"))
    if customer_id is not None:
        found = yield from call_store(lambda s: s.find_customer_ref(customer_id))
        return found if found is not None else customer_id
    raise InvalidInput(
        f"Checkout Session {session_id} has no customer and no client_reference_id: pass "
        "customer_ref= to say whose payment method it is."
    )


def _require_id(value: Any, session_id: str) -> str:
    found = object_id(value)
    if found is None:
        raise SetupFailed(f"Checkout Session {session_id} has no SetupIntent.")
    return found


def _expired_message(session_id: str) -> str:
    return (
        f"Checkout Session {session_id} expired before the customer completed it; "
        "call start_setup() for a new one."
    )
