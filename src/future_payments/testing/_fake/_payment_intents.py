"""PaymentIntents: create (and confirm), confirm on-session, retrieve, cancel, card outcomes."""

from __future__ import annotations

import weakref
from collections import deque
from typing import Any

import attrs

from future_payments.testing._fake._cards import DELAYED_METHOD_TYPES
from future_payments.testing._fake._currencies import check_amount, check_currency
from future_payments.testing._fake._errors import StripeErrorResponse, invalid, unexpected_state
from future_payments.testing._fake._ids import new_id, random_token
from future_payments.testing._fake._payment_methods import card_error, resolve
from future_payments.testing._fake._setup_intents import next_action, payment_method_types
from future_payments.testing._fake._store import Context, Obj, State, snapshot
from future_payments.testing._fake._validation import Args

_CONFIRM: tuple[str, ...] = (
    "payment_method",
    "off_session",
    "return_url",
    "error_on_requires_action",
)
_CONFIRM += ("mandate_data", "receipt_email", "setup_future_usage", "payment_method_options")
_CONFIRM += ("use_stripe_sdk",)
_CREATE: tuple[str, ...] = (
    *_CONFIRM,
    "amount",
    "currency",
    "customer",
    "confirm",
    "description",
    "metadata",
)
_CREATE += ("allowed_payment_method_types", "payment_method_types", "automatic_payment_methods")
_CREATE += ("capture_method", "statement_descriptor_suffix", "mandate")
_CONFIRMABLE: tuple[str, ...] = (
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
)


@attrs.frozen
class ChargeFailure:
    """A failure queued by ``FakeStripe.next_charge_fails`` for the next card charge."""

    code: str
    decline_code: str | None


# Queued failures per fake (keyed weakly by its State, so the fake's state stays untouched).
_QUEUED_FAILURES: weakref.WeakKeyDictionary[State, deque[ChargeFailure]] = (
    weakref.WeakKeyDictionary()
)


def queue_failure(state: State, failure: ChargeFailure, times: int) -> None:
    """Make the next ``times`` card charges of ``state`` fail with ``failure``."""
    _QUEUED_FAILURES.setdefault(state, deque()).extend([failure] * times)


def _take_failure(state: State) -> ChargeFailure | None:
    queue = _QUEUED_FAILURES.get(state)
    return queue.popleft() if queue else None


def _new(state: State, args: Args, amount: int, currency: str, customer: str | None) -> Obj:
    allowed, types = payment_method_types(args)
    intent_id = new_id("pi")
    return {
        "id": intent_id,
        "object": "payment_intent",
        "allowed_payment_method_types": allowed,
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": 0,
        "application": None,
        "application_fee_amount": None,
        "automatic_payment_methods": None
        if allowed
        else {"allow_redirects": "always", "enabled": True},
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": args.enum("capture_method", ["automatic", "automatic_async"])
        or "automatic_async",
        "client_secret": f"{intent_id}_secret_{random_token(25)}",
        "confirmation_method": "automatic",
        "created": state.clock.now(),
        "currency": currency,
        "customer": customer,
        "customer_account": None,
        "description": args.string("description"),
        "excluded_payment_method_types": None,
        "hooks": None,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "managed_payments": None,
        "metadata": args.metadata(),
        "next_action": None,
        "on_behalf_of": None,
        "payment_details": None,
        "payment_method": None,
        "payment_method_configuration_details": None,
        "payment_method_options": {},
        "payment_method_types": types,
        "payment_record": None,
        "presentment_details": None,
        "processing": None,
        "receipt_email": args.string("receipt_email"),
        "review": None,
        "setup_future_usage": args.enum("setup_future_usage", ["off_session", "on_session"]),
        "shipping": None,
        "source": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": args.string("statement_descriptor_suffix"),
        "status": "requires_payment_method",
        "transfer_data": None,
        "transfer_group": None,
    }


def _off_session(args: Args) -> bool:
    value = args.raw("off_session")
    if value in ("one_off", "recurring"):
        return True
    return args.boolean("off_session")


def _check_pm(state: State, pm_id: str, customer: str | None) -> None:
    """Validate a PaymentMethod id before anything changes."""
    if pm_id.startswith("pm_card_"):
        return
    pm = state.get("payment_method", pm_id, "PaymentMethod", param="payment_method")
    if pm["customer"] is not None and pm["customer"] != customer:
        raise invalid(
            f"The provided PaymentMethod {pm_id} belongs to another Customer. Use the Customer "
            "it is attached to, or attach it to this one first.",
            param="payment_method",
        )


def succeed(state: State, ctx: Context, intent: Obj) -> None:
    """The charge goes through."""
    intent.update(
        status="succeeded",
        amount_received=intent["amount"],
        latest_charge=new_id("ch"),
        next_action=None,
        last_payment_error=None,
        processing=None,
    )
    state.record_event(ctx, "payment_intent.succeeded", intent)


def fail(state: State, ctx: Context, intent: Obj, error: Obj, *, charged: bool) -> None:
    """Back to ``requires_payment_method`` with ``last_payment_error``."""
    intent.update(
        status="requires_payment_method",
        payment_method=None,
        next_action=None,
        last_payment_error=error,
        processing=None,
    )
    if charged:
        intent["latest_charge"] = new_id("ch")
    state.record_event(ctx, "payment_intent.payment_failed", intent)


def _decline(
    state: State, ctx: Context, intent: Obj, pm: Obj, code: str | None = None
) -> StripeErrorResponse:
    card = state.cards[pm["id"]]
    error = card_error(card, pm, code=code, decline_code=code)
    fail(state, ctx, intent, dict(error.error, payment_method=snapshot(pm)), charged=code is None)
    error.error["payment_intent"] = snapshot(intent)
    return error


def charge(
    state: State, ctx: Context, intent: Obj, pm: Obj, *, off_session: bool, args: Args
) -> None:
    """Run the charge outcome of ``pm``; a card error raises its 402 after recording it."""
    intent.update(payment_method=pm["id"], last_payment_error=None)
    if pm["type"] in DELAYED_METHOD_TYPES:
        intent.update(status="processing", processing=None, next_action=None)
        state.record_event(ctx, "payment_intent.processing", intent)
        return
    card = state.cards[pm["id"]]
    failure = _take_failure(state)
    if failure is not None:
        _forced(state, ctx, intent, pm, failure, off_session=off_session, args=args)
        return
    if off_session:
        outcome = card.off_session
        if outcome == "succeeds_once_set_up":
            outcome = "succeeds" if pm["id"] in state.set_up else "authentication_required"
        if outcome == "authentication_required":
            raise _decline(state, ctx, intent, pm, "authentication_required")
        if outcome == "declines":
            raise _decline(state, ctx, intent, pm)
        succeed(state, ctx, intent)
        return
    if card.on_session == "declines":
        raise _decline(state, ctx, intent, pm)
    if card.on_session == "succeeds":
        succeed(state, ctx, intent)
        return
    if args.boolean("error_on_requires_action"):
        raise _decline(state, ctx, intent, pm, "authentication_required")
    intent.update(
        status="requires_action", next_action=next_action(state, intent, args.string("return_url"))
    )
    state.record_event(ctx, "payment_intent.requires_action", intent)


def _forced(
    state: State,
    ctx: Context,
    intent: Obj,
    pm: Obj,
    failure: ChargeFailure,
    *,
    off_session: bool,
    args: Args,
) -> None:
    """A queued failure: a 402 decline, or authentication (402 off-session, else a challenge)."""
    if failure.code == "authentication_required":
        if off_session or args.boolean("error_on_requires_action"):
            raise _decline(state, ctx, intent, pm, "authentication_required")
        action = next_action(state, intent, args.string("return_url"))
        intent.update(status="requires_action", next_action=action)
        state.record_event(ctx, "payment_intent.requires_action", intent)
        return
    card = state.cards[pm["id"]]
    error = card_error(card, pm, code=failure.code, decline_code=failure.decline_code)
    fail(state, ctx, intent, dict(error.error, payment_method=snapshot(pm)), charged=True)
    error.error["payment_intent"] = snapshot(intent)
    raise error


def authenticate(state: State, ctx: Context, intent: Obj, succeeded: bool) -> None:
    """The customer passes or fails the challenge of a ``requires_action`` PaymentIntent."""
    pm = state.objects[intent["payment_method"]]
    if not succeeded:
        fail(
            state,
            ctx,
            intent,
            {
                "type": "invalid_request_error",
                "code": "payment_intent_authentication_failure",
                "doc_url": "https://docs.stripe.com/error-codes#payment-intent-authentication-failure",
                "message": "The provided PaymentMethod has failed authentication. You can provide "
                "payment_method_data or a new PaymentMethod to attempt to fulfill this "
                "PaymentIntent again.",
                "payment_method": snapshot(pm),
            },
            charged=False,
        )
    elif state.cards[pm["id"]].on_session == "authenticates_then_declines":
        card = state.cards[pm["id"]]
        error = card_error(card, pm)
        fail(state, ctx, intent, dict(error.error, payment_method=snapshot(pm)), charged=True)
    else:
        succeed(state, ctx, intent)


def create(state: State, ctx: Context, params: dict[str, Any]) -> Obj:
    """POST /v1/payment_intents."""
    args = Args(params, _CREATE)
    amount = args.integer("amount", required=True)
    currency = check_currency(args.required_str("currency"))
    assert amount is not None
    check_amount(amount, currency)
    customer = args.string("customer")
    if customer is not None:
        state.get("customer", customer, "customer", param="customer")
    do_confirm = args.boolean("confirm")
    off_session = _off_session(args)
    if off_session and not do_confirm:
        raise invalid(
            "You can only pass `off_session` when `confirm` is true.", param="off_session"
        )
    pm_id = args.string("payment_method")
    if pm_id is not None:
        _check_pm(state, pm_id, customer)
    elif do_confirm:
        raise invalid(
            "You cannot confirm this PaymentIntent because it's missing a payment method. "
            "Update it with a payment method and then confirm it again.",
            code="payment_intent_unexpected_state",
        )
    intent = _new(state, args, amount, currency, customer)
    state.add(intent)
    state.record_event(ctx, "payment_intent.created", intent)
    if pm_id is not None:
        pm = resolve(state, pm_id)
        intent.update(payment_method=pm["id"], status="requires_confirmation")
        if do_confirm:
            charge(state, ctx, intent, pm, off_session=off_session, args=args)
    return intent


def retrieve(state: State, ctx: Context, intent_id: str, params: dict[str, Any]) -> Obj:
    """GET /v1/payment_intents/{id}."""
    Args(params, ("client_secret",))
    return state.get("payment_intent", intent_id, "payment_intent")


def confirm(state: State, ctx: Context, intent_id: str, params: dict[str, Any]) -> Obj:
    """POST /v1/payment_intents/{id}/confirm."""
    intent = state.get("payment_intent", intent_id, "payment_intent")
    args = Args(params, _CONFIRM)
    if intent["status"] not in _CONFIRMABLE:
        raise unexpected_state(
            "payment_intent",
            f"This PaymentIntent's status is {intent['status']}, so it cannot be confirmed.",
        )
    pm_id = args.string("payment_method") or intent["payment_method"]
    if pm_id is None:
        raise invalid(
            "You cannot confirm this PaymentIntent because it's missing a payment method. "
            "Update it with a payment method and then confirm it again.",
            code="payment_intent_unexpected_state",
        )
    _check_pm(state, pm_id, intent["customer"])
    off_session = _off_session(args)
    charge(state, ctx, intent, resolve(state, pm_id), off_session=off_session, args=args)
    return intent


def cancel(state: State, ctx: Context, intent_id: str, params: dict[str, Any]) -> Obj:
    """POST /v1/payment_intents/{id}/cancel."""
    intent = state.get("payment_intent", intent_id, "payment_intent")
    args = Args(params, ("cancellation_reason",))
    reason = args.enum(
        "cancellation_reason", ["abandoned", "duplicate", "fraudulent", "requested_by_customer"]
    )
    if intent["status"] in ("succeeded", "canceled", "processing"):
        raise unexpected_state(
            "payment_intent",
            f"You cannot cancel this PaymentIntent because it has a status of {intent['status']}. "
            "Only a PaymentIntent with one of the following statuses may be canceled: "
            "requires_payment_method, requires_capture, requires_confirmation, requires_action.",
        )
    intent.update(
        status="canceled",
        cancellation_reason=reason,
        canceled_at=state.clock.now(),
        next_action=None,
    )
    state.record_event(ctx, "payment_intent.canceled", intent)
    return intent


def list_all(state: State, ctx: Context, params: dict[str, Any]) -> Obj:
    """GET /v1/payment_intents."""
    args = Args(params, ("customer", "limit", "starting_after", "ending_before"))
    customer = args.string("customer")
    keep = None if customer is None else (lambda i: bool(i["customer"] == customer))
    return state.page("payment_intent", args, "/v1/payment_intents", keep)
