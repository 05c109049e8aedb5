"""PaymentIntents: create (and confirm), update, confirm, capture, cancel, list, search.

Each confirmation that reaches the card network makes a Charge; the card outcome (from the test
card table, or a failure queued by ``FakeStripe.next_charge_fails``) decides whether it succeeds,
is declined (402 after recording the attempt) or waits for 3-D Secure.
"""

from __future__ import annotations

from typing import Any

import stripe

from future_payments.testing._fake import _charges, _declines, _disputes, _intents, _lists, _search
from future_payments.testing._fake._call import Call, echoed, merged_metadata
from future_payments.testing._fake._cards import DELAYED_METHOD_TYPES
from future_payments.testing._fake._currencies import check_amount, check_currency
from future_payments.testing._fake._errors import invalid, rejected, unexpected_state
from future_payments.testing._fake._ids import new_id, random_token
from future_payments.testing._fake._state import ChargeFailure, Context, Obj, State, snapshot

SEARCHABLE = frozenset({"amount", "created", "currency", "customer", "metadata", "status"})
_OWN = (
    "amount",
    "currency",
    "customer",
    "payment_method",
    "payment_method_data",
    "confirm",
    "off_session",
    "return_url",
    "error_on_requires_action",
    "payment_method_types",
    "allowed_payment_method_types",
    "automatic_payment_methods",
    "payment_method_options",
    "capture_method",
    "mandate",
    "mandate_data",
    "confirmation_token",
    "use_stripe_sdk",
    "radar_options",
    "payment_method_configuration",
    "application_fee_amount",
    "on_behalf_of",
    "transfer_data",
    "hooks",
    "payment_details",
    "amount_details",
    "setup_future_usage",
)
_CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
_AMOUNT_ZERO = (
    "This value must be greater than or equal to 1. If you want to save a payment method "
    "for future use without an immediate payment, use a SetupIntent instead: "
    "https://docs.stripe.com/payments/save-and-reuse"
)


def _new(state: State, params: dict[str, Any], amount: int, currency: str) -> Obj:
    types = _intents.method_types(state, params, "payment_intent", currency)
    intent_id = new_id("pi")
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": 0,
        "application": None,
        "application_fee_amount": None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": params.get("capture_method") or "automatic_async",
        "client_secret": f"{intent_id}_secret_{random_token(25)}",
        "confirmation_method": "automatic",
        "created": state.clock.now(),
        "currency": currency,
        "customer": params.get("customer"),
        "customer_account": None,
        "description": None,
        "excluded_payment_method_types": None,
        "hooks": None,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "managed_payments": None,
        "metadata": {},
        "next_action": None,
        "on_behalf_of": None,
        "payment_details": None,
        "payment_method": None,
        "payment_method_configuration_details": state.methods.details()
        if types.configured
        else None,
        "payment_record": None,
        "presentment_details": None,
        "processing": None,
        "receipt_email": None,
        "review": None,
        "setup_future_usage": params.get("setup_future_usage"),
        "shipping": None,
        "source": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "requires_payment_method",
        "transfer_data": None,
        "transfer_group": None,
        **types.fields(),
    }


def _echo(intent: Obj, params: dict[str, Any]) -> dict[str, Any]:
    changes = echoed(stripe.PaymentIntent, params, skip=_OWN, current=intent)
    if "payment_method_options" in params:
        changes["payment_method_options"] = _intents.merged_options(
            intent["payment_method_options"], params["payment_method_options"]
        )
    if "metadata" in params:
        changes["metadata"] = merged_metadata(intent["metadata"], params)
    if "setup_future_usage" in params:
        changes["setup_future_usage"] = params["setup_future_usage"]
    return changes


def _off_session(params: dict[str, Any]) -> bool:
    value = params.get("off_session")
    return value in (True, "one_off", "recurring")


# -- outcomes ----------------------------------------------------------------------------------


def succeed(state: State, ctx: Context, intent: Obj, charge: Obj | None = None) -> None:
    """The charge goes through: captured now, or held for ``capture_method=manual``."""
    pm = state.objects[intent["payment_method"]]
    manual = intent["capture_method"] == "manual"
    if charge is None:
        charge = _charges.new_charge(
            state,
            intent,
            pm,
            status="succeeded",
            captured=not manual,
            authenticated=intent.get("next_action") is not None,
        )
    else:  # a delayed method's pending charge settles
        state.update(
            charge, status="succeeded", paid=True, captured=True, amount_captured=charge["amount"]
        )
        _charges.add_funds(state, charge, charge["amount"])
    common = {
        "latest_charge": charge["id"],
        "next_action": None,
        "last_payment_error": None,
        "processing": None,
    }
    if manual:
        state.update(intent, common, status="requires_capture", amount_capturable=intent["amount"])
        _charges.record(state, ctx, charge, "succeeded")
        state.record_event(ctx, "payment_intent.amount_capturable_updated", intent)
        return
    state.update(intent, common, status="succeeded", amount_received=intent["amount"])
    _charges.record(state, ctx, charge, "succeeded")
    state.record_event(ctx, "payment_intent.succeeded", intent)
    _dispute_if_drawn(state, ctx, charge)


def _dispute_if_drawn(state: State, ctx: Context, charge: Obj) -> None:
    card = state.cards.get(str(charge["payment_method"]))
    if card is not None and card.dispute is not None:
        _disputes.open_dispute(state, ctx, charge, card.dispute)


def fail(state: State, ctx: Context, intent: Obj, error: Obj, charge: Obj | None) -> None:
    """Back to ``requires_payment_method`` with ``last_payment_error``."""
    state.update(
        intent,
        status="requires_payment_method",
        payment_method=None,
        next_action=None,
        last_payment_error=error,
        processing=None,
    )
    if charge is not None:
        state.update(intent, latest_charge=charge["id"])
        _charges.record(state, ctx, charge, "failed")
    state.record_event(ctx, "payment_intent.payment_failed", intent)


def _decline(
    state: State, ctx: Context, intent: Obj, pm: Obj, found: _declines.Decline, *, charged: bool
) -> Exception:
    """Record a declined attempt; the 402 to raise embeds the intent and the PaymentMethod."""
    charge = None
    if charged:
        charge = _charges.new_charge(state, intent, pm, status="failed", failure=found)
    extra: dict[str, Any] = {"payment_method": snapshot(pm)}
    if charge is not None:
        extra = {"charge": charge["id"], **extra}
    fail(state, ctx, intent, _declines.error_hash(found, **extra), charge)
    return _declines.card_error(found, **extra, payment_intent=snapshot(intent))


def _requires_action(state: State, ctx: Context, intent: Obj, return_url: str | None) -> None:
    state.update(
        intent,
        status="requires_action",
        next_action=_intents.next_action(state, intent, return_url),
    )
    state.record_event(ctx, "payment_intent.requires_action", intent)


def charge(state: State, ctx: Context, intent: Obj, pm: Obj, params: dict[str, Any]) -> None:
    """Run the outcome of paying ``intent`` with ``pm``; a decline raises its 402 after
    recording it."""
    _intents.check_simulated(pm)
    off_session = _off_session(params)
    state.update(intent, payment_method=pm["id"], last_payment_error=None)
    if pm["type"] in DELAYED_METHOD_TYPES:
        pending = _charges.new_charge(state, intent, pm, status="pending")
        state.update(intent, status="processing", next_action=None, latest_charge=pending["id"])
        _charges.record(state, ctx, pending, "pending")
        state.record_event(ctx, "payment_intent.processing", intent)
        return
    card = state.cards[pm["id"]]
    forced: ChargeFailure | None = (
        state.charge_failures.popleft() if state.charge_failures else None
    )
    if forced is not None:
        state.on_undo(lambda: state.charge_failures.appendleft(forced))
        if forced.code != "authentication_required":
            raise _decline(
                state,
                ctx,
                intent,
                pm,
                _declines.decline(forced.code, forced.decline_code),
                charged=True,
            )
        outcome = "authentication_required" if off_session else "authenticates"
    elif off_session:
        outcome = card.off_session
        if outcome == "succeeds_once_set_up":
            outcome = "succeeds" if pm["id"] in state.set_up else "authentication_required"
    else:
        outcome = card.on_session
    if outcome == "authentication_required":
        found = _declines.decline("authentication_required", "authentication_required")
        raise _decline(state, ctx, intent, pm, found, charged=True)
    if outcome == "declines":
        raise _decline(state, ctx, intent, pm, _declines.of_card(card), charged=True)
    if outcome == "succeeds":
        succeed(state, ctx, intent)
        return
    if params.get("error_on_requires_action"):
        found = _declines.decline("authentication_required", "authentication_not_handled")
        raise _decline(state, ctx, intent, pm, found, charged=False)
    _requires_action(state, ctx, intent, params.get("return_url"))


def authenticate(state: State, ctx: Context, intent: Obj, succeeded: bool) -> None:
    """The customer passes or fails the challenge of a ``requires_action`` PaymentIntent."""
    pm = state.objects[intent["payment_method"]]
    if not succeeded:
        error = {
            "code": "payment_intent_authentication_failure",
            "doc_url": "https://docs.stripe.com/error-codes/payment-intent-authentication-failure",
            "message": "The provided PaymentMethod has failed authentication. You can provide "
            "payment_method_data or a new PaymentMethod to attempt to fulfill this "
            "PaymentIntent again.",
            "payment_method": snapshot(pm),
            "type": "invalid_request_error",
        }
        fail(state, ctx, intent, error, None)
        return
    card = state.cards[pm["id"]]
    if card.on_session == "authenticates_then_declines":
        found = _declines.of_card(card)
        failed = _charges.new_charge(
            state, intent, pm, status="failed", failure=found, authenticated=True
        )
        error = _declines.error_hash(found, charge=failed["id"], payment_method=snapshot(pm))
        fail(state, ctx, intent, error, failed)
        return
    succeed(state, ctx, intent)


def settle(state: State, ctx: Context, intent: Obj, succeeded: bool, error: Obj) -> None:
    """A delayed method's payment settles: its pending charge succeeds or fails."""
    pending = state.objects[intent["latest_charge"]]
    if succeeded:
        succeed(state, ctx, intent, pending)
        return
    state.update(
        pending, status="failed", failure_code=error["code"], failure_message=error["message"]
    )
    fail(state, ctx, intent, error, pending)


# -- the API -----------------------------------------------------------------------------------


def _check_confirmable(intent: Obj) -> None:
    if intent["status"] not in _CONFIRMABLE:
        raise unexpected_state(
            "payment_intent",
            f"This PaymentIntent's status is {intent['status']}, so it cannot be confirmed. "
            "Only a PaymentIntent with one of the following statuses may be confirmed: "
            "requires_payment_method, requires_confirmation, requires_action.",
        )


def _missing_payment_method() -> Exception:
    return invalid(
        "You cannot confirm this PaymentIntent because it's missing a payment method. Update "
        "it with a payment method and then confirm it again.",
        code="payment_intent_unexpected_state",
    )


def create(call: Call) -> Obj:
    """POST /v1/payment_intents."""
    state, params = call.state, call.params
    amount = params["amount"]
    if amount < 1:
        raise rejected(_AMOUNT_ZERO, param="amount", code="parameter_invalid_integer")
    currency = check_currency(params["currency"])
    check_amount(amount, currency)
    customer = params.get("customer")
    if customer is not None:
        state.get("customer", customer, "customer", param="customer")
    do_confirm = bool(params.get("confirm"))
    if params.get("off_session") is not None and not do_confirm:
        raise rejected(
            "You can only pass `off_session` when `confirm` is true.", param="off_session"
        )
    if params.get("error_on_requires_action") and not do_confirm:
        raise rejected(
            "You can only pass `error_on_requires_action` when `confirm` is true.",
            param="error_on_requires_action",
        )
    intent = _new(state, params, amount, currency)
    intent.update(_echo(intent, params))
    state.add(intent)
    state.record_event(call.ctx, "payment_intent.created", intent)
    pm = _intents.payment_method_for(state, params, None, customer)
    if pm is not None:
        state.update(intent, payment_method=pm["id"], status="requires_confirmation")
    if do_confirm:
        if pm is None:
            raise _missing_payment_method()
        charge(state, call.ctx, intent, pm, params)
    return intent


def retrieve(call: Call) -> Obj:
    """GET /v1/payment_intents/{id}."""
    return call.state.get("payment_intent", call.id, "payment_intent")


def update(call: Call) -> Obj:
    """POST /v1/payment_intents/{id}."""
    state, params = call.state, call.params
    intent = _intents.updatable(state, "payment_intent", call.id)
    changes = _echo(intent, params)
    if params.get("amount") is not None:
        check_amount(params["amount"], intent["currency"])
        changes["amount"] = params["amount"]
    if params.get("currency") is not None:
        changes["currency"] = check_currency(params["currency"])
    if params.get("capture_method") is not None:
        changes["capture_method"] = params["capture_method"]
    _intents.update_common(state, params, intent, changes, currency=intent["currency"])
    state.update(intent, changes)  # Stripe has no payment_intent.updated event
    return intent


def confirm(call: Call) -> Obj:
    """POST /v1/payment_intents/{id}/confirm."""
    state, params = call.state, call.params
    intent = state.get("payment_intent", call.id, "payment_intent")
    _check_confirmable(intent)
    pm = _intents.payment_method_for(state, params, intent["payment_method"], intent["customer"])
    if pm is None:
        raise _missing_payment_method()
    echoes = ("receipt_email", "shipping", "payment_method_options", "setup_future_usage")
    state.update(intent, _echo(intent, {k: v for k, v in params.items() if k in echoes}))
    if params.get("capture_method") is not None:
        state.update(intent, capture_method=params["capture_method"])
    charge(state, call.ctx, intent, pm, params)
    return intent


def capture(call: Call) -> Obj:
    """POST /v1/payment_intents/{id}/capture (``amount_to_capture``; the rest is released)."""
    state, params = call.state, call.params
    intent = state.get("payment_intent", call.id, "payment_intent")
    if intent["status"] != "requires_capture":
        raise unexpected_state(
            "payment_intent",
            f"This PaymentIntent could not be captured because it has a status of "
            f"{intent['status']}. Only a PaymentIntent with one of the following statuses may "
            "be captured: requires_capture.",
        )
    amount = params.get("amount_to_capture")
    amount = intent["amount_capturable"] if amount is None else amount
    if not 0 < amount <= intent["amount_capturable"]:
        raise invalid(
            f"The amount to capture ({amount}) must be positive and at most the amount "
            f"capturable ({intent['amount_capturable']}).",
            param="amount_to_capture",
        )
    state.update(
        intent,
        _echo(
            intent,
            {
                k: v
                for k, v in params.items()
                if k in ("metadata", "statement_descriptor", "statement_descriptor_suffix")
            },
        ),
    )
    charge = state.objects[intent["latest_charge"]]
    released = charge["amount"] - amount
    state.update(charge, captured=True, amount_captured=amount, amount_refunded=released)
    _charges.add_funds(state, charge, amount)
    state.update(intent, status="succeeded", amount_received=amount, amount_capturable=0)
    _charges.record(state, call.ctx, charge, "captured")
    state.record_event(call.ctx, "payment_intent.succeeded", intent)
    _dispute_if_drawn(state, call.ctx, charge)
    return intent


def cancel(call: Call) -> Obj:
    """POST /v1/payment_intents/{id}/cancel: a held authorization is released."""
    state = call.state
    intent = state.get("payment_intent", call.id, "payment_intent")
    if intent["status"] in ("succeeded", "canceled", "processing"):
        raise unexpected_state(
            "payment_intent",
            f"You cannot cancel this PaymentIntent because it has a status of "
            f"{intent['status']}. Only a PaymentIntent with one of the following statuses may "
            "be canceled: requires_payment_method, requires_capture, requires_confirmation, "
            "requires_action, processing.",
        )
    held = intent["status"] == "requires_capture"
    state.update(
        intent,
        status="canceled",
        cancellation_reason=call.params.get("cancellation_reason"),
        canceled_at=state.clock.now(),
        next_action=None,
        amount_capturable=0,
    )
    if held:
        charge = state.objects[intent["latest_charge"]]
        state.update(charge, amount_refunded=charge["amount"], refunded=True)
        _charges.record(state, call.ctx, charge, "refunded")
    state.record_event(call.ctx, "payment_intent.canceled", intent)
    return intent


def list_all(call: Call) -> Obj:
    """GET /v1/payment_intents (``customer``, ``created``)."""
    customer = call.params.get("customer")
    keep = None if customer is None else (lambda i: bool(i["customer"] == customer))
    return _lists.page(call.state, "payment_intent", call.params, "/v1/payment_intents", keep)


def search(call: Call) -> Obj:
    """GET /v1/payment_intents/search."""
    keep = _search.parse(call.params["query"], SEARCHABLE)
    url = "/v1/payment_intents/search"
    return _lists.search_page(call.state, "payment_intent", call.params, url, keep)
