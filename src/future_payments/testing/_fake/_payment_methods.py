"""PaymentMethods of every type the SDK declares: create, retrieve, update, attach, detach, list.

Cards behave per the test card table; ``sepa_debit`` and ``us_bank_account`` settle later
(``FakeStripe.settle``). Every other type is created, echoed, attached and listed, but not
settled: confirming an intent with one answers 400 "not simulated".
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import stripe

from future_payments.testing._fake import _lists
from future_payments.testing._fake._call import Call, echoed, merged_metadata, updated
from future_payments.testing._fake._cards import (
    TEST_PAYMENT_METHODS,
    TestCard,
    card_for_number,
    display_brand,
    luhn_valid,
    networks,
)
from future_payments.testing._fake._declarations import blank, fields_of, shaped
from future_payments.testing._fake._declines import attach_decline
from future_payments.testing._fake._errors import (
    StripeErrorResponse,
    invalid,
    missing_param,
    no_such,
)
from future_payments.testing._fake._ids import new_id
from future_payments.testing._fake._state import Context, Obj, State

SETTLED_TYPES = ("card", "sepa_debit", "us_bank_account")
_SPENT = (
    "This PaymentMethod was previously used without being attached to a Customer or was "
    "detached from a Customer, and may not be used again."
)


def _fingerprint(value: str) -> str:
    digest = hashlib.sha256(value.encode()).digest()
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return "".join(alphabet[b % 62] for b in digest[:16])


def billing_details(value: Any = None) -> Obj:
    """``billing_details`` as Stripe shows it: every key, an address hash even when empty."""
    details: Obj = shaped(value or {}, fields_of(stripe.PaymentMethod)["billing_details"])
    if details.get("address") is None:
        details["address"] = dict.fromkeys(
            ("city", "country", "line1", "line2", "postal_code", "state")
        )
    return details


def _base(state: State, pm_type: str) -> Obj:
    return {
        "id": new_id("pm"),
        "object": "payment_method",
        "allow_redisplay": "unspecified",
        "billing_details": billing_details(),
        "created": state.clock.now(),
        "customer": None,
        "customer_account": None,
        "livemode": False,
        "metadata": {},
        "radar_options": None,
        "type": pm_type,
    }


def _now(state: State) -> datetime.date:
    return datetime.datetime.fromtimestamp(state.clock.now(), datetime.UTC).date()


def card_hash(
    state: State,
    card: TestCard,
    expiry: tuple[int, int] | None = None,
    *,
    cvc: bool = True,
) -> Obj:
    """The ``card`` hash of a PaymentMethod for ``card``.

    Without ``expiry`` (a ``pm_card_*`` id) it expires next year in the current month, as
    Stripe's test PaymentMethods do.
    """
    today = _now(state)
    month, year = expiry or (today.month, today.year + 1)
    checks = {
        "address_line1_check": None,
        "address_postal_code_check": None,
        "cvc_check": card.cvc_check if cvc else None,
    }
    if card.address_check in ("fail", "line1_fail"):
        checks["address_line1_check"] = "fail"
    if card.address_check in ("fail", "zip_fail"):
        checks["address_postal_code_check"] = "fail"
    if card.address_check == "unavailable":
        checks.update(address_line1_check="unavailable", address_postal_code_check="unavailable")
    out: Obj = blank(stripe.PaymentMethod.Card)
    out.update(
        brand=card.brand,
        checks=checks,
        country=card.country,
        display_brand=display_brand(card),
        exp_month=month,
        exp_year=year,
        fingerprint=_fingerprint(card.number),
        funding=card.funding,
        generated_from=None,
        last4=card.last4,
        networks={"available": networks(card), "preferred": None},
        regulated_status="unregulated",
        three_d_secure_usage={"supported": card.brand != "amex"},
        wallet=None,
    )
    return out


def new_card_pm(
    state: State, card: TestCard, expiry: tuple[int, int] | None = None, *, cvc: bool = True
) -> Obj:
    """Store a card PaymentMethod behaving as ``card``."""
    pm = _base(state, "card")
    pm["card"] = card_hash(state, card, expiry, cvc=cvc)
    state.add(pm)
    state.remember_card(pm["id"], card)
    return pm


def new_delayed_pm(
    state: State, pm_type: str, account: str | None = None, details: Any = None
) -> Obj:
    """Store a ``sepa_debit`` or ``us_bank_account`` PaymentMethod."""
    pm = _base(state, pm_type)
    pm["billing_details"] = billing_details(
        details or {"name": "Jenny Rosen", "email": "jenny.rosen@example.com"}
    )
    if pm_type == "sepa_debit":
        iban = (account or "DE89370400440532013000").replace(" ", "")
        pm["sepa_debit"] = {
            "bank_code": iban[4:12],
            "branch_code": "",
            "country": iban[:2],
            "fingerprint": _fingerprint(iban),
            "generated_from": {"charge": None, "setup_attempt": None},
            "last4": iban[-4:],
        }
    else:
        number = account or "000123456789"
        pm["us_bank_account"] = {
            "account_holder_type": "individual",
            "account_type": "checking",
            "bank_name": "STRIPE TEST BANK",
            "financial_connections_account": None,
            "fingerprint": _fingerprint(number),
            "last4": number[-4:],
            "networks": {"preferred": "ach", "supported": ["ach"]},
            "routing_number": "110000000",
            "status_details": None,
        }
    return state.add(pm)


def resolve(state: State, pm_id: str, *, param: str = "payment_method") -> Obj:
    """An existing PaymentMethod, or a fresh one for a ``pm_card_*`` test id."""
    card = TEST_PAYMENT_METHODS.get(pm_id)
    if card is not None:
        return new_card_pm(state, card)
    pm = state.objects.get(pm_id)
    if pm is None or pm["object"] != "payment_method":
        raise no_such("PaymentMethod", pm_id, param=param)
    return pm


def usable(state: State, pm: Obj, *, param: str = "payment_method") -> None:
    """Refuse a PaymentMethod that was detached (Stripe never lets it be used again)."""
    if pm["id"] in state.consumed:
        raise invalid(_SPENT, param=param)


def check_attachable(state: State, pm: Obj) -> None:
    """Refuse (402, nothing kept) a card that cannot be saved, as an attach would."""
    usable(state, pm)
    card = state.cards.get(pm["id"])
    if card is not None and card.setup == "declines":
        raise attach_decline(card)


def attach_to(state: State, ctx: Context, pm: Obj, customer_id: str) -> None:
    """Attach ``pm`` to the customer and record ``payment_method.attached``."""
    state.update(pm, customer=customer_id)
    state.record_event(ctx, "payment_method.attached", pm)


def _card_from_params(state: State, details: dict[str, Any]) -> Obj:
    number = str(details.get("number") or "").replace(" ", "")
    if not number:
        raise missing_param("card[number]")
    for name in ("exp_month", "exp_year"):
        if details.get(name) is None:
            raise missing_param(f"card[{name}]")
    month, year = int(details["exp_month"]), int(details["exp_year"])
    if not luhn_valid(number):
        raise StripeErrorResponse(
            402,
            type="card_error",
            message="Your card number is incorrect.",
            code="incorrect_number",
            param="number",
        )
    if not 1 <= month <= 12:
        raise StripeErrorResponse(
            402,
            type="card_error",
            message="Your card's expiration month is invalid.",
            code="invalid_expiry_month",
            param="exp_month",
        )
    year += 2000 if year < 100 else 0
    today = _now(state)
    if (year, month) < (today.year, today.month):
        raise StripeErrorResponse(
            402,
            type="card_error",
            message="Your card's expiration year is invalid.",
            code="invalid_expiry_year",
            param="exp_year",
        )
    return new_card_pm(state, card_for_number(number), (month, year), cvc="cvc" in details)


def build(state: State, params: dict[str, Any], *, param_prefix: str = "") -> Obj:
    """A PaymentMethod from ``type`` and its hash (``POST /v1/payment_methods`` or
    ``payment_method_data``); stored."""

    def name(param: str) -> str:
        head, _, rest = param.partition("[")
        return f"{param_prefix}[{head}]" + (f"[{rest}" if rest else "") if param_prefix else param

    pm_type = params.get("type")
    if pm_type is None:
        raise missing_param(name("type"))
    details = params.get(pm_type)
    if pm_type == "card":
        if details is None:
            raise missing_param(name("card"))
        pm = _card_from_params(state, details)
    elif pm_type == "sepa_debit":
        iban = (details or {}).get("iban")
        if iban is None:
            raise missing_param(name("sepa_debit[iban]"))
        pm = new_delayed_pm(state, pm_type, iban, params.get("billing_details"))
    elif pm_type == "us_bank_account":
        bank = details or {}
        pm = new_delayed_pm(
            state, pm_type, bank.get("account_number"), params.get("billing_details")
        )
        for key in ("account_holder_type", "account_type", "routing_number"):
            if bank.get(key) is not None:
                pm["us_bank_account"][key] = bank[key]
    else:
        pm = _base(state, pm_type)
        pm[pm_type] = shaped(details or {}, fields_of(stripe.PaymentMethod)[pm_type])
        state.add(pm)
    if params.get("billing_details") is not None:
        pm["billing_details"] = billing_details(params["billing_details"])
    if params.get("allow_redisplay") is not None:
        pm["allow_redisplay"] = params["allow_redisplay"]
    pm["metadata"] = merged_metadata({}, params)
    return pm


def create(call: Call) -> Obj:
    """POST /v1/payment_methods."""
    return build(call.state, call.params)


def retrieve(call: Call) -> Obj:
    """GET /v1/payment_methods/{id} (a ``pm_card_*`` id answers a fresh PaymentMethod)."""
    return resolve(call.state, call.id, param="payment_method")


def update(call: Call) -> Obj:
    """POST /v1/payment_methods/{id}: billing details, metadata, card expiry, redisplay."""
    state, params = call.state, call.params
    pm = state.get("payment_method", call.id, "PaymentMethod", param="payment_method")
    changes = echoed(stripe.PaymentMethod, params, skip=("billing_details",), current=pm)
    if params.get("billing_details") is not None:
        merged = {**pm["billing_details"], **{k: v for k, v in params["billing_details"].items()}}
        changes["billing_details"] = billing_details(merged)
    if "metadata" in params:
        changes["metadata"] = merged_metadata(pm["metadata"], params)
    return updated(call, pm, changes, "payment_method.updated", always=True)


def attach(call: Call) -> Obj:
    """POST /v1/payment_methods/{id}/attach."""
    state = call.state
    customer_id = call.params["customer"]
    state.get("customer", customer_id, "customer", param="customer")
    pm = resolve(state, call.id)
    if pm["customer"] == customer_id:
        return pm
    if pm["customer"] is not None:
        raise invalid("The payment method you provided has already been attached to a customer.")
    check_attachable(state, pm)
    attach_to(state, call.ctx, pm, customer_id)
    return pm


def detach(call: Call) -> Obj:
    """POST /v1/payment_methods/{id}/detach: for good, it cannot be attached or used again."""
    state = call.state
    pm = state.get("payment_method", call.id, "PaymentMethod", param="payment_method")
    if pm["customer"] is None:
        raise invalid(
            "The payment method you provided is not attached to a customer so detachment is "
            "impossible."
        )
    previous = {"customer": pm["customer"]}
    state.update(pm, customer=None)
    state.mark("set_up", pm["id"], False)
    state.mark("consumed", pm["id"])
    state.record_event(call.ctx, "payment_method.detached", pm, previous)
    return pm


def list_all(call: Call) -> Obj:
    """GET /v1/payment_methods (``customer``, ``type``)."""
    state = call.state
    customer_id = call.params.get("customer")
    if customer_id is not None:
        state.get("customer", customer_id, "customer", param="customer")
    pm_type = call.params.get("type")
    redisplay = call.params.get("allow_redisplay")

    def keep(pm: Obj) -> bool:
        if customer_id is not None and pm["customer"] != customer_id:
            return False
        if redisplay is not None and pm["allow_redisplay"] != redisplay:
            return False
        return pm_type is None or pm["type"] == pm_type

    return _lists.page(state, "payment_method", call.params, "/v1/payment_methods", keep)
