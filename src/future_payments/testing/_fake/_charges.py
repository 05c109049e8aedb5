"""Charges (``ch_``): made by each confirmation of a PaymentIntent; read, update, list."""

from __future__ import annotations

from typing import Any

import stripe

from future_payments.testing._fake import _balance, _lists, _search
from future_payments.testing._fake._call import Call, echoed, merged_metadata, updated
from future_payments.testing._fake._cards import TestCard
from future_payments.testing._fake._declarations import blank
from future_payments.testing._fake._declines import Decline
from future_payments.testing._fake._errors import invalid
from future_payments.testing._fake._ids import new_id, random_token
from future_payments.testing._fake._state import Context, Obj, State, snapshot

SEARCHABLE = frozenset(
    {
        "amount",
        "billing_details.address.postal_code",
        "created",
        "currency",
        "customer",
        "disputed",
        "metadata",
        "payment_method_details.card.last4",
        "refunded",
        "status",
    }
)
_RISK_SCORES = {"normal": 32, "elevated": 72, "highest": 93}


def _outcome(card: TestCard | None, failure: Decline | None) -> Obj:
    risk = card.risk_level if card is not None else "normal"
    outcome: Obj = blank(stripe.Charge.Outcome)
    outcome.update(risk_level=risk, risk_score=_RISK_SCORES.get(risk, 32))
    if failure is None:
        outcome.update(
            network_status="approved_by_network",
            reason=None,
            seller_message="Payment complete.",
            type="authorized",
        )
    elif risk == "highest":
        outcome.update(
            network_status="not_sent_to_network",
            reason="highest_risk_level",
            seller_message="Stripe blocked this payment as too risky.",
            type="blocked",
        )
    else:
        reason = failure.decline_code or failure.code
        message = (
            "The bank did not return any further details with this decline."
            if reason == "generic_decline"
            else f"The bank returned the decline code `{reason}`."
        )
        outcome.update(
            advice_code=failure.advice_code,
            network_decline_code=failure.network_decline_code,
            network_status="declined_by_network",
            reason=reason,
            seller_message=message,
            type="issuer_declined",
        )
    return outcome


def _method_details(state: State, pm: Obj, amount: int, *, authenticated: bool) -> Obj:
    pm_type = pm["type"]
    if pm_type != "card":
        bank = {
            k: v
            for k, v in pm[pm_type].items()
            if k not in ("generated_from", "networks", "status_details")
        }
        bank.update(expected_debit_date=None, mandate=None)
        return {"type": pm_type, pm_type: bank}
    card = pm["card"]
    details: Obj = blank(stripe.Charge.PaymentMethodDetails.Card)
    details.update(
        amount_authorized=amount,
        brand=card["brand"],
        checks=dict(card["checks"]),
        country=card["country"],
        exp_month=card["exp_month"],
        exp_year=card["exp_year"],
        extended_authorization={"status": "disabled"},
        fingerprint=card["fingerprint"],
        funding=card["funding"],
        incremental_authorization={"status": "unavailable"},
        last4=card["last4"],
        multicapture={"status": "unavailable"},
        network=card["networks"]["available"][-1],
        network_token={"used": False},
        network_transaction_id=random_token(15).upper(),
        overcapture={"maximum_amount_capturable": amount, "status": "unavailable"},
        regulated_status=card["regulated_status"],
        three_d_secure={
            "authentication_flow": "challenge",
            "electronic_commerce_indicator": "05",
            "exemption_indicator": None,
            "result": "authenticated",
            "result_reason": None,
            "transaction_id": random_token(32),
            "version": "2.2.0",
        }
        if authenticated
        else None,
    )
    return {"type": "card", "card": details}


def new_charge(
    state: State,
    intent: Obj,
    pm: Obj,
    *,
    status: str,
    failure: Decline | None = None,
    captured: bool = True,
    authenticated: bool = False,
) -> Obj:
    """Store the Charge of one attempt to pay ``intent`` with ``pm``.

    ``status`` is ``succeeded``, ``pending`` (a delayed method) or ``failed`` (``failure``).
    """
    charge_id = new_id("ch")
    amount = intent["amount"]
    succeeded = status == "succeeded"
    charge: Obj = blank(stripe.Charge, leave_out=frozenset({"refunds"}))
    charge.update(
        id=charge_id,
        object="charge",
        amount=amount,
        amount_captured=amount if succeeded and captured else 0,
        amount_refunded=0,
        billing_details=snapshot(pm["billing_details"]),
        calculated_statement_descriptor=(
            intent.get("statement_descriptor") or "FUTURE PAYMENTS TEST"
        )[:22].upper(),
        captured=succeeded and captured,
        created=state.clock.now(),
        currency=intent["currency"],
        customer=intent["customer"],
        description=intent["description"],
        disputed=False,
        failure_code=None if failure is None else failure.code,
        failure_message=None if failure is None else failure.message,
        fraud_details={},
        livemode=False,
        metadata=dict(intent["metadata"]),
        outcome=_outcome(state.cards.get(pm["id"]), failure),
        paid=succeeded,
        payment_intent=intent["id"],
        payment_method=pm["id"],
        payment_method_details=_method_details(state, pm, amount, authenticated=authenticated),
        radar_options={},
        receipt_email=intent.get("receipt_email"),
        receipt_url=f"https://pay.stripe.com/receipts/payment/{random_token(80)}",
        refunded=False,
        shipping=snapshot(intent["shipping"]) if intent.get("shipping") else None,
        statement_descriptor=intent.get("statement_descriptor"),
        statement_descriptor_suffix=intent.get("statement_descriptor_suffix"),
        status=status,
        transfer_group=intent.get("transfer_group"),
    )
    state.add(charge)
    if succeeded and captured:
        add_funds(state, charge, amount)
    return charge


def add_funds(state: State, charge: Obj, amount: int) -> None:
    """The balance transaction of a captured charge."""
    txn = _balance.record(
        state,
        amount=amount,
        currency=charge["currency"],
        kind="charge",
        source=charge["id"],
        description=charge["description"],
    )
    state.update(charge, balance_transaction=txn["id"])


def record(
    state: State, ctx: Context, charge: Obj, event: str, previous: Obj | None = None
) -> None:
    """Record a ``charge.*`` event."""
    state.record_event(ctx, f"charge.{event}", charge, previous)


def retrieve(call: Call) -> Obj:
    """GET /v1/charges/{id}."""
    return call.state.get("charge", call.id, "charge", param="charge")


def update(call: Call) -> Obj:
    """POST /v1/charges/{id}: description, metadata, receipt_email, shipping, fraud_details."""
    state, params = call.state, call.params
    charge = state.get("charge", call.id, "charge", param="charge")
    changes: dict[str, Any] = echoed(stripe.Charge, params, skip=("customer",), current=charge)
    customer = params.get("customer")
    if customer is not None and customer != charge["customer"]:
        state.get("customer", customer, "customer", param="customer")
        if charge["customer"] is not None:
            raise invalid(
                "A charge's customer can only be set while the charge has none.", param="customer"
            )
        changes["customer"] = customer
    if "metadata" in params:
        changes["metadata"] = merged_metadata(charge["metadata"], params)
    return updated(call, charge, changes, "charge.updated")


def list_all(call: Call) -> Obj:
    """GET /v1/charges (``customer``, ``payment_intent``, ``created``)."""
    keep = _lists.matching(call.params, ("customer", "payment_intent", "transfer_group"))
    return _lists.page(call.state, "charge", call.params, "/v1/charges", keep)


def search(call: Call) -> Obj:
    """GET /v1/charges/search."""
    keep = _search.parse(call.params["query"], SEARCHABLE)
    return _lists.search_page(call.state, "charge", call.params, "/v1/charges/search", keep)
