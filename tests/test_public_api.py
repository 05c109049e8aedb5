"""The public surface is exactly what is meant to be public."""

from __future__ import annotations

import future_payments
import future_payments.stores


def test_all_is_the_public_api() -> None:
    """future_payments.__all__ lists the agreed names and nothing else."""
    expected = {
        "AsyncFuturePayments", "ChargeOutcomeUnknown", "ChargeResult", "Charged", "Declined",
        "EventOutcome",
        "FuturePayments", "FuturePaymentsError", "IdempotencyConflict", "InvalidAmount",
        "InvalidCurrency", "InvalidCustomerRef", "InvalidInput", "InvalidURL",
        "LivemodeMismatch", "MalformedPayload", "MalformedSignature", "MemoryStore",
        "MissingSignature", "NeedsAuthentication", "NoSavedPaymentMethod", "NotFound",
        "PayloadTooLarge", "Processing", "SQLiteStore", "SavedPaymentMethod",
        "SessionExpired", "SessionNotComplete", "SetupFailed", "SetupStarted",
        "SignatureMismatch", "StripeAuthenticationFailed", "StripeFailure",
        "StripeRateLimited", "StripeRequestRejected", "StripeUnavailable",
        "TimestampOutsideTolerance", "UnknownCustomer", "UnknownPaymentMethod",
        "UnknownSession", "WebhookError", "DatabaseDriverMissing", "DatabaseUnreachable",
        "InvalidDatabaseURL", "SchemaMissing", "SchemaVersionMismatch", "StoreError",
    }  # fmt: skip

    assert expected == set(future_payments.__all__)


def test_all_is_sorted() -> None:
    """__all__ is sorted, so additions are easy to review."""
    assert sorted(future_payments.__all__) == list(future_payments.__all__)


def test_every_name_resolves() -> None:
    """Each exported name exists, in the package and in the stores package."""
    for module in (future_payments, future_payments.stores):
        for name in module.__all__:
            assert getattr(module, name) is not None, name


def test_version_from_metadata() -> None:
    """__version__ comes from the installed distribution's metadata."""
    from importlib.metadata import version

    assert version("future-payments") == future_payments.__version__


def test_errors_share_one_root() -> None:
    """Every exported exception derives from FuturePaymentsError."""
    errors = [
        getattr(future_payments, n)
        for n in future_payments.__all__
        if isinstance(getattr(future_payments, n), type)
        and issubclass(getattr(future_payments, n), Exception)
    ]

    assert all(issubclass(e, future_payments.FuturePaymentsError) for e in errors)
    assert len(errors) > 20
