"""Fixtures for the worker processes: live database tables, brokers, one shared fake Stripe."""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import pytest
import sqlalchemy as sa

from future_payments.stores import SQLAlchemyStore
from tests._shared_fake import SharedFake, shared_fake
from tests.stores._sqlalchemy_factories import SERVER_KINDS, server_store, server_url
from tests.workers._brokers import BROKER_KINDS, broker_url, delete_queue, new_queue, require


@attrs.frozen
class Tables:
    """Fresh tables on a live server: a store on them, and what a worker needs to open them."""

    kind: str
    url: str
    engine: sa.Engine
    prefix: str
    store: SQLAlchemyStore


@pytest.fixture(params=SERVER_KINDS)
def tables(request: pytest.FixtureRequest) -> Iterator[Tables]:
    """Fresh tables on PostgreSQL and on MariaDB (skips, or fails under CI, when unreachable)."""
    kind = request.param
    with server_store(kind) as (engine, store, prefix):
        yield Tables(kind, server_url(kind), engine, prefix, store)


@pytest.fixture
def stripe_fake() -> Iterator[SharedFake]:
    """One fresh FakeStripe, served to every process of the test."""
    with shared_fake() as fake:
        yield fake


@attrs.frozen
class Broker:
    """A live broker, and a queue on it that no other test uses."""

    kind: str
    url: str
    queue: str


@pytest.fixture(params=BROKER_KINDS)
def broker(request: pytest.FixtureRequest) -> Iterator[Broker]:
    """Redis and RabbitMQ, each with a fresh queue (skips, or fails under CI, when unreachable).

    The queue is deleted afterwards.
    """
    kind = request.param
    url = broker_url(kind)
    require(kind, url)
    queue = new_queue()
    try:
        yield Broker(kind, url, queue)
    finally:
        delete_queue(url, queue)
