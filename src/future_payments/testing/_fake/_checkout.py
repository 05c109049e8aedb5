"""Checkout Sessions in setup mode: create, retrieve, expire, list; completion as the customer."""

from __future__ import annotations

from typing import Any

from future_payments.testing._fake._currencies import check_currency
from future_payments.testing._fake._errors import invalid, missing_param, not_simulated
from future_payments.testing._fake._ids import new_id, random_token
from future_payments.testing._fake._setup_intents import payment_method_types
from future_payments.testing._fake._store import Context, Obj, State
from future_payments.testing._fake._validation import Args

DEFAULT_URL_BASE = "https://checkout.stripe.com/c/pay/"
SESSION_LIFETIME = 24 * 60 * 60
_CREATE: tuple[str, ...] = (
    "mode",
    "currency",
    "customer",
    "customer_email",
    "customer_creation",
    "success_url",
)
_CREATE += ("cancel_url", "allowed_payment_method_types", "payment_method_types", "metadata")
_CREATE += ("client_reference_id", "setup_intent_data", "expires_at", "locale", "ui_mode")
_CREATE += ("line_items", "billing_address_collection", "payment_method_options")
_LIST: tuple[str, ...] = ("customer", "status", "limit", "starting_after", "ending_before")
_CURRENCY_OF_TYPE = {"sepa_debit": "eur", "us_bank_account": "usd"}


def _session(state: State, session_id: str, url_base: str) -> Obj:
    now = state.clock.now()
    return {
        "id": session_id,
        "object": "checkout.session",
        "adaptive_pricing": None,
        "after_expiration": None,
        "allow_promotion_codes": None,
        "allowed_payment_method_types": None,
        "amount_subtotal": None,
        "amount_total": None,
        "automatic_tax": {"enabled": False, "liability": None, "provider": None, "status": None},
        "billing_address_collection": None,
        "branding_settings": None,
        "cancel_url": None,
        "client_reference_id": None,
        "client_secret": None,
        "collected_information": None,
        "consent": None,
        "consent_collection": None,
        "created": now,
        "currency": None,
        "currency_conversion": None,
        "custom_fields": [],
        "custom_text": {
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
        },
        "customer": None,
        "customer_account": None,
        "customer_creation": None,
        "customer_details": None,
        "customer_email": None,
        "discounts": None,
        "excluded_payment_method_types": None,
        "expires_at": now + SESSION_LIFETIME,
        "integration_identifier": None,
        "invoice": None,
        "invoice_creation": None,
        "livemode": False,
        "locale": None,
        "managed_payments": None,
        "metadata": {},
        "mode": "setup",
        "name_collection": None,
        "optional_items": None,
        "origin_context": None,
        "payment_intent": None,
        "payment_link": None,
        "payment_method_collection": None,
        "payment_method_configuration_details": None,
        "payment_method_options": {},
        "payment_method_types": ["card"],
        "payment_status": "no_payment_required",
        "permissions": None,
        "phone_number_collection": {"enabled": False},
        "presentment_details": None,
        "recovered_from": None,
        "redirect_on_completion": None,
        "return_url": None,
        "saved_payment_method_options": None,
        "setup_intent": None,
        "shipping_address_collection": None,
        "shipping_cost": None,
        "shipping_options": [],
        "status": "open",
        "submit_type": None,
        "subscription": None,
        "success_url": None,
        "tax_id_collection": {"enabled": False, "required": "never"},
        "total_details": None,
        "ui_mode": "hosted_page",
        "url": f"{url_base}{session_id}#{random_token(24)}",
        "wallet_options": None,
    }


def create(state: State, ctx: Context, params: dict[str, Any], url_base: str) -> Obj:
    """POST /v1/checkout/sessions (setup mode; other modes answer "not simulated")."""
    args = Args(params, _CREATE)
    mode = args.enum("mode", ["payment", "setup", "subscription"])
    if mode is None:
        raise missing_param("mode")
    if mode != "setup":
        if "line_items" not in args:
            raise missing_param("line_items")
        raise not_simulated(f"Checkout Sessions in {mode} mode (only setup mode is)")
    if "line_items" in args:
        raise invalid("You can not pass `line_items` in `setup` mode.", param="line_items")
    ui_mode = args.enum("ui_mode", ["elements", "embedded_page", "form", "hosted_page"])
    if ui_mode not in (None, "hosted_page"):
        raise not_simulated(f"Checkout Sessions with ui_mode={ui_mode}")
    allowed, types = payment_method_types(args)
    currency_raw = args.string("currency")
    currency = check_currency(currency_raw) if currency_raw is not None else None
    if currency is None and allowed is None:
        raise invalid(
            "Missing required param: currency. In setup mode, currency is required unless "
            "allowed_payment_method_types is set.",
            param="currency",
            code="parameter_missing",
        )
    for index, pm_type in enumerate(types):
        needed = _CURRENCY_OF_TYPE.get(pm_type)
        if needed is not None and currency not in (None, needed):
            raise invalid(
                f"The payment method type `{pm_type}` does not support currency `{currency}`.",
                param=f"allowed_payment_method_types[{index}]",
            )
    success_url = args.required_str("success_url")
    customer = args.string("customer")
    email = args.string("customer_email")
    if customer is not None and email is not None:
        raise invalid("You may only specify one of these parameters: customer, customer_email.")
    if customer is not None:
        state.get("customer", customer, "customer", param="customer")
    creation = args.enum("customer_creation", ["always", "if_required"])
    if creation is not None and customer is not None:
        raise invalid("You may only specify one of these parameters: customer, customer_creation.")
    intent_data = args.nested("setup_intent_data", ("description", "metadata", "on_behalf_of"))
    session_id = new_id("cs_test", 58)
    session = _session(state, session_id, url_base)
    expires_at = args.integer("expires_at")
    if expires_at is not None:
        now = state.clock.now()
        if not now + 30 * 60 <= expires_at <= now + SESSION_LIFETIME:
            raise invalid(
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
                "Checkout Session creation.",
                param="expires_at",
            )
        session["expires_at"] = expires_at
    session.update(
        allowed_payment_method_types=allowed,
        billing_address_collection=args.enum("billing_address_collection", ["auto", "required"]),
        cancel_url=args.string("cancel_url"),
        client_reference_id=args.string("client_reference_id"),
        currency=currency,
        customer=customer,
        customer_creation=creation,
        customer_email=email,
        locale=args.string("locale"),
        metadata=args.metadata(),
        payment_method_types=types,
        success_url=success_url,
    )
    setup_data: Obj = {"description": None, "metadata": {}}
    if intent_data is not None:
        setup_data = {
            "description": intent_data.string("description"),
            "metadata": intent_data.metadata(),
        }
    state.add(session)
    state.session_setup_data[session_id] = setup_data
    state.schedule_expiry(session["expires_at"], session_id)
    return session


def expire(state: State, ctx: Context, session: Obj) -> None:
    """Mark an open session expired and cancel its unfinished SetupIntent."""
    session.update(status="expired", url=None)
    intent_id = session["setup_intent"]
    if intent_id is not None:
        intent = state.objects[intent_id]
        if intent["status"] not in ("succeeded", "processing", "canceled"):
            intent.update(status="canceled", cancellation_reason="abandoned", next_action=None)
            state.record_event(ctx, "setup_intent.canceled", intent)
    state.record_event(ctx, "checkout.session.expired", session)


def retrieve(state: State, ctx: Context, session_id: str, params: dict[str, Any]) -> Obj:
    """GET /v1/checkout/sessions/{id}."""
    Args(params, ())
    return state.get("checkout.session", session_id, "checkout.session")


def expire_api(state: State, ctx: Context, session_id: str, params: dict[str, Any]) -> Obj:
    """POST /v1/checkout/sessions/{id}/expire."""
    Args(params, ())
    session = state.get("checkout.session", session_id, "checkout.session")
    if session["status"] != "open":
        raise invalid(
            f'Only Checkout Sessions with a status in ["open"] can be expired. This Checkout '
            f"Session has a status of {session['status']}.",
        )
    expire(state, ctx, session)
    return session


def list_all(state: State, ctx: Context, params: dict[str, Any]) -> Obj:
    """GET /v1/checkout/sessions."""
    args = Args(params, _LIST)
    customer = args.string("customer")
    status = args.enum("status", ["complete", "expired", "open"])

    def keep(session: Obj) -> bool:
        return (customer is None or session["customer"] == customer) and (
            status is None or session["status"] == status
        )

    return state.page("checkout.session", args, "/v1/checkout/sessions", keep)
