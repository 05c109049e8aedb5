"""Faults on demand: dropped connections, 500s, 429s and slow answers."""

from __future__ import annotations

from typing import Literal, get_args

import attrs

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
