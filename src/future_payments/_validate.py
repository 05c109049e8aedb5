"""Input checks that run before any request, and the currency facts they need."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from future_payments._currencies import MAXIMUM_AMOUNT, MINIMUM_CHARGE
from future_payments.errors import InvalidInput
from future_payments.stores._protocol import MAX_REF_LENGTH

_CURRENCY = re.compile(r"[a-z]{3}")


def customer_ref(value: object) -> str:
    """A non-empty string of at most 255 characters."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(
            "customer_ref must be a non-empty string (your app's id for the payer), "
            f"got {value!r}.",
            param="customer_ref",
        )
    if len(value) > MAX_REF_LENGTH:
        raise InvalidInput(
            f"customer_ref is {len(value)} characters long; at most {MAX_REF_LENGTH} are stored.",
            param="customer_ref",
        )
    return value


def currency(value: object) -> str:
    """A three-letter ISO currency code, returned lowercase."""
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value.lower()):
        raise InvalidInput(
            f"currency must be a three-letter ISO code such as 'usd', got {value!r}.",
            param="currency",
        )
    return value.lower()


def amount(value: object, currency_code: str) -> int:
    """A positive integer in the currency's smallest unit, at least Stripe's minimum."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(
            f"amount must be an int in the currency's smallest unit (1999 for 19.99 USD), "
            f"got {value!r}.",
            param="amount",
        )
    if value <= 0:
        raise InvalidInput(f"amount must be positive, got {value}.", param="amount")
    if value > MAXIMUM_AMOUNT:
        raise InvalidInput(
            f"amount {value} is over Stripe's maximum of {MAXIMUM_AMOUNT}.", param="amount"
        )
    minimum = MINIMUM_CHARGE.get(currency_code, 1)
    if value < minimum:
        raise InvalidInput(
            f"amount {value} is under Stripe's minimum charge for {currency_code.upper()}, "
            f"{minimum}.",
            param="amount",
        )
    return value


def url(name: str, value: object) -> str:
    """An absolute http(s) URL."""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be an absolute http(s) URL, got {value!r}.", param=name)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(
            f"{name} must be an absolute http(s) URL such as 'https://shop.example/saved', "
            f"got {value!r}.",
            param=name,
        )
    return value


def key(name: str, value: object) -> str:
    """A non-empty string key of at most 255 characters (idempotency keys, Stripe ids)."""
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{name} must be a non-empty string, got {value!r}.", param=name)
    if len(value) > MAX_REF_LENGTH:
        raise InvalidInput(
            f"{name} is {len(value)} characters long; at most 255 are allowed.", param=name
        )
    return value


def stripe_id(name: str, value: object, prefix: str) -> str:
    """A Stripe object id with the expected prefix."""
    checked = key(name, value)
    if not checked.startswith(prefix):
        raise InvalidInput(
            f"{name} must be a Stripe id starting with {prefix!r}, got {value!r}.", param=name
        )
    return checked


def metadata(value: Mapping[str, str] | None) -> dict[str, str]:
    """Stripe metadata: at most 50 string keys (40 chars) with string values (500 chars)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or len(value) > 50:
        raise InvalidInput(
            "metadata must be a mapping of at most 50 string keys to strings.", param="metadata"
        )
    for k, v in value.items():
        if not isinstance(k, str) or not isinstance(v, str) or len(k) > 40 or len(v) > 500:
            raise InvalidInput(
                f"metadata entry {k!r} must be a string key of at most 40 characters with a "
                "string value of at most 500.",
                param="metadata",
            )
    return dict(value)


def method_types(value: Sequence[str] | None) -> list[str] | None:
    """A non-empty list of payment method type names, or None for dynamic methods."""
    if value is None:
        return None
    if isinstance(value, str) or not value or not all(isinstance(t, str) and t for t in value):
        raise InvalidInput(
            "payment_method_types must be a non-empty list such as ['card', 'sepa_debit'].",
            param="payment_method_types",
        )
    return list(value)


def api_key(value: object) -> str:
    """A Stripe secret or restricted key; the key itself never appears in the message."""
    if not isinstance(value, str) or not value.startswith(("sk_", "rk_")):
        shown = "a str" if isinstance(value, str) else type(value).__name__
        raise InvalidInput(
            f"api_key must be a Stripe secret key (sk_...) or restricted key (rk_...); got "
            f"{shown} that is not one.",
            param="api_key",
        )
    return value


def tolerance(value: object) -> int:
    """Seconds of webhook signature tolerance: a non-negative int."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(
            f"webhook_tolerance must be a non-negative int of seconds, got {value!r}.",
            param="webhook_tolerance",
        )
    return value
