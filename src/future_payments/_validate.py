"""Input checks that run before any request, and the currency facts they need."""

from __future__ import annotations

import functools
import math
import re
import typing
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from future_payments._currencies import MAXIMUM_AMOUNT, MINIMUM_CHARGE, SUPPORTED_CURRENCIES
from future_payments._limits import MAX_REF_LENGTH
from future_payments._objects import key_problem, unencodable
from future_payments.errors import InvalidInput

OWN_METADATA_PREFIX = "future_payments_"
"""Metadata keys this library writes start with it; callers cannot set them."""

_CURRENCY = re.compile(r"[A-Za-z]{3}")  # ASCII only: "\u212aRW".lower() is "krw"
_METADATA_KEY_FORBIDDEN = re.compile(r"[\[\]]")
MAX_METADATA_KEYS = 50


def customer_ref(value: object) -> str:
    """A non-empty, storable string of at most 255 characters, compared exactly."""
    return key("customer_ref", value, hint=" (your app's id for the payer)")


def currency(value: object) -> str:
    """A currency Stripe supports, as its lowercase three-letter ISO code."""
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        raise InvalidInput(
            f"currency must be a three-letter ISO code such as 'usd', got {value!r}.",
            param="currency",
        )
    code = value.lower()
    if code not in SUPPORTED_CURRENCIES:
        raise InvalidInput(
            f"currency {value!r} is not one Stripe supports; use a lowercase ISO code from "
            "https://docs.stripe.com/currencies such as 'usd' or 'eur'.",
            param="currency",
        )
    return code


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
    if parts.scheme not in ("http", "https") or not parts.netloc or key_problem(value):
        raise InvalidInput(
            f"{name} must be an absolute http(s) URL such as 'https://shop.example/saved', "
            f"got {value!r}.",
            param=name,
        )
    return value


def key(name: str, value: object, *, hint: str = "") -> str:
    """A non-empty string key of at most 255 characters (idempotency keys, refs, Stripe ids).

    Compared exactly everywhere ("order-1 " is not "order-1"); no control characters or lone
    surrogates, which no store and no HTTP header can carry.
    """
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{name} must be a non-empty string{hint}, got {value!r}.", param=name)
    if len(value) > MAX_REF_LENGTH:
        raise InvalidInput(
            f"{name} is {len(value)} characters long; at most {MAX_REF_LENGTH} are allowed.",
            param=name,
        )
    problem = key_problem(value)
    if problem is not None:
        raise InvalidInput(f"{name} {problem}; got {value!r}.", param=name)
    return value


def stripe_id(name: str, value: object, prefix: str) -> str:
    """A Stripe object id with the expected prefix."""
    checked = key(name, value)
    if not checked.startswith(prefix):
        raise InvalidInput(
            f"{name} must be a Stripe id starting with {prefix!r}, got {value!r}.", param=name
        )
    return checked


def metadata(value: object, *, reserved: int = 0) -> dict[str, str]:
    """Stripe metadata, leaving room for the ``reserved`` keys this library adds.

    At most 50 keys in all; keys non-empty, at most 40 characters, without ``[`` or ``]``
    (Stripe's form encoding would nest them); values strings of at most 500 characters.
    """
    if value is None:
        return {}
    room = MAX_METADATA_KEYS - reserved
    if not isinstance(value, Mapping) or len(value) > room:
        raise InvalidInput(
            f"metadata must be a mapping of at most {room} string keys to strings ({reserved} of "
            f"Stripe's {MAX_METADATA_KEYS} are this library's own).",
            param="metadata",
        )
    for k, v in value.items():
        if (
            not isinstance(k, str)
            or not isinstance(v, str)
            or not k
            or len(k) > 40
            or len(v) > 500
            or _METADATA_KEY_FORBIDDEN.search(k)
            or key_problem(k) is not None
            or unencodable(v)
        ):
            raise InvalidInput(
                f"metadata entry {k!r} must be a non-empty string key of at most 40 characters, "
                "without '[' or ']', with a string value of at most 500.",
                param="metadata",
            )
        if k.startswith(OWN_METADATA_PREFIX):
            raise InvalidInput(
                f"metadata key {k!r} is reserved: keys starting with {OWN_METADATA_PREFIX!r} "
                "belong to this library.",
                param="metadata",
            )
    return dict(value)


def text(name: str, value: object) -> str | None:
    """Optional free text (a description): a str that can be sent, or None."""
    if value is None:
        return None
    if not isinstance(value, str) or unencodable(value) or "\x00" in value:
        raise InvalidInput(
            f"{name} must be a str of valid Unicode text, got {value!r}.", param=name
        )
    return value


def method_types(value: object) -> list[str] | None:
    """A non-empty list of payment method types the SDK declares, or None for dynamic methods."""
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        raise InvalidInput(
            "payment_method_types must be a non-empty list such as ['card', 'sepa_debit'].",
            param="payment_method_types",
        )
    unknown = [t for t in value if t not in _declared_method_types()]
    if unknown:
        raise InvalidInput(
            f"payment_method_types holds {unknown!r}, which Stripe's API does not declare for "
            "setup-mode Checkout; use names such as 'card', 'sepa_debit', 'us_bank_account'.",
            param="payment_method_types",
        )
    return [str(t) for t in value]


LITERAL: object = typing.Literal


@functools.cache
def _declared_method_types() -> frozenset[str]:
    """The method types the pinned ``stripe`` package declares for Checkout Sessions."""
    from stripe.params.checkout import SessionCreateParams

    found: set[str] = set()
    pending = [SessionCreateParams.__annotations__["allowed_payment_method_types"]]
    while pending:  # NotRequired[List[Union[Literal[...], str]]]: collect the literals
        annotation = pending.pop()
        if typing.get_origin(annotation) is LITERAL:
            found.update(str(a) for a in typing.get_args(annotation))
        else:
            pending.extend(typing.get_args(annotation))
    return frozenset(found)


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


def count(name: str, value: object, *, most: int) -> int:
    """A count of things to take: an int from 1 to ``most``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise InvalidInput(f"{name} must be an int from 1 to {most}, got {value!r}.", param=name)
    return value


def seconds(name: str, value: object) -> float:
    """A duration: a positive, finite number of seconds."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise InvalidInput(
            f"{name} must be a positive number of seconds, got {value!r}.", param=name
        )
    return float(value)
