"""The fake's clock: real time by default, moved by hand in tests."""

from __future__ import annotations

import threading
import time


class FakeClock:
    """Unix time the test controls: it starts at ``start_time`` (or now) and ticks with real time.

    ``advance(seconds)`` jumps forward; it drives Checkout Session expiry, idempotency retention,
    event ``created`` and webhook signature timestamps. Thread-safe.
    """

    def __init__(self, start_time: float | None = None) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0 if start_time is None else start_time - time.time()

    def time(self) -> float:
        """Current fake time as a float (seconds since the epoch)."""
        with self._lock:
            return time.time() + self._offset

    def now(self) -> int:
        """Current fake time in whole unix seconds, as Stripe timestamps are."""
        return int(self.time())

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (must not be negative)."""
        if seconds < 0:
            raise ValueError(f"FakeClock only moves forward; got advance({seconds!r})")
        with self._lock:
            self._offset += seconds
