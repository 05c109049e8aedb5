"""The in-process ``stripe.HTTPClient`` that hands every request to a ``FakeStripe``."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import stripe

from future_payments.testing._fake._errors import ConnectionDropped
from future_payments.testing._fake._headers import Headers

if TYPE_CHECKING:
    from future_payments.testing._fake._fake import FakeStripe


class FakeHTTPClient(stripe.HTTPClient):
    """Transport for ``stripe.StripeClient(http_client=...)``: no sockets, sync and async."""

    name = "future_payments_fake"

    def __init__(self, fake: FakeStripe) -> None:
        super().__init__()
        self._fake = fake

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
        try:
            status, rheaders, body = self._fake.handle_request(
                method, url, headers or {}, post_data
            )
        except ConnectionDropped as exc:
            raise stripe.APIConnectionError(  # type: ignore[no-untyped-call]
                str(exc), should_retry=True
            ) from None
        return body.decode(), status, Headers(rheaders)

    async def request_async(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        """Answer one request through the fake; a ``slow`` fault awaits instead of blocking."""
        try:
            incoming = self._fake.receive(method, url, headers or {}, post_data)
            if incoming.fault is not None and incoming.fault.kind == "slow":
                await asyncio.sleep(incoming.fault.delay)
            status, rheaders, body = self._fake.answer(incoming)
        except ConnectionDropped as exc:
            raise stripe.APIConnectionError(  # type: ignore[no-untyped-call]
                str(exc), should_retry=True
            ) from None
        return body, status, Headers(rheaders)

    async def sleep_async(self, secs: float) -> None:
        """Back off between SDK retries without blocking the event loop."""
        await asyncio.sleep(secs)

    def close(self) -> None:
        """Nothing to close: there is no connection."""

    async def close_async(self) -> None:
        """Nothing to close: there is no connection."""
