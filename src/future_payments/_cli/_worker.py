"""``future-payments worker``: process the events a deferred webhook endpoint accepted.

It opens the store named by ``--store``, makes a ``FuturePayments`` on it with the API key of
``--api-key`` or ``STRIPE_API_KEY`` (never printed), and runs ``future_payments.worker``:
``drain_events`` with ``--once``, else ``run_worker`` until SIGTERM or Ctrl-C. One line per
processed event: local time, event type, event id, what was done.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import TYPE_CHECKING, TextIO

import stripe

from future_payments import FuturePayments, FuturePaymentsError, SQLiteStore
from future_payments.redaction import RedactSecrets, redact
from future_payments.worker import WorkerStats, drain_events, run_worker

if TYPE_CHECKING:
    from future_payments.stores import SQLAlchemyStore

API_KEY_VARIABLE = "STRIPE_API_KEY"
_SQLALCHEMY_SCHEMES = ("sqlite", "postgresql", "postgres", "mariadb", "mysql")


class Usage(Exception):
    """A bad --store or missing key: printed as a usage error (exit 2)."""


def open_store(target: str, table_prefix: str | None) -> SQLiteStore | SQLAlchemyStore:
    """The store ``--store`` names: a database URL (SQLAlchemyStore) or a file (SQLiteStore).

    Raises:
        Usage: a URL of another kind, or ``--table-prefix`` with a plain file.
        StoreError: the store could not be opened (a missing driver, a bad URL or path).
    """
    scheme, separator, _ = target.partition("://")
    if not separator:
        if table_prefix is not None:
            raise Usage("--table-prefix needs a database URL; a plain file is a SQLiteStore")
        return SQLiteStore(target)
    backend = scheme.split("+", 1)[0]
    if backend.lower() not in _SQLALCHEMY_SCHEMES:
        raise Usage(
            f"--store: {backend}:// is not a database this library stores in; use a file path, "
            "sqlite:///path.db, postgresql://..., mariadb://... or mysql://..."
        )
    if backend.lower() == "postgres":  # what some hosts print; SQLAlchemy wants postgresql
        target = "postgresql" + target[len(backend) :]
    from future_payments.stores import SQLAlchemyStore

    return SQLAlchemyStore(target, table_prefix="fp_" if table_prefix is None else table_prefix)


def _client(api_key: str | None, api_base: str | None) -> stripe.StripeClient:
    if not api_key:
        raise Usage(f"no Stripe API key: set {API_KEY_VARIABLE} (or pass --api-key)")
    if api_base is None:
        return stripe.StripeClient(api_key, max_network_retries=2)
    return stripe.StripeClient(
        api_key, base_addresses={"api": api_base, "files": api_base}, max_network_retries=2
    )


def event_line(event_id: str, event_type: str, action: str) -> str:
    """One processed event as printed: local time, type, id, action."""
    moment = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    return f"{moment}  {event_type:<40} {event_id}  {action}"


def summary(stats: WorkerStats) -> str:
    """``12 events in 3 batches, 1 failed (duplicate 8, saved 4)``."""
    counts = ", ".join(f"{action} {count}" for action, count in sorted(stats.actions.items()))
    events = "1 event" if stats.events == 1 else f"{stats.events} events"
    batches = "1 batch" if stats.batches == 1 else f"{stats.batches} batches"
    failed = f", {stats.failed_batches} failed" if stats.failed_batches else ""
    return f"{events} in {batches}{failed}" + (f" ({counts})" if counts else "")


@contextlib.contextmanager
def _warnings_to(err: TextIO) -> Iterator[None]:
    """The worker's warnings (a failed batch, retried) on ``err``, secrets redacted."""
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("future-payments worker: %(message)s"))
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("future_payments.worker")
    logger.addHandler(handler)
    previous = logger.level
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


@contextlib.contextmanager
def _stopped_by_signals(stop: threading.Event, err: TextIO) -> Iterator[None]:
    """SIGTERM or Ctrl-C sets ``stop`` (the batch in progress is finished); a second one
    raises KeyboardInterrupt at once.

    SIGINT gets its handler too: a process started in the background by a non-interactive
    shell inherits SIGINT ignored.
    """

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print(
            "Stopping after the batch in progress (signal again to stop at once).",
            file=err,
            flush=True,
        )

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def run(
    *,
    store: str,
    table_prefix: str | None,
    api_key: str | None,
    api_base: str | None,
    limit: int,
    poll_interval: float,
    lease: float,
    once: bool,
    out: TextIO,
    err: TextIO,
) -> int:
    """``future-payments worker``; the exit code (0 done, 1 failed, 2 bad arguments)."""
    try:
        opened = open_store(store, table_prefix)
    except Usage as exc:
        print(f"future-payments worker: {exc}", file=err)
        return 2
    except FuturePaymentsError as exc:
        print(f"future-payments worker: {redact(str(exc))}", file=err)
        return 2
    try:
        payments = FuturePayments(client=_client(api_key, api_base), store=opened)
    except (Usage, FuturePaymentsError) as exc:
        print(f"future-payments worker: {redact(str(exc))}", file=err)
        opened.close()
        return 2
    where = api_base or "api.stripe.com"
    try:
        if once:
            return _drain(payments, limit=limit, lease=lease, out=out, err=err)
        print(
            f"Processing the webhook events accepted into {opened!r}; Stripe at {where}.\n"
            f"Up to {limit} events a batch, polling every {poll_interval:g} s when none is "
            "pending. Press Ctrl-C to stop.",
            file=out,
            flush=True,
        )
        stop = threading.Event()
        try:
            with _warnings_to(err), _stopped_by_signals(stop, err):
                stats = run_worker(
                    payments,
                    limit=limit,
                    poll_interval=poll_interval,
                    stop=stop,
                    lease_seconds=lease,
                    on_event=lambda o: print(
                        event_line(o.event_id, o.event_type, o.action), file=out, flush=True
                    ),
                )
        except KeyboardInterrupt:
            print(
                "Stopped at once: the events of the unfinished batch go back to a worker when "
                "their lease ends.",
                file=err,
            )
            return 1
        print(f"Stopped: {summary(stats)}.", file=out)
        return 0
    finally:
        opened.close()


def _drain(payments: FuturePayments, *, limit: int, lease: float, out: TextIO, err: TextIO) -> int:
    try:
        outcomes = drain_events(payments, limit=limit, lease_seconds=lease)
    except FuturePaymentsError as exc:
        print(f"future-payments worker: {type(exc).__name__}: {redact(str(exc))}", file=err)
        return 1
    for outcome in outcomes:
        print(event_line(outcome.event_id, outcome.event_type, outcome.action), file=out)
    events = "1 event" if len(outcomes) == 1 else f"{len(outcomes)} events"
    print(f"Drained: {events} processed, none pending.", file=out)
    return 0
