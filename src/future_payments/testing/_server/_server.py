"""``FakeServer``: a ``FakeStripe`` over real HTTP, with hosted pages and webhook forwarding."""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
from types import TracebackType
from typing import Any

import stripe

from future_payments.testing._fake._fake import FakeStripe
from future_payments.testing._server._forwarder import (
    DeliveryAttempt,
    FakeEvents,
    Forwarder,
    Outgoing,
)
from future_payments.testing._server._handler import HTTPServer
from future_payments.testing._server._retry import RetrySchedule

logger = logging.getLogger("future_payments.testing.server")


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
        retry: when failed deliveries are retried (default ``RetrySchedule()``: minutes,
            for local development; tests pass a tiny one).
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
        retry: RetrySchedule | None = None,
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
        self._forwarder = Forwarder(FakeEvents(self._fake), webhook_url, retry, _log_attempt)
        self._resends = Resends()
        self._reported: list[DeliveryAttempt] = []
        self._reported_lock = threading.Lock()  # not _lock: stop() holds that while joining
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
    def retry(self) -> RetrySchedule:
        """When failed deliveries are retried; settable (applies to later failures)."""
        return self._forwarder.schedule

    @retry.setter
    def retry(self, value: RetrySchedule) -> None:
        self._forwarder.schedule = value

    @property
    def deliveries(self) -> list[DeliveryAttempt]:
        """Every delivery attempt of this server's forwarder so far, oldest first (a copy)."""
        return self._forwarder.attempts

    def resend(self, event_id: str) -> None:
        """Deliver the event ``event_id`` again: to ``webhook_url`` and to every ``listen``.

        It is signed afresh and gets its own retry schedule; the app sees the same event id
        again, as after ``stripe events resend``.

        Raises:
            LookupError: the fake has no event ``event_id``.
        """
        event = self._fake.retrieve(event_id)
        if event is None or event.get("object") != "event":
            raise LookupError(f"FakeStripe has no event {event_id!r}")
        body = json.dumps(event, indent=2).encode()
        if self._forwarder.url is not None:
            self._forwarder.resend(Outgoing(event_id, str(event["type"]), body))
        self._resends.add(event_id)

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

    def attempts_of(self, event_id: str) -> list[DeliveryAttempt]:
        """Every attempt to deliver one event, by this server or by ``future-payments listen``.

        Oldest first. A ``listen`` process reports its attempts to the server it follows.
        """
        return [attempt for _, attempt in self._attempts_by(event_id)]

    def report(self, attempt: DeliveryAttempt) -> None:
        """Record an attempt made elsewhere (by ``future-payments listen``)."""
        with self._reported_lock:
            self._reported.append(attempt)

    def _attempts_by(self, event_id: str) -> list[tuple[str, DeliveryAttempt]]:
        """``(who, attempt)`` for one event, oldest first: who is ``server`` or ``listen``."""
        with self._reported_lock:
            reported = [("listen", a) for a in self._reported if a.event_id == event_id]
        own = [("server", a) for a in self._forwarder.attempts_of(event_id)]
        return sorted(own + reported, key=lambda pair: pair[1].at)

    def _delivery_state(self, event_id: str) -> str:
        """How the delivery of one event went, in a few words, for the dashboard."""
        if event_id in self._fake.pending_event_ids():
            return "waiting" if self.webhook_url else "not forwarded (no webhook URL)"
        attempts = self._attempts_by(event_id)
        if not attempts:
            if self.webhook_url is None:
                return "taken by fake.webhooks()"
            return "sending"
        who, last = attempts[-1]
        if who == "server":
            state, _ = self._forwarder.state_of(event_id)
        else:
            state = "delivered" if last.ok else "failed" if last.retry_in is None else "retrying"
        by = " by listen" if who == "listen" else ""
        return f"{state}{by}: {last.error or f'HTTP {last.status}'}, attempt {last.attempt}"

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


def _log_attempt(attempt: DeliveryAttempt) -> None:
    outcome = attempt.error or f"HTTP {attempt.status}"
    if attempt.ok or attempt.retry_in is not None:
        logger.info(
            "webhook %s %s -> %s: %s (attempt %d)",
            attempt.event_id,
            attempt.type,
            attempt.url,
            outcome,
            attempt.attempt,
        )
    else:
        logger.warning(
            "gave up on webhook %s %s -> %s: %s (attempt %d)",
            attempt.event_id,
            attempt.type,
            attempt.url,
            outcome,
            attempt.attempt,
        )


class Resends:
    """The events resent so far, numbered, for ``listen`` processes that poll for them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._event_ids: list[str] = []

    def add(self, event_id: str) -> None:
        """Remember one resend."""
        with self._lock:
            self._event_ids.append(event_id)

    def after(self, seen: int) -> tuple[list[str], int]:
        """The event ids resent after the first ``seen`` resends, and how many there are now."""
        with self._lock:
            return self._event_ids[seen:], len(self._event_ids)
