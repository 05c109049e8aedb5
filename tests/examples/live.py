"""Each example app served for real on an ephemeral loopback port, beside a FakeServer."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import stripe
from examples._shared import WEBHOOK_PATH, Services

from future_payments import AsyncFuturePayments, FuturePayments, SQLiteStore
from future_payments.stores import ThreadedStore
from future_payments.testing import FakeServer


@dataclass(frozen=True)
class LiveApp:
    """A running example: its base URL and the fake Stripe server it talks to."""

    url: str
    server: FakeServer
    services: Services[Any]


def _services(server: FakeServer, kind: type[Any], db: Path) -> Services[Any]:
    # As services_from_env does: httpx for the async app (closed by its lifespan).
    http_client = stripe.HTTPXClient() if kind is AsyncFuturePayments else None
    client = server.client(http_client=http_client)
    store = SQLiteStore(db)
    # The async facade awaits an AsyncStore: the blocking SQLite store runs in threads.
    wrapped = ThreadedStore(store) if kind is AsyncFuturePayments else store
    payments = kind(client=client, store=wrapped, webhook_secret=server.fake.webhook_secret)
    return Services(payments, client, server, http_client, [store.close])


@contextmanager
def _in_thread(serve: Any, shutdown: Any) -> Iterator[None]:
    thread = threading.Thread(target=serve, name="example app", daemon=True)
    thread.start()
    try:
        yield
    finally:
        shutdown()
        thread.join(timeout=10)


@contextmanager
def _flask(services: Services[Any]) -> Iterator[int]:
    from examples.flask_app import create_app
    from werkzeug.serving import make_server

    httpd = make_server("127.0.0.1", 0, create_app(services), threaded=True)
    try:
        with _in_thread(httpd.serve_forever, httpd.shutdown):
            yield httpd.server_port
    finally:
        httpd.server_close()


@contextmanager
def _django(services: Services[Any]) -> Iterator[int]:
    from django.core.wsgi import get_wsgi_application
    from django.test import override_settings
    from examples.django_app import configure
    from examples.django_app.server import make_wsgi_server

    configure()
    with override_settings(FUTURE_PAYMENTS=services):
        httpd = make_wsgi_server("127.0.0.1", 0, get_wsgi_application(), verbose=False)
        try:
            with _in_thread(httpd.serve_forever, httpd.shutdown):
                yield httpd.server_port
        finally:
            httpd.server_close()


@contextmanager
def _fastapi(services: Services[Any]) -> Iterator[int]:
    import uvicorn
    from examples.fastapi_app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(create_app(services), lifespan="on", log_level="warning")
    uvicorn_server = uvicorn.Server(config)
    started = threading.Event()

    def serve() -> None:
        async def main() -> None:
            task = asyncio.create_task(uvicorn_server.serve(sockets=[sock]))
            while not uvicorn_server.started and not task.done():
                await asyncio.sleep(0.01)
            started.set()
            await task

        asyncio.run(main())

    def shutdown() -> None:
        uvicorn_server.should_exit = True

    try:
        with _in_thread(serve, shutdown):
            if not started.wait(10):
                raise RuntimeError("uvicorn did not start")
            yield sock.getsockname()[1]
    finally:
        sock.close()


_SERVE = {"flask": (_flask, FuturePayments), "fastapi": (_fastapi, AsyncFuturePayments)}
_SERVE["django"] = (_django, FuturePayments)


@contextmanager
def live_app(framework: str, tmp_path: Path) -> Iterator[LiveApp]:
    """``framework``'s example on a loopback port, its webhooks forwarded by a FakeServer."""
    serve, kind = _SERVE[framework]
    with FakeServer() as server:
        services = _services(server, kind, tmp_path / "payments.db")
        try:
            with serve(services) as port:
                url = f"http://127.0.0.1:{port}"
                server.webhook_url = url + WEBHOOK_PATH
                yield LiveApp(url, server, services)
        finally:
            services.close()
