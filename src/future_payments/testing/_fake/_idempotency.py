"""Idempotency keys, as Stripe keeps them.

The first answer of a POST that started executing (a success, a decline, a 500) is kept under
its key and replayed for 24 hours of fake time, then forgotten. The same key with other
parameters is a 400 ``idempotency_error``; a second request while the first is still in flight
is a 409 ``idempotency_key_in_use``. Answers refused before executing (a parameter that fails
validation) are not kept: the corrected request may use the same key.
"""

from __future__ import annotations

import json
from collections import deque
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
    headers: dict[str, str]
    request_id: str
    stored_at: int


def fingerprint(method: str, path: str, params: dict[str, Any]) -> str:
    """What "the same request" means: method, path and decoded parameters."""
    return json.dumps([method, path, params], sort_keys=True, separators=(",", ":"))


class IdempotencyStore:
    """Answers per key, and the keys in flight; a lookup costs the same however many are kept."""

    def __init__(self) -> None:
        self._responses: dict[str, StoredResponse] = {}
        self._by_age: deque[tuple[int, str]] = deque()
        self._in_flight: set[str] = set()

    def __len__(self) -> int:
        return len(self._responses)

    def _forget_old(self, now: int) -> None:
        while self._by_age and now - self._by_age[0][0] >= RETENTION_SECONDS:
            stored_at, key = self._by_age.popleft()
            kept = self._responses.get(key)
            if kept is not None and kept.stored_at == stored_at:
                del self._responses[key]

    def claim(self, key: str, print_: str, now: int) -> StoredResponse | None:
        """The answer kept for ``key`` (to replay), or None after marking the key in flight.

        Raises:
            StripeErrorResponse: the key is too long, in use by a request in flight (409), or
                was first used with other parameters (400).
        """
        if len(key) > MAX_KEY_LENGTH:
            raise StripeErrorResponse(
                400,
                type="idempotency_error",
                message=(
                    f"Idempotency keys can be at most {MAX_KEY_LENGTH} characters long; "
                    f"this one has {len(key)}."
                ),
            )
        self._forget_old(now)
        if key in self._in_flight:
            raise StripeErrorResponse(
                409,
                type="invalid_request_error",
                code="idempotency_key_in_use",
                message=(
                    "There is currently another in-progress request using this Idempotent Key "
                    "(that probably means you submitted twice, and the other request is still "
                    f"going through): {key}. Please try again later."
                ),
            )
        stored = self._responses.get(key)
        if stored is None:
            self._in_flight.add(key)
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

    def store(
        self,
        key: str,
        print_: str,
        status: int,
        body: bytes,
        headers: dict[str, str],
        request_id: str,
        now: int,
    ) -> None:
        """Keep the first answer for ``key``; the key is no longer in flight."""
        self._in_flight.discard(key)
        if key not in self._responses:
            self._responses[key] = StoredResponse(print_, status, body, headers, request_id, now)
            self._by_age.append((now, key))

    def release(self, key: str) -> None:
        """The request with ``key`` ended without an answer to keep."""
        self._in_flight.discard(key)
