"""``future-payments listen``: follow a running fake's events and forward each one, signed.

Like ``stripe listen --forward-to``. It polls ``GET /v1/events?ending_before=<newest seen>``
(Stripe's own cursor: only events newer than the one named, oldest first once reversed) and
``GET /_fake/resends``; each event is POSTed to ``--forward-to`` signed with the fake's webhook
secret at the fake's time, and retried on the same schedule as ``fake serve --webhook-url``.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import threading
import time
from collections.abc import Callable
from typing import TextIO

import attrs
import stripe

from future_payments._cli._remote import Config, Remote, RemoteError
from future_payments.testing._server._cli import stopped_by_signals, until_signalled
from future_payments.testing._server._forwarder import DeliveryAttempt, Forwarder, Outgoing
from future_payments.testing._server._retry import RetrySchedule, duration

POLL_EVERY = 0.25  # seconds between two polls of the fake
_PAGE = 100


@attrs.frozen
class TypeFilter:
    """Which event types to forward: all, or those named (``payment_intent.*`` for a family)."""

    names: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> TypeFilter:
        """From ``--events a.b,c.*`` (None or ``*``: every type)."""
        names = tuple(n.strip() for n in (text or "").split(",") if n.strip())
        return cls(() if "*" in names else names)

    def __call__(self, event_type: str) -> bool:
        """Whether events of ``event_type`` are forwarded."""
        return not self.names or any(
            event_type.startswith(n[:-1]) if n.endswith("*") else event_type == n
            for n in self.names
        )


def to_outgoing(event: stripe.Event) -> Outgoing:
    """An event from the API as the body a webhook carries (the event's JSON)."""
    body = json.dumps(event.to_dict(for_json=True), indent=2).encode()
    return Outgoing(event.id, event.type, body)


class RemoteEvents:
    """The ``EventSource`` of a fake followed over HTTP: its new events and its resends.

    Args:
        remote: the fake.
        wanted: which event types to hand out.
        say: where notes go (the fake lost or back, restarted...).
    """

    def __init__(self, remote: Remote, wanted: TypeFilter, say: Callable[[str], None]) -> None:
        self._remote = remote
        self._wanted = wanted
        self._say = say
        self._lock = threading.Lock()
        self._cursor: str | None = None
        self._resends_seen = 0
        self._offset = 0.0  # fake time minus local time
        self._secret = ""
        self._next_poll = 0.0
        self._lost = False

    def begin(self) -> Config:
        """Learn the secret and clock, and start after the newest event (RemoteError if none)."""
        config = self._remote.config()
        newest = self._remote.client.v1.events.list(params={"limit": 1}).data
        _, resends, now = self._remote.resends(0)
        with self._lock:
            self._secret = config.webhook_secret
            self._cursor = newest[0].id if newest else None
            self._resends_seen = resends
            self._offset = now - time.time()
        return config

    def take(self) -> list[Outgoing]:
        """Events recorded or resent since the last call, oldest first, of the wanted types."""
        if time.monotonic() < self._next_poll:
            return []
        self._next_poll = time.monotonic() + POLL_EVERY
        taken: list[Outgoing] = []
        try:
            # Each step moves its cursor only once it has its events: a failure loses nothing.
            taken += self._new_events()
            taken += self._resent()
        except stripe.InvalidRequestError as exc:
            if exc.code != "resource_missing":
                self._unreachable(exc)
            else:
                self._restarted()
        except (RemoteError, stripe.StripeError) as exc:
            self._unreachable(exc)
        else:
            if self._lost:
                self._say(f"The fake at {self._remote.api_base} answers again.")
                self._lost = False
        return [outgoing for outgoing in taken if self._wanted(outgoing.type)]

    def _unreachable(self, exc: Exception) -> None:
        if not self._lost:
            self._say(f"Lost the fake at {self._remote.api_base} ({exc}); still trying.")
        self._lost = True

    def waiting(self) -> bool:
        """Never: events are only known once polled (``listen`` does not flush)."""
        return False

    def signing(self) -> tuple[str, int]:
        """The fake's webhook secret, and its clock now."""
        with self._lock:
            return self._secret, int(time.time() + self._offset)

    def _new_events(self) -> list[Outgoing]:
        with self._lock:
            cursor = self._cursor
        found = events_after(self._remote.client, cursor)
        if found:
            with self._lock:
                self._cursor = found[-1].id
        return [to_outgoing(event) for event in found]

    def _resent(self) -> list[Outgoing]:
        with self._lock:
            seen = self._resends_seen
        event_ids, count, now = self._remote.resends(seen)
        resent = [to_outgoing(self._remote.client.v1.events.retrieve(i)) for i in event_ids]
        with self._lock:
            self._resends_seen = count
            self._offset = now - time.time()
        return resent

    def _restarted(self) -> None:
        """The newest event seen is gone: the fake was restarted (a new, empty fake)."""
        try:
            config = self._remote.config()
        except RemoteError as exc:
            self._unreachable(exc)
            return
        with self._lock:
            self._cursor = None
            self._resends_seen = 0
            changed = config.webhook_secret != self._secret
            self._secret = config.webhook_secret
        note = " Its webhook secret changed: restart your app with the new one." if changed else ""
        self._say(f"The fake at {self._remote.api_base} restarted: following its new events.{note}")


def events_after(client: stripe.StripeClient, cursor: str | None) -> list[stripe.Event]:
    """Every event newer than ``cursor`` (every event when None), oldest first.

    ``ending_before`` pages towards the newest event, as on Stripe; a ``cursor`` the fake does
    not know raises ``stripe.InvalidRequestError`` (code ``resource_missing``).
    """
    events = client.v1.events
    if cursor is None:
        page = events.list(params={"limit": _PAGE})
        newest_first = list(page.data)
        while page.has_more:
            page = events.list(params={"limit": _PAGE, "starting_after": page.data[-1].id})
            newest_first += page.data
        return list(reversed(newest_first))
    found: list[stripe.Event] = []
    while True:
        page = events.list(params={"limit": _PAGE, "ending_before": cursor})
        found += reversed(page.data)
        if not page.data or not page.has_more:
            return found
        cursor = page.data[0].id


def delivery_line(attempt: DeliveryAttempt) -> str:
    """One line per attempt: local time, type, id, and the answer (or why there was none)."""
    moment = datetime.datetime.fromtimestamp(attempt.at).strftime("%Y-%m-%d %H:%M:%S")
    answer = f"[{attempt.status}]" if attempt.status is not None else f"[{attempt.error}]"
    if attempt.ok:
        then = ""
    elif attempt.retry_in is not None:
        then = f" attempt {attempt.attempt}, next in {duration(attempt.retry_in)}"
    else:
        then = f" attempt {attempt.attempt}, given up"
    return f"{moment}  {attempt.type:<40} {attempt.event_id}  {answer}{then}"


def event_line(outgoing: Outgoing, at: int) -> str:
    """One line per event when nothing is forwarded: local time, type, id."""
    moment = datetime.datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M:%S")
    return f"{moment}  {outgoing.type:<40} {outgoing.event_id}"


def listen(
    *,
    api_base: str,
    api_key: str,
    forward_to: str | None,
    events: str | None,
    schedule: RetrySchedule,
    print_secret: bool,
    out: TextIO,
    err: TextIO,
) -> int:
    """Run ``future-payments listen`` until Ctrl-C or SIGTERM; returns the exit code."""
    remote = Remote(api_base, api_key)

    def say(text: str) -> None:
        print(text, file=err, flush=True)

    source = RemoteEvents(remote, TypeFilter.parse(events), say)
    try:
        config = source.begin()
    except (RemoteError, stripe.StripeError) as exc:
        say(f"future-payments listen: {exc}")
        return 2
    if print_secret:
        print(config.webhook_secret, file=out, flush=True)
        return 0

    def on_attempt(attempt: DeliveryAttempt) -> None:
        print(delivery_line(attempt), file=out, flush=True)
        with contextlib.suppress(RemoteError):  # the dashboard misses a line, nothing more
            remote.report(attempts_as_json(attempt))

    if forward_to is None:
        stop = threading.Event()
        with stopped_by_signals(stop):
            _banner(config, forward_to, events, schedule, out)
            while not stop.is_set():
                for outgoing in source.take():
                    print(event_line(outgoing, source.signing()[1]), file=out, flush=True)
                stop.wait(POLL_EVERY)
    else:
        forwarder = Forwarder(source, forward_to, schedule, on_attempt)

        def ready() -> None:
            forwarder.start()
            _banner(config, forward_to, events, schedule, out)

        until_signalled(ready=ready, then=forwarder.stop)
    print("Stopped listening.", file=err, flush=True)
    return 0


def attempts_as_json(attempt: DeliveryAttempt) -> dict[str, object]:
    """An attempt as ``POST /_fake/deliveries`` takes it."""
    return attrs.asdict(attempt)


def _banner(
    config: Config, forward_to: str | None, events: str | None, schedule: RetrySchedule, out: TextIO
) -> None:
    which = f"events {events}" if events else "every event"
    where = f"forwarding {which} to {forward_to}" if forward_to else f"printing {which}"
    lines = [
        f"Ready! Following FakeStripe at {config.api_base}: {where}.",
        f"Your webhook signing secret is {config.webhook_secret}",
    ]
    if forward_to:
        lines.append(f"Failed deliveries are {schedule.describe()}.")
    lines.append("Press Ctrl-C to stop.")
    print("\n".join(lines), file=out, flush=True)
