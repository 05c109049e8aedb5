"""The command line every example shares: ``python -m examples.<app> [--host H] [--port P]``."""

from __future__ import annotations

import argparse
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Protocol


@dataclass(frozen=True)
class Address:
    """Where the app listens."""

    host: str
    port: int

    @property
    def url(self) -> str:
        """The app's base URL, as the browser and the webhook forwarder reach it."""
        return f"http://{self.host}:{self.port}"


def parse_address(framework: str, argv: Sequence[str] | None = None) -> Address:
    """Read ``--host`` (loopback by default) and ``--port`` (8000)."""
    parser = argparse.ArgumentParser(
        description=f"The future_payments {framework} example. Without STRIPE_SECRET_KEY it "
        "runs on a fake Stripe started in this process."
    )
    parser.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="default: 8000")
    args = parser.parse_args(argv)
    return Address(args.host, args.port)


def stop_on_sigterm() -> None:
    """Make SIGTERM stop the server as Ctrl-C does, so the fake and temp files are cleaned up."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


class _Serving(Protocol):
    def serve_forever(self) -> None: ...
    def server_close(self) -> None: ...


def serve_until_stopped(server: _Serving, close: Callable[[], None]) -> None:
    """Serve until Ctrl-C or SIGTERM, then close the server and call ``close``."""
    stop_on_sigterm()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        close()
