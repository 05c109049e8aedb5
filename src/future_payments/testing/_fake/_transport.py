"""The in-process ``stripe.HTTPClient`` that hands every request to a ``FakeStripe``.

It refuses headers real HTTP cannot carry as the SDK's own clients do (``_wire``), and when
the fake's ``instant_retries`` is on (the default) the SDK's retry back-off is zero: the SDK
asks ``HTTPClient._sleep_time_seconds`` how long to wait before each retry, and this transport
answers 0, in the manner of ``stamina.set_testing``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import stripe

from future_payments.testing._fake._errors import ConnectionDropped
from future_payments.testing._fake._headers import Headers
from future_payments.testing._fake._wire import Wire

if TYPE_CHECKING:
    from future_payments.testing._fake._fake import FakeStripe


def _dropped(exc: ConnectionDropped) -> stripe.APIConnectionError:
    return stripe.APIConnectionError(str(exc), should_retry=True)  # type: ignore[no-untyped-call]


class FakeHTTPClient(stripe.HTTPClient):
    """Transport for ``stripe.StripeClient(http_client=...)``: no sockets, sync and async."""

    name = "future_payments_fake"

    def __init__(self, fake: FakeStripe) -> None:
        super().__init__()
        self._fake = fake
        self._wire = Wire()

    def _sleep_time_seconds(self, num_retries: int) -> float:
        """The SDK's back-off before a retry: none while ``fake.instant_retries`` is on."""
        if self._fake.instant_retries:
            return 0.0
        return float(super()._sleep_time_seconds(num_retries))

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[str, int, Mapping[str, str]]:
        """Answer one request through the fake."""
        self._wire.check(headers or {}, asynchronous=False)
        try:
            exchange = self._fake.begin(method, url, headers or {}, post_data)
            if exchange.delay:
                time.sleep(exchange.delay)
            answer = exchange.finish()
        except ConnectionDropped as exc:
            raise _dropped(exc) from None
        return answer.body.decode(), answer.status, Headers(answer.headers)

    async def request_async(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        """Answer one request through the fake; a ``slow`` fault awaits instead of blocking."""
        self._wire.check(headers or {}, asynchronous=True)
        try:
            exchange = self._fake.begin(method, url, headers or {}, post_data)
            if exchange.delay:
                await asyncio.sleep(exchange.delay)
            answer = exchange.finish()
        except ConnectionDropped as exc:
            raise _dropped(exc) from None
        return answer.body, answer.status, Headers(answer.headers)

    async def sleep_async(self, secs: float) -> None:
        """Back off between SDK retries without blocking the event loop."""
        await asyncio.sleep(secs)

    def close(self) -> None:
        """Nothing to close: there is no connection."""

    async def close_async(self) -> None:
        """Nothing to close: there is no connection."""


def network_http_client(fake: FakeStripe) -> stripe.HTTPClient:
    """The SDK's default HTTP client, with the retry back-off of ``fake.instant_retries``.

    For clients that reach the fake over real HTTP (``FakeServer.client()``).
    """
    base = stripe.new_default_http_client()

    class Instant(type(base)):  # type: ignore[misc]
        def _sleep_time_seconds(self, num_retries: int) -> float:
            if fake.instant_retries:
                return 0.0
            return float(super()._sleep_time_seconds(num_retries))

    Instant.__name__ = f"Instant{type(base).__name__}"
    return Instant()
