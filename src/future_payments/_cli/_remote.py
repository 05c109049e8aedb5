"""A running ``future-payments fake serve``, reached over HTTP only.

Stripe's API (``/v1``) goes through the real ``stripe`` package with ``base_addresses``; the
few things Stripe's CLI learns from its own backend come from the fake's ``/_fake/`` endpoints
(``docs/cli.md``, "How the tools reach the fake").
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode, urlsplit

import attrs
import stripe

DEFAULT_API_BASE = "http://127.0.0.1:12111"
DEFAULT_API_KEY = "sk_test_future_payments_cli"
TIMEOUT = 10.0


class RemoteError(Exception):
    """The fake could not be reached, or answered what a fake does not answer."""


def check_api_base(url: str) -> str:
    """``url`` without a trailing slash if it is an absolute http(s) URL, else ValueError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"--api-base must be an http:// or https:// URL, got {url!r}")
    return url.rstrip("/")


@attrs.frozen
class Config:
    """What ``GET /_fake/config`` tells: the fake's secret, clock and forwarding."""

    api_base: str
    webhook_secret: str = attrs.field(repr=False)
    webhook_url: str | None
    time: int
    version: str


class Remote:
    """One fake server: its ``/v1`` API through a ``stripe.StripeClient``, and ``/_fake/``."""

    def __init__(self, api_base: str, api_key: str = DEFAULT_API_KEY) -> None:
        self.api_base = check_api_base(api_base)
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": self.api_base, "files": self.api_base},
            max_network_retries=2,
        )

    def config(self) -> Config:
        """The fake's webhook secret, clock, forwarding URL and version."""
        answer = self._call("GET", "/_fake/config")
        try:
            return Config(
                api_base=str(answer["api_base"]),
                webhook_secret=str(answer["webhook_secret"]),
                webhook_url=answer.get("webhook_url"),
                time=int(answer["time"]),
                version=str(answer.get("version", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RemoteError(f"{self.api_base}/_fake/config answered no fake config") from exc

    def resends(self, seen: int) -> tuple[list[str], int, int]:
        """``(event ids resent after the first seen, resends now, fake time)``."""
        answer = self._call("GET", "/_fake/resends?" + urlencode({"after": seen}))
        return [str(i) for i in answer["event_ids"]], int(answer["count"]), int(answer["time"])

    def resend(self, event_id: str) -> str | None:
        """Ask the fake to deliver an event again; returns its webhook URL (None if none)."""
        answer = self._call("POST", f"/_fake/events/{event_id}/resend", b"")
        url = answer.get("webhook_url")
        return str(url) if url else None

    def update_card(self, payment_method: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Ask the fake's card network to update an attached card; the PaymentMethod after."""
        path = f"/_fake/payment_methods/{payment_method}/network_update"
        return self._call("POST", path, json.dumps(changes).encode())

    def report(self, attempt: dict[str, Any]) -> None:
        """Tell the fake about one delivery attempt, for its dashboard (best effort)."""
        self._call("POST", "/_fake/deliveries", json.dumps(attempt).encode())

    def _call(self, method: str, path: str, body: bytes | None = None) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 -- the URL was checked to be http(s)
            f"{self.api_base}{path}",
            data=body,
            method=method,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        try:
            with self._opener.open(request, timeout=TIMEOUT) as response:
                text = response.read()
        except urllib.error.HTTPError as exc:
            raise RemoteError(_http_error(self.api_base, path, exc)) from exc
        except (OSError, ValueError) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise RemoteError(
                f"no FakeStripe answers at {self.api_base} ({reason}). Start one with "
                "`future-payments fake serve`, or pass --api-base with its URL."
            ) from exc
        if not text:
            return {}
        try:
            answer = json.loads(text)
        except ValueError as exc:
            raise RemoteError(f"{self.api_base}{path} did not answer JSON: is it a fake?") from exc
        if not isinstance(answer, dict):
            raise RemoteError(f"{self.api_base}{path} answered {answer!r}")
        return answer


def _http_error(api_base: str, path: str, exc: urllib.error.HTTPError) -> str:
    try:
        message = json.loads(exc.read())["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = None
    if message:
        return str(message)
    if exc.code == 404 and path.startswith("/_fake/"):
        return (
            f"{api_base} answers HTTP but not as `future-payments fake serve` does "
            f"({path}: 404): is --api-base a FakeStripe server?"
        )
    return f"{api_base}{path}: HTTP {exc.code}"
