"""Rows to value objects, shared by the SQL stores (sqlite3 rows and SQLAlchemy row mappings)."""

from __future__ import annotations

from typing import Any, Protocol, cast

from future_payments._models import (
    ChargeRecord,
    ChargeState,
    MethodStatus,
    SavedPaymentMethod,
    SessionStatus,
    SetupSessionRecord,
)


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
    )
