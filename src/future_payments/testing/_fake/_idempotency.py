"""Idempotency keys: the first answer to a POST is kept and replayed for 24 hours."""

from __future__ import annotations

import json
from typing import Any

import attrs

from future_payments.testing._fake._errors import StripeErrorResponse

RETENTION_SECONDS = 24 * 60 * 60
MAX_KEY_LENGTH = 255


@attrs.frozen
class StoredResponse:
    """The answer kept for one idempotency key."""

    fingerprint: str
    status: int
    body: bytes
    stored_at: int


def fingerprint(method: str, path: str, params: dict[str, Any]) -> str:
    """What "the same request" means: method, path and decoded parameters."""
    return json.dumps([method, path, params], sort_keys=True, separators=(",", ":"))


class IdempotencyStore:
    """Answers per key; a lookup costs the same however many keys are kept."""

    def __init__(self) -> None:
        self._responses: dict[str, StoredResponse] = {}

    def check_key(self, key: str) -> None:
        """Reject a key Stripe would reject before doing anything."""
        if len(key) > MAX_KEY_LENGTH:
            raise StripeErrorResponse(
                400,
                type="idempotency_error",
                message=(
                    f"Idempotency keys can be at most {MAX_KEY_LENGTH} characters long; "
                    f"this one has {len(key)}."
                ),
            )

    def lookup(self, key: str, print_: str, now: int) -> StoredResponse | None:
        """The answer kept for ``key``, or None; reuse with other parameters is an error."""
        stored = self._responses.get(key)
        if stored is None:
            return None
        if now - stored.stored_at >= RETENTION_SECONDS:
            del self._responses[key]
            return None
        if stored.fingerprint != print_:
            raise StripeErrorResponse(
                400,
                type="idempotency_error",
                message=(
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with. Try using a key other than "
                    f"'{key}' if you meant to execute a different request."
                ),
            )
        return stored

    def store(self, key: str, print_: str, status: int, body: bytes, now: int) -> None:
        """Keep the first answer for ``key``."""
        self._responses.setdefault(key, StoredResponse(print_, status, body, now))
