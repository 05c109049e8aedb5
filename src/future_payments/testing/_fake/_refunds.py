"""Refunds (``re_``): by PaymentIntent or Charge, in full or in part; retrieve, update, list,
cancel; the test cards whose refunds stay pending or fail asynchronously."""

from __future__ import annotations

import stripe

from future_payments.testing._fake import _balance, _charges, _lists
from future_payments.testing._fake._call import Call, merged_metadata, updated
from future_payments.testing._fake._declarations import blank
from future_payments.testing._fake._errors import invalid, no_such, rejected
from future_payments.testing._fake._ids import new_id, random_token
from future_payments.testing._fake._state import Context, Obj, State

FAIL_REFUND = "refund.fail"


def _money(amount: int, currency: str) -> str:
    return f"{amount / 100:.2f} {currency}"


def _charge_to_refund(state: State, params: dict[str, object]) -> Obj:
    charge_id = params.get("charge")
    intent_id = params.get("payment_intent")
    if charge_id is None and intent_id is None:
        raise rejected(
            "One of the following params should be provided for this request: payment_intent "
            "or charge.",
            code="parameter_missing",
        )
    if charge_id is not None and intent_id is not None:
        raise rejected("You may only specify one of these parameters: charge, payment_intent.")
    if intent_id is not None:
        intent = state.get(
            "payment_intent", str(intent_id), "payment_intent", param="payment_intent"
        )
        charge = state.objects.get(str(intent["latest_charge"] or ""))
        if charge is None or charge["status"] == "failed":
            raise invalid(
                f"This PaymentIntent ({intent_id}) does not have a successful charge to refund.",
                param="payment_intent",
            )
        return charge
    return state.get("charge", str(charge_id), "charge", param="charge")


def create(call: Call) -> Obj:
    """POST /v1/refunds."""
    state, params = call.state, call.params
    if params.get("customer") is not None:  # a customer balance refund's; checked, not used
        state.get("customer", params["customer"], "customer", param="customer")
    charge = _charge_to_refund(state, params)
    if charge["status"] != "succeeded":
        raise invalid(f"Charge {charge['id']} has not succeeded: there is nothing to refund.")
    if not charge["captured"]:
        raise invalid(
            f"Charge {charge['id']} has not been captured: cancel its PaymentIntent "
            f"({charge['payment_intent']}) to release the authorization instead of refunding it."
        )
    left = charge["amount_captured"] - charge["amount_refunded"]
    if left <= 0:
        raise invalid(
            f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded"
        )
    amount = params.get("amount")
    amount = left if amount is None else amount
    if amount <= 0:
        raise rejected("Invalid positive integer", param="amount", code="parameter_invalid_integer")
    if amount > left:
        raise invalid(
            f"Refund amount ({_money(amount, charge['currency'])}) is greater than unrefunded "
            f"amount on charge ({_money(left, charge['currency'])})",
            param="amount",
        )
    card = state.cards.get(str(charge["payment_method"]))
    pending = card is not None and card.refund == "pending"
    refund: Obj = blank(stripe.Refund)
    refund.update(
        id=new_id("re"),
        object="refund",
        amount=amount,
        charge=charge["id"],
        created=state.clock.now(),
        currency=charge["currency"],
        destination_details=_destination(charge),
        metadata=merged_metadata({}, params),
        payment_intent=charge["payment_intent"],
        reason=params.get("reason"),
        status="pending" if pending else "succeeded",
    )
    if pending:
        refund["pending_reason"] = "processing"
    state.add(refund)
    txn = _balance.record(
        state,
        amount=-amount,
        currency=charge["currency"],
        kind="refund",
        source=refund["id"],
        description="REFUND FOR CHARGE",
    )
    state.update(refund, balance_transaction=txn["id"])
    state.link_refund(charge["id"], refund["id"])
    refunded = charge["amount_refunded"] + amount
    state.update(charge, amount_refunded=refunded, refunded=refunded >= charge["amount_captured"])
    state.record_event(call.ctx, "refund.created", refund)
    _charges.record(state, call.ctx, charge, "refunded")
    if card is not None and card.refund == "fails":
        state.schedule(state.clock.now(), FAIL_REFUND, refund["id"])
    return refund


def _destination(charge: Obj) -> Obj:
    pm_type = (charge["payment_method_details"] or {}).get("type", "card")
    if pm_type != "card":
        return {"type": pm_type, pm_type: {}}
    return {
        "type": "card",
        "card": {
            "reference": random_token(23).upper(),
            "reference_status": "available",
            "reference_type": "acquirer_reference_number",
            "type": "refund",
        },
    }


def settle(
    state: State, ctx: Context, refund: Obj, succeed: bool, reason: str | None = None
) -> None:
    """A pending refund succeeds, or a refund fails (and its amount returns to the charge)."""
    charge = state.objects[refund["charge"]]
    previous = {"status": refund["status"]}
    if succeed:
        state.update(refund, status="succeeded", pending_reason=None)
    else:
        txn = _balance.record(
            state,
            amount=refund["amount"],
            currency=refund["currency"],
            kind="refund_failure",
            source=refund["id"],
            description="REFUND FAILURE",
        )
        state.update(
            refund,
            status="failed",
            pending_reason=None,
            failure_reason=reason or "expired_or_canceled_card",
            failure_balance_transaction=txn["id"],
        )
        refunded = charge["amount_refunded"] - refund["amount"]
        state.update(charge, amount_refunded=refunded, refunded=False)
    state.record_event(ctx, "refund.updated", refund, previous)
    if not succeed:
        state.record_event(ctx, "refund.failed", refund)
    state.record_event(ctx, "charge.refund.updated", refund, previous)


def retrieve(call: Call) -> Obj:
    """GET /v1/refunds/{id}."""
    return call.state.get("refund", call.id, "refund", param="refund")


def update(call: Call) -> Obj:
    """POST /v1/refunds/{id}: metadata."""
    state = call.state
    refund = state.get("refund", call.id, "refund", param="refund")
    changes = {"metadata": merged_metadata(refund["metadata"], call.params)}
    return updated(call, refund, changes, "refund.updated", "charge.refund.updated")


def cancel(call: Call) -> Obj:
    """POST /v1/refunds/{id}/cancel: only a refund still pending can be canceled."""
    state = call.state
    refund = state.get("refund", call.id, "refund", param="refund")
    if refund["status"] not in ("pending", "requires_action"):
        raise invalid(
            f"You can't cancel refund {refund['id']} because it has a status of "
            f"{refund['status']}; only pending refunds can be canceled."
        )
    charge = state.objects[refund["charge"]]
    previous = {"status": refund["status"]}
    state.update(refund, status="canceled", pending_reason=None)
    state.update(
        charge, amount_refunded=charge["amount_refunded"] - refund["amount"], refunded=False
    )
    state.record_event(call.ctx, "refund.updated", refund, previous)
    state.record_event(call.ctx, "charge.refund.updated", refund, previous)
    return refund


def list_all(call: Call) -> Obj:
    """GET /v1/refunds (``charge``, ``payment_intent``, ``created``)."""
    params = call.params
    state = call.state
    for name, kind in (("charge", "charge"), ("payment_intent", "payment_intent")):
        value = params.get(name)
        if value is not None and value not in state.objects:
            raise no_such(kind, value, param=name)

    keep = _lists.matching(params, ("charge", "payment_intent"))
    return _lists.page(state, "refund", params, "/v1/refunds", keep)
