"""Creating a Stripe object exactly once: across retries, crashes, replayed 5xx and Stripe's window.

Stripe's idempotency keys make a resent POST safe, but only while Stripe remembers the key (at
least 24 hours) and only if its first answer was not a 5xx (which Stripe stores and replays for
the key's lifetime). So each create is an ``Attempt`` in the store with a durable number; its
Idempotency-Key derives from ``(kind, key, number)``:

1. A retry of an attempt Stripe still remembers resends its key: Stripe replays the first answer.
2. An attempt that got a 5xx (``uncertain``), or older than ``RECONCILE_AFTER``, is reconciled
   first: ``find`` looks at Stripe for the object it may have made (a list request, which Stripe
   answers consistently, unlike search). Found: it is the answer, nothing is sent.
3. Only when nothing was made does the next attempt start, under the next key. Racing callers
   share that one next attempt (a compare-and-set in the store), so they send the same key.

A 400 ``idempotency_error`` (the key was first used with other parameters, e.g. a retry that
changed the e-mail) is reconciled the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import stripe

from future_payments._effects import Op, call_store
from future_payments._models import Attempt, AttemptKind
from future_payments._stripe import derived_key

T = TypeVar("T")

RECONCILE_AFTER = 23 * 60 * 60
"""Seconds after which an attempt is reconciled before it is resent.

Stripe keeps an Idempotency-Key for at least 24 hours; an hour less leaves room for a slow
retry and a clock that runs behind."""

CLOCK_SLACK = 15 * 60
"""Seconds before an attempt's start that reconciliation also looks at (clocks differ)."""

Send = Callable[[Attempt], Op[T]]
"""Performs the create for the attempt it is given, under ``stripe_key(attempt)``."""

Find = Callable[[int], Op["T | None"]]
"""Looks at Stripe for an object an earlier attempt made, created at or after the given
Unix second; returns what ``Send`` would have returned for it, or None."""


def create_once(kind: AttemptKind, key: str, *, now: int, send: Send[T], find: Find[T]) -> Op[T]:
    """Create at Stripe once for ``(kind, key)``, however often and however late this is retried.

    Raises whatever ``send`` raises; a 5xx (``stripe.APIError``) also marks the attempt
    uncertain, so that the next call reconciles before sending again.
    """
    attempt = yield from call_store(lambda s: s.begin_attempt(kind, key, now=now))
    if attempt.done:
        attempt = yield from _next(attempt, now)
    elif attempt.uncertain or now - attempt.started_at >= RECONCILE_AFTER:
        found = yield from find(attempt.started_at - CLOCK_SLACK)
        if found is not None:
            return found
        attempt = yield from _next(attempt, now)
    try:
        return (yield from _send(attempt, send))
    except stripe.IdempotencyError:
        # The key was first used with other parameters: whatever it made is the answer.
        found = yield from find(attempt.started_at - CLOCK_SLACK)
        if found is not None:
            return found
        attempt = yield from _next(attempt, now)
        return (yield from _send(attempt, send))


def finish(kind: AttemptKind, key: str, number: int) -> Op[None]:
    """Mark attempt ``number`` done (where no other row records that its object exists)."""
    yield from call_store(lambda s: s.finish_attempt(kind, key, number=number))


def _next(attempt: Attempt, now: int) -> Op[Attempt]:
    kind, key, number = attempt.kind, attempt.key, attempt.number
    return (yield from call_store(lambda s: s.next_attempt(kind, key, after=number, now=now)))


def stripe_key(attempt: Attempt) -> str:
    """The Idempotency-Key of an attempt."""
    return derived_key(attempt.kind, attempt.key, attempt.number)


def _send(attempt: Attempt, send: Send[T]) -> Op[T]:
    try:
        return (yield from send(attempt))
    except stripe.APIError as exc:
        if exc.http_status is None or exc.http_status >= 500:
            kind, key, number = attempt.kind, attempt.key, attempt.number
            yield from call_store(lambda s: s.mark_uncertain(kind, key, number=number))
        raise
