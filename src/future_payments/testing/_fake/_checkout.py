"""Checkout Sessions in setup mode: create, retrieve, update, expire, list.

As on Stripe, a setup-mode session names its SetupIntent from the start, fills
``customer_details`` from its customer, and takes its payment method types from the account's
payment method configuration when none are given. Hosted-page sessions leave the embedded-mode
keys (``return_url``, ``redirect_on_completion``) out entirely. What the customer does on the
page is in ``_customer_actions``.
"""

from __future__ import annotations

from typing import Any

import stripe

from future_payments.testing._fake import _intents, _lists, _setup_intents
from future_payments.testing._fake._call import Call, echoed, merged_metadata
from future_payments.testing._fake._currencies import check_currency
from future_payments.testing._fake._declarations import fields_of, shaped
from future_payments.testing._fake._errors import invalid, missing_param, not_simulated, rejected
from future_payments.testing._fake._ids import new_id, random_token
from future_payments.testing._fake._state import Context, Obj, State

DEFAULT_URL_BASE = "https://checkout.stripe.com/c/pay/"
SESSION_LIFETIME = 24 * 60 * 60
EXPIRE = "checkout.expire"
_CURRENCY_OF_TYPE = {"sepa_debit": "eur", "us_bank_account": "usd"}
# Parameters the handler sets itself rather than echo.
_OWN = (
    "mode",
    "currency",
    "customer",
    "customer_email",
    "customer_creation",
    "success_url",
    "allowed_payment_method_types",
    "payment_method_types",
    "metadata",
    "setup_intent_data",
    "expires_at",
    "ui_mode",
    "line_items",
    "payment_method_options",
    "return_url",
    "redirect_on_completion",
    "payment_method_configuration",
    "payment_method_collection",
    "payment_intent_data",
    "subscription_data",
    "invoice_creation",
    "discounts",
    "automatic_tax",
    "shipping_options",
    "shipping_address_collection",
    "submit_type",
    "after_expiration",
    "allow_promotion_codes",
    "optional_items",
    "managed_payments",
    "customer_update",
)
_CHECKOUT_OPTIONS = {
    "card": {"request_three_d_secure": "automatic"},
    "us_bank_account": {
        "financial_connections": {"permissions": ["payment_method"], "prefetch": []},
        "verification_method": "automatic",
    },
}


def _session(state: State, session_id: str, url_base: str) -> Obj:
    now = state.clock.now()
    return {
        "id": session_id,
        "object": "checkout.session",
        "adaptive_pricing": {"enabled": False},
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
        "payment_method_collection": "always",
        "payment_method_configuration_details": None,
        "payment_method_options": {},
        "payment_method_types": ["card"],
        "payment_status": "no_payment_required",
        "permissions": None,
        "phone_number_collection": {"enabled": False},
        "presentment_details": None,
        "recovered_from": None,
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


def customer_details(customer: Obj | None, email: str | None = None) -> Obj:
    """``customer_details`` of a session, from its customer (or the email typed on the page)."""
    customer = customer or {}
    return {
        "address": customer.get("address"),
        "business_name": customer.get("business_name"),
        "email": customer.get("email") or email,
        "individual_name": customer.get("individual_name"),
        "name": customer.get("name"),
        "phone": customer.get("phone"),
        "tax_exempt": customer.get("tax_exempt") or "none",
        "tax_ids": [],
    }


def _options(types: list[str], given: Any) -> Obj:
    declared = fields_of(stripe.checkout.Session)["payment_method_options"].nested
    assert declared is not None
    fields = fields_of(declared)
    out: Obj = {}
    for pm_type in types:
        if pm_type in _CHECKOUT_OPTIONS and pm_type in fields:
            out[pm_type] = shaped(_CHECKOUT_OPTIONS[pm_type], fields[pm_type])
    for pm_type, options in (given or {}).items():
        if pm_type in fields:
            out[pm_type] = shaped({**(out.get(pm_type) or {}), **(options or {})}, fields[pm_type])
    return out


def _check_mode(params: dict[str, Any]) -> None:
    mode = params.get("mode")
    if mode is None:
        raise missing_param("mode")
    if mode != "setup":
        if params.get("line_items") is None:
            raise missing_param("line_items")
        raise not_simulated(f"Checkout Sessions in {mode} mode (only setup mode is)")
    if params.get("line_items") is not None:
        raise rejected("You can not pass `line_items` in `setup` mode.", param="line_items")
    ui_mode = params.get("ui_mode")
    if ui_mode not in (None, "hosted_page"):
        raise not_simulated(f"Checkout Sessions with ui_mode={ui_mode}")
    for name in ("return_url", "redirect_on_completion"):
        if params.get(name) is not None:
            raise rejected(
                f"`{name}` can only be used with an embedded `ui_mode`; this session uses the "
                "hosted page, which returns to `success_url`.",
                param=name,
            )


def create(call: Call) -> Obj:
    """POST /v1/checkout/sessions (setup mode; other modes answer "not simulated")."""
    state, params = call.state, call.params
    _check_mode(params)
    currency = params.get("currency")
    currency = check_currency(currency) if currency is not None else None
    asked = params.get("allowed_payment_method_types") or params.get("payment_method_types")
    if currency is None and asked is None:
        raise rejected(
            "Missing required param: currency. In setup mode, currency is required unless "
            "allowed_payment_method_types is set.",
            param="currency",
            code="parameter_missing",
        )
    types = _intents.method_types(state, params, "checkout_setup", currency)
    for index, pm_type in enumerate(types.types if asked else ()):
        needed = _CURRENCY_OF_TYPE.get(pm_type)
        if needed is not None and currency not in (None, needed):
            raise rejected(
                f"The payment method type `{pm_type}` does not support currency `{currency}`.",
                param=f"allowed_payment_method_types[{index}]",
            )
    if params.get("success_url") is None:
        raise missing_param("success_url")
    customer_id = params.get("customer")
    email = params.get("customer_email")
    if customer_id is not None and email is not None:
        raise rejected("You may only specify one of these parameters: customer, customer_email.")
    customer = None
    if customer_id is not None:
        customer = state.get("customer", customer_id, "customer", param="customer")
    creation = params.get("customer_creation")
    if creation is not None and customer_id is not None:
        raise rejected("You may only specify one of these parameters: customer, customer_creation.")
    now = state.clock.now()
    expires_at = params.get("expires_at")
    if expires_at is not None and not now + 30 * 60 <= expires_at <= now + SESSION_LIFETIME:
        raise rejected(
            "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout "
            "Session creation.",
            param="expires_at",
        )
    session_id = new_id("cs_test", 58)
    session = _session(state, session_id, state.checkout_url_base)
    session.update(echoed(stripe.checkout.Session, params, skip=_OWN))
    session.update(
        allowed_payment_method_types=types.allowed,
        currency=currency,
        customer=customer_id,
        customer_creation=creation,
        customer_details=customer_details(customer) if customer is not None else None,
        customer_email=email,
        metadata=merged_metadata({}, params),
        payment_method_configuration_details=state.methods.details() if types.configured else None,
        payment_method_options=_options(types.types, params.get("payment_method_options")),
        payment_method_types=types.types,
        success_url=params["success_url"],
    )
    if expires_at is not None:
        session["expires_at"] = expires_at
    data = params.get("setup_intent_data") or {}
    intent = _setup_intents.new_setup_intent(
        state,
        _intents.MethodTypes(types.allowed, types.types, types.configured),
        customer=customer_id,
        description=data.get("description"),
        metadata=merged_metadata({}, data),
    )
    session["setup_intent"] = intent["id"]
    state.record_event(call.ctx, "setup_intent.created", intent)
    state.add(session)
    state.link_session(intent["id"], session_id)
    state.schedule(session["expires_at"], EXPIRE, session_id)
    return session


def expire(state: State, ctx: Context, session: Obj) -> None:
    """Mark an open session expired and cancel its unfinished SetupIntent."""
    state.update(session, status="expired", url=None)
    intent = state.objects[session["setup_intent"]]
    if intent["status"] not in ("succeeded", "processing", "canceled"):
        state.update(intent, status="canceled", cancellation_reason="abandoned", next_action=None)
        state.record_event(ctx, "setup_intent.canceled", intent)
    state.record_event(ctx, "checkout.session.expired", session)


def retrieve(call: Call) -> Obj:
    """GET /v1/checkout/sessions/{id}."""
    return call.state.get("checkout.session", call.id, "checkout.session")


def update(call: Call) -> Obj:
    """POST /v1/checkout/sessions/{id}: metadata (and the other fields Stripe lets change)."""
    state = call.state
    session = state.get("checkout.session", call.id, "checkout.session")
    changes = echoed(stripe.checkout.Session, call.params, skip=_OWN, current=session)
    changes["metadata"] = merged_metadata(session["metadata"], call.params)
    state.update(session, changes)
    return session


def expire_api(call: Call) -> Obj:
    """POST /v1/checkout/sessions/{id}/expire."""
    state = call.state
    session = state.get("checkout.session", call.id, "checkout.session")
    if session["status"] != "open":
        raise invalid(
            f'Only Checkout Sessions with a status in ["open"] can be expired. This Checkout '
            f"Session has a status of {session['status']}.",
        )
    expire(state, call.ctx, session)
    return session


def list_all(call: Call) -> Obj:
    """GET /v1/checkout/sessions (``customer``, ``status``, ``payment_intent``, ``created``...)."""
    params = call.params
    customer = params.get("customer")
    status = params.get("status")
    intent = params.get("setup_intent") or params.get("payment_intent")
    email = (params.get("customer_details") or {}).get("email")

    def keep(session: Obj) -> bool:
        details = session["customer_details"] or {}
        return (
            (customer is None or session["customer"] == customer)
            and (status is None or session["status"] == status)
            and (intent is None or intent in (session["setup_intent"], session["payment_intent"]))
            and (email is None or details.get("email") == email)
        )

    return _lists.page(call.state, "checkout.session", params, "/v1/checkout/sessions", keep)
