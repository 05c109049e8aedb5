"""``FakeServer``: a ``FakeStripe`` over real HTTP, with hosted pages and webhook forwarding."""

from __future__ import annotations

import ipaddress
import threading
from types import TracebackType
from typing import Any

import stripe

from future_payments.testing._fake._fake import FakeStripe
from future_payments.testing._server._forwarder import DeliveryAttempt, Forwarder
from future_payments.testing._server._handler import HTTPServer


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens to this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class FakeServer:
    """Serve a ``FakeStripe`` on a local port: the ``/v1`` API, Checkout, 3-D Secure, webhooks.

    Use it as a context manager, or ``start()`` and ``stop()``. Request handlers run in threads;
    the fake's own lock keeps its state consistent, so tests may also use ``fake`` in-process
    while the server runs. See ``docs/server.md``.

    Args:
        fake: the fake to serve; a new ``FakeStripe()`` when None.
        host: the interface to listen on; loopback unless ``allow_remote``.
        port: the TCP port; 0 picks a free ephemeral port (see ``url``).
        webhook_url: where to POST signed events; None keeps them in the fake.
        allow_remote: allow a non-loopback ``host`` (the fake has no real security).

    Raises:
        ValueError: a non-loopback host without ``allow_remote``, or a bad ``webhook_url``.
    """

    def __init__(
        self,
        fake: FakeStripe | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        webhook_url: str | None = None,
        allow_remote: bool = False,
    ) -> None:
        if not allow_remote and not is_loopback(host):
            raise ValueError(
                f"FakeServer refuses to listen on {host!r}: it is not a loopback address and "
                "the fake has no real authentication. Use 127.0.0.1, or pass allow_remote=True "
                "(--allow-remote on the command line) if you really mean it."
            )
        self._fake = fake if fake is not None else FakeStripe()
        self._host = host.strip("[]")
        self._port = port
        self._forwarder = Forwarder(self._fake, webhook_url)
        self._httpd: HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        where = self.url if self._httpd is not None else "not started"
        return f"<FakeServer {where}>"

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def fake(self) -> FakeStripe:
        """The fake behind the server; its state is the server's state."""
        return self._fake

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321`` (the API is under ``/v1``)."""
        if self._httpd is None:
            raise RuntimeError("FakeServer is not started: call start() or use `with`")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._httpd.server_port}"

    @property
    def webhook_url(self) -> str | None:
        """Where signed events are POSTed; settable at any time (None stops forwarding)."""
        return self._forwarder.url

    @webhook_url.setter
    def webhook_url(self, value: str | None) -> None:
        self._forwarder.url = value

    @property
    def deliveries(self) -> list[DeliveryAttempt]:
        """Every webhook delivery attempt so far, oldest first (a copy)."""
        return self._forwarder.attempts

    def start(self) -> FakeServer:
        """Bind the port and serve in a background thread; returns ``self``.

        Points the fake's Checkout URLs and 3-D Secure redirects at this server.
        """
        with self._lock:
            if self._httpd is not None:
                raise RuntimeError("FakeServer is already running")
            httpd = HTTPServer((self._host, self._port), self, ipv6=":" in self._host)
            self._httpd = httpd
            self._fake.checkout_url_base = f"{self.url}/checkout/"
            self._fake.authentication_url_base = f"{self.url}/authenticate/"
            self._thread = threading.Thread(
                target=httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"FakeServer {self.url}",
                daemon=True,
            )
            self._thread.start()
            self._forwarder.start()
        return self

    def stop(self) -> None:
        """Stop serving and forwarding, close every connection and join the threads.

        Idempotent: stopping a stopped (or never started) server does nothing.
        """
        with self._lock:
            httpd, thread = self._httpd, self._thread
            if httpd is None or thread is None:
                return
            self._forwarder.stop()
            httpd.shutdown()
            thread.join()
            httpd.end_open_connections()
            httpd.server_close()  # joins the handler threads
            self._httpd = self._thread = None

    def client(self, api_key: str = "sk_test_fake", **kwargs: Any) -> stripe.StripeClient:
        """A real ``stripe.StripeClient`` talking HTTP to this server.

        Args:
            api_key: any ``sk_test_...`` or ``rk_test_...`` key.
            kwargs: passed on to ``stripe.StripeClient`` (``max_network_retries``,
                ``http_client``...). The default HTTP client is the SDK's own, with the fake's
                ``instant_retries`` back-off.
        """
        base = self.url
        kwargs.setdefault(
            "base_addresses", {"api": base, "files": base, "connect": base, "meter_events": base}
        )
        kwargs.setdefault("http_client", self._fake.network_http_client())
        return stripe.StripeClient(api_key, **kwargs)

    def flush_webhooks(self, timeout: float = 5.0) -> None:
        """Block until every recorded event has been delivered or given up on.

        Returns at once when no ``webhook_url`` is set (events stay in the fake).

        Raises:
            TimeoutError: deliveries still pending after ``timeout`` seconds.
            RuntimeError: the server is not running.
        """
        self._forwarder.flush(timeout)
