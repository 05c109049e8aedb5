"""The public surface is exactly what is meant to be public."""

from __future__ import annotations

import inspect
import re

import future_payments
import future_payments.errors
import future_payments.stores

TOP_LEVEL = {
    # the facades
    "AsyncFuturePayments", "FuturePayments",
    # the values they return
    "AuthenticationStarted", "ChargeResult", "Charged", "Declined", "EventOutcome",
    "NeedsAuthentication", "Processing", "Refunded", "SavedPaymentMethod", "SetupStarted",
    # the embedded stores
    "MemoryStore", "SQLiteStore",
    # the error root, its branches, and the leaves that carry data a caller reads
    "FuturePaymentsError", "InvalidInput", "IdempotencyConflict", "NotFound", "SessionExpired",
    "SessionNotComplete", "SetupFailed", "StoreError", "StripeFailure", "WebhookError",
    "ChargeOutcomeUnknown", "RefundOutcomeUnknown",
}  # fmt: skip


def _error_classes(module: object) -> dict[str, type[Exception]]:
    return {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, type) and issubclass(value, Exception)
    }


def test_all_is_the_public_api() -> None:
    """future_payments.__all__ lists the agreed names and nothing else."""
    assert TOP_LEVEL == set(future_payments.__all__)


def test_top_level_is_small() -> None:
    """The top level is the front door: at most 30 names."""
    assert len(future_payments.__all__) <= 30


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
    """Every error class of future_payments.errors derives from FuturePaymentsError."""
    errors = _error_classes(future_payments.errors)

    assert all(issubclass(e, future_payments.FuturePaymentsError) for e in errors.values())
    assert len(errors) > 20


def test_top_level_errors_are_the_errors_modules_classes() -> None:
    """An error exported at the top level is the very class in future_payments.errors."""
    for name in TOP_LEVEL:
        value = getattr(future_payments, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert getattr(future_payments.errors, name) is value


def test_errors_docstring_draws_the_whole_tree() -> None:
    """The errors module's docstring names every class, each under its own parent."""
    doc = future_payments.errors.__doc__ or ""
    drawn = {m.group(2): len(m.group(1)) for m in re.finditer(r"^([ │├└─]*)(\w+)", doc, re.M)}
    for name, cls in _error_classes(future_payments.errors).items():
        assert name in drawn, f"{name} is missing from the tree"
        parent = next(
            b for b in cls.__mro__[1:] if b.__module__ == cls.__module__ or b is Exception
        )
        if parent.__module__ == cls.__module__:
            assert drawn[parent.__name__] < drawn[name], f"{name} is not drawn under {parent}"


def test_error_leaves_behave_like_builtins() -> None:
    """Leaves subclass the builtin they behave like, so except ValueError etc. still works."""
    e = future_payments.errors
    assert issubclass(e.InvalidInput, ValueError)
    assert issubclass(e.IdempotencyConflict, ValueError)
    assert issubclass(e.NotFound, LookupError)
    assert issubclass(e.WebhookError, ValueError)
    assert issubclass(e.DatabaseDriverMissing, ImportError)
    assert issubclass(e.DatabaseUnreachable, ConnectionError)


def test_public_classes_have_no_private_bases() -> None:
    """No public class inherits a private one (the API reference would show it)."""
    for module in (future_payments, future_payments.stores, future_payments.errors):
        for name in getattr(module, "__all__", dir(module)):
            value = getattr(module, name)
            if inspect.isclass(value) and not name.startswith("_"):
                private = [b.__name__ for b in value.__mro__ if b.__name__.startswith("_")]
                assert [] == private, f"{name} inherits {private}"
