"""future_payments: Stripe's "save a payment method now, charge it later" flow, correct by default.

Start with ``FuturePayments``; see the README and ``docs/`` for the whole flow.
"""

from __future__ import annotations

from typing import Any

from future_payments._async_client import AsyncFuturePayments
from future_payments._client import FuturePayments
from future_payments._errors import (
    ChargeOutcomeUnknown,
    DatabaseDriverMissing,
    DatabaseUnreachable,
    FuturePaymentsError,
    IdempotencyConflict,
    InvalidAmount,
    InvalidCurrency,
    InvalidCustomerRef,
    InvalidDatabaseURL,
    InvalidInput,
    InvalidURL,
    LivemodeMismatch,
    MalformedPayload,
    MalformedSignature,
    MissingSignature,
    NoSavedPaymentMethod,
    NotFound,
    PayloadTooLarge,
    SchemaMissing,
    SchemaVersionMismatch,
    SessionExpired,
    SessionNotComplete,
    SetupFailed,
    SignatureMismatch,
    StoreError,
    StripeAuthenticationFailed,
    StripeFailure,
    StripeRateLimited,
    StripeRequestRejected,
    StripeUnavailable,
    TimestampOutsideTolerance,
    UnknownCustomer,
    UnknownPaymentMethod,
    UnknownSession,
    WebhookError,
)
from future_payments._models import (
    Charged,
    ChargeResult,
    Declined,
    EventOutcome,
    NeedsAuthentication,
    Processing,
    SavedPaymentMethod,
    SetupStarted,
)
from future_payments.stores import MemoryStore, SQLiteStore

__all__ = [
    "AsyncFuturePayments",
    "ChargeOutcomeUnknown",
    "ChargeResult",
    "Charged",
    "DatabaseDriverMissing",
    "DatabaseUnreachable",
    "Declined",
    "EventOutcome",
    "FuturePayments",
    "FuturePaymentsError",
    "IdempotencyConflict",
    "InvalidAmount",
    "InvalidCurrency",
    "InvalidCustomerRef",
    "InvalidDatabaseURL",
    "InvalidInput",
    "InvalidURL",
    "LivemodeMismatch",
    "MalformedPayload",
    "MalformedSignature",
    "MemoryStore",
    "MissingSignature",
    "NeedsAuthentication",
    "NoSavedPaymentMethod",
    "NotFound",
    "PayloadTooLarge",
    "Processing",
    "SQLiteStore",
    "SavedPaymentMethod",
    "SchemaMissing",
    "SchemaVersionMismatch",
    "SessionExpired",
    "SessionNotComplete",
    "SetupFailed",
    "SetupStarted",
    "SignatureMismatch",
    "StoreError",
    "StripeAuthenticationFailed",
    "StripeFailure",
    "StripeRateLimited",
    "StripeRequestRejected",
    "StripeUnavailable",
    "TimestampOutsideTolerance",
    "UnknownCustomer",
    "UnknownPaymentMethod",
    "UnknownSession",
    "WebhookError",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("future-payments")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
