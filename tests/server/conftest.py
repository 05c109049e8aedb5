"""Fixtures for the local server's tests: a running FakeServer, an HTTP client, a receiver app."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs
import httpx
import pytest
import stripe

from future_payments.testing import FakeServer, FakeStripe, RetrySchedule

START = 1_800_000_000.0  # 2027-01-15, so an expiry of 12 / 30 is in the future
TINY = RetrySchedule(first=0.01, factor=2, longest=0.02, give_up_after=0.07)
"""Retries 10 ms, 20 ms, 20 ms, 20 ms apart: 5 attempts, and no test sleeps for minutes."""


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``browser`` marker until pyproject lists it."""
    config.addinivalue_line(
        "markers", "browser: drives headless Chromium (skips outside CI when it is missing)"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep the call phase's report on the item: the browser fixture screenshots failures."""
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report


@pytest.fixture
def fake() -> FakeStripe:
    """A fresh fake with a fixed clock."""
    return FakeStripe(webhook_secret="whsec_test_secret", start_time=START)


@pytest.fixture
def server(fake: FakeStripe) -> Iterator[FakeServer]:
    """The fake served on an ephemeral loopback port."""
    with FakeServer(fake) as running:
        yield running


@pytest.fixture
def client(server: FakeServer) -> stripe.StripeClient:
    """A real StripeClient talking HTTP to ``server``."""
    return server.client()


@pytest.fixture
def http(server: FakeServer) -> Iterator[httpx.Client]:
    """A plain HTTP client for the pages (no redirects followed, no proxies)."""
    with httpx.Client(base_url=server.url, trust_env=False, timeout=10) as session:
        yield session


@attrs.frozen
class Received:
    """One request the receiver got."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """A tiny app on a loopback port: records requests, answers the statuses it is told to."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.statuses: list[int] = []  # answered in order; 200 once empty
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with receiver._lock:
                    receiver.requests.append(
                        Received(self.command, self.path, dict(self.headers.items()), body)
                    )
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                page = f"<!doctype html><title>Receiver</title><h1>Arrived: {self.path}</h1>"
                answer = page.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            do_GET = do_POST = _answer

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,))
        self._thread.start()

    def posts(self) -> list[Received]:
        """The POSTs received so far."""
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

    def close(self) -> None:
        """Stop serving and join the threads."""
        self._httpd.shutdown()
        self._thread.join()
        self._httpd.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A running receiver app."""
    app = Receiver()
    try:
        yield app
    finally:
        app.close()


def setup_session(
    client: stripe.StripeClient, receiver_url: str = "https://shop.example", **params: Any
) -> stripe.checkout.Session:
    """A setup-mode Checkout Session with a customer, returning to ``receiver_url``."""
    customer = client.v1.customers.create(params={"email": "payer@example.com"})
    return client.v1.checkout.sessions.create(
        params={
            "mode": "setup",
            "currency": "usd",
            "customer": customer.id,
            "success_url": f"{receiver_url}/saved?session_id={{CHECKOUT_SESSION_ID}}",
            "cancel_url": f"{receiver_url}/cancel",
            **params,
        }  # type: ignore[arg-type]
    )
