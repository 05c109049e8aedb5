"""Faults on demand: dropped connections, 500s, 429s and slow answers."""

from __future__ import annotations

from typing import Literal, get_args

import attrs

from future_payments.testing._fake._errors import StripeErrorResponse

FaultKind = Literal["connection_before", "connection_after", "server_error", "rate_limit", "slow"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)


@attrs.define
class Fault:
    """One queued fault, matching requests by method and path prefix."""

    kind: FaultKind
    method: str | None
    path: str | None
    remaining: int
    delay: float
    should_retry: bool | None

    def error(self) -> StripeErrorResponse | None:
        """The answer of a ``rate_limit`` (429) or ``server_error`` (500, stored) fault."""
        if self.kind == "rate_limit":
            retry = {}
            if self.should_retry is not None:
                retry["Stripe-Should-Retry"] = "true" if self.should_retry else "false"
            return StripeErrorResponse(
                429,
                type="invalid_request_error",
                code="rate_limit",
                message="Too many requests hit the API too quickly. We recommend an "
                "exponential backoff of your requests. (FakeStripe fault 'rate_limit')",
                headers=retry,
            )
        if self.kind == "server_error":
            return StripeErrorResponse(
                500,
                type="api_error",
                message="An unknown error occurred while processing the request. "
                "(FakeStripe fault 'server_error')",
                stored=True,
            )
        return None

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to ``method path``."""
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path is None or path.startswith(self.path)


class FaultQueue:
    """Faults in the order they were asked for; each match consumes one of its ``times``."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Queue ``fault`` behind the ones already waiting."""
        self._faults.append(fault)

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching this request, consuming one use of it."""
        for index, fault in enumerate(self._faults):
            if fault.matches(method, path):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    del self._faults[index]
                return fault
        return None

    def __len__(self) -> int:
        return len(self._faults)
