"""Stripe webhooks: verify, parse and sign deliveries, and answer them from any web framework.

Verify and parse are separate steps, so a delivery can be verified once and parsed later, or
parsed without verification when it came from a trusted queue::

    from future_payments.webhooks import construct_event

    event = construct_event(request.body, request.headers.get("Stripe-Signature"), "whsec_...")

``handle_webhook(payments, body, headers)`` is the whole endpoint: it returns the HTTP status and
JSON body to answer. Every refusal is a :class:`~future_payments.WebhookError` (answer HTTP 400);
a wrong argument from the application itself (an empty secret, a negative tolerance) is an
:class:`~future_payments.InvalidInput`. No message, log line or repr ever contains a secret.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from future_payments._endpoint import handle_webhook, handle_webhook_async
from future_payments._payload import ParsedEvent, parse_event
from future_payments._signature import (
    DEFAULT_MAX_PAYLOAD_BYTES,
    DEFAULT_TOLERANCE,
    sign_payload,
    verify_signature,
)

__all__ = [
    "DEFAULT_MAX_PAYLOAD_BYTES",
    "DEFAULT_TOLERANCE",
    "ParsedEvent",
    "construct_event",
    "handle_webhook",
    "handle_webhook_async",
    "parse_event",
    "sign_payload",
    "verify_signature",
]


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
