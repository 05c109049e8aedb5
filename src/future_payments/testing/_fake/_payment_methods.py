"""PaymentMethods: create (card details, bank details or ``pm_card_*``), attach, detach, list."""

from __future__ import annotations

import hashlib
from typing import Any

from future_payments.testing._fake._cards import (
    TEST_PAYMENT_METHODS,
    TestCard,
    card_for_number,
    luhn_valid,
)
from future_payments.testing._fake._errors import StripeErrorResponse, invalid, not_simulated
from future_payments.testing._fake._ids import new_id
from future_payments.testing._fake._store import Context, Obj, State
from future_payments.testing._fake._validation import Args

_CREATE: tuple[str, ...] = (
    "type",
    "card",
    "sepa_debit",
    "us_bank_account",
    "billing_details",
    "metadata",
)
_CREATE += ("allow_redisplay",)
_LIST: tuple[str, ...] = ("customer", "type", "limit", "starting_after", "ending_before")
DECLINE_MESSAGES = {
    "insufficient_funds": "Your card has insufficient funds.",
    "expired_card": "Your card has expired.",
    "processing_error": "An error occurred while processing your card. Try again in a little bit.",
    "authentication_required": "Your card was declined. This transaction requires authentication.",
}


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def _billing_details(name: str | None = None, email: str | None = None) -> Obj:
    address = dict.fromkeys(("city", "country", "line1", "line2", "postal_code", "state"))
    return {
        "address": address,
        "email": email,
        "name": name,
        "phone": None,
        "tax_id": None,
    }


def _base(state: State, pm_type: str) -> Obj:
    return {
        "id": new_id("pm"),
        "object": "payment_method",
        "allow_redisplay": "unspecified",
        "billing_details": _billing_details(),
        "created": state.clock.now(),
        "customer": None,
        "customer_account": None,
        "livemode": False,
        "metadata": {},
        "radar_options": None,
        "type": pm_type,
    }


def new_card_pm(state: State, card: TestCard, exp_month: int = 12, exp_year: int = 0) -> Obj:
    """Store a card PaymentMethod behaving as ``card``."""
    pm = _base(state, "card")
    pm["card"] = {
        "brand": card.brand,
        "checks": {
            "address_line1_check": None,
            "address_postal_code_check": None,
            "cvc_check": "unchecked",
        },
        "country": "US",
        "display_brand": card.brand,
        "exp_month": exp_month,
        "exp_year": exp_year or _year(state) + 3,
        "fingerprint": _fingerprint(card.number),
        "funding": "credit",
        "generated_from": None,
        "last4": card.last4,
        "networks": {"available": [card.brand], "preferred": None},
        "regulated_status": "unregulated",
        "three_d_secure_usage": {"supported": True},
        "wallet": None,
    }
    state.add(pm)
    state.cards[pm["id"]] = card
    return pm


def new_delayed_pm(state: State, pm_type: str, account: str | None = None) -> Obj:
    """Store a ``sepa_debit`` or ``us_bank_account`` PaymentMethod."""
    pm = _base(state, pm_type)
    pm["billing_details"] = _billing_details("Jenny Rosen", "jenny.rosen@example.com")
    if pm_type == "sepa_debit":
        iban = account or "DE89370400440532013000"
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


def _year(state: State) -> int:
    return 1970 + state.clock.now() // 31_556_952


def resolve(state: State, pm_id: str, *, param: str = "payment_method") -> Obj:
    """An existing PaymentMethod, or a fresh one for a ``pm_card_*`` shortcut."""
    card = TEST_PAYMENT_METHODS.get(pm_id)
    if card is not None:
        return new_card_pm(state, card)
    return state.get("payment_method", pm_id, "PaymentMethod", param=param)


def card_error(
    card: TestCard, pm: Obj, *, code: str | None = None, decline_code: str | None = None
) -> StripeErrorResponse:
    """The 402 ``card_error`` a decline answers; the caller adds the embedded intent."""
    code = code or card.code or "card_declined"
    decline_code = decline_code or card.decline_code
    message = DECLINE_MESSAGES.get(code) or DECLINE_MESSAGES.get(
        decline_code or "", "Your card was declined."
    )
    return StripeErrorResponse(
        402,
        type="card_error",
        message=message,
        code=code,
        decline_code=decline_code,
        extra={"payment_method": pm},
        stored=True,
    )


def create(state: State, ctx: Context, params: dict[str, Any]) -> Obj:
    """POST /v1/payment_methods."""
    args = Args(params, _CREATE)
    pm_type = args.enum("type", ["card", "sepa_debit", "us_bank_account"])
    if pm_type is None:
        raise invalid("Missing required param: type.", param="type", code="parameter_missing")
    metadata = args.metadata()
    if pm_type == "card":
        card_args = args.nested("card", ("number", "exp_month", "exp_year", "cvc"))
        if card_args is None:
            raise invalid("Missing required param: card.", param="card", code="parameter_missing")
        number = card_args.required_str("number").replace(" ", "")
        exp_month = card_args.integer("exp_month", required=True) or 0
        exp_year = card_args.integer("exp_year", required=True) or 0
        if not luhn_valid(number):
            raise StripeErrorResponse(
                402,
                type="card_error",
                message="Your card number is incorrect.",
                code="incorrect_number",
                param="card[number]",
            )
        if not 1 <= exp_month <= 12:
            raise StripeErrorResponse(
                402,
                type="card_error",
                message="Your card's expiration month is invalid.",
                code="invalid_expiry_month",
                param="card[exp_month]",
            )
        if exp_year < 100:
            exp_year += 2000
        if exp_year < _year(state):
            raise StripeErrorResponse(
                402,
                type="card_error",
                message="Your card's expiration year is invalid.",
                code="invalid_expiry_year",
                param="card[exp_year]",
            )
        pm = new_card_pm(state, card_for_number(number), exp_month, exp_year)
    elif pm_type == "sepa_debit":
        bank = args.nested("sepa_debit", ("iban",))
        if bank is None:
            raise invalid("Missing required param: sepa_debit.", param="sepa_debit")
        pm = new_delayed_pm(state, "sepa_debit", bank.required_str("iban").replace(" ", ""))
    else:
        bank = args.nested(
            "us_bank_account",
            ("account_number", "routing_number", "account_holder_type", "account_type"),
        )
        if bank is None:
            raise not_simulated("us_bank_account PaymentMethods without account details")
        pm = new_delayed_pm(state, "us_bank_account", bank.required_str("account_number"))
    pm["metadata"] = metadata
    return pm


def retrieve(state: State, ctx: Context, pm_id: str, params: dict[str, Any]) -> Obj:
    """GET /v1/payment_methods/{id} (``pm_card_*`` ids answer a fresh PaymentMethod)."""
    Args(params, ())
    if pm_id in TEST_PAYMENT_METHODS:
        return resolve(state, pm_id, param="id")
    return state.get("payment_method", pm_id, "PaymentMethod")


def update(state: State, ctx: Context, pm_id: str, params: dict[str, Any]) -> Obj:
    """POST /v1/payment_methods/{id}: metadata only."""
    pm = state.get("payment_method", pm_id, "PaymentMethod")
    args = Args(params, ("metadata",))
    previous = {"metadata": pm["metadata"]}
    pm["metadata"] = args.metadata(pm["metadata"])
    state.record_event(ctx, "payment_method.updated", pm, previous)
    return pm


def attach(state: State, ctx: Context, pm_id: str, params: dict[str, Any]) -> Obj:
    """POST /v1/payment_methods/{id}/attach."""
    args = Args(params, ("customer",))
    customer_id = args.required_str("customer")
    state.get("customer", customer_id, "customer", param="customer")
    shortcut = TEST_PAYMENT_METHODS.get(pm_id)
    if shortcut is None:
        pm = state.get("payment_method", pm_id, "PaymentMethod")
        if pm["customer"] == customer_id:
            return pm
        if pm["customer"] is not None:
            raise invalid(
                "The payment method you provided has already been attached to a customer."
            )
    card = shortcut or state.cards.get(pm_id)
    if card is not None and card.setup == "declines":
        pm = new_card_pm(state, card) if shortcut else state.objects[pm_id]
        raise card_error(card, pm)
    pm = resolve(state, pm_id, param="id") if shortcut else state.objects[pm_id]
    pm["customer"] = customer_id
    state.record_event(ctx, "payment_method.attached", pm)
    return pm


def detach(state: State, ctx: Context, pm_id: str, params: dict[str, Any]) -> Obj:
    """POST /v1/payment_methods/{id}/detach."""
    Args(params, ())
    pm = state.get("payment_method", pm_id, "PaymentMethod")
    if pm["customer"] is None:
        raise invalid(
            "The payment method you provided is not attached to a customer so detachment is "
            "impossible."
        )
    previous = {"customer": pm["customer"]}
    pm["customer"] = None
    state.set_up.discard(pm_id)
    state.record_event(ctx, "payment_method.detached", pm, previous)
    return pm


def list_all(
    state: State, ctx: Context, params: dict[str, Any], customer_id: str | None = None
) -> Obj:
    """GET /v1/payment_methods and GET /v1/customers/{id}/payment_methods."""
    args = Args(params, _LIST if customer_id is None else _LIST[1:])
    customer_id = customer_id or args.string("customer")
    url = "/v1/payment_methods"
    if customer_id is not None:
        state.get("customer", customer_id, "customer", param="customer")
        if "customer" not in params:
            url = f"/v1/customers/{customer_id}/payment_methods"
    pm_type = args.string("type")

    def keep(pm: Obj) -> bool:
        if customer_id is not None and pm["customer"] != customer_id:
            return False
        return pm_type is None or pm["type"] == pm_type

    return state.page("payment_method", args, url, keep)
