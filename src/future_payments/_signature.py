"""Stripe's webhook signatures: check a ``Stripe-Signature`` header, and make one for tests.

The scheme: ``Stripe-Signature: t=<unix>,v1=<hex>[,v1=...]``, where each ``v1`` is the hex
HMAC-SHA256 of ``f"{t}."`` + the raw body, keyed with the whole ``whsec_...`` secret. Every ``v1``
is compared in constant time against every configured secret (rotation); other schemes are
ignored. No message, log line or repr ever contains a secret or the header's values.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Sequence
from typing import NoReturn

from future_payments.errors import (
    InvalidInput,
    MalformedPayload,
    MalformedSignature,
    MissingSignature,
    PayloadTooLarge,
    SignatureMismatch,
    TimestampOutsideTolerance,
)

DEFAULT_TOLERANCE = 300
"""Seconds a signature's timestamp may lie in the past or the future (Stripe's default)."""

DEFAULT_MAX_PAYLOAD_BYTES = 1_000_000
"""Largest body accepted before any HMAC is computed."""

_SCHEME = "v1"
# Prefixes of Stripe API keys: passing one where the webhook secret belongs is a common mistake.
_API_KEY_PREFIXES = ("sk_", "rk_", "pk_")


def verify_signature(
    payload: bytes | str,
    header: str | None,
    secrets: str | Sequence[str],
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: Callable[[], float] = time.time,
    max_payload_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES,
) -> None:
    """Check that a webhook body was signed by Stripe with one of ``secrets``, recently.

    Args:
        payload: The raw request body, exactly as received (``str`` is encoded as UTF-8).
        header: The ``Stripe-Signature`` header value, or ``None`` if the request had none.
        secrets: The endpoint's signing secret (``whsec_...``), or several while rotating:
            a signature made with any of them is accepted.
        tolerance: Seconds the signed timestamp may differ from ``now()``, either way.
        now: The clock, in Unix seconds; inject a fixed one in tests.
        max_payload_bytes: Larger bodies are refused before any HMAC is computed.

    Raises:
        PayloadTooLarge: The body is over ``max_payload_bytes``.
        MissingSignature: No header, or an empty one.
        MalformedSignature: The header has no usable ``t=`` timestamp or no ``v1=`` signature.
        SignatureMismatch: No ``v1`` signature matches any secret.
        TimestampOutsideTolerance: The signature is genuine but too old or too far ahead.
        InvalidInput: ``secrets``, ``tolerance`` or ``max_payload_bytes`` is unusable.
    """
    keys = secret_keys(secrets)
    _check_non_negative_int("tolerance", tolerance)
    _check_non_negative_int("max_payload_bytes", max_payload_bytes)
    body = _body_bytes(payload, max_payload_bytes)

    if header is not None and not isinstance(header, str):
        raise InvalidInput(
            f"The Stripe-Signature header must be a str, not {type(header).__name__}; "
            "pass the header value as your web framework returns it."
        )
    if header is None or not header.strip():
        raise MissingSignature(
            "The request has no Stripe-Signature header. Webhooks from Stripe always carry "
            "one: check that the endpoint reads the header named 'Stripe-Signature' and that "
            "no proxy strips it."
        )
    timestamp, signatures = _parse_header(header)

    signed = f"{timestamp}.".encode("ascii") + body
    expected = [hmac.digest(key, signed, "sha256").hex() for key in keys]
    # Every v1 signature against every secret: Stripe sends one v1 per active secret while
    # secrets roll, and this endpoint may hold the old and new secret too.
    if not any(hmac.compare_digest(mine, theirs) for theirs in signatures for mine in expected):
        raise SignatureMismatch(
            f"No v1 signature in the Stripe-Signature header matches the {_secrets_phrase(keys)}. "
            "Check that the endpoint's signing secret (whsec_..., shown on the webhook "
            "endpoint's page in the Stripe Dashboard, or printed by `stripe listen`) is the one "
            "configured, and that the body is passed exactly as received, before any JSON "
            "parsing or re-encoding."
        )

    # Checked after the HMAC, so this error always means a genuine but late (or early) delivery.
    age = now() - timestamp
    if age > tolerance:
        raise TimestampOutsideTolerance(
            f"The signature's timestamp ({timestamp}) is {age:.0f} s old, over the tolerance "
            f"of {tolerance} s. This is a replayed or long-delayed delivery, or this server's "
            "clock is behind: check it is synchronised (NTP). Stripe retries with a fresh "
            "signature."
        )
    if -age > tolerance:
        raise TimestampOutsideTolerance(
            f"The signature's timestamp ({timestamp}) is {-age:.0f} s in the future, over the "
            f"tolerance of {tolerance} s. This server's clock is probably behind: check it is "
            "synchronised (NTP)."
        )


def sign_payload(payload: bytes | str, secret: str, timestamp: int | None = None) -> str:
    """Build the ``Stripe-Signature`` header value Stripe would send with ``payload``.

    For tests: the result verifies with :func:`verify_signature` and with the ``stripe``
    package's own ``stripe.Webhook.construct_event``.

    Args:
        payload: The body to sign (``str`` is encoded as UTF-8).
        secret: The signing secret (``whsec_...``).
        timestamp: Unix seconds to sign at; ``None`` means the time of this call.

    Raises:
        InvalidInput: The secret is not a usable secret, or the timestamp is not a
            non-negative integer.
    """
    (key,) = secret_keys(secret)
    if timestamp is None:
        timestamp = int(time.time())
    _check_non_negative_int("timestamp", timestamp)
    body = _body_bytes(payload, None)
    signature = hmac.digest(key, f"{timestamp}.".encode("ascii") + body, "sha256").hex()
    return f"t={timestamp},{_SCHEME}={signature}"


def secret_keys(secrets: str | Sequence[str]) -> list[bytes]:
    """Validate the configured secrets and return their HMAC keys, never echoing a secret."""
    if isinstance(secrets, str):
        candidates: Sequence[object] = (secrets,)
    else:
        try:
            candidates = tuple(secrets)
        except TypeError:
            raise InvalidInput(
                "The webhook secret must be a str (whsec_...) or a sequence of them, "
                f"not {type(secrets).__name__}."
            ) from None
        if not candidates:
            raise InvalidInput(
                "No webhook secret was given. Pass the endpoint's signing secret (whsec_...), "
                "or a list of secrets while rotating."
            )
    keys = []
    for position, secret in enumerate(candidates):
        where = "The webhook secret" if len(candidates) == 1 else f"Webhook secret #{position}"
        if not isinstance(secret, str):
            raise InvalidInput(f"{where} must be a str (whsec_...), not {type(secret).__name__}.")
        if not secret.strip():
            raise InvalidInput(
                f"{where} is empty. Check that the setting or environment variable that "
                "holds the endpoint's signing secret (whsec_...) is set."
            )
        if secret != secret.strip():
            raise InvalidInput(
                f"{where} has leading or trailing whitespace (often a newline from a file or "
                "an environment variable). Strip it: Stripe signs with the secret as shown."
            )
        if secret.startswith(_API_KEY_PREFIXES):
            raise InvalidInput(
                f"{where} looks like a Stripe API key, not a webhook signing secret. Use the "
                "endpoint's signing secret (whsec_...) from the Dashboard or `stripe listen`."
            )
        keys.append(secret.encode("utf-8"))
    return keys


def _secrets_phrase(keys: Sequence[bytes]) -> str:
    return "configured webhook secret" if len(keys) == 1 else f"{len(keys)} configured secrets"


def _check_non_negative_int(name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInput(f"{name} must be a non-negative int, not {value!r}.")


def _body_bytes(payload: bytes | str, limit: int | None) -> bytes:
    """Return the body as bytes, refusing one over ``limit`` before encoding a large str."""
    if isinstance(payload, str):
        # Every character is at least one UTF-8 byte: a long str is over the limit unencoded.
        if limit is not None and len(payload) > limit:
            _too_large(limit)
        try:
            body = payload.encode("utf-8")
        except UnicodeEncodeError:
            raise MalformedPayload(
                "The webhook body holds a character that is not valid Unicode (a lone "
                "surrogate), so it cannot be the body Stripe signed. Pass the raw request body "
                "as bytes, exactly as received."
            ) from None
    elif isinstance(payload, bytes | bytearray | memoryview):
        body = bytes(payload)
    else:
        raise_wrong_payload_type(payload)
    if limit is not None and len(body) > limit:
        _too_large(limit)
    return body


def _too_large(limit: int) -> NoReturn:
    raise PayloadTooLarge(
        f"The webhook body is over {limit} bytes. Stripe events are far smaller; if this one "
        "is genuine, raise max_payload_bytes."
    )


def raise_wrong_payload_type(payload: object) -> NoReturn:
    raise InvalidInput(
        f"The webhook payload must be the raw request body as bytes or str, not "
        f"{type(payload).__name__}. The signature covers the exact bytes Stripe sent, so "
        "pass the body before any JSON parsing."
    )


def _parse_header(header: str) -> tuple[int, list[str]]:
    """Split ``t=<unix>,v1=<hex>[,v1=...][,v0=...]`` into the timestamp and the v1 values."""
    timestamps: list[str] = []
    signatures: list[str] = []
    for position, item in enumerate(header.split(","), start=1):
        key, equals, value = item.strip().partition("=")
        if not equals:
            _malformed_header(f"its part #{position} is not of the form key=value")
        if key == "t":
            timestamps.append(value)
        elif key == _SCHEME:
            # compare_digest refuses non-ASCII str; such a value cannot match a hex digest, so
            # it stands in as "" (which matches nothing) rather than failing the comparison.
            signatures.append(value if value.isascii() else "")
        # Other schemes (v0, and any future one) are ignored, as Stripe's own libraries do.
    if len(timestamps) != 1:
        _malformed_header("it needs exactly one t=<unix seconds> part")
    raw = timestamps[0]
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 20:
        _malformed_header("its t= timestamp is not a whole number of seconds")
    if not signatures:
        _malformed_header(
            "it has no v1 signature (only v1 is checked; v0 and other schemes are ignored)"
        )
    return int(raw), signatures


def _malformed_header(reason: str) -> NoReturn:
    raise MalformedSignature(
        f"The Stripe-Signature header cannot be used: {reason}. Pass the header value exactly "
        "as received; Stripe sends t=<unix seconds>,v1=<hex signature>."
    )
