"""The webhook forwarder: POSTs signed events to an app's endpoint, each retried on a schedule.

One forwarder serves both ``FakeServer(webhook_url=...)`` (events taken from the in-process
fake) and ``future-payments listen`` (events polled from a running fake over HTTP): only the
``EventSource`` differs.
"""

from __future__ import annotations

import heapq
import http.client
import itertools
import threading
import time
from collections.abc import Callable
from typing import Protocol
from urllib.parse import urlsplit

import attrs

from future_payments.testing._fake._fake import FakeStripe
from future_payments.testing._server._retry import RetrySchedule
from future_payments.webhooks import sign_payload

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
        attempt: 1 for the first try, 2 for the first retry... (a resend starts again at 1).
        at: when the attempt was made (unix seconds on the fake's clock, as signed).
        retry_in: seconds until the next attempt, or None: acknowledged, or given up.
    """

    event_id: str
    type: str
    url: str
    status: int | None
    error: str | None
    attempt: int
    at: int = 0
    retry_in: float | None = None

    @property
    def ok(self) -> bool:
        """Whether the endpoint acknowledged the event with a 2xx."""
        return self.status is not None and 200 <= self.status < 300


@attrs.frozen
class Outgoing:
    """One event to deliver: its id, type and JSON body (signed afresh at every attempt)."""

    event_id: str
    type: str
    body: bytes


class EventSource(Protocol):
    """Where a forwarder's events come from, and what signs them."""

    def take(self) -> list[Outgoing]:
        """The events not handed out yet, oldest first; they count as taken."""

    def waiting(self) -> bool:
        """Whether events wait to be taken."""

    def signing(self) -> tuple[str, int]:
        """``(webhook secret, unix time)`` to sign an attempt made now."""


class FakeEvents:
    """The events of an in-process ``FakeStripe`` (``fake.webhooks()``), signed on its clock."""

    def __init__(self, fake: FakeStripe) -> None:
        self._fake = fake

    def take(self) -> list[Outgoing]:
        """``fake.webhooks()``, oldest first."""
        return [Outgoing(d.event_id, d.type, d.body) for d in self._fake.webhooks()]

    def waiting(self) -> bool:
        """Whether the fake holds events not handed out yet."""
        return bool(self._fake.pending_event_ids())

    def signing(self) -> tuple[str, int]:
        """The fake's webhook secret and clock."""
        return self._fake.webhook_secret, self._fake.clock.now()


def check_webhook_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL (or None), else ValueError."""
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"webhook_url must be an absolute http:// or https:// URL, got {url!r}")
    return url


@attrs.define
class _Job:
    outgoing: Outgoing
    first_at: float  # monotonic time of the first attempt (or of the resend)
    made: int = 0  # attempts made so far


class Forwarder:
    """A thread that delivers a source's events to ``url``, each on its own retry schedule.

    New events are attempted at once, oldest first. A failed attempt (no 2xx, or no answer)
    is planned again after the schedule's next wait, while the other events go on; after the
    last planned retry the event is given up (``resend`` tries it again).
    """

    def __init__(
        self,
        source: EventSource,
        url: str | None,
        schedule: RetrySchedule | None = None,
        on_attempt: Callable[[DeliveryAttempt], None] | None = None,
    ) -> None:
        self._source = source
        self._url = check_webhook_url(url)
        self.schedule = schedule or RetrySchedule()
        self._on_attempt = on_attempt
        self._cond = threading.Condition()
        self._busy = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._queue: list[tuple[float, int, _Job]] = []  # (due, order, job), a heap
        self._order = itertools.count()
        self._attempts: list[DeliveryAttempt] = []

    @property
    def schedule(self) -> RetrySchedule:
        """When failed attempts are retried."""
        return self._schedule

    @schedule.setter
    def schedule(self, value: RetrySchedule) -> None:
        self._schedule = value
        self._planned = tuple(itertools.accumulate(value.delays()))

    @property
    def url(self) -> str | None:
        """Where events go; None pauses delivery (events stay in the source)."""
        return self._url

    @url.setter
    def url(self, value: str | None) -> None:
        checked = check_webhook_url(value)
        with self._cond:
            self._url = checked
            self._cond.notify_all()

    @property
    def attempts(self) -> list[DeliveryAttempt]:
        """Every attempt so far, in order (a copy)."""
        with self._cond:
            return list(self._attempts)

    def attempts_of(self, event_id: str) -> list[DeliveryAttempt]:
        """The attempts of one event, oldest first."""
        with self._cond:
            return [a for a in self._attempts if a.event_id == event_id]

    def state_of(self, event_id: str) -> tuple[str, DeliveryAttempt | None]:
        """``(state, last attempt)``: delivered, retrying, failed, or sending (not tried yet)."""
        with self._cond:
            last = next((a for a in reversed(self._attempts) if a.event_id == event_id), None)
            queued = any(job.outgoing.event_id == event_id for _, _, job in self._queue)
            if last is None or (queued and last.retry_in is None):
                return "sending", last
            if last.ok:
                return "delivered", last
            return ("retrying" if queued else "failed"), last

    def resend(self, outgoing: Outgoing) -> None:
        """Deliver an event again, now, with a schedule of its own."""
        with self._cond:
            self._push(_Job(outgoing, time.monotonic()), time.monotonic())
            self._cond.notify_all()

    def start(self) -> None:
        """Start the delivery thread."""
        with self._cond:
            self._stopping = False
        self._thread = threading.Thread(
            target=self._run, name="future_payments webhook forwarder", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop delivering (an attempt in flight finishes first) and join the thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def flush(self, timeout: float) -> None:
        """Block until nothing waits, is in flight or is planned; TimeoutError after ``timeout``."""
        if self._thread is None:
            raise RuntimeError("the FakeServer is not running: start() it before flushing")
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._url is not None and (self._busy or self._queue or self._source.waiting()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"webhooks still undelivered after {timeout} s "
                        f"(see FakeServer.deliveries): {self._url}"
                    )
                self._cond.notify_all()
                self._cond.wait(min(remaining, POLL_INTERVAL))

    def _push(self, job: _Job, due: float) -> None:
        heapq.heappush(self._queue, (due, next(self._order), job))

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._stopping:
                    return
                url = self._url
                self._busy = url is not None
            fresh = self._source.take() if url is not None else []
            with self._cond:
                now = time.monotonic()
                for outgoing in fresh:
                    self._push(_Job(outgoing, now), now)
                job = None
                if url is not None and self._queue and self._queue[0][0] <= now:
                    job = heapq.heappop(self._queue)[2]
                if job is None:
                    self._busy = False
                    self._cond.notify_all()
                    wait = POLL_INTERVAL
                    if url is not None and self._queue:
                        wait = min(wait, max(self._queue[0][0] - now, 0.0))
                    if not self._stopping:
                        self._cond.wait(wait)
                    continue
            self._attempt(job, url)

    def _attempt(self, job: _Job, url: str | None) -> None:
        assert url is not None
        outgoing = job.outgoing
        timestamp = int(time.time())
        status: int | None = None
        try:
            secret, timestamp = self._source.signing()
            signature = sign_payload(outgoing.body, secret, timestamp)
        except Exception as exc:  # a bad secret must not kill the thread: it is an attempt
            error: str | None = f"could not sign the event: {type(exc).__name__}"
        else:
            status, error = post(url, outgoing.body, signature)
        job.made += 1
        now = time.monotonic()
        retry_in = due = None
        ok = status is not None and 200 <= status < 300
        if not ok and job.made <= len(self._planned):
            due = job.first_at + self._planned[job.made - 1]
            retry_in = max(due - now, 0.0)
        result = DeliveryAttempt(
            outgoing.event_id, outgoing.type, url, status, error, job.made, timestamp, retry_in
        )
        with self._cond:
            self._attempts.append(result)
            if due is not None:
                self._push(job, due)
        if self._on_attempt is not None:
            self._on_attempt(result)


def post(url: str, body: bytes, signature: str) -> tuple[int | None, str | None]:
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
        "Stripe-Signature": signature,
        "User-Agent": _USER_AGENT,
    }
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, None
    except (OSError, http.client.HTTPException) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()
