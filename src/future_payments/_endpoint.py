"""The framework-neutral webhook endpoint: each framework adapter is a few lines around it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from future_payments._async_client import AsyncFuturePayments
from future_payments._client import FuturePayments
from future_payments._models import EventOutcome
from future_payments.errors import FuturePaymentsError, WebhookError

logger = logging.getLogger("future_payments.webhooks")

SIGNATURE_HEADER = "Stripe-Signature"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    found = headers.get(name)
    if found is not None:
        return found
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def handle_webhook(
    payments: FuturePayments,
    body: bytes | str,
    headers: Mapping[str, str],
    *,
    deferred: bool = False,
) -> tuple[int, dict[str, Any]]:
    """Answer one webhook delivery: ``(HTTP status, JSON body)``.

    400 with a short reason when the delivery must be refused (bad signature, bad payload);
    200 when it was handled, including duplicates and ignored types; 500 when handling failed
    for another reason (Stripe unreachable, the store down), so that Stripe delivers it again.
    The raw body must be passed exactly as received: re-serialised JSON fails the signature.

    With ``deferred=True`` the event is only verified and stored (``accept_event``, action
    ``accepted``), and a worker's ``process_events`` handles it later.
    """
    signature = _header(headers, SIGNATURE_HEADER)
    try:
        if deferred:
            outcome = payments.accept_event(body, signature)
        else:
            outcome = payments.complete_from_event(body, signature)
    except FuturePaymentsError as exc:
        return _refusal(exc)
    return _accepted(outcome)


async def handle_webhook_async(
    payments: AsyncFuturePayments,
    body: bytes | str,
    headers: Mapping[str, str],
    *,
    deferred: bool = False,
) -> tuple[int, dict[str, Any]]:
    """``handle_webhook`` for ``AsyncFuturePayments``: the same answers."""
    signature = _header(headers, SIGNATURE_HEADER)
    try:
        if deferred:
            outcome = await payments.accept_event(body, signature)
        else:
            outcome = await payments.complete_from_event(body, signature)
    except FuturePaymentsError as exc:
        return _refusal(exc)
    return _accepted(outcome)


def _refusal(exc: FuturePaymentsError) -> tuple[int, dict[str, Any]]:
    if isinstance(exc, WebhookError):
        logger.warning("webhook refused: %s", type(exc).__name__)
        return 400, {"error": type(exc).__name__, "message": str(exc)}
    logger.error("webhook handling failed (%s); Stripe will retry", type(exc).__name__)
    return 500, {"error": type(exc).__name__}


def _accepted(outcome: EventOutcome) -> tuple[int, dict[str, Any]]:
    return 200, {"received": True, "event_id": outcome.event_id, "action": outcome.action}
