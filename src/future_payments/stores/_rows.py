"""Rows to value objects, shared by the SQL stores (sqlite3 rows and SQLAlchemy row mappings).

Also the SQL both stores derive from the models: the state-machine rank of a stored state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, cast

from future_payments._models import (
    CHARGE_STATE_RANK,
    REFUND_STATUS_RANK,
    SETTLED_CHARGE_STATES,
    Attempt,
    AttemptKind,
    ChargeRecord,
    ChargeState,
    MethodStatus,
    RefundRecord,
    RefundStatus,
    SavedPaymentMethod,
    SessionStatus,
    SetupSessionRecord,
)

SETTLED_STATES: tuple[str, ...] = tuple(sorted(SETTLED_CHARGE_STATES))
"""The settled charge states in a fixed order, for ``NOT IN (...)`` clauses."""


class Row(Protocol):
    """Anything that reads a column by name: ``sqlite3.Row``, SQLAlchemy's ``RowMapping``."""

    def __getitem__(self, key: str, /) -> Any: ...


def session_from_row(row: Row) -> SetupSessionRecord:
    """A ``setup_sessions`` row as its value object."""
    return SetupSessionRecord(
        session_id=row["session_id"],
        customer_ref=row["customer_ref"],
        customer_id=row["customer_id"],
        status=cast(SessionStatus, row["status"]),
        payment_method_id=row["payment_method_id"],
    )


def method_from_row(row: Row) -> SavedPaymentMethod:
    """A ``payment_methods`` row as its value object."""
    return SavedPaymentMethod(
        id=row["id"],
        customer_ref=row["customer_ref"],
        customer_id=row["customer_id"],
        type=row["type"],
        brand=row["brand"],
        last4=row["last4"],
        exp_month=row["exp_month"],
        exp_year=row["exp_year"],
        fingerprint=row["fingerprint"],
        status=cast(MethodStatus, row["status"]),
        is_default=bool(row["is_default"]),
    )


def charge_from_row(row: Row) -> ChargeRecord:
    """A ``charges`` row as its value object."""
    return ChargeRecord(
        idempotency_key=row["idempotency_key"],
        customer_ref=row["customer_ref"],
        amount=row["amount"],
        currency=row["currency"],
        payment_method_id=row["payment_method_id"],
        state=cast(ChargeState, row["state"]),
        payment_intent_id=row["payment_intent_id"],
        client_secret=row["client_secret"],
        code=row["code"],
        decline_code=row["decline_code"],
        message=row["message"],
        as_of=row["as_of"],
        disputed=bool(row["disputed"]),
        version=row["version"],
    )


def refund_from_row(row: Row) -> RefundRecord:
    """A ``refunds`` row as its value object."""
    return RefundRecord(
        refund_key=row["refund_key"],
        idempotency_key=row["idempotency_key"],
        amount=row["amount"],
        currency=row["currency"],
        reason=row["reason"],
        status=cast(RefundStatus, row["status"]),
        refund_id=row["refund_id"],
        payment_intent_id=row["payment_intent_id"],
        failure_reason=row["failure_reason"],
        as_of=row["as_of"],
    )


def attempt_from_row(row: Row) -> Attempt:
    """An ``attempts`` row as its value object."""
    return Attempt(
        kind=cast(AttemptKind, row["kind"]),
        key=row["attempt_key"],
        number=row["number"],
        started_at=row["started_at"],
        uncertain=bool(row["uncertain"]),
        done=bool(row["done"]),
    )


def rank_case(column: str, ranks: Mapping[Any, int]) -> str:
    """SQL that maps ``column``'s stored state to its rank (for migrating older rows)."""
    whens = " ".join(f"WHEN '{state}' THEN {rank}" for state, rank in ranks.items())
    return f"CASE {column} {whens} ELSE 0 END"


CHARGE_RANK_SQL = rank_case("state", CHARGE_STATE_RANK)
"""``charges.state_rank`` computed from ``charges.state``."""

REFUND_RANK_SQL = rank_case("status", REFUND_STATUS_RANK)
"""``refunds.status_rank`` computed from ``refunds.status``."""
