"""future_payments.worker: run_worker and drain_events process what accept_event stored."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from future_payments import (
    AsyncFuturePayments,
    EventOutcome,
    FuturePayments,
    MemoryStore,
    SQLiteStore,
)
from future_payments._models import PendingEvent
from future_payments.errors import DatabaseBusy, InvalidInput
from future_payments.stores import Store, ThreadedStore
from future_payments.testing import FakeStripe
from future_payments.worker import WorkerStats, drain_events, run_worker
from tests._modes import accept_all, completed_checkout, methods

API_KEY = "sk_test_worker_loop_key"


class FailsOnce:
    """A store whose first claim of pending events raises DatabaseBusy (a locked database)."""

    failures = 0

    def claim_pending_events(
        self, *, limit: int, now: float, lease_seconds: float
    ) -> Sequence[PendingEvent]:
        if self.failures == 0:
            self.failures += 1
            raise DatabaseBusy("the database is locked by another writer (simulated)")
        claim = super().claim_pending_events  # type: ignore[misc]
        return claim(limit=limit, now=now, lease_seconds=lease_seconds)  # type: ignore[no-any-return]


class FlakyMemoryStore(FailsOnce, MemoryStore):
    """A MemoryStore that fails its first claim."""


class FlakySQLiteStore(FailsOnce, SQLiteStore):
    """A SQLiteStore that fails its first claim."""


@pytest.fixture
def fake() -> FakeStripe:
    """A fresh in-process fake Stripe."""
    return FakeStripe()


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each embedded store."""
    if request.param == "memory":
        yield MemoryStore()
    else:
        with SQLiteStore(tmp_path / "payments.db") as sqlite:
            yield sqlite


@pytest.fixture(params=["memory", "sqlite"])
def flaky_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FailsOnce]:
    """Each embedded store, failing its first claim of pending events."""
    if request.param == "memory":
        yield FlakyMemoryStore()
    else:
        with FlakySQLiteStore(tmp_path / "payments.db") as sqlite:
            yield sqlite


def _payments(fake: FakeStripe, store: Store, **client: Any) -> FuturePayments:
    return FuturePayments(
        client=fake.client(API_KEY, **client),
        store=store,
        webhook_secret=fake.webhook_secret,
        now=fake.clock.now,
    )


@pytest.fixture
def payments(fake: FakeStripe, store: Store) -> FuturePayments:
    """A FuturePayments on the fake and each embedded store."""
    return _payments(fake, store)


def test_accepted_events_wait_for_the_worker(payments: FuturePayments, fake: FakeStripe) -> None:
    """accept_event stores the events only: nothing is saved until they are processed."""
    accepted = accept_all(payments, completed_checkout(payments, fake))

    assert accepted
    assert [] == methods(payments)


def test_drain_saves_the_method(payments: FuturePayments, fake: FakeStripe) -> None:
    """drain_events processes every accepted event, as complete_from_event would."""
    accepted = accept_all(payments, completed_checkout(payments, fake))

    outcomes = drain_events(payments)

    assert sorted(accepted) == sorted(o.event_id for o in outcomes)
    assert "saved" in {o.action for o in outcomes}
    assert [("4242", "active", True)] == methods(payments)


def test_drain_with_nothing_pending(payments: FuturePayments, fake: FakeStripe) -> None:
    """With nothing pending, drain_events returns no outcome and sends no Stripe request."""
    before = len(fake.requests)

    assert [] == drain_events(payments)
    assert 0 == len(fake.requests) - before


def test_drain_twice_processes_once(payments: FuturePayments, fake: FakeStripe) -> None:
    """A second drain finds nothing: each event is processed once."""
    accept_all(payments, completed_checkout(payments, fake))
    drain_events(payments)
    before = len(fake.requests)

    assert [] == drain_events(payments)
    assert 0 == len(fake.requests) - before


def test_drain_takes_batch_after_batch(payments: FuturePayments, fake: FakeStripe) -> None:
    """With limit=1 drain_events still processes every pending event, one per batch."""
    accepted = []
    for ref in ("user-1", "user-2", "user-3"):
        accepted += accept_all(payments, completed_checkout(payments, fake, ref))

    outcomes = drain_events(payments, limit=1)

    assert sorted(accepted) == sorted(o.event_id for o in outcomes)
    assert [1, 1, 1] == [len(methods(payments, ref)) for ref in ("user-1", "user-2", "user-3")]


def test_a_duplicate_delivery_is_processed_once(payments: FuturePayments, fake: FakeStripe) -> None:
    """The same delivery accepted twice is answered duplicate, and processed once."""
    deliveries = completed_checkout(payments, fake)
    accepted = accept_all(payments, deliveries)

    again = [payments.accept_event(d.body, d.signature).action for d in deliveries]
    outcomes = drain_events(payments)

    assert "accepted" not in again
    assert "duplicate" in again
    assert sorted(accepted) == sorted(o.event_id for o in outcomes)


def test_a_delivery_after_processing_is_a_duplicate(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """Stripe's retry of an event already processed is answered duplicate; nothing is pending."""
    deliveries = completed_checkout(payments, fake)
    accept_all(payments, deliveries)
    drain_events(payments)

    again = accept_all(payments, deliveries)

    assert [] == again
    assert [] == drain_events(payments)


def test_worker_counts_what_it_did(payments: FuturePayments, fake: FakeStripe) -> None:
    """run_worker returns the batches, the events, and the events of each action."""
    accepted = accept_all(payments, completed_checkout(payments, fake))
    seen: list[EventOutcome] = []

    stats = run_worker(payments, max_batches=2, poll_interval=0.001, on_event=seen.append)

    assert sorted(accepted) == sorted(o.event_id for o in seen)
    actions: dict[str, int] = {}
    for outcome in seen:
        actions[outcome.action] = actions.get(outcome.action, 0) + 1
    assert WorkerStats(batches=2, events=len(accepted), failed_batches=0, actions=actions) == stats
    assert [("4242", "active", True)] == methods(payments)


def test_max_batches_bounds_the_work(payments: FuturePayments, fake: FakeStripe) -> None:
    """max_batches=1 with limit=1 processes one event; the others stay pending."""
    accepted = accept_all(payments, completed_checkout(payments, fake))
    accepted += accept_all(payments, completed_checkout(payments, fake, "user-43"))

    stats = run_worker(payments, limit=1, max_batches=1)
    rest = drain_events(payments)

    assert (1, 1) == (stats.batches, stats.events)
    assert len(accepted) - 1 == len(rest)


def test_an_empty_batch_counts(payments: FuturePayments) -> None:
    """Batches that find nothing count towards max_batches, and process nothing."""
    stats = run_worker(payments, max_batches=3, poll_interval=0.001)

    assert WorkerStats(batches=3, events=0, failed_batches=0, actions={}) == stats


def test_a_set_stop_runs_no_batch(payments: FuturePayments, fake: FakeStripe) -> None:
    """A stop already set returns at once, with the events still pending."""
    accepted = accept_all(payments, completed_checkout(payments, fake))
    stop = threading.Event()
    stop.set()

    stats = run_worker(payments, stop=stop)

    assert WorkerStats() == stats
    assert sorted(accepted) == sorted(o.event_id for o in drain_events(payments))


def test_stop_ends_the_wait(payments: FuturePayments, fake: FakeStripe) -> None:
    """Setting stop while the worker waits out an hour-long poll interval ends it."""
    stop = threading.Event()
    first_batch = threading.Event()
    result: list[WorkerStats] = []
    original = payments.process_events

    def process_events(**kwargs: Any) -> list[EventOutcome]:
        try:
            return original(**kwargs)
        finally:
            first_batch.set()

    payments.process_events = process_events  # type: ignore[method-assign]
    worker = threading.Thread(
        target=lambda: result.append(run_worker(payments, poll_interval=3600.0, stop=stop))
    )
    worker.start()
    assert first_batch.wait(30)

    stop.set()
    worker.join(30)

    assert not worker.is_alive()
    assert [WorkerStats(batches=1)] == result


def test_events_accepted_while_running_are_processed(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """The worker polls: events accepted after it started are processed by a later batch."""
    stop = threading.Event()
    seen: list[EventOutcome] = []
    done = threading.Event()

    def on_event(outcome: EventOutcome) -> None:
        seen.append(outcome)
        if outcome.action == "saved":
            done.set()

    worker = threading.Thread(
        target=run_worker,
        args=(payments,),
        kwargs={"poll_interval": 0.01, "stop": stop, "on_event": on_event},
    )
    worker.start()
    try:
        accept_all(payments, completed_checkout(payments, fake))
        assert done.wait(30)
    finally:
        stop.set()
        worker.join(30)

    assert [("4242", "active", True)] == methods(payments)


def test_a_failed_batch_is_retried(
    fake: FakeStripe, flaky_store: FailsOnce, caplog: pytest.LogCaptureFixture
) -> None:
    """A StoreError from a batch is logged, waited out, and the batch tried again."""
    payments = _payments(fake, flaky_store)  # type: ignore[arg-type]
    accepted = accept_all(payments, completed_checkout(payments, fake))

    with caplog.at_level(logging.WARNING, logger="future_payments.worker"):
        stats = run_worker(payments, max_batches=2, poll_interval=0.001)

    assert (2, 1, len(accepted)) == (stats.batches, stats.failed_batches, stats.events)
    assert [("4242", "active", True)] == methods(payments)
    [record] = [r for r in caplog.records if r.name == "future_payments.worker"]
    assert logging.WARNING == record.levelno
    assert "DatabaseBusy: the database is locked" in record.getMessage()


def test_a_stripe_failure_is_retried(
    fake: FakeStripe, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """Stripe down for one event: logged without secrets, taken again after its lease, saved."""
    # Real time, so that a short lease runs out while the worker polls.
    payments = FuturePayments(
        client=fake.client(API_KEY, max_network_retries=0),
        store=store,
        webhook_secret=fake.webhook_secret,
    )
    accept_all(payments, completed_checkout(payments, fake))
    fake.fail_next("server_error", times=1)  # the first request of the processing
    stop = threading.Event()

    def on_event(outcome: EventOutcome) -> None:
        if outcome.action == "saved":
            stop.set()

    with caplog.at_level(logging.WARNING, logger="future_payments.worker"):
        stats = run_worker(
            payments,
            poll_interval=0.02,
            lease_seconds=0.2,
            stop=stop,
            max_batches=5000,  # a bound, should the event never be taken again
            on_event=on_event,
        )

    assert stop.is_set()
    assert 1 == stats.failed_batches
    assert [("4242", "active", True)] == methods(payments)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "StripeUnavailable" in logged
    assert API_KEY not in logged
    assert fake.webhook_secret not in logged


def test_another_error_ends_the_loop(payments: FuturePayments) -> None:
    """An error that is not the store's or Stripe's propagates: it is a bug to see."""

    def process_events(**kwargs: Any) -> list[EventOutcome]:
        raise RuntimeError("a bug")

    payments.process_events = process_events  # type: ignore[method-assign]

    with pytest.raises(RuntimeError, match="a bug"):
        run_worker(payments, max_batches=5, poll_interval=0.001)


def test_drain_lets_the_error_through(fake: FakeStripe, flaky_store: FailsOnce) -> None:
    """drain_events raises the batch's StoreError, for the task queue to retry the task."""
    payments = _payments(fake, flaky_store)  # type: ignore[arg-type]
    accepted = accept_all(payments, completed_checkout(payments, fake))

    with pytest.raises(DatabaseBusy):
        drain_events(payments)
    assert sorted(accepted) == sorted(o.event_id for o in drain_events(payments))


def test_the_arguments_reach_process_events(payments: FuturePayments) -> None:
    """limit and lease_seconds are handed to every process_events call."""
    calls: list[dict[str, Any]] = []

    def process_events(**kwargs: Any) -> list[EventOutcome]:
        calls.append(kwargs)
        return []

    payments.process_events = process_events  # type: ignore[method-assign]
    run_worker(payments, limit=7, lease_seconds=12.5, max_batches=2, poll_interval=0.001)
    drain_events(payments, limit=3, lease_seconds=4.0)

    expected = [{"limit": 7, "lease_seconds": 12.5}] * 2 + [{"limit": 3, "lease_seconds": 4.0}]
    assert expected == calls


@pytest.mark.parametrize(
    ("arguments", "param"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": -1}, "limit"),
        ({"limit": 2.5}, "limit"),
        ({"limit": True}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"lease_seconds": 0}, "lease_seconds"),
        ({"lease_seconds": float("nan")}, "lease_seconds"),
        ({"lease_seconds": "60"}, "lease_seconds"),
        ({"poll_interval": 0}, "poll_interval"),
        ({"poll_interval": float("inf")}, "poll_interval"),
        ({"max_batches": 0}, "max_batches"),
        ({"max_batches": 1.0}, "max_batches"),
    ],
)
def test_run_worker_checks_its_arguments(
    payments: FuturePayments, fake: FakeStripe, arguments: dict[str, Any], param: str
) -> None:
    """A bad argument raises InvalidInput naming it, and nothing is processed."""
    accepted = accept_all(payments, completed_checkout(payments, fake))

    with pytest.raises(InvalidInput) as raised:
        run_worker(payments, **arguments)

    assert param == raised.value.param
    assert sorted(accepted) == sorted(o.event_id for o in drain_events(payments))


@pytest.mark.parametrize(
    ("arguments", "param"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": None}, "limit"),
        ({"lease_seconds": -5.0}, "lease_seconds"),
    ],
)
def test_drain_checks_its_arguments(
    payments: FuturePayments, arguments: dict[str, Any], param: str
) -> None:
    """drain_events refuses the same bad arguments."""
    with pytest.raises(InvalidInput) as raised:
        drain_events(payments, **arguments)

    assert param == raised.value.param


def test_an_async_facade_is_refused(fake: FakeStripe) -> None:
    """The async facade is refused with a hint: its process_events is a coroutine."""
    payments = AsyncFuturePayments(
        client=fake.client(), store=ThreadedStore(MemoryStore()), webhook_secret=fake.webhook_secret
    )

    for call in (run_worker, drain_events):
        with pytest.raises(InvalidInput, match=r"await payments\.process_events") as raised:
            call(payments)  # type: ignore[arg-type]
        assert "payments" == raised.value.param
