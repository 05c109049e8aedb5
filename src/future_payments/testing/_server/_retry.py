"""When a failed webhook delivery is tried again: exponential back-off, bounded, like Stripe's."""

from __future__ import annotations

import attrs


def _positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value > 0:
        raise ValueError(f"RetrySchedule.{attribute.name} must be positive, got {value!r}")


def _not_negative(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value >= 0:
        raise ValueError(f"RetrySchedule.{attribute.name} must not be negative, got {value!r}")


def _at_least_one(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value >= 1:
        raise ValueError(f"RetrySchedule.{attribute.name} must be at least 1, got {value!r}")


@attrs.frozen
class RetrySchedule:
    """When a webhook delivery that failed (no 2xx, or no answer) is attempted again.

    Stripe retries an event for up to three days with exponential back-off; the default here
    is the same shape in minutes, for local development: the first retry 5 s after the first
    attempt, each wait twice the one before but at most 2 minutes, and no retry planned more
    than 15 minutes after the first attempt. Each event has its own schedule, so one failing
    event does not hold up the others (and events may arrive out of order, as on Stripe).

    The attempts are planned from the first attempt's time, so how many there are depends on
    the schedule alone: ``len(schedule.delays()) + 1``.

    Attributes:
        first: seconds between the first attempt and the first retry.
        factor: each wait is the previous one times this (2: 5 s, 10 s, 20 s...).
        longest: no wait is longer than this many seconds.
        give_up_after: no retry is planned later than this many seconds after the first
            attempt; 0 means never retry.
    """

    first: float = attrs.field(default=5.0, validator=_positive)
    factor: float = attrs.field(default=2.0, validator=_at_least_one)
    longest: float = attrs.field(default=120.0, validator=_positive)
    give_up_after: float = attrs.field(default=900.0, validator=_not_negative)

    def delays(self) -> tuple[float, ...]:
        """The wait before each retry, in order (empty when nothing is retried)."""
        waits: list[float] = []
        wait, total = min(self.first, self.longest), 0.0
        while total + wait <= self.give_up_after:
            waits.append(wait)
            total += wait
            wait = min(wait * self.factor, self.longest)
        return tuple(waits)

    def describe(self) -> str:
        """The schedule in words, e.g. ``retried 5 s, 10 s, 20 s... apart for 15 min``."""
        waits = self.delays()
        if not waits:
            return "not retried"
        shown = ", ".join(duration(w) for w in waits[:3])
        more = "..." if len(waits) > 3 else ""
        return (
            f"retried {shown}{more} apart for up to {duration(sum(waits))} "
            f"({len(waits) + 1} attempts)"
        )


def duration(seconds: float) -> str:
    """``90`` -> ``1.5 min``: a short human reading of a number of seconds."""
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0), ("s", 1.0)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds * 1000:.3g} ms"
