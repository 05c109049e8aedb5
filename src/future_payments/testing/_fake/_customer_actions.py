"""What the customer (and the banks) do outside the API: Checkout, 3-D Secure, settlement."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from future_payments.testing._fake import _checkout, _payment_intents, _refunds, _setup_intents
from future_payments.testing._fake._cards import (
    DELAYED_METHOD_TYPES,
    TEST_PAYMENT_METHODS,
    card_for_number,
    luhn_valid,
)
from future_payments.testing._fake._customers import new_customer
from future_payments.testing._fake._errors import FakeCardError, StripeErrorResponse
from future_payments.testing._fake._payment_methods import new_card_pm, new_delayed_pm
from future_payments.testing._fake._state import Context, Obj, State, snapshot

_SESSION_ID = re.compile(r"cs_(?:test|live)_[A-Za-z0-9]+")
_INTENT_ID = re.compile(r"(?:seti|pi)_[A-Za-z0-9]+")


def session_id_of(session: str) -> str:
    """The session id in ``session``: an id, or a session's ``url`` (Stripe's or the server's)."""
    if session.startswith("cs_"):
        return session
    match = _SESSION_ID.search(urlsplit(session).path)
    if match is None:
        raise LookupError(f"{session!r} is neither a Checkout Session id nor a session's url")
    return match.group(0)


def intent_id_of(intent: str) -> str:
    """The intent id in ``intent``: an id, or a ``next_action.redirect_to_url.url``."""
    if intent.startswith(("seti_", "pi_")):
        return intent
    parts = urlsplit(intent)
    for candidate in (*parse_qs(parts.query).get("intent", []), parts.path):
        match = _INTENT_ID.search(candidate)
        if match is not None:
            return match.group(0)
    raise LookupError(f"{intent!r} is neither an intent id nor a 3-D Secure redirect url")


def _session(state: State, session_id: str) -> Obj:
    session = state.objects.get(session_id)
    if session is None or session["object"] != "checkout.session":
        raise LookupError(f"FakeStripe has no Checkout Session {session_id!r}")
    return session


def _payment_method(
    state: State,
    session: Obj,
    card: str | None,
    payment_method: str | None,
    payment_method_type: str | None,
    expiry: tuple[int, int] | None = None,
) -> Obj:
    chosen = [x for x in (card, payment_method, payment_method_type) if x is not None]
    if len(chosen) > 1:
        raise ValueError("Pass at most one of card=, payment_method= and payment_method_type=")
    pm_type = payment_method_type or "card"
    if pm_type not in session["payment_method_types"]:
        raise ValueError(
            f"Checkout Session {session['id']} does not offer {pm_type!r}; it offers "
            f"{session['payment_method_types']}"
        )
    if payment_method_type is not None and pm_type != "card":
        if pm_type not in DELAYED_METHOD_TYPES:
            raise ValueError(
                f"FakeStripe does not simulate completing Checkout with {pm_type!r}: use "
                f"'card' or one of {DELAYED_METHOD_TYPES}"
            )
        return new_delayed_pm(state, pm_type)
    if payment_method is not None:
        test_card = TEST_PAYMENT_METHODS.get(payment_method)
        if test_card is not None:
            return new_card_pm(state, test_card)
        pm = state.objects.get(payment_method)
        if pm is None or pm["object"] != "payment_method":
            raise LookupError(f"FakeStripe has no PaymentMethod {payment_method!r}")
        return pm
    number = (card or "4242424242424242").replace(" ", "")
    if not luhn_valid(number):
        raise ValueError(f"{number!r} is not a valid card number (Luhn check failed)")
    if expiry is None:
        year = state.clock.now() // 31_556_952 + 1970 + 3
        expiry = (12, year)
    return new_card_pm(state, card_for_number(number), expiry)


def _finish_session(state: State, ctx: Context, intent: Obj) -> None:
    """Complete the open Checkout Session of ``intent`` once its setup went through."""
    session_id = state.session_of_intent.get(intent["id"])
    if session_id is None or intent["status"] not in ("succeeded", "processing"):
        return
    session = state.objects[session_id]
    if session["status"] != "open":
        return
    customer = state.objects.get(session["customer"] or "")
    state.update(
        session,
        status="complete",
        url=None,
        collected_information={
            "business_name": None,
            "individual_name": None,
            "shipping_details": None,
        },
        customer_details=_checkout.customer_details(customer, session["customer_email"]),
    )
    state.record_event(ctx, "checkout.session.completed", session)


def complete_checkout(
    state: State,
    ctx: Context,
    session_id: str,
    *,
    card: str | None,
    payment_method: str | None,
    payment_method_type: str | None,
    authenticate: bool,
    expiry: tuple[int, int] | None = None,
) -> None:
    """The customer fills the hosted page of an open setup session and submits it."""
    session = _session(state, session_id_of(session_id))
    if session["status"] != "open":
        raise ValueError(f"Checkout Session {session['id']} is {session['status']}, not open")
    pm = _payment_method(state, session, card, payment_method, payment_method_type, expiry)
    if session["customer"] is None and session["customer_creation"] == "always":
        customer = state.add(new_customer(state, email=session["customer_email"]))
        state.record_event(ctx, "customer.created", customer)
        state.update(session, customer=customer["id"])
    intent = state.objects[session["setup_intent"]]
    if intent["customer"] is None and session["customer"] is not None:
        state.update(intent, customer=session["customer"])
    try:
        _setup_intents.confirm(state, ctx, intent, pm, None)
    except StripeErrorResponse as exc:
        raise FakeCardError(
            f"{exc.error['message']} (Checkout Session {session['id']} stays open)",
            code=str(exc.error.get("code")),
            decline_code=exc.error.get("decline_code"),
        ) from None
    if intent["status"] == "requires_action" and authenticate:
        _setup_intents.authenticate(state, ctx, intent, True)
    _finish_session(state, ctx, intent)


def expire_checkout(state: State, ctx: Context, session_id: str) -> None:
    """The session runs out before the customer finishes (as after 24 h)."""
    session = _session(state, session_id_of(session_id))
    if session["status"] != "open":
        raise ValueError(f"Checkout Session {session['id']} is {session['status']}, not open")
    _checkout.expire(state, ctx, session)


def _settled(state: State, object_id: str) -> Obj:
    found = state.objects.get(object_id)
    if found is None or found["object"] not in ("setup_intent", "payment_intent", "refund"):
        raise LookupError(f"FakeStripe has no SetupIntent, PaymentIntent or Refund {object_id!r}")
    return found


def settle(state: State, ctx: Context, object_id: str, succeed: bool) -> None:
    """A delayed outcome arrives: a ``processing`` intent or a ``pending`` refund settles."""
    found = _settled(state, object_id)
    if found["object"] == "refund":
        if found["status"] != "pending":
            raise ValueError(f"{object_id} is {found['status']}, not pending")
        _refunds.settle(state, ctx, found, succeed, "declined")
        return
    if found["status"] != "processing":
        raise ValueError(f"{object_id} is {found['status']}, not processing")
    pm = state.objects[found["payment_method"]]
    error = {
        "code": "bank_account_declined",
        "doc_url": "https://docs.stripe.com/error-codes/bank-account-declined",
        "message": "The bank account could not be debited.",
        "payment_method": snapshot(pm),
        "type": "invalid_request_error",
    }
    if found["object"] == "setup_intent":
        if succeed:
            _setup_intents.succeed(state, ctx, found)
        else:
            _setup_intents.fail(state, ctx, found, error)
    else:
        _payment_intents.settle(state, ctx, found, succeed, error)


def authenticate(state: State, ctx: Context, intent: str, succeed: bool) -> None:
    """The customer passes (or fails) the 3-D Secure challenge of a ``requires_action`` intent."""
    intent_id = intent_id_of(intent)
    found = state.objects.get(intent_id)
    if found is None or found["object"] not in ("setup_intent", "payment_intent"):
        raise LookupError(f"FakeStripe has no SetupIntent or PaymentIntent {intent_id!r}")
    if found["status"] != "requires_action":
        raise ValueError(f"{intent_id} is {found['status']}, not requires_action")
    if found["object"] == "setup_intent":
        _setup_intents.authenticate(state, ctx, found, succeed)
        _finish_session(state, ctx, found)
    else:
        _payment_intents.authenticate(state, ctx, found, succeed)


def update_card(
    state: State,
    ctx: Context,
    payment_method_id: str,
    exp_month: int | None,
    exp_year: int | None,
    last4: str | None,
) -> None:
    """The card network's account updater replaces a saved card's expiry or number.

    Stripe then sends ``payment_method.automatically_updated`` with the new card details and
    the old ones in ``previous_attributes``.
    """
    pm = state.objects.get(payment_method_id)
    if pm is None or pm["object"] != "payment_method" or pm["type"] != "card":
        raise LookupError(f"FakeStripe has no card PaymentMethod {payment_method_id!r}")
    if pm["customer"] is None:
        raise ValueError(f"{payment_method_id} is not attached to a customer: nothing to update")
    card = dict(pm["card"])
    if exp_month is not None:
        if not 1 <= exp_month <= 12:
            raise ValueError(f"exp_month must be 1 to 12, got {exp_month}")
        card["exp_month"] = exp_month
    if exp_year is not None:
        card["exp_year"] = exp_year
    if last4 is not None:
        if not (len(last4) == 4 and last4.isdigit()):
            raise ValueError(f"last4 must be four digits, got {last4!r}")
        card["last4"] = last4
    if exp_month is None and exp_year is None and last4 is None:
        card["exp_year"] = card["exp_year"] + 3  # the network's usual news: a renewed card
    previous = {"card": dict(pm["card"])}
    state.update(pm, card=card)
    state.record_event(ctx, "payment_method.automatically_updated", pm, previous)


def on_timer(state: State, action: str, object_id: str, ctx: Context) -> None:
    """Run a scheduled action: a session's expiry, a refund's asynchronous failure."""
    found = state.objects.get(object_id)
    if found is None:
        return
    if action == _checkout.EXPIRE and found["status"] == "open":
        _checkout.expire(state, ctx, found)
    elif action == _refunds.FAIL_REFUND and found["status"] == "succeeded":
        _refunds.settle(state, ctx, found, False)
