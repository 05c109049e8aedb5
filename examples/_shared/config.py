"""Configuration from the environment, and the fake Stripe when no key is set."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

import stripe
from stripe import HTTPClient, StripeClient

from examples._shared.orders import Orders
from future_payments import AsyncFuturePayments, FuturePayments, SQLiteStore
from future_payments.stores import ThreadedStore

if TYPE_CHECKING:
    from future_payments.testing import FakeServer

P = TypeVar("P", FuturePayments, AsyncFuturePayments)

WEBHOOK_PATH = "/webhooks/stripe"
"""Where every example receives Stripe's webhooks."""


@dataclass
class Services(Generic[P]):
    """What an example app needs: the facade, its Stripe client, and what to close at exit.

    The apps call only the facade; ``stripe`` is the client it was made with (for a look at
    Stripe's side in tests and tools). ``http_client`` is the client's transport when the app
    made one: an async app closes its connection pool on its own event loop at shutdown
    (``await http_client.close_async()``). ``orders`` stands in for the app's orders table.
    """

    payments: P
    stripe: StripeClient
    fake_server: FakeServer | None = None
    http_client: HTTPClient | None = None
    _cleanups: list[Callable[[], None]] = field(default_factory=list, repr=False)
    orders: Orders = field(default_factory=Orders)

    def close(self) -> None:
        """Stop the fake server (if any) and remove temporary files, newest first."""
        while self._cleanups:
            self._cleanups.pop()()


def services_from_env(
    kind: type[P],
    *,
    app_url: str,
    environ: Mapping[str, str] = os.environ,
) -> Services[P]:
    """Build the services an example runs on, from the environment.

    ``STRIPE_SECRET_KEY`` (and ``STRIPE_WEBHOOK_SECRET``, optional ``STRIPE_API_BASE``) selects
    real Stripe, or any server speaking its API. Without a key, a ``FakeServer`` is started in
    this process: its hosted Checkout page is what the browser sees, and it POSTs its signed
    events to ``app_url`` + ``/webhooks/stripe``. ``FUTURE_PAYMENTS_DB`` names the SQLite file
    (default: a file in a fresh temporary directory, removed by ``Services.close``).
    """
    cleanups: list[Callable[[], None]] = []
    db_path = environ.get("FUTURE_PAYMENTS_DB")
    if not db_path:
        tmp = tempfile.TemporaryDirectory(prefix="future-payments-example-")
        cleanups.append(tmp.cleanup)
        db_path = str(Path(tmp.name) / "future_payments.db")
    store = SQLiteStore(db_path)
    cleanups.append(store.close)

    key = environ.get("STRIPE_SECRET_KEY")
    server: FakeServer | None = None
    # The async facade calls Stripe's ``*_async`` methods: give them an httpx client the app
    # owns, so that it can close the pool on its event loop. Sync apps use stripe's default.
    http_client = stripe.HTTPXClient() if kind is AsyncFuturePayments else None
    if key:
        api_base = environ.get("STRIPE_API_BASE")
        client = stripe.StripeClient(
            key,
            base_addresses={"api": api_base} if api_base else None,
            max_network_retries=2,
            http_client=http_client,
        )
        webhook_secret = environ.get("STRIPE_WEBHOOK_SECRET")
        if not webhook_secret:
            print(
                "STRIPE_WEBHOOK_SECRET is not set: webhook deliveries will be answered 500.",
                file=sys.stderr,
            )
    else:
        from future_payments.testing import FakeServer

        server = FakeServer(webhook_url=app_url.rstrip("/") + WEBHOOK_PATH).start()
        cleanups.append(server.stop)
        client = server.client(http_client=http_client)
        webhook_secret = server.fake.webhook_secret
    if issubclass(kind, AsyncFuturePayments):
        # The async facade awaits an AsyncStore: the blocking SQLite store runs in threads.
        payments = kind(client=client, store=ThreadedStore(store), webhook_secret=webhook_secret)
    else:
        payments = kind(client=client, store=store, webhook_secret=webhook_secret)
    return Services(payments, client, server, http_client, cleanups)


def describe(services: Services[P], app_url: str) -> str:
    """A line or two for the console: where the app is and which Stripe it talks to."""
    if services.fake_server is not None:
        return (
            f"App on {app_url} — fake Stripe on {services.fake_server.url} "
            "(no STRIPE_SECRET_KEY set; any test card works, e.g. 4242 4242 4242 4242)"
        )
    return f"App on {app_url} — talking to Stripe with STRIPE_SECRET_KEY"
