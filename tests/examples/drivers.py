"""One small interface over each framework's test client, so one suite checks all three apps."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from examples._shared import Services

from future_payments import AsyncFuturePayments, FuturePayments, MemoryStore
from future_payments.stores import ThreadedStore
from future_payments.testing import FakeStripe

FRAMEWORKS = ("flask", "fastapi", "django")


@dataclass(frozen=True)
class Reply:
    """What a test needs from a response, whatever the framework."""

    status: int
    text: str
    location: str | None

    def json(self) -> Any:
        import json

        return json.loads(self.text)


class Driver(Protocol):
    """Requests to one app through its framework's own test client."""

    services: Services[Any]

    def get(self, path: str) -> Reply: ...

    def post(self, path: str, data: Mapping[str, str] | None = None) -> Reply: ...

    def post_raw(self, path: str, body: bytes, headers: Mapping[str, str]) -> Reply: ...


def services_on(fake: FakeStripe, kind: type[Any]) -> Services[Any]:
    """The services an app runs on in these tests: the in-process fake and a MemoryStore."""
    store = ThreadedStore(MemoryStore()) if kind is AsyncFuturePayments else MemoryStore()
    payments = kind(client=fake.client(), store=store, webhook_secret=fake.webhook_secret)
    return Services(payments=payments, stripe=fake.client())


class FlaskDriver:
    def __init__(self, fake: FakeStripe) -> None:
        from examples.flask_app import create_app

        self.services = services_on(fake, FuturePayments)
        self.client = create_app(self.services).test_client()

    def _reply(self, response: Any) -> Reply:
        return Reply(response.status_code, response.get_data(as_text=True), response.location)

    def get(self, path: str) -> Reply:
        return self._reply(self.client.get(path))

    def post(self, path: str, data: Mapping[str, str] | None = None) -> Reply:
        return self._reply(self.client.post(path, data=dict(data or {})))

    def post_raw(self, path: str, body: bytes, headers: Mapping[str, str]) -> Reply:
        return self._reply(self.client.post(path, data=body, headers=dict(headers)))


class FastAPIDriver:
    """httpx's ASGI transport, run on a blocking portal's event loop.

    (Starlette's TestClient would do the same, but warns that it wants ``httpx2``.)
    """

    def __init__(self, app: Any, portal: BlockingPortal, client: httpx.AsyncClient) -> None:
        self.services = app.state.services
        self.portal = portal
        self.client = client

    def _send(self, method: str, path: str, **kwargs: Any) -> Reply:
        response = self.portal.call(lambda: self.client.request(method, path, **kwargs))
        return Reply(response.status_code, response.text, response.headers.get("location"))

    def get(self, path: str) -> Reply:
        return self._send("GET", path)

    def post(self, path: str, data: Mapping[str, str] | None = None) -> Reply:
        return self._send("POST", path, data=dict(data or {}))

    def post_raw(self, path: str, body: bytes, headers: Mapping[str, str]) -> Reply:
        return self._send("POST", path, content=body, headers=dict(headers))


class DjangoDriver:
    def __init__(self, fake: FakeStripe) -> None:
        from django.test import Client

        self.services = services_on(fake, FuturePayments)
        self.client = Client()

    def _reply(self, response: Any) -> Reply:
        return Reply(
            response.status_code,
            response.content.decode(),
            response.headers.get("Location"),
        )

    def get(self, path: str) -> Reply:
        return self._reply(self.client.get(path))

    def post(self, path: str, data: Mapping[str, str] | None = None) -> Reply:
        return self._reply(self.client.post(path, data=dict(data or {})))

    def post_raw(self, path: str, body: bytes, headers: Mapping[str, str]) -> Reply:
        response = self.client.post(
            path, data=body, content_type="application/json", headers=dict(headers)
        )
        return self._reply(response)


@contextmanager
def driver_for(framework: str, fake: FakeStripe) -> Iterator[Driver]:
    """A driver for ``framework``'s app on ``fake``, torn down afterwards."""
    if framework == "flask":
        yield FlaskDriver(fake)
    elif framework == "fastapi":
        from examples.fastapi_app import create_app

        app = create_app(services_on(fake, AsyncFuturePayments))
        transport = httpx.ASGITransport(app=app)
        with start_blocking_portal() as portal:
            client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
            try:
                yield FastAPIDriver(app, portal, client)
            finally:
                portal.call(client.aclose)
    elif framework == "django":
        from django.test import override_settings
        from examples.django_app import configure

        configure()
        driver = DjangoDriver(fake)
        with override_settings(FUTURE_PAYMENTS=driver.services):
            yield driver
    else:
        raise ValueError(framework)
