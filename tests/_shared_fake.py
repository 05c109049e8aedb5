"""One FakeStripe shared by many processes: a manager process serves it, a transport reaches it.

``FakeStripe`` lives in one process's memory. For tests in which several worker processes
must see the same Stripe (the session one worker completes by redirect is the one another's
webhook names), ``shared_fake()`` starts ONE fake in a ``multiprocessing.managers`` server
process (spawned, so it holds no copy of the test's state) and returns a picklable
``SharedFake`` handle. In any process, ``handle.client()`` is a genuine ``stripe.StripeClient``
whose transport, ``ProxyHTTPClient``, forwards every request to the served fake's
``handle_request``: the requests go through the real ``stripe`` package, and all processes
share one Stripe state, as they would share one real Stripe account.

Limits: every request crosses a local socket and the manager's pickling, so it costs
~0.1-0.3 ms more than the in-process transport; the fake answers requests one at a time under
its lock, as it does for threads. Faults (``fail_next``) and the clock are not exposed through
the proxy: these tests do not need them.
"""

from __future__ import annotations

import multiprocessing
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from multiprocessing.managers import BaseManager
from typing import Any

import attrs
import stripe

from future_payments.testing import ConnectionDropped, FakeStripe
from future_payments.testing._fake._headers import Headers

_EXPOSED = (
    "handle_request",
    "complete_checkout",
    "expire_checkout",
    "webhooks",
    "get_webhook_secret",
)


class ServedFake(FakeStripe):
    """The fake the manager serves; a proxy calls only methods, so attributes get getters."""

    def get_webhook_secret(self) -> str:
        """The fake's webhook signing secret."""
        return self.webhook_secret


_served: ServedFake | None = None  # only ever set inside the manager's server process


def _the_fake() -> ServedFake:
    """The one fake of the server process, made on first use."""
    global _served
    if _served is None:
        _served = ServedFake()
    return _served


class FakeManager(BaseManager):
    """Serves ``_the_fake()`` under the type id ``fake``."""


FakeManager.register("fake", callable=_the_fake, exposed=_EXPOSED)


def _connect(address: Any, authkey: bytes) -> Any:
    """A proxy of the served fake, from any process."""
    manager = FakeManager(address=address, authkey=authkey)
    manager.connect()
    return manager.fake()


class ProxyHTTPClient(stripe.HTTPClient):
    """A ``stripe.HTTPClient`` that forwards every request to the served fake.

    It connects on first use and pickles as its address and key, so it can be built in one
    process and used in another.
    """

    name = "future_payments_shared_fake"

    def __init__(self, address: Any, authkey: bytes) -> None:
        super().__init__()
        self._address = address
        self._authkey = authkey
        self._fake: Any = None

    def __reduce__(self) -> tuple[type[ProxyHTTPClient], tuple[Any, bytes]]:
        return (ProxyHTTPClient, (self._address, self._authkey))

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[str, int, Mapping[str, str]]:
        """Answer one request through the served fake."""
        if self._fake is None:
            self._fake = _connect(self._address, self._authkey)
        try:
            status, rheaders, body = self._fake.handle_request(
                method, url, dict(headers or {}), post_data
            )
        except ConnectionDropped as exc:
            # As the in-process transport does: a dropped connection is the SDK's own error.
            raise stripe.APIConnectionError(str(exc), should_retry=True) from None
        return body.decode(), status, Headers(rheaders)

    def close(self) -> None:
        """Forget the proxy; the next request connects again."""
        self._fake = None


@attrs.frozen
class SharedFake:
    """Where the served fake is; picklable, so worker processes can be handed it."""

    address: Any
    authkey: bytes = attrs.field(repr=False)

    def proxy(self) -> Any:
        """A proxy with the fake's customer actions: ``complete_checkout``, ``webhooks``..."""
        return _connect(self.address, self.authkey)

    def client(self, api_key: str = "sk_test_shared") -> stripe.StripeClient:
        """A genuine ``stripe.StripeClient`` answered by the served fake."""
        return stripe.StripeClient(api_key, http_client=ProxyHTTPClient(self.address, self.authkey))

    def webhook_secret(self) -> str:
        """The served fake's webhook signing secret."""
        return str(self.proxy().get_webhook_secret())


@contextmanager
def shared_fake() -> Iterator[SharedFake]:
    """Serve one fresh FakeStripe from a spawned manager process until the block ends."""
    authkey = secrets.token_bytes(32)
    manager = FakeManager(authkey=authkey, ctx=multiprocessing.get_context("spawn"))
    manager.start()
    try:
        yield SharedFake(manager.address, authkey)
    finally:
        manager.shutdown()
