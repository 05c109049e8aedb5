"""future_payments: Stripe's "save a payment method now, charge it later" flow, correct by default.

Start with ``FuturePayments``; see the README and ``docs/`` for the whole flow. The top level is
the front door: the facades, the values they return, the two embedded stores and the error root
with its branches. Every error leaf is in ``future_payments.errors``, the store contract and the
other stores in ``future_payments.stores``, webhook helpers in ``future_payments.webhooks`` and
the fake Stripe in ``future_payments.testing``.
"""

from __future__ import annotations

from typing import Any

from future_payments._async_client import AsyncFuturePayments
from future_payments._client import FuturePayments
from future_payments._models import (
    AuthenticationStarted,
    Charged,
    ChargeResult,
    Declined,
    EventOutcome,
    NeedsAuthentication,
    Processing,
    Refunded,
    SavedPaymentMethod,
    SetupStarted,
)
from future_payments.errors import (
    ChargeOutcomeUnknown,
    FuturePaymentsError,
    IdempotencyConflict,
    InvalidInput,
    NotFound,
    RefundOutcomeUnknown,
    SessionExpired,
    SessionNotComplete,
    SetupFailed,
    StoreError,
    StripeFailure,
    WebhookError,
)
from future_payments.stores import MemoryStore, SQLiteStore

__all__ = [
    "AsyncFuturePayments",
    "AuthenticationStarted",
    "ChargeOutcomeUnknown",
    "ChargeResult",
    "Charged",
    "Declined",
    "EventOutcome",
    "FuturePayments",
    "FuturePaymentsError",
    "IdempotencyConflict",
    "InvalidInput",
    "MemoryStore",
    "NeedsAuthentication",
    "NotFound",
    "Processing",
    "RefundOutcomeUnknown",
    "Refunded",
    "SQLiteStore",
    "SavedPaymentMethod",
    "SessionExpired",
    "SessionNotComplete",
    "SetupFailed",
    "SetupStarted",
    "StoreError",
    "StripeFailure",
    "WebhookError",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("future-payments")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
