"""Stripe webhook signatures and events: verify, parse, and sign (for tests).

Verify and parse are separate steps, so a delivery can be verified once and parsed later, or
parsed without verification when it came from a trusted queue::

    from future_payments.webhooks import construct_event

    event = construct_event(request.body, request.headers.get("Stripe-Signature"), "whsec_...")

Every refusal is a :class:`~future_payments.WebhookError` (answer HTTP 400); a wrong argument
from the application itself (an empty secret, a negative tolerance) is an
:class:`~future_payments.InvalidInput`. No message, log line or repr ever contains a secret.
"""

from __future__ import annotations

import hmac
import json
import time
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

import attrs

from future_payments._adapter import handle_webhook, handle_webhook_async
from future_payments._errors import (
    InvalidInput,
    MalformedPayload,
    MalformedSignature,
    MissingSignature,
    PayloadTooLarge,
    SignatureMismatch,
    TimestampOutsideTolerance,
)

__all__ = [
    "ParsedEvent",
    "construct_event",
    "handle_webhook",
    "handle_webhook_async",
    "parse_event",
    "sign_payload",
    "verify_signature",
]

DEFAULT_TOLERANCE = 300
"""Seconds a signature's timestamp may lie in the past or the future (Stripe's default)."""

DEFAULT_MAX_PAYLOAD_BYTES = 1_000_000
"""Largest body accepted before any HMAC is computed."""

_SCHEME = "v1"
# Prefixes of Stripe API keys: passing one where the webhook secret belongs is a common mistake.
_API_KEY_PREFIXES = ("sk_", "rk_", "pk_")


@attrs.frozen
class ParsedEvent:
    """A Stripe event, read from a webhook body: plain JSON data, no SDK objects.

    ``data_object`` is a read-only view of the event's ``data.object``; values nested inside it
    are plain JSON (dicts, lists, str, int, float, bool, None). ``previous_attributes`` is
    ``data.previous_attributes`` (present on ``*.updated`` events), else ``None``.

    Neither mapping appears in the repr: event objects can carry a ``client_secret``.
    """

    id: str
    type: str
    created: int
    livemode: bool
    api_version: str | None
    data_object: Mapping[str, Any] = attrs.field(repr=False, hash=False)
    previous_attributes: Mapping[str, Any] | None = attrs.field(repr=False, hash=False)

    @property
    def object_id(self) -> str | None:
        """The id of the object the event is about (``data.object.id``).

        ``None`` only for the few objects without one (``balance.available`` carries a balance).
        """
        value = self.data_object.get("id")
        return value if isinstance(value, str) else None


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
    keys = _secret_keys(secrets)
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


def parse_event(payload: bytes | str) -> ParsedEvent:
    """Read a Stripe event from a webhook body, without verifying it.

    Call :func:`verify_signature` first unless the body came from a trusted source, or use
    :func:`construct_event` for both.

    Raises:
        MalformedPayload: The body is not JSON, not an object, or lacks ``id``, ``type``,
            ``created``, ``livemode`` or ``data.object`` of the right JSON types.
    """
    if not isinstance(payload, str | bytes | bytearray):
        _raise_wrong_payload_type(payload)
    try:
        event = json.loads(payload, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        # ValueError covers JSONDecodeError and UnicodeDecodeError; RecursionError, absurd nesting.
        raise MalformedPayload(
            "The webhook body is not valid JSON. Pass the raw request body exactly as "
            "received, and check that this URL receives only Stripe webhooks."
        ) from exc
    if not isinstance(event, dict):
        _malformed(f"the body is a JSON {_json_kind(event)}, not an object")
    kind = event.get("object", "event")
    if kind != "event":
        if kind == "v2.core.event":
            _malformed(
                "it is a thin (v2) event notification, which this library does not handle; "
                "configure the endpoint to send snapshot events"
            )
        _malformed("its 'object' field is not 'event'")

    event_id = event.get("id")
    event_type = event.get("type")
    created = event.get("created")
    livemode = event.get("livemode")
    api_version = event.get("api_version")
    data = event.get("data")
    if not isinstance(event_id, str) or not event_id:
        _malformed("'id' is missing or not a non-empty string")
    if not isinstance(event_type, str) or not event_type:
        _malformed("'type' is missing or not a non-empty string")
    if not isinstance(created, int) or isinstance(created, bool):
        _malformed("'created' is missing or not an integer")
    if not isinstance(livemode, bool):
        _malformed("'livemode' is missing or not a boolean")
    if api_version is not None and not isinstance(api_version, str):
        _malformed("'api_version' is not a string")
    if not isinstance(data, dict):
        _malformed("'data' is missing or not an object")
    data_object = data.get("object")
    if not isinstance(data_object, dict):
        _malformed("'data.object' is missing or not an object")
    previous = data.get("previous_attributes")
    if previous is not None and not isinstance(previous, dict):
        _malformed("'data.previous_attributes' is not an object")

    return ParsedEvent(
        id=event_id,
        type=event_type,
        created=created,
        livemode=livemode,
        api_version=api_version,
        data_object=types.MappingProxyType(data_object),
        previous_attributes=None if previous is None else types.MappingProxyType(previous),
    )


def construct_event(
    payload: bytes | str,
    header: str | None,
    secrets: str | Sequence[str],
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: Callable[[], float] = time.time,
    max_payload_bytes: int = DEFAULT_MAX_PAYLOAD_BYTES,
) -> ParsedEvent:
    """Verify a webhook delivery, then parse it: :func:`verify_signature` + :func:`parse_event`.

    Raises what either of them raises.
    """
    verify_signature(
        payload,
        header,
        secrets,
        tolerance=tolerance,
        now=now,
        max_payload_bytes=max_payload_bytes,
    )
    return parse_event(payload)


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
    (key,) = _secret_keys(secret)
    if timestamp is None:
        timestamp = int(time.time())
    _check_non_negative_int("timestamp", timestamp)
    body = _body_bytes(payload, None)
    signature = hmac.digest(key, f"{timestamp}.".encode("ascii") + body, "sha256").hex()
    return f"t={timestamp},{_SCHEME}={signature}"


def _secret_keys(secrets: str | Sequence[str]) -> list[bytes]:
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
        body = payload.encode("utf-8")
    elif isinstance(payload, bytes | bytearray | memoryview):
        body = bytes(payload)
    else:
        _raise_wrong_payload_type(payload)
    if limit is not None and len(body) > limit:
        _too_large(limit)
    return body


def _too_large(limit: int) -> NoReturn:
    raise PayloadTooLarge(
        f"The webhook body is over {limit} bytes. Stripe events are far smaller; if this one "
        "is genuine, raise max_payload_bytes."
    )


def _raise_wrong_payload_type(payload: object) -> NoReturn:
    raise InvalidInput(
        f"The webhook payload must be the raw request body as bytes or str, not "
        f"{type(payload).__name__}. The signature covers the exact bytes Stripe sent, so "
        "pass the body before any JSON parsing."
    )


def _parse_header(header: str) -> tuple[int, list[str]]:
    """Split ``t=<unix>,v1=<hex>[,v1=...][,v0=...]`` into the timestamp and the v1 values."""
    timestamps: list[str] = []
    signatures: list[str] = []
    for item in header.split(","):
        key, equals, value = item.strip().partition("=")
        if not equals:
            _malformed_header(f"the part {_excerpt(item)} is not of the form key=value")
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
        _malformed_header(f"the timestamp {_excerpt(raw)} is not a whole number of seconds")
    if not signatures:
        _malformed_header(
            "it has no v1 signature (only v1 is checked; v0 and other schemes are ignored)"
        )
    return int(raw), signatures


def _excerpt(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "...")


def _malformed_header(reason: str) -> NoReturn:
    raise MalformedSignature(
        f"The Stripe-Signature header cannot be used: {reason}. Pass the header value exactly "
        "as received; Stripe sends t=<unix seconds>,v1=<hex signature>."
    )


def _malformed(reason: str) -> NoReturn:
    raise MalformedPayload(
        f"The webhook body is not a Stripe event: {reason}. Check that this URL receives only "
        "Stripe webhooks and that the body is passed exactly as received."
    )


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return "number"
