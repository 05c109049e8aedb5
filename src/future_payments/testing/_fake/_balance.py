"""Balance transactions (``txn_``): what a charge adds to the balance, what a refund takes."""

from __future__ import annotations

import stripe

from future_payments._currencies import ZERO_DECIMAL
from future_payments.testing._fake import _lists
from future_payments.testing._fake._call import Call
from future_payments.testing._fake._declarations import blank
from future_payments.testing._fake._ids import new_id
from future_payments.testing._fake._state import Obj, State

_DAY = 24 * 60 * 60


def _fee(amount: int, currency: str) -> int:
    """Stripe's standard card pricing: 2.9 % + 30 cents (no fixed part in zero-decimal units)."""
    return round(amount * 0.029) + (0 if currency in ZERO_DECIMAL else 30)


def record(
    state: State, *, amount: int, currency: str, kind: str, source: str, description: str | None
) -> Obj:
    """Store a balance transaction of ``kind`` (``charge``, ``refund``, ``refund_failure``...)."""
    fee = _fee(amount, currency) if kind == "charge" else 0
    now = state.clock.now()
    txn: Obj = blank(stripe.BalanceTransaction)
    txn.update(
        id=new_id("txn"),
        object="balance_transaction",
        amount=amount,
        available_on=now + 2 * _DAY,
        balance_type="payments",
        created=now,
        currency=currency,
        description=description,
        exchange_rate=None,
        fee=fee,
        fee_details=[
            {
                "amount": fee,
                "application": None,
                "currency": currency,
                "description": "Stripe processing fees",
                "type": "stripe_fee",
            }
        ]
        if fee
        else [],
        net=amount - fee,
        reporting_category="charge" if kind == "charge" else "refund",
        source=source,
        status="pending",
        type=kind,
    )
    return state.add(txn)


def retrieve(call: Call) -> Obj:
    """GET /v1/balance_transactions/{id}."""
    return call.state.get("balance_transaction", call.id, "balance transaction")


def list_all(call: Call) -> Obj:
    """GET /v1/balance_transactions (``source``, ``type``, ``currency``, ``created``)."""
    keep = _lists.matching(call.params, ("source", "type", "currency"))
    return _lists.page(
        call.state, "balance_transaction", call.params, "/v1/balance_transactions", keep
    )
