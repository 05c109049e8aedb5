"""The webhook forwarder: POSTs the fake's signed events to an app's endpoint, in order, retried."""

from __future__ import annotations

import http.client
import logging
import threading
import time
from urllib.parse import urlsplit

import attrs

from future_payments.testing._fake._fake import FakeStripe
from future_payments.testing._fake._webhooks import WebhookDelivery

logger = logging.getLogger("future_payments.testing.server")

MAX_ATTEMPTS = 5
FIRST_BACKOFF = 0.1  # seconds before the 2nd attempt; doubles up to MAX_BACKOFF
MAX_BACKOFF = 2.0
POLL_INTERVAL = 0.05
REQUEST_TIMEOUT = 5.0
_USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks) FakeStripe"


@attrs.frozen
class DeliveryAttempt:
    """One POST of one event to the webhook URL.

    Attributes:
        event_id: the ``evt_...`` id.
        type: the event type, e.g. ``checkout.session.completed``.
        url: where it was POSTed.
        status: the HTTP status the endpoint answered, or None when it could not be reached.
        error: why the endpoint could not be reached (None when it answered).
        attempt: 1 for the first try, 2 for the first retry...
    """

    event_id: str
    type: str
    url: str
    status: int | None
    error: str | None
    attempt: int

    @property
    def ok(self) -> bool:
        """Whether the endpoint acknowledged the event with a 2xx."""
        return self.status is not None and 200 <= self.status < 300


def check_webhook_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL (or None), else ValueError."""
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"webhook_url must be an absolute http:// or https:// URL, got {url!r}")
    return url


class Forwarder:
    """A thread that takes ``fake.webhooks()`` and delivers them one by one, oldest first.

    A failed delivery (non-2xx or no connection) is retried with exponential backoff, at most
    ``MAX_ATTEMPTS`` times, before the next event is sent: order is kept, as a test expects.
    """

    def __init__(self, fake: FakeStripe, url: str | None) -> None:
        self._fake = fake
        self._url = check_webhook_url(url)
        self._cond = threading.Condition()
        self._busy = False
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._attempts: list[DeliveryAttempt] = []
        self._gave_up: set[str] = set()

    @property
    def url(self) -> str | None:
        """Where events go; None keeps them in the fake (``fake.webhooks()`` still works)."""
        return self._url

    @url.setter
    def url(self, value: str | None) -> None:
        checked = check_webhook_url(value)
        with self._cond:
            self._url = checked
        self._wake.set()

    @property
    def attempts(self) -> list[DeliveryAttempt]:
        """Every attempt so far, in order (a copy)."""
        with self._cond:
            return list(self._attempts)

    def state_of(self, event_id: str) -> tuple[str, DeliveryAttempt | None]:
        """``(state, last attempt)``: state is delivered, retrying, failed or sending."""
        with self._cond:
            last = next((a for a in reversed(self._attempts) if a.event_id == event_id), None)
            if last is None:
                return "sending", None
            if last.ok:
                return "delivered", last
            return ("failed" if event_id in self._gave_up else "retrying"), last

    def start(self) -> None:
        """Start the delivery thread."""
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._run, name="FakeServer webhook forwarder", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop delivering (an attempt in flight finishes first) and join the thread."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def flush(self, timeout: float) -> None:
        """Block until no event is waiting or being delivered; TimeoutError after ``timeout``."""
        if self._thread is None:
            raise RuntimeError("the FakeServer is not running: start() it before flushing")
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._url is not None and (self._busy or self._fake.pending_event_ids()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"webhooks still undelivered after {timeout} s "
                        f"(see FakeServer.deliveries): {self._url}"
                    )
                self._wake.set()
                self._cond.wait(min(remaining, POLL_INTERVAL))

    def _run(self) -> None:
        while not self._stopping.is_set():
            with self._cond:
                url = self._url
                batch = self._fake.webhooks() if url is not None else []
                self._busy = bool(batch)
            for delivery in batch:
                if self._stopping.is_set():
                    break
                assert url is not None
                self._deliver(delivery, url)
            with self._cond:
                self._busy = False
                self._cond.notify_all()
            if not batch:
                self._wake.wait(POLL_INTERVAL)
                self._wake.clear()

    def _deliver(self, delivery: WebhookDelivery, url: str) -> None:
        backoff = FIRST_BACKOFF
        for attempt in range(1, MAX_ATTEMPTS + 1):
            status, error = _post(url, delivery)
            result = DeliveryAttempt(delivery.event_id, delivery.type, url, status, error, attempt)
            with self._cond:
                self._attempts.append(result)
                if not result.ok and attempt == MAX_ATTEMPTS:
                    self._gave_up.add(delivery.event_id)
            outcome = error or f"HTTP {status}"
            logger.info(
                "webhook %s %s -> %s: %s (attempt %d)",
                delivery.event_id,
                delivery.type,
                url,
                outcome,
                attempt,
            )
            if result.ok:
                return
            if attempt == MAX_ATTEMPTS:
                logger.warning(
                    "gave up on webhook %s after %d attempts", delivery.event_id, attempt
                )
                return
            if self._stopping.wait(backoff):
                return
            backoff = min(backoff * 2, MAX_BACKOFF)


def _post(url: str, delivery: WebhookDelivery) -> tuple[int | None, str | None]:
    """POST one event: ``(status, None)``, or ``(None, error)`` when there is no answer."""
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.netloc, timeout=REQUEST_TIMEOUT)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Stripe-Signature": delivery.signature,
        "User-Agent": _USER_AGENT,
    }
    try:
        connection.request("POST", path, body=delivery.body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, None
    except (OSError, http.client.HTTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()
