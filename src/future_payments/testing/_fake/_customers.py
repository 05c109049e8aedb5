"""Customers: create, retrieve, update, list."""

from __future__ import annotations

from typing import Any

from future_payments.testing._fake._errors import invalid
from future_payments.testing._fake._ids import new_id, random_token
from future_payments.testing._fake._store import Context, Obj, State
from future_payments.testing._fake._validation import Args

_WRITABLE: tuple[str, ...] = (
    "name",
    "email",
    "description",
    "phone",
    "metadata",
    "invoice_settings",
)
_WRITABLE += ("preferred_locales",)
_LIST: tuple[str, ...] = ("email", "limit", "starting_after", "ending_before")


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


def _apply(state: State, customer: Obj, args: Args) -> dict[str, Any]:
    """Validated field changes for create/update (nothing is written here)."""
    changes: dict[str, Any] = {}
    for field in ("name", "description", "phone"):
        if field in args:
            changes[field] = args.string(field)
    if "email" in args:
        email = args.string("email")
        if email is not None and ("@" not in email or len(email) > 512):
            raise invalid(f"Invalid email address: {email}", param="email", code="email_invalid")
        changes["email"] = email
    if "metadata" in args:
        changes["metadata"] = args.metadata(customer["metadata"])
    if "preferred_locales" in args:
        changes["preferred_locales"] = args.str_list("preferred_locales") or []
    settings = args.nested("invoice_settings", ("default_payment_method",))
    if settings is not None:
        pm_id = settings.string("default_payment_method")
        if pm_id is not None:
            pm = state.get(
                "payment_method",
                pm_id,
                "PaymentMethod",
                param="invoice_settings[default_payment_method]",
            )
            if pm["customer"] != customer["id"]:
                raise invalid(
                    f"The customer does not have a payment method with the ID {pm_id}. The "
                    "payment method must be attached to the customer.",
                    param="invoice_settings[default_payment_method]",
                )
        changes["invoice_settings"] = {
            **customer["invoice_settings"],
            "default_payment_method": pm_id,
        }
    return changes


def create(state: State, ctx: Context, params: dict[str, Any]) -> Obj:
    """POST /v1/customers."""
    args = Args(params, (*_WRITABLE, "payment_method"))
    customer = new_customer(state)
    pm = None
    pm_id = args.string("payment_method")
    if pm_id is not None:
        pm = state.get("payment_method", pm_id, "PaymentMethod", param="payment_method")
        if pm["customer"] is not None:
            raise invalid(
                "The payment method you provided has already been attached to a customer.",
                param="payment_method",
            )
    changes = _apply(state, customer, args)
    customer.update(changes)
    state.add(customer)
    state.record_event(ctx, "customer.created", customer)
    if pm is not None:
        pm["customer"] = customer["id"]
        state.record_event(ctx, "payment_method.attached", pm)
    return customer


def retrieve(state: State, ctx: Context, customer_id: str, params: dict[str, Any]) -> Obj:
    """GET /v1/customers/{id}."""
    Args(params, ())
    return state.get("customer", customer_id, "customer")


def update(state: State, ctx: Context, customer_id: str, params: dict[str, Any]) -> Obj:
    """POST /v1/customers/{id}."""
    customer = state.get("customer", customer_id, "customer")
    args = Args(params, _WRITABLE)
    changes = _apply(state, customer, args)
    previous = {k: customer[k] for k in changes if customer[k] != changes[k]}
    customer.update(changes)
    if previous:
        state.record_event(ctx, "customer.updated", customer, previous)
    return customer


def list_all(state: State, ctx: Context, params: dict[str, Any]) -> Obj:
    """GET /v1/customers."""
    args = Args(params, _LIST)
    email = args.string("email")
    keep = None if email is None else (lambda c: bool(c["email"] == email))
    return state.page("customer", args, "/v1/customers", keep)
