"""Customers: create, retrieve, update, delete, list, search, and their PaymentMethods."""

from __future__ import annotations

from typing import Any

import stripe

from future_payments.testing._fake import _lists, _payment_methods, _search
from future_payments.testing._fake._call import Call, echoed, merged_metadata, updated
from future_payments.testing._fake._errors import invalid, no_such, rejected
from future_payments.testing._fake._ids import new_id, random_token
from future_payments.testing._fake._state import Obj, State

# Parameters that are fields of a Customer but not ones to echo: includable hashes whose
# parameter is a setting (``cash_balance``, ``tax``) and a test clock the fake does not run.
_NOT_ECHOED = ("cash_balance", "tax", "test_clock", "invoice_settings")
SEARCHABLE = frozenset({"created", "email", "metadata", "name", "phone"})


def new_customer(state: State, *, email: str | None = None) -> Obj:
    """A Customer with Stripe's default fields, not yet stored."""
    return {
        "id": new_id("cus", 14),
        "object": "customer",
        "address": None,
        "balance": 0,
        "business_name": None,
        "created": state.clock.now(),
        "currency": None,
        "customer_account": None,
        "default_source": None,
        "delinquent": False,
        "description": None,
        "discount": None,
        "email": email,
        "individual_name": None,
        "invoice_prefix": random_token(8).upper(),
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": {},
        "name": None,
        "next_invoice_sequence": 1,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }


def _check_email(params: dict[str, Any]) -> None:
    email = params.get("email")
    if email is not None and ("@" not in email or len(email) > 512 or " " in email.strip()):
        raise rejected(f"Invalid email address: {email}", param="email", code="email_invalid")


def _invoice_settings(
    state: State, customer: Obj, params: dict[str, Any], attached: Obj | None
) -> dict[str, Any] | None:
    """The new ``invoice_settings``, its default PaymentMethod checked against the customer."""
    settings = params.get("invoice_settings")
    if "invoice_settings" not in params:
        return None
    merged = dict(customer["invoice_settings"])
    for key, value in (settings or {}).items():
        if key in merged:
            merged[key] = value
    pm_id = merged.get("default_payment_method")
    param = "invoice_settings[default_payment_method]"
    if pm_id is not None and (settings or {}).get("default_payment_method") is not None:
        if attached is not None and pm_id == params.get("payment_method"):
            pm_id = attached["id"]  # the shortcut attached by this same request
        pm = state.get("payment_method", pm_id, "PaymentMethod", param=param)
        owner = attached["id"] if attached is not None and attached["id"] == pm_id else None
        if owner is None and pm["customer"] != customer["id"]:
            raise invalid(
                f"The customer does not have a payment method with the ID {pm_id}. The "
                "payment method must be attached to the customer.",
                param=param,
            )
        merged["default_payment_method"] = pm_id
    return merged


def create(call: Call) -> Obj:
    """POST /v1/customers."""
    state, params = call.state, call.params
    _check_email(params)
    customer = new_customer(state)
    pm = None
    pm_id = params.get("payment_method")
    if pm_id is not None:
        pm = _payment_methods.resolve(state, pm_id)
        if pm["customer"] is not None:
            raise invalid(
                "The payment method you provided has already been attached to a customer.",
                param="payment_method",
            )
        _payment_methods.check_attachable(state, pm)
    customer.update(echoed(stripe.Customer, params, skip=_NOT_ECHOED))
    customer["metadata"] = merged_metadata({}, params)
    settings = _invoice_settings(state, customer, params, pm)
    if settings is not None:
        customer["invoice_settings"] = settings
    state.add(customer)
    state.record_event(call.ctx, "customer.created", customer)
    if pm is not None:
        _payment_methods.attach_to(state, call.ctx, pm, customer["id"])
    return customer


def retrieve(call: Call) -> Obj:
    """GET /v1/customers/{id}: a deleted customer answers its deleted stub, as on Stripe."""
    obj = call.state.objects.get(call.id)
    if obj is None or obj["object"] != "customer":
        raise no_such("customer", call.id)
    return obj


def update(call: Call) -> Obj:
    """POST /v1/customers/{id}."""
    state, params = call.state, call.params
    customer = state.get("customer", call.id, "customer")
    _check_email(params)
    changes = echoed(stripe.Customer, params, skip=_NOT_ECHOED, current=customer)
    if "metadata" in params:
        changes["metadata"] = merged_metadata(customer["metadata"], params)
    settings = _invoice_settings(state, customer, params, None)
    if settings is not None:
        changes["invoice_settings"] = settings
    return updated(call, customer, changes, "customer.updated")


def delete(call: Call) -> Obj:
    """DELETE /v1/customers/{id}: the deleted stub; the customer then reads as deleted."""
    state = call.state
    customer = state.get("customer", call.id, "customer")
    state.record_event(call.ctx, "customer.deleted", customer)
    stub = {"id": customer["id"], "object": "customer", "deleted": True}
    state.replace(customer, stub)
    state.remove_from_lists(customer["id"])
    return customer


def list_all(call: Call) -> Obj:
    """GET /v1/customers (``email``, ``created``)."""
    email = call.params.get("email")
    keep = None if email is None else (lambda c: bool(c["email"] == email))
    return _lists.page(call.state, "customer", call.params, "/v1/customers", keep)


def search(call: Call) -> Obj:
    """GET /v1/customers/search."""
    keep = _search.parse(call.params["query"], SEARCHABLE)
    return _lists.search_page(call.state, "customer", call.params, "/v1/customers/search", keep)


def payment_methods(call: Call) -> Obj:
    """GET /v1/customers/{id}/payment_methods."""
    state = call.state
    customer_id = call.id
    state.get("customer", customer_id, "customer", param="customer")
    pm_type = call.params.get("type")
    redisplay = call.params.get("allow_redisplay")

    def keep(pm: Obj) -> bool:
        return (
            pm["customer"] == customer_id
            and (pm_type is None or pm["type"] == pm_type)
            and (redisplay is None or pm["allow_redisplay"] == redisplay)
        )

    url = f"/v1/customers/{customer_id}/payment_methods"
    return _lists.page(state, "payment_method", call.params, url, keep)


def payment_method(call: Call) -> Obj:
    """GET /v1/customers/{id}/payment_methods/{pm}."""
    customer_id, pm_id = call.ids
    call.state.get("customer", customer_id, "customer", param="customer")
    pm = call.state.objects.get(pm_id)
    if pm is None or pm["object"] != "payment_method" or pm["customer"] != customer_id:
        raise no_such("PaymentMethod", pm_id, param="payment_method")
    return pm
