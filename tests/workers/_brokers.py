"""Live message brokers for the Celery tests: Redis and RabbitMQ on this machine.

Isolation: every test gets its own queue name (``fp-test-<hex>``), and on Redis a database
number of its own draw (1 to 15), so concurrent runs on one machine never take each other's
messages; the queue is deleted afterwards. When a broker is unreachable the tests that need
it skip with the reason, except under ``CI=true``, where they fail (as the database tests do:
``tests/stores/_sqlalchemy_factories.py``).
"""

from __future__ import annotations

import os
import secrets

import kombu

from tests.stores._sqlalchemy_factories import unavailable

BROKER_URLS = {
    # Redis: the server only; each test appends a database number of its own.
    "redis": ("FUTURE_PAYMENTS_REDIS_URL", "redis://127.0.0.1:6379"),
    "rabbitmq": ("FUTURE_PAYMENTS_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//"),
}
BROKER_KINDS = list(BROKER_URLS)

# Why a broker was unreachable, remembered so that the next tests skip without waiting again.
_unreachable: dict[str, str] = {}


def new_queue() -> str:
    """A queue name no other test uses."""
    return f"fp-test-{secrets.token_hex(5)}"


def broker_url(kind: str) -> str:
    """The URL of the test broker for ``kind``; on Redis, in a database drawn for the test."""
    variable, default = BROKER_URLS[kind]
    url = os.environ.get(variable) or default
    if kind == "redis":
        return f"{url.rstrip('/')}/{1 + secrets.randbelow(15)}"
    return url


def require(kind: str, url: str) -> None:
    """Skip the test, or fail it under CI, unless the broker at ``url`` answers."""
    if kind in _unreachable:
        unavailable(_unreachable[kind])
    connection = kombu.Connection(url, connect_timeout=5)
    try:
        connection.ensure_connection(max_retries=1, timeout=5)
    except Exception as exc:  # any failure to connect means "not there"
        shown = connection.as_uri()  # the password masked
        variable = BROKER_URLS[kind][0]
        _unreachable[kind] = (
            f"{kind} broker not reachable at {shown} ({type(exc).__name__}: {exc}); "
            f"start it or point {variable} at one"
        )
        unavailable(_unreachable[kind])
    finally:
        connection.release()


def delete_queue(url: str, queue: str) -> None:
    """Remove ``queue`` (and its exchange of the same name) from the broker."""
    with kombu.Connection(url, connect_timeout=5) as connection:
        channel = connection.default_channel
        kombu.Queue(queue, kombu.Exchange(queue), routing_key=queue).bind(channel).delete()
        kombu.Exchange(queue).bind(channel).delete()
