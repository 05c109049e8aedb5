"""The Celery recipe (examples/celery_worker) with a real ``celery worker`` on Redis and RabbitMQ.

The test accepts webhook events into a SQLite file (as the deferred endpoint does) against a
``FakeServer``, starts ``celery -A examples.celery_worker.tasks worker`` in its own process on
the broker (its own queue, ``--pool=solo``), enqueues ``process_webhook_events`` and waits, with
a deadline, for the worker to have saved the payment method in the store.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from examples.celery_worker import tasks

from future_payments import FuturePayments, SQLiteStore
from future_payments.testing import FakeServer
from tests._modes import accept_all, completed_checkout, methods
from tests.workers.conftest import Broker

pytestmark = [pytest.mark.broker, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "sk_test_celery_recipe_secret"
DEADLINE = 60.0  # seconds: generous, the machine may be busy; no test measures speed


class Worker:
    """A ``celery worker`` process whose output goes to a file the test reads."""

    def __init__(self, process: subprocess.Popen[bytes], log: Path) -> None:
        self.process = process
        self.log = log

    def output(self) -> str:
        """Everything the worker printed so far."""
        return self.log.read_text(errors="replace")

    def wait_for(self, what: str, check: Callable[[], bool]) -> None:
        """Wait until ``check()`` holds; fail with the worker's output after DEADLINE."""
        deadline = time.monotonic() + DEADLINE
        while not check():
            if " raised unexpected: " in self.output():
                pytest.fail(f"the task failed:\n{self.output()}")
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited ({self.process.returncode}):\n{self.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {what} within {DEADLINE} s; worker output:\n{self.output()}")
            time.sleep(0.05)


@contextmanager
def celery_worker(broker: Broker, server: FakeServer, db: Path, log: Path) -> Iterator[Worker]:
    """``celery worker`` on ``broker``'s queue, the recipe configured by its environment."""
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker.url,
        "FUTURE_PAYMENTS_QUEUE": broker.queue,
        "FUTURE_PAYMENTS_DB": str(db),
        "STRIPE_SECRET_KEY": API_KEY,
        "STRIPE_API_BASE": server.url,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("FUTURE_PAYMENTS_DATABASE_URL", None)
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 -- celery, with our own arguments
            [sys.executable, "-m", "celery", "-A", "examples.celery_worker.tasks", "worker",
             "--pool=solo", "--queues", broker.queue, "--hostname", f"{broker.queue}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat",
             "--loglevel=INFO"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    worker = Worker(process, log)
    try:
        worker.wait_for("ready line", lambda: " ready." in worker.output())
        yield worker
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # Celery's warm shutdown
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _enqueue(broker: Broker) -> None:
    """``process_webhook_events`` on the test's broker and queue, as the endpoint sends it."""
    with tasks.app.connection_for_write(broker.url) as connection:
        tasks.process_webhook_events.apply_async(connection=connection, queue=broker.queue)


def test_the_task_processes_the_accepted_events(broker: Broker, tmp_path: Path) -> None:
    """Enqueued after the endpoint accepted the events, the task saves the method."""
    db = tmp_path / "shop.db"
    with FakeServer() as server, SQLiteStore(db) as store:
        payments = FuturePayments(
            client=server.client(API_KEY), store=store, webhook_secret=server.fake.webhook_secret
        )
        accepted = accept_all(payments, completed_checkout(payments, server.fake))
        with celery_worker(broker, server, db, tmp_path / "worker.log") as worker:
            _enqueue(broker)

            worker.wait_for("saved method", lambda: bool(methods(payments)))
            worker.wait_for("task result", lambda: "succeeded in" in worker.output())

        assert [("4242", "active", True)] == methods(payments)
        # The task's result is how many events it processed: all of them, on its own.
        found = re.search(
            r"process_webhook_events\[[\w-]+\] succeeded in [\d.]+s: (\d+)", worker.output()
        )
        assert found is not None, worker.output()
        assert len(accepted) == int(found[1])
        assert API_KEY not in worker.output()


def test_a_task_with_nothing_pending_succeeds(broker: Broker, tmp_path: Path) -> None:
    """A task that finds nothing pending (the beat schedule's usual case) processes 0."""
    db = tmp_path / "shop.db"
    with FakeServer() as server:
        SQLiteStore(db).close()  # the schema, as the web app would have made it
        with celery_worker(broker, server, db, tmp_path / "worker.log") as worker:
            _enqueue(broker)

            worker.wait_for("task result", lambda: "succeeded in" in worker.output())

        assert re.search(r"succeeded in [\d.]+s: 0\b", worker.output()), worker.output()


def test_the_recipe_configuration() -> None:
    """The app keeps no results, acknowledges late, and drains on a beat schedule."""
    conf = tasks.app.conf

    assert (True, True, 1) == (
        conf.task_ignore_result,
        conf.task_acks_late,
        conf.worker_prefetch_multiplier,
    )
    assert {"task": tasks.TASK_NAME, "schedule": tasks.DRAIN_EVERY} == (
        conf.beat_schedule["drain-webhook-events"]
    )
    assert tasks.TASK_NAME in tasks.app.tasks
