"""A Celery app whose task processes the webhook events the endpoint accepted.

Run a worker (as many as you like, on any number of machines)::

    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 celery -A examples.celery_worker.tasks worker

The webhook endpoint answers with ``handle_webhook(payments, body, headers, deferred=True)``,
which only stores the verified event, and then calls ``process_webhook_events.delay()``. The
beat schedule below also drains every minute, for events whose task was lost (the broker was
down when the endpoint enqueued it): run ``celery -A examples.celery_worker.tasks beat`` once.

Configuration, from the environment:

- ``CELERY_BROKER_URL``: ``redis://host:6379/0`` or ``amqp://user:password@host:5672//``
  (RabbitMQ; default ``redis://127.0.0.1:6379/0``).
- ``FUTURE_PAYMENTS_QUEUE``: the queue the task goes to (default ``future-payments``).
- ``FUTURE_PAYMENTS_DATABASE_URL``: the SQLAlchemyStore the web app writes to
  (``postgresql://...``); else ``FUTURE_PAYMENTS_DB``: its SQLite file
  (default ``future_payments.db``).
- ``STRIPE_SECRET_KEY`` (and optionally ``STRIPE_API_BASE``, e.g. a ``future-payments fake
  serve``): the Stripe account. No webhook secret: the endpoint verified the events.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping

import stripe
from celery import Celery

from future_payments import FuturePayments, SQLiteStore, StoreError, StripeFailure
from future_payments.stores import SQLAlchemyStore, Store
from future_payments.worker import drain_events

TASK_NAME = "future_payments.process_webhook_events"
"""The task's name, as other apps (or ``celery call``) send it."""

DRAIN_EVERY = 60.0
"""Seconds between two drains of the beat schedule."""

app = Celery("future_payments_worker")
app.conf.update(
    broker_url=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"),
    task_default_queue=os.environ.get("FUTURE_PAYMENTS_QUEUE", "future-payments"),
    # The task's work is in the store, not in a result: keep no results.
    task_ignore_result=True,
    # A worker that dies mid-task leaves the message to another one; running the task twice
    # is safe (each event is processed once, under its lease).
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    beat_schedule={
        "drain-webhook-events": {"task": TASK_NAME, "schedule": DRAIN_EVERY},
    },
)


def store_from_env(environ: Mapping[str, str] = os.environ) -> Store:
    """The store the web app writes to: a database URL, or a SQLite file."""
    url = environ.get("FUTURE_PAYMENTS_DATABASE_URL")
    if url:
        return SQLAlchemyStore(url)
    return SQLiteStore(environ.get("FUTURE_PAYMENTS_DB") or "future_payments.db")


def payments_from_env(environ: Mapping[str, str] = os.environ) -> FuturePayments:
    """A FuturePayments on the web app's store and Stripe account."""
    key = environ.get("STRIPE_SECRET_KEY")
    if not key:
        raise RuntimeError("set STRIPE_SECRET_KEY: the worker calls Stripe for some events")
    api_base = environ.get("STRIPE_API_BASE")
    client = stripe.StripeClient(
        key,
        base_addresses={"api": api_base} if api_base else None,
        max_network_retries=2,
    )
    return FuturePayments(client=client, store=store_from_env(environ))


@functools.cache
def payments() -> FuturePayments:
    """This worker process's facade, made on first use (after Celery forked the process)."""
    return payments_from_env()


@app.task(
    name=TASK_NAME,
    # The database or Stripe failed: try again later, 1 s, 2 s, 4 s... at most 10 min apart.
    # The events the failed attempt had claimed go back to a worker when their lease ends.
    autoretry_for=(StoreError, StripeFailure),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=10,
)
def process_webhook_events() -> int:
    """Process every pending webhook event; how many were processed."""
    return len(drain_events(payments()))
