"""What the customer (and the banks) do outside the API: Checkout, 3-D Secure, settlement."""

from __future__ import annotations

from future_payments.testing._fake import _checkout, _payment_intents, _setup_intents
from future_payments.testing._fake._cards import (
    DELAYED_METHOD_TYPES,
    TEST_PAYMENT_METHODS,
    card_for_number,
    luhn_valid,
)
from future_payments.testing._fake._customers import new_customer
from future_payments.testing._fake._errors import FakeCardError, StripeErrorResponse
from future_payments.testing._fake._payment_methods import new_card_pm, new_delayed_pm
from future_payments.testing._fake._store import Context, Obj, State, snapshot


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
            raise ValueError(f"payment_method_type must be 'card' or one of {DELAYED_METHOD_TYPES}")
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
        return new_card_pm(state, card_for_number(number))
    return new_card_pm(state, card_for_number(number), expiry[0], expiry[1])


def _finish_session(state: State, ctx: Context, intent: Obj) -> None:
    """Complete the open Checkout Session of ``intent`` once its setup went through."""
    session_id = state.session_of_intent.get(intent["id"])
    if session_id is None or intent["status"] not in ("succeeded", "processing"):
        return
    session = state.objects[session_id]
    if session["status"] != "open":
        return
    email = session["customer_email"]
    if session["customer"] is not None:
        email = state.objects[session["customer"]]["email"] or email
    session.update(
        status="complete",
        url=None,
        customer_details={
            "address": None,
            "business_name": None,
            "email": email,
            "individual_name": None,
            "name": None,
            "phone": None,
            "tax_exempt": "none",
            "tax_ids": None,
        },
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
    state.expire_due(ctx)
    session = _session(state, session_id)
    if session["status"] != "open":
        raise ValueError(f"Checkout Session {session_id} is {session['status']}, not open")
    pm = _payment_method(state, session, card, payment_method, payment_method_type, expiry)
    if session["customer"] is None and session["customer_creation"] == "always":
        customer = state.add(new_customer(state, email=session["customer_email"]))
        state.record_event(ctx, "customer.created", customer)
        session["customer"] = customer["id"]
    intent_id = session["setup_intent"]
    if intent_id is None:
        data = state.session_setup_data[session_id]
        intent = _setup_intents.new_setup_intent(
            state,
            customer=session["customer"],
            types=session["payment_method_types"],
            allowed=session["allowed_payment_method_types"],
            description=data["description"],
            metadata=data["metadata"],
        )
        state.record_event(ctx, "setup_intent.created", intent)
        session["setup_intent"] = intent["id"]
        state.session_of_intent[intent["id"]] = session_id
    else:
        intent = state.objects[intent_id]
        if intent["customer"] is None:
            intent["customer"] = session["customer"]
    try:
        _setup_intents.confirm(state, ctx, intent, pm, None)
    except StripeErrorResponse as exc:
        raise FakeCardError(
            f"{exc.error['message']} (Checkout Session {session_id} stays open)",
            code=str(exc.error.get("code")),
            decline_code=exc.error.get("decline_code"),
        ) from None
    if intent["status"] == "requires_action" and authenticate:
        _setup_intents.authenticate(state, ctx, intent, True)
    _finish_session(state, ctx, intent)


def expire_checkout(state: State, ctx: Context, session_id: str) -> None:
    """The session runs out before the customer finishes (as after 24 h)."""
    session = _session(state, session_id)
    if session["status"] != "open":
        raise ValueError(f"Checkout Session {session_id} is {session['status']}, not open")
    _checkout.expire(state, ctx, session)


def _intent(state: State, intent_id: str) -> Obj:
    intent = state.objects.get(intent_id)
    if intent is None or intent["object"] not in ("setup_intent", "payment_intent"):
        raise LookupError(f"FakeStripe has no SetupIntent or PaymentIntent {intent_id!r}")
    return intent


def settle(state: State, ctx: Context, intent_id: str, succeed: bool) -> None:
    """A delayed method's outcome arrives: ``processing`` becomes succeeded or failed."""
    intent = _intent(state, intent_id)
    if intent["status"] != "processing":
        raise ValueError(f"{intent_id} is {intent['status']}, not processing")
    pm = state.objects[intent["payment_method"]]
    error = {
        "type": "invalid_request_error",
        "code": "bank_account_declined",
        "doc_url": "https://docs.stripe.com/error-codes#bank-account-declined",
        "message": "The bank account could not be debited.",
        "payment_method": snapshot(pm),
    }
    if intent["object"] == "setup_intent":
        if succeed:
            _setup_intents.succeed(state, ctx, intent)
        else:
            _setup_intents.fail(state, ctx, intent, error)
    elif succeed:
        _payment_intents.succeed(state, ctx, intent)
    else:
        _payment_intents.fail(state, ctx, intent, error, charged=True)


def authenticate(state: State, ctx: Context, intent_id: str, succeed: bool) -> None:
    """The customer passes (or fails) the 3-D Secure challenge of a ``requires_action`` intent."""
    intent = _intent(state, intent_id)
    if intent["status"] != "requires_action":
        raise ValueError(f"{intent_id} is {intent['status']}, not requires_action")
    if intent["object"] == "setup_intent":
        _setup_intents.authenticate(state, ctx, intent, succeed)
        _finish_session(state, ctx, intent)
    else:
        _payment_intents.authenticate(state, ctx, intent, succeed)
