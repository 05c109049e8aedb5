"""SetupIntents: create, confirm, retrieve, cancel, and the card outcomes at setup."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from future_payments.testing._fake._cards import DELAYED_METHOD_TYPES
from future_payments.testing._fake._errors import invalid, unexpected_state
from future_payments.testing._fake._ids import new_id, random_token
from future_payments.testing._fake._payment_methods import card_error, resolve
from future_payments.testing._fake._store import Context, Obj, State, snapshot
from future_payments.testing._fake._validation import Args

PM_TYPES = ["card", *DELAYED_METHOD_TYPES]
_CREATE: tuple[str, ...] = (
    "customer",
    "payment_method",
    "confirm",
    "usage",
    "description",
    "metadata",
)
_CREATE += ("allowed_payment_method_types", "payment_method_types", "automatic_payment_methods")
_CREATE += ("return_url", "mandate_data", "payment_method_options", "use_stripe_sdk")
_CONFIRM: tuple[str, ...] = (
    "payment_method",
    "return_url",
    "mandate_data",
    "payment_method_options",
)
_CONFIRM += ("use_stripe_sdk",)


def payment_method_types(args: Args) -> tuple[list[str] | None, list[str]]:
    """(``allowed_payment_method_types`` as sent, the effective ``payment_method_types``)."""
    name = "allowed_payment_method_types"
    types = args.str_list(name)
    if types is None:
        name = "payment_method_types"
        types = args.str_list(name)
    for index, pm_type in enumerate(types or []):
        if pm_type not in PM_TYPES:
            raise invalid(
                f"The payment method type provided: {pm_type} is invalid or not simulated by "
                f"FakeStripe (it simulates {', '.join(PM_TYPES)}).",
                param=f"{name}[{index}]",
                code="parameter_invalid_string",
            )
    return types, list(types or ["card"])


def new_setup_intent(
    state: State,
    *,
    customer: str | None,
    types: list[str],
    allowed: list[str] | None = None,
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
            "allowed_payment_method_types": allowed,
            "application": None,
            "attach_to_self": None,
            "automatic_payment_methods": None
            if allowed
            else {"allow_redirects": "always", "enabled": True},
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
            "payment_method_configuration_details": None,
            "payment_method_options": {
                "card": {
                    "mandate_options": None,
                    "network": None,
                    "request_three_d_secure": "automatic",
                }
            },
            "payment_method_types": types,
            "single_use_mandate": None,
            "status": "requires_payment_method",
            "usage": usage,
        }
    )


def next_action(state: State, intent: Obj, return_url: str | None) -> Obj:
    """The ``next_action`` of an intent waiting for a 3-D Secure challenge.

    With a ``return_url`` the customer is redirected to the challenge page: the local server's
    ``/authenticate/<id>`` when one serves this fake, else Stripe's hooks host.
    """
    if return_url:
        base = state.authentication_url_base
        url = f"https://hooks.stripe.com/3d_secure_2/hosted?intent={intent['id']}"
        if base is not None:
            url = f"{base}{intent['id']}?{urlencode({'return_url': return_url})}"
        return {
            "type": "redirect_to_url",
            "redirect_to_url": {"return_url": return_url, "url": url},
        }
    return {
        "type": "use_stripe_sdk",
        "use_stripe_sdk": {"type": "three_d_secure_redirect", "stripe_js": ""},
    }


def _attach_if_needed(state: State, ctx: Context, intent: Obj, pm: Obj) -> None:
    customer = intent["customer"]
    if customer is not None and pm["customer"] is None:
        pm["customer"] = customer
        state.record_event(ctx, "payment_method.attached", pm)


def succeed(state: State, ctx: Context, intent: Obj) -> None:
    """Finish setup: attach the PaymentMethod and mark it set up for off-session use."""
    pm = state.objects[intent["payment_method"]]
    _attach_if_needed(state, ctx, intent, pm)
    state.set_up.add(pm["id"])
    intent.update(status="succeeded", next_action=None, last_setup_error=None)
    state.record_event(ctx, "setup_intent.succeeded", intent)


def fail(state: State, ctx: Context, intent: Obj, error: Obj) -> None:
    """Back to ``requires_payment_method`` with ``last_setup_error``."""
    intent.update(
        status="requires_payment_method",
        payment_method=None,
        next_action=None,
        last_setup_error=error,
    )
    state.record_event(ctx, "setup_intent.setup_failed", intent)


def confirm(state: State, ctx: Context, intent: Obj, pm: Obj, return_url: str | None) -> None:
    """Run the setup outcome of ``pm``; a declined card raises the 402 after recording it."""
    intent["payment_method"] = pm["id"]
    intent["last_setup_error"] = None
    if pm["type"] in DELAYED_METHOD_TYPES:
        intent.update(status="processing", next_action=None)
        return
    card = state.cards[pm["id"]]
    if card.setup == "succeeds":
        succeed(state, ctx, intent)
    elif card.setup == "authenticates":
        intent.update(status="requires_action", next_action=next_action(state, intent, return_url))
        state.record_event(ctx, "setup_intent.requires_action", intent)
    else:
        error = card_error(card, pm)
        fail(state, ctx, intent, dict(error.error, payment_method=snapshot(pm)))
        error.error["setup_intent"] = snapshot(intent)
        raise error


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
            "type": "invalid_request_error",
            "code": "setup_intent_authentication_failure",
            "doc_url": "https://docs.stripe.com/error-codes#setup-intent-authentication-failure",
            "message": "The latest attempt to set up the payment method has failed because "
            "authentication failed.",
            "payment_method": snapshot(pm),
        },
    )


def _check_confirmable(state: State, intent: Obj) -> None:
    if intent["id"] in state.session_of_intent:
        raise invalid(
            "You can't confirm or cancel the SetupIntent for a Checkout Session; expire the "
            "Checkout Session instead."
        )
    if intent["status"] not in (
        "requires_payment_method",
        "requires_confirmation",
        "requires_action",
    ):
        raise unexpected_state(
            "setup_intent",
            f"You cannot confirm this SetupIntent because it has a status of {intent['status']}.",
        )


def create(state: State, ctx: Context, params: dict[str, Any]) -> Obj:
    """POST /v1/setup_intents."""
    args = Args(params, _CREATE)
    allowed, types = payment_method_types(args)
    customer = args.string("customer")
    if customer is not None:
        state.get("customer", customer, "customer", param="customer")
    usage = args.enum("usage", ["off_session", "on_session"], "off_session")
    do_confirm = args.boolean("confirm")
    pm_id = args.string("payment_method")
    if pm_id is not None and pm_id[:8] != "pm_card_":
        state.get("payment_method", pm_id, "PaymentMethod", param="payment_method")
    if do_confirm and pm_id is None:
        raise invalid(
            "You cannot confirm this SetupIntent because it's missing a payment method.",
            code="setup_intent_unexpected_state",
        )
    intent = new_setup_intent(
        state,
        customer=customer,
        types=types,
        allowed=allowed,
        usage=usage or "off_session",
        description=args.string("description"),
        metadata=args.metadata(),
    )
    state.record_event(ctx, "setup_intent.created", intent)
    if pm_id is not None:
        pm = resolve(state, pm_id)
        intent.update(payment_method=pm["id"], status="requires_confirmation")
        if do_confirm:
            confirm(state, ctx, intent, pm, args.string("return_url"))
    return intent


def retrieve(state: State, ctx: Context, intent_id: str, params: dict[str, Any]) -> Obj:
    """GET /v1/setup_intents/{id}."""
    Args(params, ("client_secret",))
    return state.get("setup_intent", intent_id, "setup_intent")


def confirm_api(state: State, ctx: Context, intent_id: str, params: dict[str, Any]) -> Obj:
    """POST /v1/setup_intents/{id}/confirm."""
    intent = state.get("setup_intent", intent_id, "setup_intent")
    args = Args(params, _CONFIRM)
    _check_confirmable(state, intent)
    pm_id = args.string("payment_method") or intent["payment_method"]
    if pm_id is None:
        raise invalid(
            "You cannot confirm this SetupIntent because it's missing a payment method.",
            code="setup_intent_unexpected_state",
        )
    if pm_id[:8] != "pm_card_":
        state.get("payment_method", pm_id, "PaymentMethod", param="payment_method")
    confirm(state, ctx, intent, resolve(state, pm_id), args.string("return_url"))
    return intent


def cancel(state: State, ctx: Context, intent_id: str, params: dict[str, Any]) -> Obj:
    """POST /v1/setup_intents/{id}/cancel."""
    intent = state.get("setup_intent", intent_id, "setup_intent")
    args = Args(params, ("cancellation_reason",))
    reason = args.enum("cancellation_reason", ["abandoned", "duplicate", "requested_by_customer"])
    if intent["id"] in state.session_of_intent:
        raise invalid(
            "You can't confirm or cancel the SetupIntent for a Checkout Session; expire the "
            "Checkout Session instead."
        )
    if intent["status"] in ("succeeded", "canceled", "processing"):
        raise unexpected_state(
            "setup_intent",
            f"You cannot cancel this SetupIntent because it has a status of {intent['status']}.",
        )
    intent.update(status="canceled", cancellation_reason=reason, next_action=None)
    state.record_event(ctx, "setup_intent.canceled", intent)
    return intent


def list_all(state: State, ctx: Context, params: dict[str, Any]) -> Obj:
    """GET /v1/setup_intents."""
    args = Args(params, ("customer", "payment_method", "limit", "starting_after", "ending_before"))
    customer = args.string("customer")
    pm_id = args.string("payment_method")

    def keep(intent: Obj) -> bool:
        return (customer is None or intent["customer"] == customer) and (
            pm_id is None or intent["payment_method"] == pm_id
        )

    return state.page("setup_intent", args, "/v1/setup_intents", keep)
