"""``future-payments fake serve``: run a ``FakeServer`` until Ctrl-C (or SIGTERM)."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import TextIO

from future_payments.testing._fake._fake import FakeStripe
from future_payments.testing._server._retry import RetrySchedule
from future_payments.testing._server._server import FakeServer


def serve(
    *,
    host: str,
    port: int,
    webhook_url: str | None,
    webhook_secret: str | None,
    allow_remote: bool,
    retry: RetrySchedule | None = None,
    out: TextIO | None = None,
) -> int:
    """Serve until interrupted; returns the exit code (2 for a refused host or a bad URL)."""
    out = out or sys.stdout
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    try:
        server = FakeServer(
            FakeStripe(webhook_secret=webhook_secret),
            host=host,
            port=port,
            webhook_url=webhook_url,
            retry=retry,
            allow_remote=allow_remote,
        )
        server.start()
    except (ValueError, OSError) as exc:
        print(f"future-payments fake serve: {exc}", file=sys.stderr)
        return 2
    until_signalled(ready=lambda: _print_banner(server, out), then=server.stop)
    print("FakeStripe stopped.", file=out, flush=True)
    return 0


def until_signalled(*, ready: Callable[[], None], then: Callable[[], None]) -> None:
    """Call ``ready`` once SIGTERM and Ctrl-C are caught, block until one comes, call ``then``.

    ``then`` runs however the wait ends.
    """
    stop = threading.Event()
    try:
        with stopped_by_signals(stop):
            ready()
            while not stop.wait(0.5):  # short waits: the signal handler runs between them
                pass
    finally:
        then()


@contextlib.contextmanager
def stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    """Within it, SIGTERM and Ctrl-C (SIGINT) set ``stop`` instead of ending the process.

    SIGINT gets a handler of its own too: a process started in the background by a
    non-interactive shell inherits SIGINT ignored, and would not stop on it otherwise.
    """

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _print_banner(server: FakeServer, out: TextIO) -> None:
    url = server.url
    forward = server.webhook_url or "not forwarded (pass --webhook-url URL)"
    if server.webhook_url:
        forward += f"\n                   failed deliveries {server.retry.describe()}"
    print(f"FakeStripe listening on {url}", file=out)
    print(
        f"""
  API base:        {url}  (the /v1 API; any sk_test_... key)
  Webhook secret:  {server.fake.webhook_secret}
  Webhooks to:     {forward}
  Dashboard:       {url}/

Point a client at it:
  Python:  stripe.StripeClient("sk_test_123", base_addresses={{"api": "{url}"}})
  Shell:   curl {url}/v1/customers -u sk_test_123:

Forward events to an app from another shell:
  future-payments listen --forward-to http://127.0.0.1:8000/stripe/webhook --api-base {url}

Checkout Session urls open the hosted page on this server. Press Ctrl-C to stop.""",
        file=out,
        flush=True,
    )
