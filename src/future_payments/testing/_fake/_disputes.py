"""Disputes (``du_``): the ones Stripe's dispute test cards draw; retrieve, list, update, close."""

from __future__ import annotations

import stripe

from future_payments.testing._fake import _lists
from future_payments.testing._fake._call import Call, echoed, merged_metadata, updated
from future_payments.testing._fake._declarations import blank
from future_payments.testing._fake._errors import invalid
from future_payments.testing._fake._ids import new_id
from future_payments.testing._fake._state import Context, Obj, State

_DAY = 24 * 60 * 60
_NETWORK_REASONS = {"fraudulent": "10.4", "product_not_received": "13.1", "general": "10.4"}


def open_dispute(state: State, ctx: Context, charge: Obj, reason: str) -> Obj:
    """The cardholder disputes ``charge`` (``charge.dispute.created``); ``general``: an inquiry."""
    inquiry = reason == "general"
    dispute: Obj = blank(stripe.Dispute)
    card = (charge["payment_method_details"] or {}).get("card") or {}
    dispute.update(
        id=new_id("du"),
        object="dispute",
        amount=charge["amount_captured"],
        balance_transactions=[],
        charge=charge["id"],
        created=state.clock.now(),
        currency=charge["currency"],
        enhanced_eligibility_types=[],
        evidence=blank(stripe.Dispute.Evidence),
        evidence_details={
            "due_by": state.clock.now() + 7 * _DAY,
            "enhanced_eligibility": {},
            "has_evidence": False,
            "past_due": False,
            "submission_count": 0,
            "submission_method": None,
        },
        is_charge_refundable=inquiry,
        livemode=False,
        metadata={},
        network_reason_code=_NETWORK_REASONS.get(reason),
        payment_intent=charge["payment_intent"],
        payment_method_details={
            "card": {
                "brand": card.get("brand"),
                "case_type": "inquiry" if inquiry else "chargeback",
                "network": card.get("network"),
                "network_reason_code": _NETWORK_REASONS.get(reason),
            },
            "type": "card",
        },
        reason=reason,
        status="warning_needs_response" if inquiry else "needs_response",
    )
    dispute["evidence"]["enhanced_evidence"] = {}
    state.add(dispute)
    state.update(charge, disputed=True)
    state.record_event(ctx, "charge.dispute.created", dispute)
    return dispute


def retrieve(call: Call) -> Obj:
    """GET /v1/disputes/{id}."""
    return call.state.get("dispute", call.id, "dispute", param="dispute")


def update(call: Call) -> Obj:
    """POST /v1/disputes/{id}: evidence and metadata (``submit`` is taken as sent)."""
    state, params = call.state, call.params
    dispute = state.get("dispute", call.id, "dispute", param="dispute")
    changes = echoed(stripe.Dispute, params, current=dispute)
    if "metadata" in params:
        changes["metadata"] = merged_metadata(dispute["metadata"], params)
    return updated(call, dispute, changes, "charge.dispute.updated")


def close(call: Call) -> Obj:
    """POST /v1/disputes/{id}/close: accept the dispute (it is lost)."""
    state = call.state
    dispute = state.get("dispute", call.id, "dispute", param="dispute")
    if dispute["status"] in ("won", "lost", "warning_closed"):
        raise invalid(f"This dispute is already closed ({dispute['status']}).")
    previous = {"status": dispute["status"]}
    closed = "warning_closed" if dispute["status"].startswith("warning") else "lost"
    state.update(dispute, status=closed, is_charge_refundable=False)
    state.record_event(call.ctx, "charge.dispute.closed", dispute, previous)
    return dispute


def list_all(call: Call) -> Obj:
    """GET /v1/disputes (``charge``, ``payment_intent``, ``created``)."""
    keep = _lists.matching(call.params, ("charge", "payment_intent"))
    return _lists.page(call.state, "dispute", call.params, "/v1/disputes", keep)
