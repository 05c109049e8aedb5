"""Process accepted webhook events in the background: a worker loop, and a drain for task queues.

An endpoint that answers with ``handle_webhook(..., deferred=True)`` (or calls
``FuturePayments.accept_event``) only verifies and stores each event. Something must then call
``FuturePayments.process_events``; this module is that something::

    from future_payments.worker import drain_events, run_worker

    run_worker(payments)            # a long-running process: poll, process, wait, repeat
    drain_events(payments)          # one task (Celery, RQ, cron): process until none is pending

Any number of workers, on any number of machines, may run at once: each batch is claimed with a
lease, so each event is processed by one of them, and taken over by another only when its
worker died or overran the lease (``process_events`` says how). The command
``future-payments worker --store URL`` runs ``run_worker`` with signal handling. Guide:
``docs/worker.md``.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Mapping

import attrs

from future_payments import _validate as check
from future_payments._client import FuturePayments
from future_payments._core import DEFAULT_EVENT_LEASE, MAX_EVENT_BATCH
from future_payments._models import EventOutcome
from future_payments.errors import InvalidInput, StoreError, StripeFailure
from future_payments.redaction import redact

__all__ = ["WorkerStats", "drain_events", "run_worker"]

logger = logging.getLogger("future_payments.worker")


@attrs.frozen
class WorkerStats:
    """What one ``run_worker`` did, counted when it returned.

    Attributes:
        batches: the calls of ``process_events``: those that found events, those that found
            none, and those that failed.
        events: the events processed, over all batches.
        failed_batches: the batches that raised a ``StoreError`` or ``StripeFailure`` (logged,
            then retried after ``poll_interval``).
        actions: how many events ended with each ``EventOutcome.action`` (``"saved"``,
            ``"updated"``, ``"duplicate"``, ``"ignored"``...); actions that never happened
            are absent.
    """

    batches: int = 0
    events: int = 0
    failed_batches: int = 0
    actions: Mapping[str, int] = attrs.field(factory=dict)


def run_worker(
    payments: FuturePayments,
    *,
    limit: int = 100,
    poll_interval: float = 1.0,
    stop: threading.Event | None = None,
    max_batches: int | None = None,
    lease_seconds: float = DEFAULT_EVENT_LEASE,
    on_event: Callable[[EventOutcome], object] | None = None,
) -> WorkerStats:
    """Process pending events until ``stop`` is set, or for ``max_batches`` batches.

    Each batch is one ``payments.process_events(limit=limit, lease_seconds=lease_seconds)``.
    After a batch that found events the next one starts at once; after an empty one the loop
    waits ``poll_interval`` seconds on ``stop.wait``, so setting ``stop`` ends the wait at
    once. A batch that raises a ``StoreError`` (the database is down, busy...) or a
    ``StripeFailure`` (Stripe unreachable, rate-limited...) is logged as a warning on the
    ``future_payments.worker`` logger, without secrets, and the loop goes on after
    ``poll_interval``. The event that failed stays pending and is taken again when its lease
    ends; the batch's events after it are handed back at once; those before it were processed
    (but are not counted: their outcomes went down with the batch). Any other exception ends
    the loop and propagates.

    ``stop`` is checked between batches: a batch that has started is finished first, so every
    event it claimed is processed (set ``stop`` from a signal handler or another thread).

    Args:
        payments: the facade whose store holds the accepted events.
        limit: the most events one batch claims, 1 to 1000.
        poll_interval: seconds to wait after an empty or failed batch.
        stop: set it to end the loop (default: never; then pass ``max_batches``, or stop the
            process).
        max_batches: return after this many batches, whatever they found (default: no limit).
        lease_seconds: how long a claimed event is reserved for this worker; past it another
            worker may take it. Keep it well above the time one batch takes.
        on_event: called with each event's outcome as its batch returns (the CLI prints them).

    Returns:
        The counts of what was done.

    Raises:
        InvalidInput: a bad argument; nothing was processed.
    """
    _check_payments(payments)
    check.count("limit", limit, most=MAX_EVENT_BATCH)
    check.seconds("poll_interval", poll_interval)
    check.seconds("lease_seconds", lease_seconds)
    if max_batches is not None and (
        isinstance(max_batches, bool) or not isinstance(max_batches, int) or max_batches < 1
    ):
        raise InvalidInput(
            f"max_batches must be a positive int or None, got {max_batches!r}.",
            param="max_batches",
        )
    stop = stop if stop is not None else threading.Event()
    batches = events = failed = 0
    actions: Counter[str] = Counter()
    while not stop.is_set() and (max_batches is None or batches < max_batches):
        batches += 1
        try:
            outcomes = payments.process_events(limit=limit, lease_seconds=lease_seconds)
        except (StoreError, StripeFailure) as exc:
            failed += 1
            logger.warning(
                "a batch of events failed, retrying in %gs: %s: %s",
                poll_interval,
                type(exc).__name__,
                redact(str(exc)),
            )
            outcomes = []
        else:
            if outcomes:
                logger.debug("processed a batch of %d events", len(outcomes))
        for outcome in outcomes:
            events += 1
            actions[outcome.action] += 1
            if on_event is not None:
                on_event(outcome)
        if not outcomes and (max_batches is None or batches < max_batches):
            stop.wait(poll_interval)
    return WorkerStats(batches=batches, events=events, failed_batches=failed, actions=dict(actions))


def drain_events(
    payments: FuturePayments, *, limit: int = 100, lease_seconds: float = DEFAULT_EVENT_LEASE
) -> list[EventOutcome]:
    """Process batches of pending events until one comes back empty; all their outcomes.

    The function for a task queue or a scheduler (a Celery or RQ task, a cron job): enqueue it
    after each accepted event, or run it every minute. Several drains may run at once; each
    event is processed by one of them.

    Args:
        payments: the facade whose store holds the accepted events.
        limit: the most events one batch claims, 1 to 1000.
        lease_seconds: how long a claimed event is reserved for this call.

    Returns:
        The outcome of every event processed, batch after batch (empty if none was pending).

    Raises:
        InvalidInput: a bad argument; nothing was processed.
        StoreError: the store failed; the events processed before stay done, the event that
            failed is taken again when its lease ends (retry the task).
        StripeFailure: Stripe failed while an event was processed; the same holds.
    """
    _check_payments(payments)
    check.count("limit", limit, most=MAX_EVENT_BATCH)
    check.seconds("lease_seconds", lease_seconds)
    outcomes: list[EventOutcome] = []
    while batch := payments.process_events(limit=limit, lease_seconds=lease_seconds):
        outcomes.extend(batch)
    return outcomes


def _check_payments(payments: object) -> None:
    if not isinstance(payments, FuturePayments):
        hint = (
            ": an AsyncFuturePayments processes events with `await payments.process_events()`"
            if hasattr(payments, "process_events")
            else ""
        )
        raise InvalidInput(
            f"payments must be a FuturePayments, not {type(payments).__name__}{hint}",
            param="payments",
        )
