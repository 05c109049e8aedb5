"""SetupIntents: create, retrieve, update, confirm, cancel, list, and the card outcomes at setup."""

from __future__ import annotations

from typing import Any

import stripe

from future_payments.testing._fake import _declines, _intents, _lists
from future_payments.testing._fake._call import Call, echoed, merged_metadata
from future_payments.testing._fake._cards import DELAYED_METHOD_TYPES
from future_payments.testing._fake._errors import invalid, unexpected_state
from future_payments.testing._fake._ids import new_id, random_token
from future_payments.testing._fake._state import Context, Obj, State, snapshot

# Parameters the handlers set themselves rather than echo.
_OWN = (
    "customer",
    "payment_method",
    "payment_method_data",
    "payment_method_types",
    "allowed_payment_method_types",
    "automatic_payment_methods",
    "payment_method_options",
    "confirm",
    "return_url",
    "usage",
    "on_behalf_of",
    "single_use",
    "mandate_data",
    "confirmation_token",
    "payment_method_configuration",
    "use_stripe_sdk",
)
_CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
_CHECKOUT_OWNED = (
    "You can't confirm or cancel the SetupIntent for a Checkout Session; expire the Checkout "
    "Session instead."
)


def new_setup_intent(
    state: State,
    types: _intents.MethodTypes,
    *,
    customer: str | None,
    usage: str = "off_session",
    description: str | None = None,
    metadata: dict[str, str] | None = None,
) -> Obj:
    """Store a SetupIntent in ``requires_payment_method``."""
    intent_id = new_id("seti")
    return state.add(
        {
            "id": intent_id,
            "object": "setup_intent",
            "application": None,
            "attach_to_self": None,
            "cancellation_reason": None,
            "client_secret": f"{intent_id}_secret_{random_token(32)}",
            "created": state.clock.now(),
            "customer": customer,
            "customer_account": None,
            "description": description,
            "excluded_payment_method_types": None,
            "flow_directions": None,
            "last_setup_error": None,
            "latest_attempt": None,
            "livemode": False,
            "managed_payments": None,
            "mandate": None,
            "metadata": metadata or {},
            "next_action": None,
            "on_behalf_of": None,
            "payment_method": None,
            "payment_method_configuration_details": state.methods.details()
            if types.configured
            else None,
            **types.fields(),
            "single_use_mandate": None,
            "status": "requires_payment_method",
            "usage": usage,
        }
    )


def succeed(state: State, ctx: Context, intent: Obj) -> None:
    """Finish setup: attach the PaymentMethod and mark it set up for off-session use."""
    pm = state.objects[intent["payment_method"]]
    if intent["customer"] is not None and pm["customer"] is None:
        state.update(pm, customer=intent["customer"])
        state.record_event(ctx, "payment_method.attached", pm)
    if intent["usage"] == "off_session":
        state.mark("set_up", pm["id"])
    state.update(intent, status="succeeded", next_action=None, last_setup_error=None)
    state.record_event(ctx, "setup_intent.succeeded", intent)


def fail(state: State, ctx: Context, intent: Obj, error: Obj) -> None:
    """Back to ``requires_payment_method`` with ``last_setup_error``."""
    state.update(
        intent,
        status="requires_payment_method",
        payment_method=None,
        next_action=None,
        last_setup_error=error,
    )
    state.record_event(ctx, "setup_intent.setup_failed", intent)


def confirm(state: State, ctx: Context, intent: Obj, pm: Obj, return_url: str | None) -> None:
    """Run the setup outcome of ``pm``; a declined card raises its 402 after recording it."""
    _intents.check_simulated(pm)
    state.update(intent, payment_method=pm["id"], last_setup_error=None)
    if pm["type"] in DELAYED_METHOD_TYPES:
        state.update(intent, status="processing", next_action=None)
        return
    card = state.cards[pm["id"]]
    if card.setup == "succeeds":
        succeed(state, ctx, intent)
    elif card.setup == "authenticates":
        state.update(
            intent,
            status="requires_action",
            next_action=_intents.next_action(state, intent, return_url),
        )
        state.record_event(ctx, "setup_intent.requires_action", intent)
    else:
        found = _declines.of_card(card)
        fail(state, ctx, intent, _declines.error_hash(found, payment_method=snapshot(pm)))
        raise _declines.card_error(
            found, payment_method=snapshot(pm), setup_intent=snapshot(intent)
        )


def authenticate(state: State, ctx: Context, intent: Obj, succeeded: bool) -> None:
    """The customer passes or fails the challenge of a ``requires_action`` SetupIntent."""
    if succeeded:
        succeed(state, ctx, intent)
        return
    pm = state.objects[intent["payment_method"]]
    fail(
        state,
        ctx,
        intent,
        {
            "code": "setup_intent_authentication_failure",
            "doc_url": "https://docs.stripe.com/error-codes/setup-intent-authentication-failure",
            "message": "The latest attempt to set up the payment method has failed because "
            "authentication failed.",
            "payment_method": snapshot(pm),
            "type": "invalid_request_error",
        },
    )


def _check_confirmable(state: State, intent: Obj) -> None:
    if intent["id"] in state.session_of_intent:
        raise invalid(_CHECKOUT_OWNED)
    if intent["status"] not in _CONFIRMABLE:
        raise unexpected_state(
            "setup_intent",
            f"You cannot confirm this SetupIntent because it has a status of {intent['status']}.",
        )


def _no_payment_method() -> Exception:
    return invalid(
        "You cannot confirm this SetupIntent because it's missing a payment method. You can "
        "either update the SetupIntent with a payment method and then confirm it again, or "
        "confirm it again directly with a payment method.",
        code="setup_intent_unexpected_state",
    )


def _echo(intent: Obj, params: dict[str, Any]) -> dict[str, Any]:
    changes = echoed(stripe.SetupIntent, params, skip=_OWN, current=intent)
    if "payment_method_options" in params:
        changes["payment_method_options"] = _intents.merged_options(
            intent["payment_method_options"], params["payment_method_options"]
        )
    if "metadata" in params:
        changes["metadata"] = merged_metadata(intent["metadata"], params)
    return changes


def create(call: Call) -> Obj:
    """POST /v1/setup_intents."""
    state, params = call.state, call.params
    customer = params.get("customer")
    if customer is not None:
        state.get("customer", customer, "customer", param="customer")
    types = _intents.method_types(state, params, "setup_intent", None)
    intent = new_setup_intent(
        state, types, customer=customer, usage=params.get("usage") or "off_session"
    )
    state.update(intent, _echo(intent, params))
    state.record_event(call.ctx, "setup_intent.created", intent)
    pm = _intents.payment_method_for(state, params, None, customer)
    if pm is not None:
        state.update(intent, payment_method=pm["id"], status="requires_confirmation")
    if params.get("confirm"):
        if pm is None:
            raise _no_payment_method()
        confirm(state, call.ctx, intent, pm, params.get("return_url"))
    return intent


def retrieve(call: Call) -> Obj:
    """GET /v1/setup_intents/{id}."""
    return call.state.get("setup_intent", call.id, "setup_intent")


def update(call: Call) -> Obj:
    """POST /v1/setup_intents/{id}."""
    state, params = call.state, call.params
    intent = _intents.updatable(state, "setup_intent", call.id)
    changes = _echo(intent, params)
    _intents.update_common(state, params, intent, changes, currency=None)
    state.update(intent, changes)  # Stripe has no setup_intent.updated event
    return intent


def confirm_api(call: Call) -> Obj:
    """POST /v1/setup_intents/{id}/confirm."""
    state, params = call.state, call.params
    intent = state.get("setup_intent", call.id, "setup_intent")
    _check_confirmable(state, intent)
    pm = _intents.payment_method_for(state, params, intent["payment_method"], intent["customer"])
    if pm is None:
        raise _no_payment_method()
    if "payment_method_options" in params:
        state.update(
            intent, _echo(intent, {"payment_method_options": params["payment_method_options"]})
        )
    confirm(state, call.ctx, intent, pm, params.get("return_url"))
    return intent


def cancel(call: Call) -> Obj:
    """POST /v1/setup_intents/{id}/cancel."""
    state = call.state
    intent = state.get("setup_intent", call.id, "setup_intent")
    if intent["id"] in state.session_of_intent:
        raise invalid(_CHECKOUT_OWNED)
    if intent["status"] in ("succeeded", "canceled", "processing"):
        raise unexpected_state(
            "setup_intent",
            f"You cannot cancel this SetupIntent because it has a status of {intent['status']}.",
        )
    state.update(
        intent,
        status="canceled",
        cancellation_reason=call.params.get("cancellation_reason"),
        next_action=None,
    )
    state.record_event(call.ctx, "setup_intent.canceled", intent)
    return intent


def list_all(call: Call) -> Obj:
    """GET /v1/setup_intents (``customer``, ``payment_method``, ``created``)."""
    customer = call.params.get("customer")
    pm_id = call.params.get("payment_method")
    attach_to_self = call.params.get("attach_to_self")

    def keep(intent: Obj) -> bool:
        return (
            (customer is None or intent["customer"] == customer)
            and (pm_id is None or intent["payment_method"] == pm_id)
            and (attach_to_self is None or bool(intent["attach_to_self"]) == attach_to_self)
        )

    return _lists.page(call.state, "setup_intent", call.params, "/v1/setup_intents", keep)
